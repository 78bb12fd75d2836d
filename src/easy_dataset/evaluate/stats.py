"""Mean scores with 95 % confidence intervals, overall and per kind and tag.

Scores that are all 0 or 1 (the closed kinds) get the Wilson score interval, which stays
inside [0, 1] and behaves at 0 % and 100 % and for small n, where the normal approximation
does not. Partial scores (multiple choice partial credit, the judge's fractions) get a
Student t interval on the mean, clipped to [0, 1]: closed-form and reproducible (a bootstrap
would need a seed and differ between versions of its sampler), and with n − 1 degrees of
freedom it is honest for the small sets people evaluate on. One score gives no spread: its
interval is [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
CONFIDENCE = 0.95
UNTAGGED = ""

IntervalMethod = Literal["wilson", "t", "none"]


@dataclass(frozen=True)
class Estimate:
    """n scores, their mean and its 95 % interval [low, high], and how it was computed."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    method: IntervalMethod


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion successes / n."""
    if n == 0:
        return 0.0, 1.0
    share = successes / n
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    spread = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


def estimate(scores: Sequence[float]) -> Estimate:
    """The mean of the scores with its 95 % interval (Wilson for 0/1 scores, else t)."""
    n = len(scores)
    if n == 0:
        return Estimate(0, None, None, None, "none")
    mean = sum(scores) / n
    if all(score in (0.0, 1.0) for score in scores):
        low, high = wilson(round(sum(scores)), n)
        return Estimate(n, mean, low, high, "wilson")
    if n == 1:
        return Estimate(n, mean, 0.0, 1.0, "t")
    variance = sum((score - mean) ** 2 for score in scores) / (n - 1)
    half = t_quantile(1 - (1 - CONFIDENCE) / 2, n - 1) * math.sqrt(variance / n)
    return Estimate(n, mean, max(0.0, mean - half), min(1.0, mean + half), "t")


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


# ---- Student's t quantile, without scipy --------------------------------------------------


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularised incomplete beta function (Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return result


def _incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with df degrees of freedom."""
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


def t_quantile(p: float, df: int) -> float:
    """The t with P(T <= t) = p (0.5 < p < 1), by bisection on the distribution function."""
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2
