"""Near-identical questions within one chunk: normalised text compared by similarity ratio."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher

SIMILARITY = 0.9  # difflib ratio at or above which two normalised questions are one
MIN_CHARS = 3  # shorter than this after normalising: no question at all

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+")
# Articles change no question's meaning but weigh heavily in a short one's ratio.
_ARTICLES = frozenset({"a", "an", "the"})


def normalise(text: str) -> str:
    """Case, width, punctuation, spacing and articles folded away: what a reader would
    call the same question."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(word for word in _NOT_WORD.sub(" ", folded).split() if word not in _ARTICLES)


def near_identical(a: str, b: str, threshold: float = SIMILARITY) -> bool:
    """Whether two *normalised* questions say the same thing."""
    if a == b:
        return True
    # Numbers carry the meaning in "What happens in step 2?" vs "... step 3?": a ratio
    # would call those twins, so differing numbers always make different questions.
    if _NUMBER.findall(a) != _NUMBER.findall(b):
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # The cheap upper bounds rule out most pairs before the quadratic ratio is computed.
    return (
        matcher.real_quick_ratio() >= threshold
        and matcher.quick_ratio() >= threshold
        and matcher.ratio() >= threshold
    )


def distinct_indices(texts: Sequence[str], threshold: float = SIMILARITY) -> list[int]:
    """Indices of the texts to keep: the first of each near-identical group, no blanks."""
    kept: list[int] = []
    seen: list[str] = []
    for index, text in enumerate(texts):
        key = normalise(text)
        if len(key) < MIN_CHARS or any(near_identical(key, other, threshold) for other in seen):
            continue
        kept.append(index)
        seen.append(key)
    return kept
