"""PDF to Markdown with PyMuPDF and pymupdf4llm (its default layout mode).

Two corrections to what pymupdf4llm writes: text in a monospaced font comes out as fenced
code with its line breaks, also when MuPDF does not flag the font as monospaced (it trusts
the font's metrics; code fonts named Courier, ... Mono, CMTT are recognised by name), and
never wrapped in `<mark>` / `<u>` because a code listing or a link had a coloured
background or an underline. Running headers, footers and page numbers are then dropped page
by page (`page_furniture`).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from easy_dataset.errors import IngestError
from easy_dataset.ingest.outline import build_outline, outline_from_levels
from easy_dataset.ingest.page_furniture import strip_furniture
from easy_dataset.ingest.pdf_code import repair_code
from easy_dataset.ingest.quiet import silenced
from easy_dataset.ingest.tidy import tidy_markdown
from easy_dataset.types import ParsedDocument

# pymupdf4llm bolds whole headings ("# **Intro**"); the emphasis adds nothing to a heading.
_BOLD_HEADING = re.compile(r"^(#{1,6})[ \t]+\*\*([^*\n]+?)\*\*[ \t]*$", re.MULTILINE)
# PyMuPDF is not thread-safe (its documentation warns of crashes), so PDFs go one at a time.
_PDF_LOCK = threading.Lock()


def parse_pdf(data: bytes, name: str, password: str | None) -> ParsedDocument:
    """Markdown, outline and page count of a PDF held in memory."""
    # Imported here: loading PyMuPDF and its layout model takes seconds, and only PDFs need it.
    import pymupdf
    import pymupdf4llm

    with _PDF_LOCK, silenced(pymupdf):
        doc = _open(pymupdf, data, name)
        try:
            _unlock(doc, name, password)
            page_count = int(doc.page_count)
            if page_count == 0:
                raise _damaged(name, "it has no pages")
            _require_text_layer(doc, name)
            try:
                toc = doc.get_toc(simple=True)
                pages = _page_markdown(pymupdf, pymupdf4llm, doc)
            except Exception as exc:  # MuPDF raises many types for broken content
                raise _damaged(name, _first_line(exc)) from exc
        finally:
            doc.close()
    raw = "\n\n".join(page.strip("\n") for page in strip_furniture(pages))
    markdown = tidy_markdown(_BOLD_HEADING.sub(r"\1 \2", raw))
    if toc:
        outline = outline_from_levels((int(entry[0]), str(entry[1])) for entry in toc)
    else:
        outline = build_outline(markdown)
    return ParsedDocument(format="pdf", markdown=markdown, outline=outline, page_count=page_count)


def _page_markdown(pymupdf: Any, pymupdf4llm: Any, doc: Any) -> list[str]:
    """The Markdown of each page, code fonts recognised and highlight marks dropped."""
    if not getattr(pymupdf4llm, "_use_layout", False):  # pymupdf4llm without pymupdf-layout
        chunks = pymupdf4llm.to_markdown(doc, page_chunks=True)
        return [str(chunk["text"]) for chunk in chunks]
    from pymupdf4llm.helpers import document_layout

    # The arguments pymupdf4llm.to_markdown passes in layout mode.
    parsed = document_layout.parse_document(doc, force_text=True, use_ocr=True)
    for page in parsed.pages:
        page.boxes = repair_code(pymupdf, page.boxes)
    chunks = parsed.to_markdown(page_chunks=True)
    return [str(chunk["text"]) for chunk in chunks]


def _open(pymupdf: Any, data: bytes, name: str) -> Any:
    try:
        return pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # FileDataError, EmptyFileError, RuntimeError, ...
        raise _damaged(name, _first_line(exc)) from exc


def _unlock(doc: Any, name: str, password: str | None) -> None:
    # Read needs_pass only before authenticating: MuPDF's check re-tries the empty password
    # and so forgets a key that authenticate() had just set (pages then come out blank).
    if not doc.needs_pass:
        return
    if password is None:
        raise IngestError(name, "the PDF is encrypted; pass its password", subject="encrypted")
    if not doc.authenticate(password):
        raise IngestError(name, "the password does not open this PDF; check it and try again")


def _require_text_layer(doc: Any, name: str) -> None:
    """Refuse PDFs with no text at all; stops at the first page that has some."""
    try:
        for page in doc:
            if page.get_text("text").strip():
                return
    except Exception as exc:
        raise _damaged(name, _first_line(exc)) from exc
    if doc.is_repaired:
        # MuPDF rebuilt a broken file and found pages but no text: a truncated file, not a scan.
        raise _damaged(name, "no readable text survived the repair")
    raise IngestError(
        name,
        "the PDF has no text layer (scanned images only); vision parsing is needed to read it",
    )


def _damaged(name: str, detail: str) -> IngestError:
    return IngestError(
        name, f"the PDF is damaged or truncated: {detail}; re-export or re-download it"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
