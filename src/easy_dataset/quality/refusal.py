"""Refusals: whether an answer declines, and whether a refusal claims only what its chunk
says.

The answer to an unanswerable question should say that it cannot answer, and may say what
the chunk does cover; it must not answer anyway. Grounding alone cannot check that: "the
text does not say when the hive was built" is a true sentence made of words the chunk
lacks. So a declining sentence is held only to the numbers it states (found in the chunk
or the question), every other sentence is grounded in the chunk as any answer is, and an
answer with no declining sentence at all fails: it answered what it should have refused.

A sentence declines when it denies (not, cannot, no, 没有, 无法...) something about saying
or knowing (say, cover, mention, information, 提到, 涉及, 信息...), or calls the point
unknown. A factual sentence in that shape ("workers do not know the way") passes as a
decline: its numbers are still checked, its words are not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from easy_dataset.quality.grounding import (
    DEFAULT_SUPPORT,
    Embed,
    Grounding,
    SentenceSupport,
    ground,
    numbers,
)

_EN_DENIAL = re.compile(
    r"\b(?:not|no|never|nothing|none|neither|nor|cannot|unable|without)\b|n't\b", re.IGNORECASE
)
_EN_TELLING = re.compile(
    r"\b(?:say|says|said|state[sd]?|mention\w*|cover\w*|specif\w*|provid\w*|includ\w*|"
    r"describ\w*|address\w*|explain\w*|answer\w*|tell|tells|know|knows|known|knowledge|"
    r"inform\w*|details?|discuss\w*|record\w*|document\w*)\b",
    re.IGNORECASE,
)
_EN_UNKNOWN = re.compile(r"\b(?:unknown|unclear|unspecified|unmentioned|undocumented)\b", re.I)
_ZH_DENIAL = re.compile(r"没有|没|未|不|无法|无从|无")
_ZH_TELLING = re.compile(
    r"提及|提到|说明|涉及|包含|给出|记载|记录|介绍|回答|答复|答案|告诉|告知|信息|资料|说|讲|谈|"
    r"确定|知道|清楚"
)


def declines(sentence: str) -> bool:
    """Whether the sentence says something is not covered or cannot be answered."""
    if _EN_UNKNOWN.search(sentence):
        return True
    if _EN_DENIAL.search(sentence) and _EN_TELLING.search(sentence):
        return True
    return bool(_ZH_DENIAL.search(sentence) and _ZH_TELLING.search(sentence))


@dataclass(frozen=True)
class RefusalCheck:
    """How a refusal holds up: each sentence's support (declining ones judged by their
    numbers), which sentences decline, and whether any does."""

    grounding: Grounding
    declining: tuple[bool, ...]  # per sentence of `grounding.sentences`

    @property
    def declines(self) -> bool:
        return any(self.declining)

    @property
    def flagged(self) -> bool:
        return not self.declines or self.grounding.flagged


def check_refusal(
    answer: str,
    chunk: str,
    question: str,
    embed: Embed,
    *,
    threshold: float = DEFAULT_SUPPORT,
) -> RefusalCheck:
    """The refusal `answer` to `question` checked against `chunk`."""
    found = ground(answer, chunk, embed, threshold=threshold)
    known = numbers(chunk) | numbers(question)
    judged: list[SentenceSupport] = []
    declining: list[bool] = []
    for sentence in found.sentences:
        refusing = declines(sentence.text)
        declining.append(refusing)
        if refusing:
            backed = numbers(sentence.text) <= known
            sentence = SentenceSupport(
                sentence.text,
                sentence.semantic,
                1.0 if backed else 0.0,
                1.0 if backed else 0.0,
                backed,
            )
        judged.append(sentence)
    score = _mean([s.support for s in judged]) if judged else 0.0
    return RefusalCheck(Grounding(score, found.similarity, tuple(judged)), tuple(declining))


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)
