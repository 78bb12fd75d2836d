"""The judge of a model's answer to an evaluation item ("EvalJudgement", the eval_judge
prompt: <reference> and <answer> in the message). The score follows the words of the
reference found in the answer: 1 + round(4 × share), so an answer with every word of the
reference scores 5, one with none 1, and one with half of them 3."""

from __future__ import annotations

import re
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import first

_REFERENCE = re.compile(r"<reference>\s*(.*?)\s*</reference>", re.DOTALL)
_ANSWER = re.compile(r"<answer>\s*(.*?)\s*</answer>", re.DOTALL)
_WORD = re.compile(r"\w+")


def words(text: str) -> set[str]:
    return {word.casefold() for word in _WORD.findall(text)}


def overlap_score(reference: str, answer: str) -> int:
    """1 to 5 from the share of the reference's words the answer holds."""
    wanted = words(reference)
    share = len(wanted & words(answer)) / len(wanted) if wanted else 0.0
    return 1 + round(4 * share)


@shapes("EvalJudgement")
def judge_reply(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any] | None:
    reference, answer = first(_REFERENCE, user_texts), first(_ANSWER, user_texts)
    if reference is None or answer is None:
        return None
    score = overlap_score(reference.group(1), answer.group(1))
    return {"reason": f"The answer holds {score - 1} quarters of the reference.", "score": score}
