"""Names shown to people keep no invisible control characters.

Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), marks (U+200E, U+200F,
U+061C) and other format characters make "invoice\u202egpj.exe" look like "invoiceexe.jpg";
zero-width joiners (U+200C, U+200D) stay, since several scripts need them.
"""

from __future__ import annotations

import unicodedata

KEEP = frozenset({"\u200c", "\u200d"})


def visible_name(text: str) -> str:
    """`text` without format (Cf) characters other than the zero-width joiners."""
    return "".join(c for c in text if c in KEEP or unicodedata.category(c) != "Cf")
