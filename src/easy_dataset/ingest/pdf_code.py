"""Code listings in pymupdf4llm's page layout, repaired before it writes Markdown.

pymupdf4llm fences a layout box as code only when MuPDF flags every span's font as
monospaced, and otherwise joins the box's lines with spaces, wrapping text on a coloured
background in `<mark>` and underlined text in `<u>`. Listings then come out flattened onto
one line. Here, on the boxes of one page:

- fonts named like code fonts count as monospaced whatever MuPDF says of their metrics;
- highlight and underline are forgotten (Markdown has no such markup; HTML would be shown
  as text);
- a text box holding prose and a listing is cut in two, and consecutive boxes of
  monospaced lines (the layout model cuts listings up and takes "$ ..." for list items)
  become one text box, so one fenced block;
- the words of a listing line set apart by position rather than by space characters (as
  TeX does) get their spaces back, and indentation is kept.
"""

from __future__ import annotations

import copy
import re
import statistics
from typing import Any

# Font names of code fonts, after any subset prefix ("ABCDEF+"): Courier, Nimbus Mono (and
# the older NimbusMonL), DejaVu Sans Mono, Consolas, Menlo, Monaco, Inconsolata, Source Code
# Pro, Fira Code, Cascadia, Cousine, Iosevka, Letter Gothic, Lucida Console / Typewriter,
# TeX's CMTT10 / SFTT1000 / LMMono10.
_CODE_FONT = re.compile(
    r"mono(?!type)|monl\b|monl-|courier|consol|menlo|monaco|typewriter|code|fixed|terminal|cascadia"
    r"|cousine|iosevka|letter ?gothic|[a-z]tt\d",
    re.IGNORECASE,
)

_MONOSPACED = 8  # pymupdf.TEXT_FONT_MONOSPACED
# Box classes whose monospaced lines are a listing the layout model misread.
_CODE_BOX_CLASSES = frozenset({"text", "list-item", "footnote"})


def _restyle(pymupdf: Any, span: dict[str, Any]) -> None:
    """Flag code fonts as monospaced; forget highlight and underline (no HTML in Markdown)."""
    font = str(span.get("font", "")).rpartition("+")[2]
    if _CODE_FONT.search(font):
        span["flags"] = int(span["flags"]) | _MONOSPACED
    drop = pymupdf.mupdf.FZ_STEXT_HIGHLIGHT | pymupdf.mupdf.FZ_STEXT_UNDERLINE
    span["char_flags"] = int(span.get("char_flags", 0)) & ~drop


def _is_code_line(line: dict[str, Any]) -> bool:
    """All the line's visible text is monospaced (after `_restyle`)."""
    spans = [span for span in line["spans"] if not str(span["text"]).isspace()]
    return bool(spans) and all(int(span["flags"]) & _MONOSPACED for span in spans)


def _is_code_box(box: Any) -> bool:
    lines = getattr(box, "textlines", None) or []
    return box.boxclass in _CODE_BOX_CLASSES and bool(lines) and all(map(_is_code_line, lines))


def _join_code(boxes: list[Any]) -> list[Any]:
    """Consecutive boxes of monospaced lines as one text box, so one fenced block.

    The layout model cuts listings into pieces and takes lines starting with "$" or "-" for
    list items; pymupdf4llm would write each piece as its own block or as a list.
    """
    joined: list[Any] = []
    for box in boxes:
        if not _is_code_box(box):
            joined.append(box)
            continue
        previous = joined[-1] if joined else None
        if previous is not None and previous.boxclass == "text" and _is_code_box(previous):
            previous.textlines = [*previous.textlines, *box.textlines]
            continue
        code = copy.copy(box)
        code.boxclass = "text"
        joined.append(code)
    return joined


def _line_text(line: dict[str, Any]) -> str:
    return "".join(str(span["text"]) for span in line["spans"]).strip()


def _listing(lines: list[dict[str, Any]], start: int, end: int) -> bool:
    """Whether monospaced lines start..end of a prose box are a listing, not inline code.

    Three lines or more are; two are when the prose before them announces them (":").
    Paths and names that wrap onto lines of their own inside a paragraph are not.
    """
    if end - start >= 3:
        return True
    return end - start == 2 and start > 0 and _line_text(lines[start - 1]).endswith(":")


def _split_code(box: Any) -> list[Any]:
    """A text box holding prose and then code (or the reverse) as one box per run of lines.

    pymupdf4llm fences a box only when all its lines are monospaced; a box that also holds
    the sentence introducing a listing would have the listing joined onto one line.
    """
    lines = getattr(box, "textlines", None) or []
    if box.boxclass != "text" or len(lines) < 3:
        return [box]
    kinds = [_is_code_line(line) for line in lines]
    start = 0
    for index in range(1, len(kinds) + 1):
        if index < len(kinds) and kinds[index] == kinds[start]:
            continue
        if kinds[start] and not _listing(lines, start, index):
            kinds[start:index] = [False] * (index - start)
        start = index
    if all(kinds) or not any(kinds):
        return [box]
    parts: list[Any] = []
    start = 0
    for index in range(1, len(lines) + 1):
        if index == len(lines) or kinds[index] != kinds[start]:
            part = copy.copy(box)
            part.textlines = lines[start:index]
            parts.append(part)
            start = index
    return parts


def repair_code(pymupdf: Any, boxes: list[Any]) -> list[Any]:
    """The boxes of one page with their listings repaired (see the module docstring)."""
    for box in boxes:
        for line in getattr(box, "textlines", None) or []:
            for span in line["spans"]:
                _restyle(pymupdf, span)
    joined = _join_code([part for box in boxes for part in _split_code(box)])
    for box in joined:
        if box.boxclass == "text" and _is_code_box(box):
            _respace(box)
    return joined


def _respace(box: Any) -> None:
    """Each line of a listing as one span, with spaces where its words stand apart."""
    spans = [span for line in box.textlines for span in line["spans"] if span["text"].strip()]
    widths = [
        (span["bbox"][2] - span["bbox"][0]) / len(span["text"])
        for span in spans
        if len(span["text"]) >= 2
    ]
    if not widths:
        return
    char = statistics.median(widths)
    if char <= 0:
        return
    left = min(span["bbox"][0] for span in spans)
    for line in box.textlines:
        parts = [span for span in line["spans"] if span["text"]]
        if not parts:
            continue
        text = " " * max(0, round((parts[0]["bbox"][0] - left) / char))
        end = None
        for span in parts:
            if end is not None:
                gap = round((span["bbox"][0] - end) / char)
                if gap > 0 and not text.endswith(" ") and not span["text"].startswith(" "):
                    text += " " * gap
            text += span["text"]
            end = span["bbox"][2]
        merged = dict(parts[0])
        merged["text"] = text
        line["spans"] = [merged]
