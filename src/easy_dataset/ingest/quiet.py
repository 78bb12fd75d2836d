"""Keep PyMuPDF and pymupdf4llm from writing to the terminal while we parse."""

from __future__ import annotations

import contextlib
import io
import threading
import warnings
from collections.abc import Iterator
from typing import Any


class _Discard(io.TextIOBase):
    """A text stream that swallows everything."""

    def write(self, text: str) -> int:
        return len(text)


# The streams and flags involved are process-wide, so overlapping parses (threads) share one
# silencing: the first to enter installs it and the last to leave restores what was there.
_lock = threading.Lock()
_active = 0
_restore: contextlib.ExitStack | None = None


@contextlib.contextmanager
def silenced(pymupdf: Any) -> Iterator[None]:
    """Swallow stdout/stderr prints, PyMuPDF messages, MuPDF errors and Python warnings."""
    global _active, _restore
    with _lock:
        if _active == 0:
            _restore = _install(pymupdf)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _restore is not None:
                _restore.close()
                _restore = None


def _install(pymupdf: Any) -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    try:
        _silence(pymupdf, stack)
    except BaseException:
        stack.close()
        raise
    return stack


def _silence(pymupdf: Any, stack: contextlib.ExitStack) -> None:
    sink = _Discard()
    tools = pymupdf.TOOLS
    stack.callback(tools.mupdf_display_warnings, tools.mupdf_display_warnings())
    stack.callback(tools.mupdf_display_errors, tools.mupdf_display_errors())
    # MuPDF keeps every warning in a process-wide list; parsing many files would grow it.
    stack.callback(tools.reset_mupdf_warnings)
    # pymupdf.message() writes to the sys.stdout captured when pymupdf was imported, so
    # redirect_stdout alone misses it ("=== Document parser messages ===").
    if hasattr(pymupdf, "_g_out_message"):
        stack.callback(setattr, pymupdf, "_g_out_message", pymupdf._g_out_message)
    pymupdf.set_messages(stream=sink)
    tools.mupdf_display_errors(False)
    tools.mupdf_display_warnings(False)
    stack.enter_context(contextlib.redirect_stdout(sink))
    stack.enter_context(contextlib.redirect_stderr(sink))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
