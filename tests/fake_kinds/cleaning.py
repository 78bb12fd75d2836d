"""The chunk_clean prompt: "CleanedChunk" gets the <material> cleaned the way a careful model
would — lines that are only a page number or stray symbols dropped, lines that recur within
the material or are listed under <running> dropped, words hyphenated at a line end joined.

A planted failure: every sentence that holds `DROP_MARK` is left out of the reply, as a
model that loses content would, so the safety check has a real sentence to catch.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import first, material

DROP_MARK = "(planted: the fake model drops this sentence)"
_RUNNING = re.compile(r"<running>\s*(.*?)\s*</running>", re.DOTALL)
_PAGE = re.compile(r"^(?:page\s+)?[-–—(]?\s*\d{1,4}\s*[-–—)]?(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
_HYPHEN_BREAK = re.compile(r"([^\W\d_])-\n([^\W\d_])")


def _furniture(line: str, counts: Counter[str], running: set[str]) -> bool:
    text = line.strip()
    if not text:
        return False
    symbols = not re.search(r"[^\W\d_]{3}", text) and not any(c.isdigit() for c in text)
    return bool(_PAGE.match(text)) or symbols or counts[text] > 1 or text in running


def _drop_planted(text: str) -> str:
    if DROP_MARK not in text:
        return text
    return " ".join(part for part in re.split(r"(?<=[.!?])[ \t]+", text) if DROP_MARK not in part)


@shapes("CleanedChunk")
def cleaned(schema: dict[str, Any], user_texts: list[str]) -> dict[str, str]:
    text = material(user_texts)
    listed = first(_RUNNING, user_texts)
    running = {line.strip() for line in listed.group(1).split("\n")} if listed else set()
    lines = text.split("\n")
    counts = Counter(line.strip() for line in lines)
    kept = [line for line in lines if not _furniture(line, counts, running)]
    joined = _HYPHEN_BREAK.sub(r"\1\2", "\n".join(kept))
    return {"text": "\n".join(_drop_planted(line) for line in joined.split("\n"))}
