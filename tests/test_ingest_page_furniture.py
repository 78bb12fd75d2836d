"""PDF extraction debris: running headers and footers, page numbers, code blocks.

The detection itself (`ingest.page_furniture`) is tested on page texts; the whole path on
PDFs drawn with PyMuPDF.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest

from easy_dataset.ingest import parse_document
from easy_dataset.ingest.page_furniture import page_number, strip_furniture
from easy_dataset.ingest.pdf_code import _split_code
from tests.ingest_samples import write

if TYPE_CHECKING:
    import pymupdf

PAGES = 10
BODY = [
    "Debian keeps its packages in a central archive mirrored worldwide.",
    "The apt tool resolves dependencies before anything is installed.",
    "Every release is named after a character from a well known film.",
    "Configuration files live under the etc directory by convention.",
    "Security updates arrive through a separate suite of the archive.",
    "The installer can partition disks automatically or by hand.",
    "Services are started and supervised by the init system.",
    "Users belong to groups that grant access to shared devices.",
    "Log files rotate weekly so that they never fill the disk.",
    "Backports bring newer software to the stable release.",
]
CODE = [
    "$ sudo apt-get update",
    "$ sudo apt-get install vim",
    "for f in *.txt; do",
    "    echo $f",
    "done",
]


def _code(page: pymupdf.Page, top: float, fontname: str, shaded: bool) -> None:
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    for index, line in enumerate(CODE):
        y = top + index * 14
        if shaded:  # a listing with a coloured background, drawn line by line as LaTeX does
            page.draw_rect(pymupdf.Rect(70, y - 10, 420, y + 4), color=None, fill=(1, 1, 0.6))
        page.insert_text((76, y), line, fontsize=10, fontname=fontname)


def reference_pdf() -> bytes:
    """Ten pages with a running header, a chapter head, an 'n / 10' footer and two listings.

    The second listing is set in a font MuPDF does not flag as monospaced (its name says
    Courier, its metrics do not) on a highlighted background: pymupdf4llm joined such a
    listing onto one line inside <mark>...</mark>.
    """
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    doc = pymupdf.open()
    for number in range(1, PAGES + 1):
        page = doc.new_page()
        page.insert_text((72, 40), "Debian Reference", fontsize=9)
        page.insert_text((400, 40), "Chapter 2. Packages", fontsize=9)
        if number == 1:
            page.insert_text((72, 90), "Package Management", fontsize=22)
        page.insert_text((72, 130), BODY[number - 1], fontsize=11)
        if number == 3:
            page.insert_text((72, 160), "Refresh the lists and install an editor:", fontsize=11)
            _code(page, 185, "cour", shaded=False)
        if number == 6:
            page.insert_font(fontname="F9", fontbuffer=pymupdf.Font("helv").buffer)
            page.insert_text((72, 160), "The same loop, as printed in the manual:", fontsize=11)
            _code(page, 185, "F9", shaded=True)
        page.insert_text((290, 810), f"{number} / {PAGES}", fontsize=9)
    for xref in range(1, doc.xref_length()):
        for key in ("BaseFont", "FontName"):
            kind, value = doc.xref_get_key(xref, key)
            if kind == "name" and "Nimbus" in value:
                doc.xref_set_key(xref, key, "/CourierStd")
    data: bytes = doc.tobytes()
    doc.close()
    return data


@pytest.fixture(scope="module")
def reference_markdown(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = write(tmp_path_factory.mktemp("furniture") / "reference.pdf", reference_pdf())
    return parse_document(path).markdown


def test_running_header_and_footer_are_dropped(reference_markdown: str) -> None:
    assert "Debian Reference" not in reference_markdown
    assert "Chapter 2. Packages" not in reference_markdown
    assert not re.search(r"\b\d+ / 10\b", reference_markdown)
    assert not re.search(r"^\s*\d+\s*$", reference_markdown, re.MULTILINE)


def test_body_text_and_title_stay(reference_markdown: str) -> None:
    assert re.search(r"^# Package Management$", reference_markdown, re.MULTILINE)
    for sentence in BODY:
        assert sentence in reference_markdown
    assert "Refresh the lists and install an editor:" in reference_markdown
    assert "The same loop, as printed in the manual:" in reference_markdown


def test_listings_are_fenced_with_their_line_breaks(reference_markdown: str) -> None:
    fenced = "```\n" + "\n".join(CODE) + "\n```"
    assert reference_markdown.count(fenced) == 2, reference_markdown
    assert "<mark>" not in reference_markdown and "</mark>" not in reference_markdown
    assert "$ sudo apt-get update $ sudo" not in reference_markdown


def test_listing_after_its_introduction_in_one_block(tmp_path: Path) -> None:
    """The layout model may put a listing and the sentence before it into one box."""
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Run these commands to update the system:", fontsize=10)
    for index, line in enumerate(CODE):
        page.insert_text((72, 112 + index * 12), line, fontsize=10, fontname="cour")
    markdown = parse_document(write(tmp_path / "one.pdf", doc.tobytes())).markdown
    assert "Run these commands to update the system:" in markdown
    assert "```\n" + "\n".join(CODE) + "\n```" in markdown


def test_listing_set_word_by_word_keeps_spaces_and_indentation(tmp_path: Path) -> None:
    """TeX places each word of a listing without space characters between them."""
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    listing = [
        "Usage: tool [OPTION] FILE",
        "  -b, --benchmark     time it",
        "  -h, --help          help",
    ]
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 90), "The tool prints this help:", fontsize=11)
    advance = pymupdf.get_text_length("x", fontname="cour", fontsize=10)
    for row, line in enumerate(listing):
        for match in re.finditer(r"\S+", line):
            x = 72 + match.start() * advance
            page.insert_text((x, 120 + row * 12), match.group(), fontsize=10, fontname="cour")
    markdown = parse_document(write(tmp_path / "tex.pdf", doc.tobytes())).markdown
    assert "```\n" + "\n".join(listing) + "\n```" in markdown, markdown


def _box(*lines: tuple[str, bool]) -> SimpleNamespace:
    spans = [
        [{"text": text, "font": "Courier" if mono else "Times-Roman", "flags": 8 if mono else 4}]
        for text, mono in lines
    ]
    return SimpleNamespace(boxclass="text", textlines=[{"spans": line} for line in spans])


def test_paths_wrapped_inside_a_paragraph_stay_prose() -> None:
    box = _box(
        ("For example, the default paths mean to load", False),
        ("/usr/share/mime/text/html.xml, /usr/local/share/mime/text/html.xml, and", True),
        ("~/.local/share/mime/text/html.xml (if they exist).", True),
        ("Information found in a directory is added to the rest.", False),
    )
    assert _split_code(box) == [box]


def test_announced_listing_is_cut_from_its_prose() -> None:
    box = _box(("Run:", False), ("make", True), ("make install", True), ("Then log in.", False))
    parts = _split_code(box)
    assert [len(part.textlines) for part in parts] == [1, 2, 1]


# --- the detection on page texts ----------------------------------------------------------


def _pages(template: str, count: int = 6) -> list[str]:
    return [
        template.format(n=n, body=f"Body sentence number {n * 7} of the text.")
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    "footer",
    ["{n}", "- {n} -", "Page {n}", "Page {n} of 6", "**{n} / 233**", "第 {n} 页", "_Seite {n}_"],
)
def test_page_number_footers_go(footer: str) -> None:
    pages = _pages("Manual of Things\n\n{body}\n\n" + footer)
    cleaned = strip_furniture(pages)
    for n, page in enumerate(cleaned, start=1):
        assert page.strip() == f"Body sentence number {n * 7} of the text."


def test_alternating_heads_and_roman_numbers_go() -> None:
    romans = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"]
    pages = [
        ("Debian Reference" if n % 2 else "Chapter 1. Tutorials")
        + f"\n\nPreface paragraph {n} talks about the book.\n\n{romans[n - 1]}"
        for n in range(1, 9)
    ]
    cleaned = strip_furniture(pages)
    for n, page in enumerate(cleaned, start=1):
        assert page.strip() == f"Preface paragraph {n} talks about the book."


def test_front_matter_numbers_and_short_chapter_heads_go() -> None:
    heads = ["Preface", "Preface", "Chapter 1: Setup", "Chapter 1: Setup", "Chapter 2: Use"]
    heads += ["Chapter 2: Use"]
    numbers = ["i", "ii", "1", "2", "3", "4"]
    bodies = [f"Paragraph about topic {word} goes on for a while." for word in "abcdef"]
    pages = [
        f"{head}\n\n{number}\n\n{body}"
        for head, number, body in zip(heads, numbers, bodies, strict=True)
    ]
    cleaned = strip_furniture(pages)
    assert [page.strip() for page in cleaned] == bodies


def test_lone_page_number_of_a_short_document_goes() -> None:
    cleaned = strip_furniture(["Intro text.\n\n1", "More text.\n\n2"])
    assert cleaned == ["Intro text.\n", "More text.\n"]


def test_body_text_that_recurs_rarely_or_with_other_numbers_stays() -> None:
    pages = [
        f"Note\n\nPart {n} of the story begins here and continues at length.\n\n{n * 5}"
        for n in range(1, 4)
    ]
    pages += ["Other text entirely." for _ in range(20)]
    pages += ["Note\n\nThe end of the story."]
    cleaned = strip_furniture(pages)
    # "Note" recurs at the top of four pages spread over 24: not a running head.
    assert cleaned[0].startswith("Note") and cleaned[-1].startswith("Note")
    # Lines whose numbers do not count pages are body text.
    assert "Part 2 of the story begins here" in cleaned[1] and cleaned[2].endswith("15")


def test_code_and_tables_running_across_pages_are_kept() -> None:
    pages = [
        "```\nline a\n```\n\nText one.",
        "```\nline b\n```\n\nText two.",
        "| Name | Size |\n|---|---|\n| a | 1 |",
        "| Name | Size |\n|---|---|\n| b | 2 |",
        "| Name | Size |\n|---|---|\n| c | 3 |",
        "```\nline c\n```",
    ]
    assert strip_furniture(pages) == pages


def test_cover_title_heading_is_kept_where_the_running_head_is_plain() -> None:
    pages = ["# Debian Reference\n\nWelcome to the book."] + [
        f"Debian Reference\n\nChapter text {n} goes here." for n in range(2, 7)
    ]
    cleaned = strip_furniture(pages)
    assert cleaned[0] == pages[0]
    assert all("Debian Reference" not in page for page in cleaned[1:])


def test_numbered_headings_at_page_tops_are_kept() -> None:
    pages = [f"## Exercise {n}\n\nSolve problem {n} with care." for n in range(1, 6)]
    assert strip_furniture(pages) == pages


def test_page_number_reads_the_usual_forms() -> None:
    assert [page_number(text) for text in ["7", "- 7 -", "Page 7 of 9", "vii", "13 / 233"]] == [
        7,
        7,
        7,
        7,
        13,
    ]
    assert page_number("Step 7 installs it") is None
    assert page_number("7.") is None
