"""Replies of the fake model shaped for one prompt kind, found by the title of the schema the
request carries (as `response_format` or embedded in the prompt).

A kind is one module here that registers a function with `@shapes("SchemaTitle")`; the
function gets the schema and the user messages (latest first) and returns the reply object,
or None to pass the request on: to the next kind registered for the same title (modules in
name order), else to the generic instance of the schema. Every module in this
package is imported when the package is, so teaching the fake a prompt kind is adding a
module, with no other edit. Replies must be deterministic: tests assert on them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

Shaper = Callable[[dict[str, Any], list[str]], Any | None]

_SHAPERS: dict[str, list[Shaper]] = {}


def shapes(title: str) -> Callable[[Shaper], Shaper]:
    """Register the decorated function as a reply to schemas titled `title` (several kinds
    may share a title, each answering the prompts it recognises)."""

    def register(function: Shaper) -> Shaper:
        _SHAPERS.setdefault(title, []).append(function)
        return function

    return register


def shaped_reply(title: str, schema: dict[str, Any], messages: list[dict[str, Any]]) -> Any | None:
    """The reply of the first kind registered for `title` that answers; None where none does."""
    user_texts = [str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"]
    for shaper in _SHAPERS.get(title, []):
        reply = shaper(schema, user_texts)
        if reply is not None:
            return reply
    return None


for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
