"""Mean scores with 95 % confidence intervals, overall and per kind and tag.

Every group gets the Wilson score interval of its mean, with the sum of the scores as the
successes: it stays inside [0, 1] and behaves at 0 % and 100 % and for small n, where the
normal approximation does not. For 0/1 scores (the closed kinds) that is the textbook
interval. Partial scores (multiple-choice partial credit, the judge's fractions) lie in
[0, 1], where no variable with mean p varies more than a 0/1 one (p(1 − p)), so the same
interval is conservative for them; a t interval on the sample variance would collapse to a
point when two items happen to score the same (0.5 and 0.5 gave [50 %, 50 %]).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
UNTAGGED = ""

IntervalMethod = Literal["wilson", "none"]


@dataclass(frozen=True)
class Estimate:
    """n scores, their mean and its 95 % interval [low, high], and how it was computed."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    method: IntervalMethod


def wilson(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion successes / n (successes may be a sum of
    scores in [0, 1])."""
    if n == 0:
        return 0.0, 1.0
    share = successes / n
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    spread = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


def estimate(scores: Sequence[float]) -> Estimate:
    """The mean of the scores with its 95 % Wilson interval."""
    n = len(scores)
    if n == 0:
        return Estimate(0, None, None, None, "none")
    total = sum(scores)
    low, high = wilson(total, n)
    return Estimate(n, total / n, low, high, "wilson")


@dataclass(frozen=True)
class ScoredItem:
    """One scored result as the statistics see it."""

    kind: str
    tag: str  # the item's top-level tag ("" untagged)
    score: float


def top_tag(tag_path: Sequence[object]) -> str:
    """The tag a result is grouped under: the first of its tag path (finer levels would
    leave too few items per row for an interval worth reading)."""
    return str(tag_path[0]) if tag_path else UNTAGGED


def breakdown(items: Iterable[ScoredItem], by: Literal["kind", "tag"]) -> dict[str, Estimate]:
    """An estimate per kind or per tag, in name order."""
    groups: dict[str, list[float]] = {}
    for item in items:
        groups.setdefault(item.kind if by == "kind" else item.tag, []).append(item.score)
    return {name: estimate(groups[name]) for name in sorted(groups)}
