"""HTML ingestion: Markdown structure, noise removal and encoding detection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from easy_dataset.ingest import parse_document
from tests.ingest_asserts import expect_error, shape
from tests.ingest_samples import JAPANESE, ZH_SIMPLIFIED, ZH_TRADITIONAL, write

PAGE = """<!DOCTYPE html>
<html><head><title>Page title</title><style>body { color: red; }</style>
<script>var secret = "script text";</script></head>
<body>
<nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<div role="navigation">Skip to content</div>
<h1>Garden <em>Guide</em></h1>
<p>Plant in <strong>spring</strong>, see <a href="https://example.org/soil">soil notes</a>
and <a href="#care">care</a>.</p>
<img src="data:image/png;base64,iVBORw0KGgo=" alt="a flower">
<h2 id="care">Care</h2>
<ul><li>Water weekly</li><li>Feed monthly</li></ul>
<ol><li>Prune</li><li>Mulch</li></ol>
<br><br><br><br>
<table><tr><th>Plant</th><th>Months</th></tr><tr><td>Tomato</td><td>May</td></tr></table>
<h3>Tools</h3>
<pre><code class="language-python">def water(plant):
    return plant.soak()
</code></pre>
<noscript>Enable JavaScript</noscript>
<template><p>template text</p></template>
<footer>Copyright 2024 footer text</footer>
</body></html>
"""


@pytest.fixture
def page_markdown(tmp_path: Path) -> str:
    parsed = parse_document(write(tmp_path / "garden.html", PAGE.encode()))
    assert parsed.format == "html"
    return parsed.markdown


def test_html_headings_lists_table_and_code(page_markdown: str) -> None:
    markdown = page_markdown
    assert re.search(r"^# Garden \*Guide\*$", markdown, re.MULTILINE)
    assert re.search(r"^## Care$", markdown, re.MULTILINE)
    assert re.search(r"^### Tools$", markdown, re.MULTILINE)
    assert re.search(r"^- Water weekly$", markdown, re.MULTILINE)
    assert re.search(r"^1\. Prune$", markdown, re.MULTILINE)
    assert re.search(r"^\| Plant \| Months \|$", markdown, re.MULTILINE)
    assert re.search(r"^\| Tomato \| May \|$", markdown, re.MULTILINE)
    assert "```python\ndef water(plant):\n    return plant.soak()\n```" in markdown


def test_html_links_and_noise(page_markdown: str) -> None:
    markdown = page_markdown
    assert "[soil notes](https://example.org/soil)" in markdown
    assert "and care." in markdown  # in-page link kept as words
    for noise in [
        "color: red",
        "script text",
        "Page title",
        "Home",
        "Skip to content",
        "Enable JavaScript",
        "template text",
        "footer text",
        "base64",
        "a flower",
    ]:
        assert noise not in markdown, noise
    assert "\n\n\n" not in markdown


def test_html_outline(tmp_path: Path) -> None:
    parsed = parse_document(write(tmp_path / "garden.htm", PAGE.encode()))
    assert shape(parsed.outline) == [(1, "Garden Guide", [(2, "Care", [(3, "Tools", [])])])]


@pytest.mark.parametrize(
    ("meta", "text", "encoding"),
    [
        ('<meta charset="gb2312">', ZH_SIMPLIFIED, "gb18030"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=big5">',
            ZH_TRADITIONAL,
            "big5",
        ),
        ("<meta charset='Shift_JIS'>", JAPANESE, "shift_jis"),
        ("", ZH_SIMPLIFIED, "gbk"),
        ("", ZH_SIMPLIFIED, "utf-16"),
    ],
)
def test_html_encodings(tmp_path: Path, meta: str, text: str, encoding: str) -> None:
    html = f"<html><head>{meta}</head><body><h1>Title</h1><p>{text}</p></body></html>"
    markdown = parse_document(write(tmp_path / "page.xhtml", html.encode(encoding))).markdown
    assert markdown == f"# Title\n\n{text}"


def test_html_meta_charset_that_lies_falls_back_to_detection(tmp_path: Path) -> None:
    html = f'<html><head><meta charset="utf-8"></head><body><p>{ZH_SIMPLIFIED}</p></body></html>'
    markdown = parse_document(write(tmp_path / "page.html", html.encode("gb18030"))).markdown
    assert ZH_SIMPLIFIED in markdown


def test_html_without_text(tmp_path: Path) -> None:
    html = b"<html><head><title>Only a title</title></head><body><script>x()</script></body></html>"
    expect_error(write(tmp_path / "empty.html", html), "no text could be extracted")


def test_binary_html(tmp_path: Path) -> None:
    expect_error(write(tmp_path / "blob.html", bytes(range(256)) * 4), "looks like binary data")


def test_html_nested_too_deeply(tmp_path: Path) -> None:
    html = "<div>" * 1500 + "deep" + "</div>" * 1500
    expect_error(write(tmp_path / "deep.html", html.encode()), "nested 1,500 levels deep")


def test_html_nested_deeply_but_within_limit(tmp_path: Path) -> None:
    html = "<div>" * 600 + "deep text" + "</div>" * 600
    assert parse_document(write(tmp_path / "deep.html", html.encode())).markdown == "deep text"
