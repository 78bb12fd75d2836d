"""The dialogue prompts (dialogue, dialogue_continue) and the judge of one dialogue turn.

"Dialogue" gets as many turns as the prompt states ("exactly N turns", "N more turns",
"恰好 N 轮"), held within the schema's bounds: each user message is a stock follow-up, each
assistant reply one sentence of the <material> in order, with a "scenario" and "reasoning"
where the schema requires them. "JudgeScores" for a turn (the judge_turn prompt: the turn
sits in <user> and <assistant>) scores accuracy 5 when every sentence of the last
<assistant> reply is in the <material>, else 1, and the other criteria 4.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import first, material, resolve, sentences

_TURN_COUNT = re.compile(r"exactly (\d+) (?:more )?turns?\b|恰好\s*(\d+)\s*轮")
_LAST_REPLY = re.compile(r".*<assistant>\s*(.*?)\s*</assistant>", re.DOTALL)
FOLLOW_UPS = (
    "Could you explain what matters most here?",
    "What does that mean in practice?",
    "Is there an exception I should know about?",
    "And what follows from that?",
)
SCENARIO_TEXT = "A newcomer asks someone who knows the subject for advice."


@shapes("Dialogue")
def dialogue_reply(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    """Turns for a dialogue prompt: as many as it states, within the schema's bounds."""
    turns_schema = schema.get("properties", {}).get("turns", {})
    low, high = turns_schema.get("minItems", 1), turns_schema.get("maxItems", 3)
    stated = first(_TURN_COUNT, user_texts)
    count = int(stated.group(1) or stated.group(2)) if stated else low
    count = min(max(count, low), high)
    facts = sentences(material(user_texts)) or ["Bees are social insects that live in colonies."]
    item = resolve(turns_schema.get("items", {}), schema)
    turns: list[dict[str, str]] = []
    for index in range(count):
        fact = facts[index % len(facts)]
        turn = {"user": FOLLOW_UPS[index % len(FOLLOW_UPS)], "assistant": fact}
        if "reasoning" in item.get("required", []):
            turn["reasoning"] = f"The user wants the next point; it is this: {fact}"
        turns.append(turn)
    reply: dict[str, Any] = {"turns": turns}
    if "scenario" in schema.get("required", []):
        reply = {"scenario": SCENARIO_TEXT, **reply}
    return reply


@shapes("JudgeScores")
def turn_scores(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any] | None:
    """A judge_turn reply: accuracy 5 when the reply's sentences are all in the material;
    None for the judge of a plain QA pair (no <assistant> turn), left to the generic reply."""
    reply = first(_LAST_REPLY, user_texts)
    if reply is None:
        return None
    source = " ".join(material(user_texts).split())
    grounded = all(" ".join(sentence.split()) in source for sentence in sentences(reply.group(1)))
    return {
        "question": 4,
        "accuracy": 5 if grounded else 1,
        "relevance": 4,
        "consistency": 4,
        "verdict": "Every claim is in the source." if grounded else "Claims a fact not given.",
    }
