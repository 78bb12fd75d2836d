"""parse_document: any supported file to Markdown plus an outline, entirely in memory."""

from __future__ import annotations

from pathlib import Path

from easy_dataset.errors import IngestError
from easy_dataset.ingest.detect import check_signature, format_for
from easy_dataset.ingest.docx import parse_docx
from easy_dataset.ingest.epub import parse_epub
from easy_dataset.ingest.html import decode_html, html_to_markdown
from easy_dataset.ingest.outline import build_outline
from easy_dataset.ingest.sizes import MIB, format_mb, format_size_mb
from easy_dataset.ingest.text import decode_text
from easy_dataset.ingest.tidy import normalise_newlines
from easy_dataset.types import ParsedDocument

DEFAULT_MAX_BYTES = 200 * MIB


def parse_document(
    path: Path,
    *,
    display_name: str | None = None,
    password: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedDocument:
    """Read a document into Markdown and its heading outline; IngestError says what is wrong."""
    name = display_name or path.name
    fmt = format_for(path, name)
    data = _read(path, name, max_bytes)
    if not data:
        raise IngestError(name, "the file is empty (0 bytes); pick a file with some text in it")
    check_signature(fmt, data, name)
    if fmt == "pdf":
        from easy_dataset.ingest.pdf import parse_pdf  # keeps PyMuPDF's slow import lazy

        parsed = parse_pdf(data, name, password)
    elif fmt == "docx":
        parsed = parse_docx(data, name)
    elif fmt == "epub":
        parsed = parse_epub(data, name)
    elif fmt == "html":
        markdown = html_to_markdown(decode_html(data, name), name)
        parsed = ParsedDocument(format="html", markdown=markdown, outline=build_outline(markdown))
    else:
        parsed = _parse_plain(data, name, fmt)
    if not parsed.markdown.strip():
        raise IngestError(
            name, "no text could be extracted; the document has no readable text in it"
        )
    return parsed


def _parse_plain(data: bytes, name: str, fmt: str) -> ParsedDocument:
    text = normalise_newlines(decode_text(data, name))
    if not text.strip():
        raise IngestError(name, "the file is empty (only whitespace); pick a file with some text")
    if fmt == "markdown":
        return ParsedDocument(format="markdown", markdown=text, outline=build_outline(text))
    # Plain text has no markup, so a line starting with '#' is not a heading.
    return ParsedDocument(format="text", markdown=text, outline=[])


def _read(path: Path, name: str, max_bytes: int) -> bytes:
    """The file's bytes, refusing it before reading when it is over the limit."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IngestError(name, "not a regular file; pass a document file")
        if size > max_bytes:
            raise IngestError(
                name,
                f"the file is {format_size_mb(size)} MB, over the {format_mb(max_bytes)} MB "
                "limit (the max file size setting raises it)",
                subject="too_large",
            )
        with path.open("rb") as handle:
            # The file may have grown since stat(); never read past the limit.
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise IngestError(name, "the file does not exist; check the path") from exc
    except IsADirectoryError as exc:
        raise IngestError(name, "not a regular file; pass a document file") from exc
    except OSError as exc:
        raise IngestError(name, f"the file could not be read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise IngestError(
            name,
            f"the file is over the {format_mb(max_bytes)} MB limit (the max file size setting "
            "raises it)",
            subject="too_large",
        )
    return data
