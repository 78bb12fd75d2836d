"""The Self-Instruct prompts: "InstructionBatch" (new instructions from a round's examples)
and "InstructionInstance" (an instruction's input and output).

A batch plants one case of every filter, in this order: the first example shown, copied
word for word (ROUGE-L 1.0: "rouge"), a new instruction, one that asks to draw a map
("keyword"), that new instruction again ("duplicate"), "Okay." (too short: "malformed"),
then more new instructions: as many items as the prompt asks for, at least 5. New
instructions are drawn from word lists with a seed of the prompt, so each round's differ
from the last's (ROUGE-L well under 0.7) and a rerun gets the same. An instance has an
input for every other instruction (by a checksum of its text) and an output that quotes it.
"""

from __future__ import annotations

import random
import re
import zlib
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import first

_EXAMPLES = re.compile(r"<examples>\s*(.*?)\s*</examples>", re.DOTALL)
_COUNT = re.compile(r"Write (\d+) new task instructions?|请写 (\d+) 条")
_INSTRUCTION = re.compile(r"<instruction>\s*(.*?)\s*</instruction>", re.DOTALL)
_NUMBERED = re.compile(r"^\d+\.\s*")

VERBS = (
    "Explain", "Compare", "Summarise", "List", "Describe", "Outline", "Suggest", "Classify",
    "Rewrite", "Plan", "Evaluate", "Translate", "Estimate", "Critique", "Brainstorm", "Rank",
    "Define", "Argue", "Predict", "Design",
)  # fmt: skip
ADJECTIVES = (
    "seasonal", "practical", "historical", "common", "affordable", "unusual", "ethical",
    "local", "technical", "healthy", "quick", "legal", "creative", "reliable", "simple",
    "modern", "risky", "traditional", "careful", "efficient",
)  # fmt: skip
TOPICS = (
    "recipes", "habits", "budgets", "experiments", "contracts", "poems", "routines",
    "arguments", "gardens", "lessons", "tools", "markets", "emails", "puzzles", "journeys",
    "festivals", "policies", "sports", "algorithms", "letters",
)  # fmt: skip
AUDIENCES = (
    "retired teachers", "new parents", "nurses", "farmers", "students", "tourists",
    "engineers", "librarians", "beekeepers", "cyclists",
)  # fmt: skip
PLACES = (
    "in Lisbon", "in Kyoto", "in winter", "at night", "on a budget", "for a week",
    "in a village", "after rain", "before exams", "at work",
)  # fmt: skip
KEYWORD_TASK = "Draw a map of the hives in the valley for visiting beekeepers."
SHORT_TASK = "Okay."
PLANTED = 4  # items of a batch that are not new instructions


def new_instruction(rng: random.Random) -> str:
    return (
        f"{rng.choice(VERBS)} {rng.choice(ADJECTIVES)} {rng.choice(TOPICS)} for "
        f"{rng.choice(AUDIENCES)} {rng.choice(PLACES)}."
    )


@shapes("InstructionBatch")
def instruction_batch(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    block = first(_EXAMPLES, user_texts)
    shown = [
        _NUMBERED.sub("", line).strip() for line in (block.group(1) if block else "").splitlines()
    ]
    shown = [line for line in shown if line]
    asked = first(_COUNT, user_texts)
    count = int(asked.group(1) or asked.group(2)) if asked else 8
    rng = random.Random(zlib.crc32("\n".join(user_texts[:1]).encode()))
    fresh = [new_instruction(rng) for _ in range(max(1, count - PLANTED))]
    copied = shown[0] if shown else fresh[0]
    return {"instructions": [copied, fresh[0], KEYWORD_TASK, fresh[0], SHORT_TASK, *fresh[1:]]}


@shapes("InstructionInstance")
def instruction_instance(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    found = first(_INSTRUCTION, user_texts)
    instruction = found.group(1) if found else "the task"
    given = "" if zlib.crc32(instruction.encode()) % 2 else f"Notes on the task: {instruction}"
    return {"input": given, "output": f"A careful response to the task: {instruction}"}
