"""Verifying an answer's quotes against its chunk: exact after whitespace is normalised, or
near-exact (a fuzzy match of the quote against its best-aligned stretch of the chunk)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from rapidfuzz import fuzz

# A quote that matches a stretch of the chunk this closely (rapidfuzz's partial ratio, 0–1)
# is taken as quoted: a changed letter, a dropped comma or straight for curly quotes.
NEAR_RATIO = 0.9
# Below this length a fuzzy match means little ("the bees" is somewhere in most chunks at
# 0.9), so a short quote must match exactly.
NEAR_MIN_CHARS = 20

Match = Literal["exact", "near", "none"]


def normalise(text: str) -> str:
    """The text with every run of whitespace as one space, trimmed."""
    return " ".join(text.split())


@dataclass(frozen=True)
class QuoteCheck:
    """One quote and how it matched the chunk; `ratio` is 1.0 for an exact match."""

    quote: str
    verified: bool
    ratio: float
    match: Match

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_quote(quote: str, chunk: str, near: float = NEAR_RATIO) -> QuoteCheck:
    """Whether the chunk holds the quote, exactly or near-exactly."""
    wanted, source = normalise(quote), normalise(chunk)
    if not wanted or not source:
        return QuoteCheck(quote, False, 0.0, "none")
    if wanted in source:
        return QuoteCheck(quote, True, 1.0, "exact")
    # A quote longer than the chunk would be "found" by aligning the chunk inside it.
    if len(wanted) > len(source):
        return QuoteCheck(quote, False, 0.0, "none")
    ratio = round(fuzz.partial_ratio(wanted, source) / 100, 4)
    close = len(wanted) >= NEAR_MIN_CHARS and ratio >= near
    return QuoteCheck(quote, close, ratio, "near" if close else "none")


def verify_quotes(quotes: Iterable[str], chunk: str, near: float = NEAR_RATIO) -> list[QuoteCheck]:
    """Each quote checked on its own, in order; blank ones and repeats left out."""
    kept = dict.fromkeys(quote.strip() for quote in quotes if quote.strip())
    return [verify_quote(quote, chunk, near) for quote in kept]


def verified_share(checks: Sequence[QuoteCheck]) -> float | None:
    """The share of quotes verified (None without quotes), to 4 decimals."""
    if not checks:
        return None
    return round(sum(check.verified for check in checks) / len(checks), 4)
