"""ROUGE-L: the F-measure of the longest common subsequence of two texts' tokens.

Tokens are lower-cased runs of letters and digits, and each CJK character on its own (the
`rouge-score` tokenizer keeps only [a-z0-9], so Chinese text would have no tokens at all).
Self-Instruct drops a new instruction whose ROUGE-L against any kept one is 0.7 or more;
`RougeIndex` answers that question for one text against many, quickly.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


def tokens(text: str) -> list[str]:
    """The text's tokens: words and numbers lower-cased, each CJK character apart."""
    return _TOKEN.findall(text.lower())


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """The length of the longest common subsequence of two token lists.

    Bit-parallel (Allison–Dix / Hyyrö): one integer holds a whole row of the dynamic
    programme, so each token of `b` costs a few big-integer operations instead of a loop
    over `a`."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for position, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << position)
    full = (1 << len(a)) - 1
    row = full
    for token in b:
        match = row & masks.get(token, 0)
        row = ((row + match) | (row - match)) & full
    return len(a) - row.bit_count()


def f_measure(common: int, first: int, second: int) -> float:
    """2PR / (P + R) for an LCS of `common` tokens between texts of these lengths."""
    if common == 0:
        return 0.0
    return 2 * common / (first + second)


def rouge_l(first: str, second: str) -> float:
    """ROUGE-L F-measure of two texts, 0.0 to 1.0 (symmetric)."""
    a, b = tokens(first), tokens(second)
    return f_measure(lcs_length(a, b), len(a), len(b))


@dataclass(frozen=True)
class Match:
    """The closest text found and its ROUGE-L."""

    text: str
    score: float


class RougeIndex:
    """Texts to compare new ones with; `closest` finds the most similar one at or above a
    threshold, skipping texts whose lengths or shared tokens rule them out."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._entries: list[tuple[str, list[str], Counter[str]]] = []
        for text in texts:
            self.add(text)

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, text: str) -> None:
        found = tokens(text)
        self._entries.append((text, found, Counter(found)))

    def closest(self, text: str, threshold: float) -> Match | None:
        """The indexed text with the highest ROUGE-L against `text` if it reaches
        `threshold`, else None."""
        query = tokens(text)
        counts = Counter(query)
        best: Match | None = None
        floor = threshold
        for original, other, other_counts in self._entries:
            # The LCS is at most the tokens both share, and at most the shorter text.
            bound = min(len(query), len(other), sum((counts & other_counts).values()))
            if f_measure(bound, len(query), len(other)) < floor:
                continue
            score = f_measure(lcs_length(query, other), len(query), len(other))
            if score >= floor:
                best, floor = Match(original, score), score
        return best
