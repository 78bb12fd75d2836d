"""The pages' stylesheet: Tailwind's utilities, compiled ahead of time.

NiceGUI can run Tailwind's compiler in the browser, which rebuilds the CSS on every change
of a page: 13-17 % of the CPU of a run of our page tests. The sheet in `static/tailwind.css`
is that compiler's output for every class the pages use (`scripts/build_styles.py` writes
it; a test checks it is current). It is served under a name that changes with its content, so
browsers keep it for a year and never ask again.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi.responses import Response

SHEET = Path(__file__).parent / "static" / "tailwind.css"
_YEAR = 365 * 24 * 3600


@cache
def _sheet() -> bytes:
    return SHEET.read_bytes()


@cache
def sheet_path() -> str:
    """Where the sheet is served: its name holds a digest of its content."""
    return f"/_ui/styles-{hashlib.sha256(_sheet()).hexdigest()[:16]}.css"


def sheet_response() -> Response:
    return Response(
        _sheet(),
        media_type="text/css",
        headers={"Cache-Control": f"public, max-age={_YEAR}, immutable"},
    )


def head_html() -> str:
    """The link every page's head carries (after NiceGUI's own styles and layer order)."""
    return f'<link rel="stylesheet" href="{sheet_path()}">'
