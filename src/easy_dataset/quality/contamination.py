"""Contamination: questions that share long word n-grams with a benchmark's items, the sign
that a dataset would teach a model the answers to the test it will be judged by.

Text is normalised (case folded, punctuation dropped) and split into words; runs of CJK
characters count one character per "word", since those scripts write no spaces. The default
n of 13 follows the GPT-3 paper's overlap analysis.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_N = 13

_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]|[^\W_]+")


def tokens(text: str) -> list[str]:
    """Case-folded words, one token per CJK character; punctuation and spacing ignored."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def ngrams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """Every run of `n` words; a text shorter than `n` is one n-gram of all its words, so a
    short benchmark item copied whole is still caught."""
    if not words:
        return set()
    if len(words) < n:
        return {tuple(words)}
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class Overlap:
    """A question that shares n-grams with benchmark items."""

    index: int  # position of the question in the input
    shared: int  # how many of its n-grams occur in the benchmark
    total: int  # how many n-grams it has
    example: str  # one shared n-gram, joined

    @property
    def ratio(self) -> float:
        return self.shared / self.total if self.total else 0.0


class BenchmarkIndex:
    """The n-grams of a benchmark's items, built once and checked against many questions."""

    def __init__(self, items: Iterable[str], n: int = DEFAULT_N) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        self.n = n
        self.grams: set[tuple[str, ...]] = set()
        self.items = 0
        for item in items:
            self.grams |= ngrams(tokens(item), n)
            self.items += 1

    def check(self, question: str, index: int = 0) -> Overlap | None:
        """The overlap of one question with the benchmark, or None when there is none."""
        grams = ngrams(tokens(question), self.n)
        shared = [gram for gram in grams if gram in self.grams]
        if not shared:
            return None
        joiner = "" if all(len(word) == 1 for word in shared[0]) else " "
        return Overlap(index, len(shared), len(grams), joiner.join(min(shared)))


def contaminated(
    questions: Iterable[str], benchmark: Iterable[str], n: int = DEFAULT_N
) -> list[Overlap]:
    """The questions sharing at least one n-gram with a benchmark item, in input order."""
    index = BenchmarkIndex(benchmark, n)
    found = (index.check(question, position) for position, question in enumerate(questions))
    return [overlap for overlap in found if overlap is not None]
