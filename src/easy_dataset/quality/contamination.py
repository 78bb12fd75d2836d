"""Contamination: questions that share long word n-grams with a benchmark's items, the sign
that a dataset would teach a model the answers to the test it will be judged by.

Text is normalised (case folded, punctuation dropped) and split into words; runs of CJK
characters count one character per "word", since those scripts write no spaces. The default
n of 13 follows the GPT-3 paper's overlap analysis; as there, a text shorter than n is
checked with shorter n-grams (SHORT_N), so a short question copied out of a long benchmark
item is still caught.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_N = 13
SHORT_N = 8  # the n-gram length for texts shorter than n; shorter texts must match whole

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
    n: int  # the n-gram length it was checked with

    @property
    def ratio(self) -> float:
        return self.shared / self.total if self.total else 0.0


class BenchmarkIndex:
    """The n-grams of a benchmark's items, built once and checked against many questions."""

    def __init__(self, items: Iterable[str], n: int = DEFAULT_N) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        self.n = n
        self.short_n = min(n, SHORT_N)
        self.grams: set[tuple[str, ...]] = set()
        self.short_grams: set[tuple[str, ...]] = set()
        self.items = 0
        for item in items:
            words = tokens(item)
            self.grams |= ngrams(words, n)
            if self.short_n < n:
                self.short_grams |= ngrams(words, self.short_n)
            self.items += 1
        if self.short_n == n:
            self.short_grams = self.grams

    def check(self, question: str, index: int = 0) -> Overlap | None:
        """The overlap of one question with the benchmark, or None when there is none."""
        words = tokens(question)
        short = len(words) < self.n
        n, known = (self.short_n, self.short_grams) if short else (self.n, self.grams)
        grams = ngrams(words, n)
        shared = sorted(gram for gram in grams if gram in known)
        if not shared:
            return None
        example = shared[0]
        joiner = "" if all(len(word) == 1 for word in example) else " "
        return Overlap(index, len(shared), len(grams), joiner.join(example), n)


def contaminated(
    questions: Iterable[str], benchmark: Iterable[str], n: int = DEFAULT_N
) -> list[Overlap]:
    """The questions sharing at least one n-gram with a benchmark item, in input order."""
    index = BenchmarkIndex(benchmark, n)
    found = (index.check(question, position) for position, question in enumerate(questions))
    return [overlap for overlap in found if overlap is not None]
