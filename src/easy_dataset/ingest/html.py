"""HTML to Markdown (for web pages, and for what DOCX and EPUB turn into)."""

from __future__ import annotations

import codecs
import contextlib
import re
import sys
from collections.abc import Iterator

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    ProcessingInstruction,
    Tag,
)
from bs4.element import PageElement
from markdownify import MarkdownConverter

from easy_dataset.errors import IngestError
from easy_dataset.ingest.text import check_not_binary, decode_text, decode_with
from easy_dataset.ingest.tidy import tidy_markdown

# Elements whose text is never part of the document's prose.
_NOISE_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "nav",
    "footer",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "canvas",
    "img",
    "picture",
    "video",
    "audio",
    "map",
    "button",
    "input",
    "select",
    "textarea",
}
_NOISE_ROLES = {"navigation", "contentinfo", "search"}

# markdownify recurses about three frames per level and slows quadratically with depth
# (1,000 levels take about half a second); real documents stay far below this.
_MAX_DEPTH = 1000

# Only the head of the file is searched, as browsers do (the WHATWG prescan reads 1024 bytes;
# a little more catches pages with long comments first).
_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
# Browsers read these labels as the superset encodings (WHATWG Encoding Standard).
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
}


def decode_html(data: bytes, name: str) -> str:
    """Decode HTML: a BOM wins, then a <meta charset> or XML declaration, then guessing."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data, name)
    head = data[:_SNIFF_BYTES]
    found = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if found:
        label = found.group(1).decode("ascii").lower()
        codec = _LABEL_ALIASES.get(label, label)
        # A page in ASCII bytes cannot really be UTF-16, whatever its meta says.
        if not codec.replace("-", "").replace("_", "").startswith(("utf16", "utf32")):
            text = decode_with(data, codec)
            if text is not None and "\x00" not in text:
                check_not_binary(text, name)
                return text.removeprefix("\ufeff")
    return decode_text(data, name)


def html_to_markdown(html: str, name: str) -> str:
    """Markdown for an HTML document, without scripts, navigation or images."""
    soup = BeautifulSoup(html, "html.parser")
    _strip_noise(soup)
    depth = _depth(soup)
    if depth > _MAX_DEPTH:
        raise IngestError(
            name,
            f"the HTML is nested {depth:,} levels deep, over the limit of {_MAX_DEPTH:,}; "
            "simplify or re-save the document",
        )
    try:
        with _recursion_room(4 * depth + 500):
            markdown = MarkdownConverter(
                heading_style="ATX",
                bullets="-",
                table_infer_header=True,
                escape_asterisks=False,
                escape_underscores=False,
                code_language_callback=_code_language,
            ).convert_soup(soup)
    except RecursionError as exc:
        raise IngestError(
            name, "the HTML is nested too deeply to convert; simplify or re-save the document"
        ) from exc
    return tidy_markdown(markdown)


def _strip_noise(soup: BeautifulSoup) -> None:
    """Drop noise elements and bare markup, and unwrap links that lead nowhere useful."""
    doomed: list[Tag] = []
    markup: list[PageElement] = []
    links: list[Tag] = []
    # One walk over the tree; a find_all per kind would walk it once per kind.
    for node in soup.descendants:
        if isinstance(node, Tag):
            if node.name in _NOISE_TAGS or str(node.get("role") or "") in _NOISE_ROLES:
                doomed.append(node)
            elif node.name == "a":
                links.append(node)
        elif isinstance(node, (ProcessingInstruction, Declaration, Doctype, Comment)):
            # markdownify skips comments and doctypes but prints `<?xml ...?>` as text.
            markup.append(node)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()
    for node in markup:
        if not node.decomposed:
            node.extract()
    for link in links:
        if link.decomposed:
            continue
        # Relative and in-page links point into a file we do not keep; the words are enough.
        if not str(link.get("href") or "").startswith(("http://", "https://", "mailto:")):
            link.unwrap()


def _depth(root: Tag) -> int:
    """How deeply elements nest, found without recursion."""
    deepest = 0
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tag))
    return deepest


@contextlib.contextmanager
def _recursion_room(frames: int) -> Iterator[None]:
    """Raise the recursion limit to at least `frames` for the duration."""
    previous = sys.getrecursionlimit()
    if frames > previous:
        sys.setrecursionlimit(frames)
    try:
        yield
    finally:
        if frames > previous:
            sys.setrecursionlimit(previous)


def _code_language(el: Tag) -> str:
    """The language of a <pre> block from a `language-x` / `lang-x` class on it or its <code>."""
    code = el.find("code")
    for node in (el, code):
        if not isinstance(node, Tag):
            continue
        for cls in node.get_attribute_list("class"):
            if cls and cls.startswith(("language-", "lang-")):
                return str(cls.split("-", 1)[1])
    return ""
