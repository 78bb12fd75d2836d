"""EPUB to Markdown: container.xml, then the OPF package, then chapters in spine order."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from easy_dataset.errors import IngestError
from easy_dataset.ingest.archive import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    SafeArchive,
    resolve_member,
    xxe_error,
)
from easy_dataset.ingest.html import decode_html, html_to_markdown
from easy_dataset.ingest.outline import build_outline
from easy_dataset.types import ParsedDocument

_CONTAINER = "META-INF/container.xml"
_ENCRYPTION = "META-INF/encryption.xml"
_CHAPTER_TYPES = {"application/xhtml+xml", "text/html", "text/x-oeb1-document"}


@dataclass(frozen=True)
class _Item:
    href: str
    media_type: str


def parse_epub(data: bytes, name: str, limits: ArchiveLimits = DEFAULT_LIMITS) -> ParsedDocument:
    """Markdown and outline of an EPUB held in memory, chapters joined in reading order."""
    archive = SafeArchive(data, name, "EPUB", limits)
    package_path = _package_path(archive, name)
    package = _parse_xml(archive, package_path, name)
    base = posixpath.dirname(package_path)
    manifest = _manifest(package)
    chapters = _spine_members(package, manifest, base, name)
    _refuse_drm(archive, set(chapters), name)
    parts: list[str] = []
    for member in chapters:
        if not archive.has(member):
            continue  # a broken manifest entry; the other chapters are still worth reading
        # Chapters go through the HTML parser, which never expands entities, so the usual
        # `<!DOCTYPE html>` is fine; entity declarations are still refused.
        raw = archive.read(member, "lenient")
        chapter = html_to_markdown(decode_html(raw, name), name)
        if chapter:
            parts.append(chapter)
    markdown = "\n\n".join(parts)
    return ParsedDocument(format="epub", markdown=markdown, outline=build_outline(markdown))


def _package_path(archive: SafeArchive, name: str) -> str:
    if not archive.has(_CONTAINER):
        packages = [member for member in archive.names if member.lower().endswith(".opf")]
        if len(packages) == 1:
            return packages[0]
        raise IngestError(name, f"not an EPUB file ({_CONTAINER} is missing)")
    container = _parse_xml(archive, _CONTAINER, name)
    for element in container.iter():
        if _local(element.tag) == "rootfile" and element.get("full-path"):
            media_type = element.get("media-type", "application/oebps-package+xml")
            if media_type == "application/oebps-package+xml":
                return resolve_member("", str(element.get("full-path")), name)
    raise IngestError(name, f"not an EPUB file ({_CONTAINER} names no package document)")


def _manifest(package: Element) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for element in package.iter():
        if _local(element.tag) == "item":
            item_id, href = element.get("id"), element.get("href")
            if item_id and href:
                items[item_id] = _Item(href=href, media_type=element.get("media-type", ""))
    return items


def _spine_members(package: Element, manifest: dict[str, _Item], base: str, name: str) -> list[str]:
    """Archive paths of the readable chapters, in spine (reading) order, each once."""
    members: list[str] = []
    for element in package.iter():
        if _local(element.tag) != "itemref":
            continue
        item = manifest.get(element.get("idref", ""))
        if item is None or item.media_type not in _CHAPTER_TYPES:
            continue
        member = resolve_member(base, item.href, name)
        if member not in members:
            members.append(member)
    return members


def _refuse_drm(archive: SafeArchive, chapters: set[str], name: str) -> None:
    """Refuse EPUBs whose chapters are encrypted (font obfuscation alone is fine)."""
    if not archive.has(_ENCRYPTION):
        return
    encryption = _parse_xml(archive, _ENCRYPTION, name)
    for element in encryption.iter():
        uri = element.get("URI")
        if (
            _local(element.tag) == "CipherReference"
            and uri
            and resolve_member("", uri, name) in chapters
        ):
            raise IngestError(
                name,
                "the EPUB is DRM-protected (its chapters are encrypted); export a copy without DRM",
            )


def _parse_xml(archive: SafeArchive, member: str, name: str) -> Element:
    raw = archive.read(member, "strict")
    try:
        root: Element = fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise xxe_error(name, member) from exc
    except ParseError as exc:
        raise IngestError(
            name, f"the EPUB is damaged: {member} is not well-formed XML ({exc}); re-export it"
        ) from exc
    return root


def _local(tag: object) -> str:
    """An element's name without its XML namespace."""
    return str(tag).rsplit("}", 1)[-1]
