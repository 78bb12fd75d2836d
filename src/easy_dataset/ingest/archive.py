"""Read zip-based documents (DOCX, EPUB) in memory without trusting anything the zip claims."""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from easy_dataset.errors import IngestError
from easy_dataset.ingest.sizes import MIB, format_mb

# strict: the member is parsed as XML, so any DTD is refused.
# lenient: the member is parsed as HTML or never parsed; a bare DOCTYPE is harmless there,
# but entity declarations are still refused.
XmlPolicy = Literal["strict", "lenient"]


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an archive may hold and expand to before it is refused as a zip bomb."""

    max_members: int = 10_000
    max_total_bytes: int = 512 * MIB
    # Past the floor, an archive may expand to at most this multiple of its own size.
    max_ratio: int = 200
    ratio_floor_bytes: int = 64 * MIB
    chunk_bytes: int = 1 * MIB

    def budget_for(self, archive_size: int) -> int:
        """Total decompressed bytes allowed for an archive of this size."""
        return min(self.max_total_bytes, max(self.ratio_floor_bytes, self.max_ratio * archive_size))


DEFAULT_LIMITS = ArchiveLimits()

# Deflate and stored are all that DOCX and EPUB writers use; bzip2 and lzma decompress in
# unbounded steps inside zipfile, so they are refused rather than trusted.
_ALLOWED_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


def _spelled(word: str, layout: str) -> bytes:
    """A case-insensitive byte regex for `<!word` as one text encoding lays it out."""
    parts: list[bytes] = []
    for char in "<!" + word:
        if char.isalpha():
            cls = f"[{char.upper()}{char.lower()}]".encode()
        else:
            cls = re.escape(char).encode()
        if layout == "le":
            parts.append(cls + rb"\x00")
        elif layout == "be":
            parts.append(rb"\x00" + cls)
        else:
            parts.append(cls)
    return b"".join(parts)


def _declaration_regex(words: tuple[str, ...]) -> re.Pattern[bytes]:
    alternatives = [_spelled(word, layout) for word in words for layout in ("ascii", "le", "be")]
    return re.compile(b"|".join(alternatives))


_STRICT_DECL = _declaration_regex(("DOCTYPE", "ENTITY"))
_LENIENT_DECL = _declaration_regex(("ENTITY",))
# Longest match is `<!DOCTYPE` in UTF-16: 18 bytes; keep a margin across chunk boundaries.
_OVERLAP = 32
_XML_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)


def _ascii_compatible(label: str) -> bool:
    """Whether `<!DOCTYPE` keeps its ASCII bytes in this encoding (so the byte scan sees it)."""
    try:
        codec = codecs.lookup(label)
    except LookupError:
        return False
    if codec.name.startswith(("utf-16", "utf-32")):
        return True
    probe = b"<!DOCTYPE <!ENTITY"
    try:
        return probe.decode(codec.name) == probe.decode("ascii")
    except (UnicodeDecodeError, ValueError):
        return False


def xxe_error(filename: str, member: str) -> IngestError:
    """The refusal for XML that declares a DOCTYPE or entities."""
    return IngestError(
        filename,
        f"a DOCTYPE/entity declaration in {member} is refused (possible XXE); "
        "XML with a DOCTYPE/entity declaration is never read",
    )


def looks_like_xml(head: bytes) -> bool:
    """Whether the first bytes of a member look like markup (so an XML parser could read it)."""
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return stripped.startswith(b"<")


def resolve_member(base: str, href: str, filename: str) -> str:
    """The archive member an href names, relative to folder `base`; refuses anything outside."""
    target = unquote(href.split("#", 1)[0]).replace("\\", "/")
    if target.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target):
        raise IngestError(filename, f"archive member path escapes the archive: {href}")
    resolved = posixpath.normpath(posixpath.join(base, target))
    if resolved == ".." or resolved.startswith(("../", "/")):
        raise IngestError(filename, f"archive member path escapes the archive: {href}")
    return resolved


class SafeArchive:
    """A zip archive read from memory, with member-count and expansion limits enforced."""

    def __init__(
        self, data: bytes, filename: str, kind: str, limits: ArchiveLimits = DEFAULT_LIMITS
    ) -> None:
        self._filename = filename
        self._kind = kind
        self._limits = limits
        self._budget = limits.budget_for(len(data))
        self._used = 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise self._damaged(exc) from exc
        if len(infos) > limits.max_members:
            raise IngestError(
                filename,
                f"the archive has {len(infos):,} members, over the limit of "
                f"{limits.max_members:,}; it is refused as a possible zip bomb",
            )
        self._infos = infos
        self._members = {info.filename: info for info in infos if not info.is_dir()}

    @property
    def names(self) -> list[str]:
        """Member names (folders left out), in archive order."""
        return list(self._members)

    def has(self, member: str) -> bool:
        return member in self._members

    def read(self, member: str, policy: XmlPolicy | None = None) -> bytes:
        """The member's bytes, decompressed under the budget and, with a policy, XML-checked."""
        info = self._members[member]
        parts: list[bytes] = []
        self._stream(info, policy, parts.append)
        return b"".join(parts)

    def validate_all(self, policy_for: Callable[[str, bytes], XmlPolicy | None]) -> None:
        """Decompress every member under the budget, XML-checking those `policy_for` names."""
        declared = sum(info.file_size for info in self._infos)
        if declared > self._budget:
            raise self._bomb()
        for info in self._infos:
            if not info.is_dir():
                self._stream(info, policy_for, None)

    def _stream(
        self,
        info: zipfile.ZipInfo,
        policy: XmlPolicy | Callable[[str, bytes], XmlPolicy | None] | None,
        sink: Callable[[bytes], object] | None,
    ) -> None:
        if info.compress_type not in _ALLOWED_COMPRESSION:
            raise IngestError(
                self._filename,
                f"the archive member {info.filename} uses an unsupported compression method "
                f"({info.compress_type}); re-save the {self._kind} with standard settings",
            )
        # Declared sizes can lie, so this only fails fast; the real count below is what binds.
        if self._used + info.file_size > self._budget:
            raise self._bomb()
        pattern: re.Pattern[bytes] | None = None
        tail = b""
        first = True
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(self._limits.chunk_bytes):
                    self._used += len(chunk)
                    if self._used > self._budget:
                        raise self._bomb()
                    if first:
                        first = False
                        chosen = policy(info.filename, chunk) if callable(policy) else policy
                        if chosen is not None:
                            pattern = _STRICT_DECL if chosen == "strict" else _LENIENT_DECL
                            if chosen == "strict":
                                self._check_encoding(info.filename, chunk)
                    if pattern is not None:
                        window = tail + chunk
                        if pattern.search(window):
                            raise xxe_error(self._filename, info.filename)
                        tail = window[-_OVERLAP:]
                    if sink is not None:
                        sink(chunk)
        except IngestError:
            raise
        except RuntimeError as exc:  # zipfile's way of saying "encrypted member"
            raise IngestError(
                self._filename,
                f"the archive member {info.filename} is encrypted; "
                f"save the {self._kind} without a password",
            ) from exc
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise self._damaged(exc) from exc

    def _check_encoding(self, member: str, head: bytes) -> None:
        match = _XML_ENCODING.match(head)
        if match and not _ascii_compatible(match.group(1).decode("ascii")):
            # In an encoding like EBCDIC the declarations would slip past the byte scan.
            raise IngestError(
                self._filename,
                f"the XML in {member} declares an unsupported encoding "
                f"'{match.group(1).decode('ascii')}'; re-save the {self._kind} as UTF-8",
            )

    def _bomb(self) -> IngestError:
        return IngestError(
            self._filename,
            f"the archive expands past {format_mb(self._budget)} MB (zip bomb?); it is refused",
        )

    def _damaged(self, exc: BaseException) -> IngestError:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return IngestError(
            self._filename,
            f"the archive is damaged: {detail}; re-export or re-download the {self._kind}",
        )
