"""Replies of the fake model shaped for one prompt kind, found by the title of the schema the
request carries (as `response_format` or embedded in the prompt).

A kind is one module here that registers a function with `@shapes("SchemaTitle")`; the
function gets the schema and the user messages (latest first) and returns the reply object,
or None to leave the request to the generic instance of the schema. Every module in this
package is imported when the package is, so teaching the fake a prompt kind is adding a
module, with no other edit. Replies must be deterministic: tests assert on them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

Shaper = Callable[[dict[str, Any], list[str]], Any | None]

_SHAPERS: dict[str, Shaper] = {}


def shapes(title: str) -> Callable[[Shaper], Shaper]:
    """Register the decorated function as the reply to schemas titled `title`."""

    def register(function: Shaper) -> Shaper:
        assert title not in _SHAPERS, f"two fake kinds answer the schema {title!r}"
        _SHAPERS[title] = function
        return function

    return register


def shaped_reply(title: str, schema: dict[str, Any], messages: list[dict[str, Any]]) -> Any | None:
    """The reply of the kind registered for `title`; None where there is none (or it passes)."""
    shaper = _SHAPERS.get(title)
    if shaper is None:
        return None
    user_texts = [str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"]
    return shaper(schema, user_texts)


for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
