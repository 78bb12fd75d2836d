"""How well the LLM judge agrees with people: Spearman's rank correlation of their scores,
and Cohen's kappa on pass / fail with its 2×2 counts, read in Landis & Koch's bands.

Kappa says whether filtering by the judge's score keeps what reviewers would keep, beyond
the agreement two raters reach by chance; Spearman whether the judge orders samples as
reviewers do, whatever the two scales' offsets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

MIN_PAIRS = 3  # fewer say nothing: two points always lie on a line
# Why a figure is missing: too few pairs, or one side gave every pair the same value.
Missing = Literal["too_few", "constant"]
Band = Literal["poor", "slight", "fair", "moderate", "substantial", "almost_perfect"]
# Landis & Koch (1977): the upper bound of each band of kappa.
BANDS: tuple[tuple[float, Band], ...] = (
    (0.0, "poor"),
    (0.2, "slight"),
    (0.4, "fair"),
    (0.6, "moderate"),
    (0.8, "substantial"),
    (1.0, "almost_perfect"),
)
# What a band means for filtering by the judge: trust it, spot-check it, or not rely on it.
Advice = Literal["trust", "check", "distrust"]
ADVICE: dict[Band, Advice] = {
    "poor": "distrust",
    "slight": "distrust",
    "fair": "distrust",
    "moderate": "check",
    "substantial": "trust",
    "almost_perfect": "trust",
}


class RankCorrelation(BaseModel):
    """Spearman's rho over `n` pairs; None with the reason when it cannot be computed."""

    n: int
    rho: float | None = None
    missing: Missing | None = None


class PassFailAgreement(BaseModel):
    """Cohen's kappa of judge and reviewer pass / fail over `n` pairs, with the 2×2 table
    (`both_pass`, `judge_only`: the judge passed what the reviewer failed, `reviewer_only`,
    `both_fail`), the observed and the chance-expected agreement."""

    n: int
    both_pass: int = 0
    judge_only: int = 0
    reviewer_only: int = 0
    both_fail: int = 0
    observed: float | None = None
    expected: float | None = None
    kappa: float | None = None
    band: Band | None = None
    advice: Advice | None = None
    missing: Missing | None = None


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, tied values sharing the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda index: values[index])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def spearman(first: Sequence[float], second: Sequence[float]) -> RankCorrelation:
    """Spearman's rho: Pearson's correlation of the average ranks (exact with ties)."""
    if len(first) != len(second):
        raise ValueError(f"{len(first)} scores against {len(second)}")
    n = len(first)
    if n < MIN_PAIRS:
        return RankCorrelation(n=n, missing="too_few")
    left, right = average_ranks(first), average_ranks(second)
    mean = (n + 1) / 2  # the mean of any set of 1..n ranks, ties averaged or not
    dx = [rank - mean for rank in left]
    dy = [rank - mean for rank in right]
    spread = sum(d * d for d in dx) * sum(d * d for d in dy)
    if spread == 0:
        return RankCorrelation(n=n, missing="constant")
    rho = sum(x * y for x, y in zip(dx, dy, strict=True)) / math.sqrt(spread)
    return RankCorrelation(n=n, rho=round(max(-1.0, min(1.0, rho)), 4))


def band_of(kappa: float) -> Band:
    """Landis & Koch's name for a kappa: below 0 poor, up to 0.2 slight, … above 0.8
    almost perfect."""
    for upper, band in BANDS:
        if kappa <= upper:
            return band
    return "almost_perfect"


def cohen_kappa(judge: Sequence[bool], reviewer: Sequence[bool]) -> PassFailAgreement:
    """Cohen's kappa of two pass / fail ratings of the same samples."""
    if len(judge) != len(reviewer):
        raise ValueError(f"{len(judge)} judge verdicts against {len(reviewer)}")
    n = len(judge)
    pairs = list(zip(judge, reviewer, strict=True))
    table = PassFailAgreement(
        n=n,
        both_pass=sum(1 for by_judge, by_reviewer in pairs if by_judge and by_reviewer),
        judge_only=sum(1 for by_judge, by_reviewer in pairs if by_judge and not by_reviewer),
        reviewer_only=sum(1 for by_judge, by_reviewer in pairs if by_reviewer and not by_judge),
        both_fail=sum(1 for by_judge, by_reviewer in pairs if not (by_judge or by_reviewer)),
    )
    if n < MIN_PAIRS:
        return table.model_copy(update={"missing": "too_few"})
    observed = (table.both_pass + table.both_fail) / n
    judge_pass = (table.both_pass + table.judge_only) / n
    reviewer_pass = (table.both_pass + table.reviewer_only) / n
    expected = judge_pass * reviewer_pass + (1 - judge_pass) * (1 - reviewer_pass)
    if expected >= 1:
        # Both passed everything (or failed everything): agreement is certain by chance.
        return table.model_copy(
            update={"observed": observed, "expected": expected, "missing": "constant"}
        )
    kappa = round((observed - expected) / (1 - expected), 4)
    band = band_of(kappa)
    return table.model_copy(
        update={
            "observed": round(observed, 4),
            "expected": round(expected, 4),
            "kappa": kappa,
            "band": band,
            "advice": ADVICE[band],
        }
    )
