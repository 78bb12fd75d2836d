"""Running headers, footers and page numbers: find them across pages and drop them.

Pure functions over the Markdown of each page (one string per page, in page order). A line
is *furniture* when it sits among the first or last few lines of a page and the same line,
with its numbers ignored ("13 / 233", "Page 4", "- 7 -", "Chapter 2 · Debian Reference"),
recurs at that edge on many pages. A bare page number at the very top or bottom of a page
("7", "- 7 -", "Page 7 of 10") that matches the page's position is furniture even when the
document is too short to show a pattern.

Code blocks and table rows are never taken for furniture: a code block or a table that goes
on across pages repeats its fence or its header row at the top of every page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

# How many non-blank lines at the top and at the bottom of a page can be furniture.
EDGE_LINES = 3
# A line must recur at an edge on at least this many pages to count as a running line...
MIN_PAGES = 3
# ...and on at least this share of the pages between its first and last appearance (running
# headers of one chapter appear on its pages only, sometimes on every other page).
MIN_DENSITY = 0.4
# Lines that recur with different numbers must be short: a running head with its page or
# chapter number is, the first sentence of a page's body ("Step 3 installs ...") is not.
MAX_VARYING_WORDS = 8
MAX_VARYING_CHARS = 60

_FENCE = re.compile(r"^\s*(```|~~~)")
_MARKUP = re.compile(r"</?[a-z]+>|[*_`#>]+|\\")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|seite|página|第)\s*)?[-–—(\[]?\s*(?P<n>\d{1,5}|[ivxlc]{1,7})\s*[-–—)\]]?"
    r"(?:\s*(?:/|of|von|de|sur)\s*\d{1,5})?\s*(?:页)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Spot:
    page: int
    line: int
    top: bool
    heading: bool
    text: str
    numbers: tuple[int, ...]


def plain(line: str) -> str:
    """A line without Markdown emphasis, heading marks and inline tags, spaces collapsed."""
    return _SPACES.sub(" ", _MARKUP.sub(" ", line)).strip()


def line_key(line: str) -> str:
    """What running lines share: lower case, numbers (Arabic or Roman) as `#`."""
    if page_number(line) is not None:
        return "#"  # "7", "- vii -", "Page 7 of 9": every page number is the same line
    return _NUMBER.sub("#", plain(line).lower())


def page_number(line: str) -> int | None:
    """The number of a line that is only a page number ("7", "- 7 -", "Page 7 of 9", "vii")."""
    match = _PAGE_NUMBER.match(plain(line))
    if match is None:
        return None
    value = match.group("n")
    return int(value) if value.isdigit() else _roman(value.lower())


def edge_lines(lines: Sequence[str], count: int = EDGE_LINES) -> list[tuple[int, bool]]:
    """Indexes of the first and last `count` lines that may be furniture, with top/bottom.

    Blank lines are skipped; fences, lines inside code blocks and table rows are never
    candidates, and the edge zone stops at them.
    """
    eligible = _eligible(lines)
    top: list[tuple[int, bool]] = []
    for index, line in enumerate(lines):
        if len(top) == count:
            break
        if not line.strip():
            continue
        if not eligible[index]:
            break
        top.append((index, True))
    bottom: list[tuple[int, bool]] = []
    for index in range(len(lines) - 1, -1, -1):
        if len(bottom) == count:
            break
        if not lines[index].strip():
            continue
        if not eligible[index]:
            break
        bottom.append((index, False))
    taken = {index for index, _ in top}
    return top + [spot for spot in bottom if spot[0] not in taken]


def furniture(pages: Sequence[Sequence[str]]) -> set[tuple[int, int]]:
    """(page, line) positions of running headers, footers and page numbers."""
    spots: dict[str, list[_Spot]] = defaultdict(list)
    found: set[tuple[int, int]] = set()
    for page_index, lines in enumerate(pages):
        for line_index, top in edge_lines(lines):
            line = lines[line_index]
            if _lone_page_number(lines, line_index, page_index):
                found.add((page_index, line_index))
            key = line_key(line)
            if key:
                heading = line.lstrip().startswith("#")
                text = plain(line).lower()
                number = page_number(line)
                numbers = (number,) if number is not None else _numbers(text)
                spot = _Spot(page_index, line_index, top, heading, text, numbers)
                spots[key].append(spot)
    for group in spots.values():
        found.update(_running(group))
    if any((spot.page, spot.line) in found for spot in spots.get("#", [])):
        # The document prints page numbers at its page edges: a lone one that fits no run
        # (front matter's "i", "ii") is one too.
        found.update(_edge_numbers(pages))
    for group in spots.values():
        found.update(_beside_furniture(group, found))
    return found


def _edge_numbers(pages: Sequence[Sequence[str]]) -> set[tuple[int, int]]:
    """Page numbers among the first two and the last two lines of each page."""
    return {
        (page_index, index)
        for page_index, lines in enumerate(pages)
        for index, _ in edge_lines(lines, 2)
        if page_number(lines[index]) is not None
    }


def strip_furniture(pages: Sequence[str]) -> list[str]:
    """Each page's Markdown without its running headers, footers and page numbers."""
    split = [page.split("\n") for page in pages]
    drop = furniture(split)
    return [
        "\n".join(line for index, line in enumerate(lines) if (number, index) not in drop)
        for number, lines in enumerate(split)
    ]


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(number) for number in _NUMBER.findall(text))


def _counting(side: list[_Spot]) -> list[list[_Spot]]:
    """The lines of `side` whose numbers count pages, in runs of one offset each.

    A line that changes from page to page is furniture only where one of its numbers
    keeps the same distance to the page's position ("13 / 233" on the 13th page, "Page 4"
    on the 5th after a cover); front matter numbered apart (i, ii, iii) is a run of its
    own. Headings ("Exercise 3") and long lines are body text, whatever their numbers do.
    """
    candidates = [spot for spot in side if not spot.heading and _short(spot.text)]
    runs: dict[tuple[int, int, int], list[_Spot]] = defaultdict(list)
    for spot in candidates:
        for index, number in enumerate(spot.numbers):
            runs[(len(spot.numbers), index, number - spot.page)].append(spot)
    return list(runs.values())


def _short(text: str) -> bool:
    """Short and not a sentence: running heads do not end with a full stop."""
    if text.endswith((".", "!", "?", ":", ";", "。", "！", "？", "：")):
        return False
    return len(text) <= MAX_VARYING_CHARS and len(text.split()) <= MAX_VARYING_WORDS


def _running(group: list[_Spot]) -> list[tuple[int, int]]:
    """The positions of one recurring line, when it recurs often enough to be furniture."""
    # Count each side apart: a line at the top of one page and the bottom of another is
    # body text more often than furniture.
    found: list[tuple[int, int]] = []
    for top in (True, False):
        side = [spot for spot in group if spot.top is top]
        runs = [side] if len({spot.text for spot in side}) == 1 else _counting(side)
        for run in runs:
            found.extend(_frequent(run))
    return found


def _frequent(run: list[_Spot], least: int = MIN_PAGES) -> list[tuple[int, int]]:
    pages = sorted({spot.page for spot in run})
    if len(pages) < least or len(pages) < MIN_DENSITY * (pages[-1] - pages[0] + 1):
        return []
    headings = sum(spot.heading for spot in run)
    return [
        (spot.page, spot.line)
        for spot in run
        # The cover's title set as a heading, where the running line is plain text.
        if not (spot.heading and headings * 2 < len(run))
    ]


def _beside_furniture(group: list[_Spot], found: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """A head that recurs on two pages only (a short chapter's), each time on the same edge
    as that page's running furniture and within two lines of it."""
    result: list[tuple[int, int]] = []
    for top in (True, False):
        side = [spot for spot in group if spot.top is top and (spot.page, spot.line) not in found]
        if len({spot.text for spot in side}) != 1 or not _short(side[0].text):
            continue
        near = [
            spot
            for spot in side
            if any((spot.page, spot.line + step) in found for step in (-2, -1, 1, 2))
            and not spot.heading
        ]
        if len(near) == len(side):
            result.extend(_frequent(near, least=2))
    return result


def _lone_page_number(lines: Sequence[str], index: int, page_index: int) -> bool:
    """A page number at the very edge of its page, equal to the page's position."""
    if index not in (_first_text(lines), _last_text(lines)):
        return False
    number = page_number(lines[index])
    # Front matter and offsets make printed numbers differ from positions; a number
    # that is no page's position is left to the running-line rule.
    return number is not None and number == page_index + 1


def _first_text(lines: Sequence[str]) -> int:
    return next((i for i, line in enumerate(lines) if line.strip()), -1)


def _last_text(lines: Sequence[str]) -> int:
    return next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), -1)


def _eligible(lines: Sequence[str]) -> list[bool]:
    """False for code fences, lines inside code blocks and table rows."""
    result: list[bool] = []
    inside = False
    for line in lines:
        if _FENCE.match(line):
            inside = not inside
            result.append(False)
        else:
            result.append(not inside and not line.lstrip().startswith("|"))
    return result


_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def _roman(text: str) -> int | None:
    total = 0
    previous = 0
    for char in reversed(text):
        value = _ROMAN_VALUES[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total or None
