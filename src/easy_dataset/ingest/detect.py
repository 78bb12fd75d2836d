"""Which format a file is, from its extension, and whether its first bytes agree."""

from __future__ import annotations

from pathlib import Path

from easy_dataset.errors import IngestError
from easy_dataset.types import DocumentFormat

SUPPORTED_EXTENSIONS: dict[str, DocumentFormat] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".epub": "epub",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Word saves password-protected .docx files as OLE2 compound files, as it did old .doc files.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Readers accept junk before the header; the spec's writers put it first.
_PDF_HEADER_WINDOW = 1024


def format_for(path: Path, name: str) -> DocumentFormat:
    """The format the extension names (the path's, else the display name's)."""
    for suffix in (path.suffix.lower(), Path(name).suffix.lower()):
        if suffix in SUPPORTED_EXTENSIONS:
            return SUPPORTED_EXTENSIONS[suffix]
    suffix = path.suffix.lower() or Path(name).suffix.lower()
    supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
    if not suffix:
        raise IngestError(name, f"the file has no extension; supported: {supported}")
    raise IngestError(name, f"unsupported file type '{suffix}'; supported: {supported}")


def check_signature(fmt: DocumentFormat, data: bytes, name: str) -> None:
    """Refuse bytes that cannot be the format the extension claims."""
    if fmt == "pdf" and b"%PDF" not in data[:_PDF_HEADER_WINDOW]:
        raise IngestError(name, "not a PDF file (no %PDF header); check that it really is a PDF")
    if fmt in ("docx", "epub") and not data.startswith(_ZIP_MAGIC):
        label = "a DOCX" if fmt == "docx" else "an EPUB"
        if fmt == "docx" and data.startswith(_OLE2_MAGIC):
            raise IngestError(
                name,
                "not a DOCX file (an OLE2 file: a password-protected DOCX or an old .doc); "
                "remove the password or save it as .docx",
            )
        raise IngestError(name, f"not {label} file (not a zip archive)")
