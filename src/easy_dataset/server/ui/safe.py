"""Showing document text as Markdown without letting it run anything in the browser.

Document text is hostile input. `markdown` renders it with markdown2 in escape mode (raw
HTML in the text becomes text), then `sanitize` keeps only tags on a short allowlist (what
Markdown itself produces) with a few checked attributes and writes every other tag back
as escaped text. So `<img src=x onerror=...>` or `<script>` in a document shows as those
characters and never becomes an element. NiceGUI's own client-side sanitizer is replaced
by this one (a callable `sanitize` runs on the server).
"""

from __future__ import annotations

import html
import re

import markdown2
from nicegui import ui

ALLOWED = frozenset(
    {
        *("a", "b", "blockquote", "br", "code", "del", "div", "em", "hr", "i", "li", "ol"),
        *("p", "pre", "s", "span", "strong", "sub", "sup", "ul"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "table", "tbody", "td", "th", "thead", "tr"),
    }
)
EXTRAS = ["fenced-code-blocks", "tables"]
# A well-formed tag as markdown2 writes them: attribute values always in double quotes.
TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=\"[^\"<>]*\")?)*)\s*/?>"
)
ATTR = re.compile(r"([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:=\"([^\"]*)\")?")
SAFE_CLASS = re.compile(r"^[A-Za-z0-9_\- ]{1,100}$")
SAFE_HREF = re.compile(r"^(https?://|mailto:|#)", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def _text(segment: str) -> str:
    # Entities markdown2 wrote stay; any bracket left over is shown, never parsed.
    return segment.replace("<", "&lt;").replace(">", "&gt;")


def _attribute(tag: str, name: str, value: str | None) -> str:
    if value is None:
        return ""
    name = name.lower()
    if name == "class" and SAFE_CLASS.match(value):
        return f' class="{value}"'
    if name == "href" and tag == "a":
        target = CONTROL.sub("", html.unescape(value))
        if SAFE_HREF.match(target):
            return f' href="{html.escape(target)}"'
    if name == "align" and value in ("left", "right", "center"):
        return f' align="{value}"'
    return ""


def _tag(match: re.Match[str]) -> str:
    closing, tag = match.group(1), match.group(2).lower()
    if tag not in ALLOWED:
        return _text(match.group(0))
    if closing:
        return f"</{tag}>"
    attrs = "".join(_attribute(tag, name, value) for name, value in ATTR.findall(match.group(3)))
    if tag == "a":
        attrs += ' rel="noopener noreferrer nofollow" target="_blank"'
    return f"<{tag}{attrs}>"


def sanitize(markup: str) -> str:
    """HTML holding only allowlisted tags and attributes; everything else shown as text."""
    out: list[str] = []
    position = 0
    for match in TAG.finditer(markup):
        out.append(_text(markup[position : match.start()]))
        out.append(_tag(match))
        position = match.end()
    out.append(_text(markup[position:]))
    return "".join(out)


def render(text: str) -> str:
    """Markdown to safe HTML: raw HTML in the text is escaped, then the result sanitised."""
    converted = markdown2.markdown(text, extras=EXTRAS, safe_mode="escape")
    return sanitize(str(converted))


def markdown(text: str) -> ui.markdown:
    """Document text rendered as Markdown, safely (see the module docstring)."""
    rendered = render(text)
    # NiceGUI renders the content without escaping and hands the HTML to `sanitize`;
    # ours ignores that HTML and returns the escaped rendering of the same text.
    return ui.markdown(text, extras=EXTRAS, sanitize=lambda _unsafe: rendered)
