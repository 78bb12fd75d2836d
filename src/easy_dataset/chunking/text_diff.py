"""Two versions of a chunk's text side by side: a unified diff of lines (for a terminal) and
the text as kept, removed and added pieces (for a page that strikes and colours them)."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from difflib import unified_diff
from typing import Literal

from pydantic import BaseModel
from rapidfuzz.distance import Indel

# Words, runs of spaces (line breaks included) and single marks: a diff of these shows a
# joined word or a dropped line exactly, without splitting words apart.
_PIECE = re.compile(r"\w+|\s+|[^\w\s]")

Op = Literal["equal", "delete", "insert"]


class DiffPiece(BaseModel):
    """A stretch of text that both versions share (equal), that only the first has
    (delete) or that only the second has (insert)."""

    op: Op
    text: str


class DiffStats(BaseModel):
    """How much a change touched: lines and characters removed and added."""

    lines_removed: int
    lines_added: int
    chars_removed: int
    chars_added: int


def unified(before: str, after: str, *, name: str = "chunk", context: int = 1) -> str:
    """A unified diff of lines, as `diff -u` prints it ("" when the texts are equal)."""
    lines = unified_diff(
        before.split("\n"),
        after.split("\n"),
        f"{name} (original)",
        f"{name} (cleaned)",
        n=context,
        lineterm="",
    )
    return "\n".join(lines)


Block = tuple[Literal["equal", "change"], int, int, int, int]


def blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Block]:
    """The longest common subsequence of `a` and `b` as ("equal", i1, i2, j1, j2) blocks,
    with what lies between them as ("change", ...) blocks (either side may be empty).
    Bit-parallel (rapidfuzz), so long texts with many repeated words stay fast."""
    found: list[Block] = []
    for op in Indel.opcodes(a, b):
        tag: Literal["equal", "change"] = "equal" if op.tag == "equal" else "change"
        if tag == "change" and found and found[-1][0] == "change":
            _, i1, _, j1, _ = found[-1]
            found[-1] = ("change", i1, op.src_end, j1, op.dest_end)
        else:
            found.append((tag, op.src_start, op.src_end, op.dest_start, op.dest_end))
    return found


def pieces(before: str, after: str) -> list[DiffPiece]:
    """The two texts as one sequence of kept, removed and added pieces, neighbours of one
    kind merged; joining the equal and delete pieces gives `before`, equal and insert
    `after`. Lines are matched first and only the lines that differ are compared piece by
    piece, so the pieces never cut across a line that both texts share."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    found: list[DiffPiece] = []
    for tag, i1, i2, j1, j2 in blocks(a, b):
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            _add(found, "equal", old)
            continue
        x, y = _PIECE.findall(old), _PIECE.findall(new)
        for inner, k1, k2, l1, l2 in blocks(x, y):
            if inner == "equal":
                _add(found, "equal", "".join(x[k1:k2]))
            else:
                _add(found, "delete", "".join(x[k1:k2]))
                _add(found, "insert", "".join(y[l1:l2]))
    return found


def stats(before: str, after: str) -> DiffStats:
    old, new = before.split("\n"), after.split("\n")
    lines_removed = lines_added = 0
    for tag, i1, i2, j1, j2 in blocks(old, new):
        if tag == "change":
            lines_removed += i2 - i1
            lines_added += j2 - j1
    removed = added = 0
    for piece in pieces(before, after):
        if piece.op == "delete":
            removed += len(piece.text)
        elif piece.op == "insert":
            added += len(piece.text)
    return DiffStats(
        lines_removed=lines_removed,
        lines_added=lines_added,
        chars_removed=removed,
        chars_added=added,
    )


def _add(found: list[DiffPiece], op: Op, text: str) -> None:
    if not text:
        return
    if found and found[-1].op == op:
        found[-1] = DiffPiece(op=op, text=found[-1].text + text)
    else:
        found.append(DiffPiece(op=op, text=text))
