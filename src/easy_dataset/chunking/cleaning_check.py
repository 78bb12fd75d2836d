"""Did a cleaned chunk keep every sentence of content? The safety check of chunk cleaning.

Both texts are read as words (letters and digits, lower case; each CJK character a word of
its own), so punctuation, spacing and line breaks never count as changes. The original's
words are grouped into sentences (a sentence ends at . ! ? 。 ！ ？, a blank line, or where a
Markdown block starts); the words of lines that may go as furniture
(`furniture.furniture_lines`) belong to none and are left out of the comparison. The
sentences' words are aligned with the cleaned text's; inside a changed stretch a word still
counts as kept when its counterpart is close (an OCR fix: "h0ney" -> "honey") or when it was
split or joined ("se-" "crete" -> "secrete", also across the page furniture between them).
A sentence is lost when more than a quarter of its words, or a run of `LOST_RUN` words, are
gone. Words the cleaned text adds in a run of `ADDED_RUN` or more are refused too (cleaning
only ever removes), unless they are words of the original's furniture it chose to keep.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from rapidfuzz.fuzz import ratio

from easy_dataset.chunking.furniture import furniture_lines
from easy_dataset.chunking.text_diff import blocks

LOST_SHARE = 0.25  # more than this share of a sentence's words gone: the sentence is lost
LOST_RUN = 6  # so many words in a row gone from one sentence: lost too
ADDED_RUN = 4  # so many words in a row that the original lacks: refused
SIMILAR = 60  # rapidfuzz ratio at which two words are one word with its letters fixed
QUOTED = 3  # sentences quoted in a refusal
QUOTE_CHARS = 160

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>|\|)")
_LATIN_END = re.compile(r"[.!?][\"'”’)\]]*\s")
_CJK_END = re.compile(r"[。！？；]")


@dataclass
class _Words:
    """A text's words: normalised form, start and end offsets, and (original only) the
    sentence each belongs to (None: a furniture line's word, free to go)."""

    text: str
    norm: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    unit: list[int | None] = field(default_factory=list)


@dataclass(frozen=True)
class CleaningCheck:
    """What a cleaned text lost (sentences of content) or added (runs of words)."""

    lost: tuple[str, ...] = ()
    added: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.lost and not self.added

    def reason(self) -> str:
        """One line saying what was refused, quoting the sentences."""
        parts = []
        if self.lost:
            parts.append(
                f"the cleaned text left out {_count(len(self.lost), 'sentence')} of content: "
                + _quotes(self.lost)
            )
        if self.added:
            parts.append(
                f"the cleaned text adds {_count(len(self.added), 'passage')} the original does "
                "not have: " + _quotes(self.added)
            )
        return "; ".join(parts)


def check_cleaning(original: str, cleaned: str, running: Collection[str] = ()) -> CleaningCheck:
    """Compare a chunk with its cleaned text; `running` are the file's running-line keys
    (`furniture.running_lines`), which may go like the chunk's own furniture."""
    before = _words(original, running, furniture=True)
    after = _words(cleaned, running, furniture=False)
    content = [index for index, unit in enumerate(before.unit) if unit is not None]
    words = [before.norm[index] for index in content]
    # The furniture's words: a run of only these in the cleaned text was kept, not added.
    free = {word for word, unit in zip(before.norm, before.unit, strict=True) if unit is None}
    kept_before: set[int] = set()
    kept_after: set[int] = set()
    for tag, i1, i2, j1, j2 in blocks(words, after.norm):
        if tag == "equal":
            kept_before.update(content[i] for i in range(i1, i2))
            kept_after.update(range(j1, j2))
        else:
            pairs_a, pairs_b = _pair(words[i1:i2], after.norm[j1:j2])
            kept_before.update(content[i1 + i] for i in pairs_a)
            kept_after.update(j1 + j for j in pairs_b)
    return CleaningCheck(lost=_lost(before, kept_before), added=_added(after, kept_after, free))


def _words(text: str, running: Collection[str], *, furniture: bool) -> _Words:
    found = _Words(text)
    flags = furniture_lines(text, running) if furniture else [False] * (text.count("\n") + 1)
    unit, open_unit, offset = 0, False, 0
    for line, free in zip(text.split("\n"), flags, strict=True):
        if not free and (not line.strip() or _BLOCK_START.match(line)) and open_unit:
            unit, open_unit = unit + 1, False
        matches = list(_WORD.finditer(line))
        for index, match in enumerate(matches):
            found.norm.append(match.group().casefold())
            found.spans.append((offset + match.start(), offset + match.end()))
            if free:
                found.unit.append(None)
                continue
            found.unit.append(unit)
            open_unit = True
            following = index + 1 < len(matches)
            gap = line[match.end() : matches[index + 1].start() if following else len(line)]
            ended = _CJK_END.search(gap) or (
                _LATIN_END.search(gap) if following else re.search(r"[.!?]", gap)
            )
            if ended:
                unit, open_unit = unit + 1, False
        offset += len(line) + 1
    return found


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 and len(b) == 1:
        return True  # one letter read as another ("l" for "I")
    return ratio(a, b) >= SIMILAR


def _joined(words: list[str], start: int, target: str) -> int | None:
    """The end of the words from `start` that, run together, make `target` (or nearly)."""
    joined = words[start]
    for end in range(start + 1, len(words)):
        joined += words[end]
        if len(joined) > len(target) + 2:
            return None
        if _similar(joined, target):
            return end + 1
    return None


def _pair(a: list[str], b: list[str]) -> tuple[set[int], set[int]]:
    """Which words of two differing stretches are the same word, fixed, split or joined."""
    kept_a: set[int] = set()
    kept_b: set[int] = set()
    i = j = 0
    while i < len(a) and j < len(b):
        if _similar(a[i], b[j]):
            kept_a.add(i)
            kept_b.add(j)
            i, j = i + 1, j + 1
        elif (end := _joined(a, i, b[j])) is not None:
            kept_a.update(range(i, end))
            kept_b.add(j)
            i, j = end, j + 1
        elif (end := _joined(b, j, a[i])) is not None:
            kept_b.update(range(j, end))
            kept_a.add(i)
            i, j = i + 1, end
        elif len(a) - i >= len(b) - j:
            i += 1  # the longer side holds the word without a counterpart
        else:
            j += 1
    return kept_a, kept_b


def _lost(before: _Words, kept: set[int]) -> tuple[str, ...]:
    members: dict[int, list[int]] = {}
    for index, unit in enumerate(before.unit):
        if unit is not None:
            members.setdefault(unit, []).append(index)
    lost: list[str] = []
    for indexes in members.values():
        gone = [index not in kept for index in indexes]
        if sum(gone) > LOST_SHARE * len(indexes) or _longest_run(gone) >= LOST_RUN:
            lost.append(_quote(before, indexes[0], indexes[-1]))
    return tuple(lost)


def _added(after: _Words, kept: set[int], free: set[str]) -> tuple[str, ...]:
    """Runs of `ADDED_RUN` or more words without a counterpart, but for runs made only of
    the original's furniture words (a running head the model left in place)."""
    added: list[str] = []
    run: list[int] = []
    for index in [*range(len(after.norm)), None]:
        if index is not None and index not in kept:
            run.append(index)
            continue
        if len(run) >= ADDED_RUN and not all(after.norm[i] in free for i in run):
            added.append(_quote(after, run[0], run[-1]))
        run = []
    return tuple(added)


def _longest_run(flags: list[bool]) -> int:
    best = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        best = max(best, current)
    return best


def _quote(words: _Words, first: int, last: int) -> str:
    """The text from the first word to the last, with the marks that close it."""
    text, end = words.text, words.spans[last][1]
    while end < len(text) and not text[end].isspace() and not text[end].isalnum():
        end += 1
    return " ".join(text[words.spans[first][0] : end].split())


def _quotes(texts: tuple[str, ...]) -> str:
    shown = [
        "“" + (text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…") + "”"
        for text in texts[:QUOTED]
    ]
    more = len(texts) - QUOTED
    return " ".join(shown) + (f" and {more} more" if more > 0 else "")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
