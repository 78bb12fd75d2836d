"""Diversity of a dataset's questions: how varied their openings are, how many distinct
n-grams they use, and how evenly they spread over tags. Figures, not verdicts; the report
compares them with targets the user sets."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

from easy_dataset.quality.contamination import tokens

OPENING_WORDS = 2  # "What is", "How do", "Why does": the first two words tell the form
OPENING_CJK = 3  # Chinese questions: the first three characters ("什么是", "如何在")


def entropy_bits(values: Iterable[Hashable]) -> float:
    """Shannon entropy, in bits, of the distribution of `values` (0 for none or one kind)."""
    counts = Counter(values)
    total = sum(counts.values())
    if total == 0:
        return 0.0
    bits = -sum(count / total * math.log2(count / total) for count in counts.values())
    return bits if bits > 0 else 0.0  # one kind only: 0, not -0.0


def opening(question: str) -> str:
    """How a question opens: its first words, or first characters when written in CJK."""
    words = tokens(question)
    if not words:
        return ""
    cjk = all(len(word) == 1 and not word.isascii() for word in words[:OPENING_CJK])
    return "".join(words[:OPENING_CJK]) if cjk else " ".join(words[:OPENING_WORDS])


def opening_entropy(questions: Iterable[str]) -> float:
    """Entropy (bits) of the questions' openings: low when most start the same way."""
    return entropy_bits(opening(question) for question in questions)


def distinct_n(texts: Iterable[str], n: int) -> float:
    """Distinct n-grams over all n-grams across `texts` (Li et al., 2016): 1.0 when no run of
    n words repeats anywhere, near 0 when the texts repeat each other."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for text in texts:
        words: Sequence[str] = tokens(text)
        for i in range(len(words) - n + 1):
            seen.add(tuple(words[i : i + n]))
            total += 1
    return len(seen) / total if total else 0.0
