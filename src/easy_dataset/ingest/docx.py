"""DOCX to Markdown: check the zip, let mammoth make HTML, then convert that."""

from __future__ import annotations

import io
from typing import Any

import mammoth

from easy_dataset.errors import IngestError
from easy_dataset.ingest.archive import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    SafeArchive,
    XmlPolicy,
    looks_like_xml,
)
from easy_dataset.ingest.html import html_to_markdown
from easy_dataset.ingest.outline import build_outline
from easy_dataset.types import ParsedDocument


def parse_docx(data: bytes, name: str, limits: ArchiveLimits = DEFAULT_LIMITS) -> ParsedDocument:
    """Markdown and outline of a DOCX held in memory."""
    archive = SafeArchive(data, name, "DOCX", limits)
    # Every member is decompressed and checked before mammoth sees a byte of the archive.
    archive.validate_all(_xml_policy)
    if not archive.has("[Content_Types].xml"):
        raise IngestError(
            name, "not a DOCX file (no [Content_Types].xml); is it another kind of zip?"
        )
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), convert_image=_drop_image, external_file_access=False
        )
    except Exception as exc:  # mammoth raises KeyError, ValueError, ... on malformed parts
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IngestError(
            name, f"the DOCX could not be read: {detail}; re-save it from a word processor"
        ) from exc
    markdown = html_to_markdown(str(result.value), name)
    return ParsedDocument(format="docx", markdown=markdown, outline=build_outline(markdown))


def _xml_policy(member: str, head: bytes) -> XmlPolicy | None:
    lowered = member.lower()
    if lowered.endswith(".svg"):
        # Images are dropped unread; a bare SVG DOCTYPE (Illustrator writes one) is harmless.
        return "lenient"
    if lowered.endswith((".xml", ".rels")) or looks_like_xml(head):
        return "strict"
    return None


def _drop_image(image: Any) -> list[Any]:
    """mammoth image hook: no element, so no base64 data in the HTML."""
    return []
