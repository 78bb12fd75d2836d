"""Human review by sampling: draw a small random share of the dataset for a person to check,
then turn the errors they find into an error rate with a confidence interval, so "3 bad in
40 reviewed" reads as "between 2.6% and 19.9% of the whole set", not as a bare 7.5%."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

DEFAULT_FRACTION = 0.05
DEFAULT_CONFIDENCE = 0.95


def draw_sample(
    ids: Sequence[int],
    fraction: float = DEFAULT_FRACTION,
    *,
    seed: int | None = None,
    minimum: int = 1,
) -> list[int]:
    """A sorted random `fraction` of `ids` (at least `minimum`, at most all); seeded, stable."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], not {fraction}")
    if minimum < 0:
        raise ValueError(f"minimum must not be negative, not {minimum}")
    unique = list(dict.fromkeys(ids))  # an id listed twice is still one item to review
    # 0.07 * 100 is 7.000000000000001 in floating point: ceil must not make that 8.
    wanted = math.ceil(round(fraction * len(unique), 9))
    size = min(len(unique), max(minimum, wanted))
    return sorted(random.Random(seed).sample(unique, size))


@dataclass(frozen=True)
class ErrorEstimate:
    """The error rate seen in a reviewed sample, with its confidence interval."""

    reviewed: int
    errors: int
    rate: float  # errors / reviewed
    low: float  # interval bounds for the whole set's rate
    high: float
    confidence: float


def error_rate(
    errors: int,
    reviewed: int,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    population: int | None = None,
) -> ErrorEstimate:
    """The error rate and its Wilson interval, narrowed for a finite `population` if given."""
    if reviewed < 0 or not 0 <= errors <= reviewed:
        raise ValueError(f"need 0 <= errors <= reviewed, got {errors} of {reviewed}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), not {confidence}")
    if population is not None and population < reviewed:
        raise ValueError(f"population {population} is smaller than the sample {reviewed}")
    if reviewed == 0:
        return ErrorEstimate(0, 0, 0.0, 0.0, 1.0, confidence)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    if population == reviewed:
        z = 0.0  # every item was reviewed: the rate is known exactly
    elif population is not None and population > 1:
        # Sampling without replacement from a finite set: the variance shrinks by
        # (N - n) / (N - 1), which is the same as shrinking z by its square root.
        z *= math.sqrt((population - reviewed) / (population - 1))
    rate = errors / reviewed
    z2 = z * z
    denominator = 1 + z2 / reviewed
    centre = (rate + z2 / (2 * reviewed)) / denominator
    half = z * math.sqrt(rate * (1 - rate) / reviewed + z2 / (4 * reviewed**2)) / denominator
    low = max(0.0, centre - half)
    high = min(1.0, centre + half)
    return ErrorEstimate(reviewed, errors, rate, low, high, confidence)
