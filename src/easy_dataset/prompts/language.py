"""The languages prompts ship in, and a cheap guess at which one a text is written in."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")

# CJK ideographs (basic, extension A, compatibility, extensions B-F).
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# One Chinese character carries about as much as one English word, so counting ideographs
# against Latin *words* (not letters) keeps a Chinese manual full of English terms and code
# on the Chinese side.
_ZH_SHARE = 0.3
_SAMPLE_CHARS = 100_000


def detect_language(text: str) -> Language:
    """ "zh" when CJK ideographs make up a fair share of the text's words, else "en"."""
    sample = text[:_SAMPLE_CHARS]
    cjk = len(_CJK.findall(sample))
    if cjk == 0:
        return "en"
    words = len(_LATIN_WORD.findall(sample))
    return "zh" if cjk / (cjk + words) >= _ZH_SHARE else "en"
