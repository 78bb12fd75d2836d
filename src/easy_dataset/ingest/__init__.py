"""Document ingestion: PDF, DOCX, EPUB, HTML, Markdown and text to clean Markdown + outline."""

from __future__ import annotations

from easy_dataset.ingest.detect import SUPPORTED_EXTENSIONS
from easy_dataset.ingest.outline import build_outline
from easy_dataset.ingest.parse import DEFAULT_MAX_BYTES, parse_document

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_EXTENSIONS", "build_outline", "parse_document"]
