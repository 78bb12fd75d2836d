"""Build the documents the ingest tests read (PDF, DOCX, EPUB, zips), at run time."""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024

ZH_SIMPLIFIED = (
    "我们今天去公园散步，天气非常好。公园里有很多人在跑步、打太极拳，还有小朋友在放风筝。"
    "春天来了，花都开了，红的、黄的、白的，美丽极了。我们在湖边坐了一会儿，"
    "看着湖面上的小船慢慢地划过。"
)
ZH_TRADITIONAL = (
    "我們今天去公園散步，天氣非常好。公園裡有很多人在跑步、打太極拳，還有小朋友在放風箏。"
    "春天來了，花都開了，紅的、黃的、白的，美麗極了。我們在湖邊坐了一會兒，"
    "看著湖面上的小船慢慢地劃過。"
)
JAPANESE = (
    "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"
    "何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。"
    "吾輩はここで始めて人間というものを見た。"
)
FRENCH = (
    "Le château de la forêt était très ancien. Les élèves ont étudié l'histoire médiévale "
    "avec enthousiasme. « Voilà ! » s'écria le garçon, en découvrant une pièce cachée "
    "derrière la cheminée. Ça coûte cher, l'œuvre d'art — dit-il."
)
GERMAN = (
    "Die Größe der Straße überraschte die Bürger. Über den Fluss führte eine schöne Brücke, "
    "und im Frühling blühten überall die Blumen. Männer und Frauen gingen spazieren."
)

# --- PDF ---------------------------------------------------------------------------------

TABLE_ROWS = [["Region", "Sales", "Growth"], ["North", "120", "5%"], ["South", "98", "3%"]]


# Bookmark titles differ from the headings so tests can tell which one the outline came from.
PDF_TOC = [[1, "Report", 1], [2, "Results table", 1], [3, "By region", 1], [1, "Appendix A", 2]]


def pdf_bytes(*, toc: bool = True) -> bytes:
    """A two-page report: headings by font size, a paragraph, a ruled table, a list."""
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 80), "Quarterly Report", fontsize=24)
    page.insert_text(
        (72, 120),
        "This report summarises the quarter: sales went up, costs went down.",
        fontsize=11,
    )
    page.insert_text((72, 160), "Results", fontsize=18)
    for row_index, row in enumerate(TABLE_ROWS):
        for col_index, cell in enumerate(row):
            rect = pymupdf.Rect(72 + col_index * 120, 180 + row_index * 24, 0, 0)
            rect.x1, rect.y1 = rect.x0 + 120, rect.y0 + 24
            page.draw_rect(rect, color=(0, 0, 0), width=1)
            page.insert_text((rect.x0 + 5, rect.y1 - 8), cell, fontsize=11)
    page.insert_text((72, 300), "Notes", fontsize=18)
    page.insert_text((72, 330), "- the north grew fastest", fontsize=11)
    page.insert_text((72, 350), "- costs fell in every region", fontsize=11)
    second = doc.new_page()
    second.insert_text((72, 80), "Appendix", fontsize=24)
    second.insert_text((72, 120), "Method details live in this appendix.", fontsize=11)
    if toc:
        doc.set_toc(PDF_TOC)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def encrypted_pdf_bytes(user_pw: str, owner_pw: str) -> bytes:
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    doc = pymupdf.open(stream=pdf_bytes(), filetype="pdf")
    data: bytes = doc.tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=user_pw, owner_pw=owner_pw
    )
    doc.close()
    return data


def image_only_pdf_bytes() -> bytes:
    """A 'scan': one page holding only a picture, no text layer."""
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    doc = pymupdf.open()
    page = doc.new_page()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 100), False)
    pixmap.clear_with(180)
    page.insert_image(pymupdf.Rect(72, 72, 472, 272), pixmap=pixmap)
    data: bytes = doc.tobytes()
    doc.close()
    return data


# --- DOCX --------------------------------------------------------------------------------


def png_bytes() -> bytes:
    import pymupdf  # on use: importing it loads layout models, about 1 s in each test worker

    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 20), False)
    pixmap.clear_with(90)
    data: bytes = pixmap.tobytes("png")
    return data


def docx_bytes(*, empty: bool = False) -> bytes:
    """A DOCX with Heading 1-3, a paragraph, bullets, a numbered list, a table and a picture."""
    import io

    import docx

    document = docx.Document()
    if empty:
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    document.add_heading("Annual Report", level=1)
    document.add_paragraph("This introduction explains what the report covers.")
    document.add_picture(io.BytesIO(png_bytes()))
    document.add_heading("Highlights", level=2)
    document.add_paragraph("Revenue grew steadily", style="List Bullet")
    document.add_paragraph("Costs were kept flat", style="List Bullet")
    document.add_paragraph("Hire two engineers", style="List Number")
    table = document.add_table(rows=3, cols=2)
    for row_index, row in enumerate([["Name", "Score"], ["Alice", "90"], ["Bob", "85"]]):
        for col_index, cell in enumerate(row):
            table.cell(row_index, col_index).text = cell
    document.add_heading("Deep Dive", level=3)
    document.add_paragraph("The deep dive looks at each region in turn.")
    document.add_heading("Outlook", level=2)
    document.add_paragraph("Next year should be better.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def replace_member(archive: bytes, member: str, content: bytes) -> bytes:
    """The same zip with one member's content swapped (or added)."""
    import io

    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info, source.read(info))
        target.writestr(member, content)
    return out.getvalue()


# --- raw zips (for bombs) ------------------------------------------------------------------


@dataclass(frozen=True)
class RawEntry:
    """A zip member given as already-compressed bytes, with the sizes to declare."""

    name: str
    payload: bytes
    method: int
    crc: int
    declared_size: int
    flags: int = 0


def zeros_bomb(mib: int) -> RawEntry:
    """`mib` MiB of zeros deflated to about 1 KB per MiB, built without compressing them all."""
    chunk = bytes(MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    # A full flush resets the compressor, so every chunk compresses to the same bytes.
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    payload = block * mib + compressor.flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return RawEntry("bomb.bin", payload, zipfile.ZIP_DEFLATED, crc, mib * MIB)


def stored(name: str, content: bytes) -> RawEntry:
    return RawEntry(name, content, zipfile.ZIP_STORED, zlib.crc32(content), len(content))


def raw_zip(entries: list[RawEntry]) -> bytes:
    """A zip written by hand, so members can carry any payload and any declared size."""
    body = bytearray()
    central = bytearray()
    for entry in entries:
        name = entry.name.encode()
        offset = len(body)
        sizes = (entry.crc, len(entry.payload), entry.declared_size)
        body += struct.pack("<4sHHHHH", b"PK\x03\x04", 20, entry.flags, entry.method, 0, 33)
        body += struct.pack("<IIIHH", *sizes, len(name), 0) + name + entry.payload
        central += struct.pack("<4sHHHHHH", b"PK\x01\x02", 20, 20, entry.flags, entry.method, 0, 33)
        central += struct.pack("<IIIHHHHHII", *sizes, len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0
    )
    return bytes(body + central + end)


def deflated(name: str, content: bytes) -> RawEntry:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    payload = compressor.compress(content) + compressor.flush()
    return RawEntry(name, payload, zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content))


def with_raw_entry(archive: bytes, entry: RawEntry) -> bytes:
    """An existing zip's members plus one raw entry."""
    import io

    source = zipfile.ZipFile(io.BytesIO(archive))
    entries = [deflated(info.filename, source.read(info)) for info in source.infolist()]
    return raw_zip([*entries, entry])


# --- EPUB --------------------------------------------------------------------------------

CONTAINER_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


def chapter_xhtml(title: str, body: str, *, doctype: str = "<!DOCTYPE html>") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>{title}</title><style>p {{ color: red; }}</style></head>
<body><h1>{title}</h1>{body}</body>
</html>
""".encode()


def package_opf(manifest: list[tuple[str, str]], spine: list[str]) -> bytes:
    """An OPF with (id, href) XHTML items and a spine listing ids in reading order."""
    items = "\n".join(
        f'    <item id="{item_id}" href="{href}" media-type="application/xhtml+xml"/>'
        for item_id, href in manifest
    )
    refs = "\n".join(f'    <itemref idref="{item_id}"/>' for item_id in spine)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:1234</dc:identifier><dc:title>Book</dc:title>
  </metadata>
  <manifest>
{items}
  </manifest>
  <spine>
{refs}
  </spine>
</package>
""".encode()


def epub_bytes(
    members: dict[str, bytes] | None = None, *, container: bytes | None = CONTAINER_XML
) -> bytes:
    """An EPUB whose spine (c3, c1, c2) differs from both manifest and zip order."""
    import io

    if members is None:
        members = default_epub_members()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        if container is not None:
            archive.writestr("META-INF/container.xml", container, zipfile.ZIP_DEFLATED)
        for name, content in members.items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def default_epub_members() -> dict[str, bytes]:
    return {
        "OEBPS/content.opf": package_opf(
            [("c1", "text/one.xhtml"), ("c2", "text/two.xhtml"), ("c3", "text/three.xhtml")],
            ["c3", "c1", "c2"],
        ),
        "OEBPS/text/one.xhtml": chapter_xhtml(
            "Chapter One", "<p>The first chapter begins here.</p><ul><li>apples</li></ul>"
        ),
        "OEBPS/text/two.xhtml": chapter_xhtml(
            "Chapter Two",
            "<h2>A Section</h2><p>Second chapter text.</p>"
            "<table><tr><th>Key</th><th>Value</th></tr><tr><td>k1</td><td>v1</td></tr></table>",
        ),
        "OEBPS/text/three.xhtml": chapter_xhtml(
            "Prologue", '<p>Read this first. <a href="one.xhtml#x">Next</a></p>'
        ),
    }


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
