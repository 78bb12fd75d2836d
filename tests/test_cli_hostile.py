"""A batch of hostile and broken documents through `files add`: each refused on one line,
the good ones added, and nothing written anywhere but the project folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests import ingest_samples as samples
from tests.conftest import Cli

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE w [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&secret;</w:t></w:r></w:p></w:body></w:document>
"""


def _snapshot(root: Path) -> dict[str, float]:
    return {str(path): path.stat().st_mtime for path in root.rglob("*")}


def _hostile_batch(folder: Path) -> dict[str, bytes]:
    escape_opf = samples.package_opf([("c1", "../../../evil.xhtml")], ["c1"])
    members = samples.default_epub_members() | {"OEBPS/content.opf": escape_opf}
    return {
        "encrypted.pdf": samples.encrypted_pdf_bytes("open-sesame", "owner"),
        "scanned.pdf": samples.image_only_pdf_bytes(),
        "corrupt.pdf": b"%PDF-1.7\n" + os.urandom(4000),
        "empty.pdf": b"",
        "bomb.docx": samples.with_raw_entry(samples.docx_bytes(), samples.zeros_bomb(600)),
        "xxe.docx": samples.replace_member(samples.docx_bytes(), "word/document.xml", XXE),
        "escape.epub": samples.epub_bytes(members),
        "binary.md": bytes(range(256)) * 64,
        "invalid.txt": "Résumé of the café menu. ".encode() * 40 + b"\xff\xfe broken",
        "notzip.docx": b"just some text pretending to be a document",
    }


def test_hostile_batch(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    good = {
        "report.pdf": samples.pdf_bytes(),
        "memo.docx": samples.docx_bytes(),
        "book.epub": samples.epub_bytes(),
    }
    bad = _hostile_batch(inputs)
    for name, data in (good | bad).items():
        samples.write(inputs / name, data)
    cli("project", "create", "p")
    # Run from an empty working folder; all of tmp_path but the data home must stay untouched.
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")

    def outside_home() -> dict[str, float]:
        return {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith(str(cli.home))}

    before = outside_home()

    result = cli("files", "add", str(inputs), "-p", "p")

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert sorted(line.split()[1].rstrip(":") for line in errors) == sorted(bad)
    messages = "\n".join(errors)
    assert "encrypted" in messages and "--password" in messages
    assert "no text layer" in messages and "vision" in messages
    assert "zip bomb" in messages and "XXE" in messages and "escapes" in messages
    assert "binary" in messages and "invalid UTF-8" in messages
    listed = cli.json("files", "list", "-p", "p")
    assert sorted(row["name"] for row in listed) == sorted(good)
    assert all(row["chunk_count"] > 0 for row in listed)

    assert outside_home() == before, "something was written outside the data home"
    project_files = sorted(
        path.relative_to(cli.home).parts[:3] for path in cli.home.rglob("*") if path.is_file()
    )
    stored = [parts for parts in project_files if parts[0] == "projects"]
    assert len(stored) == 2 * len(good)  # an original and its Markdown each, nothing else
    hostname = Path("/etc/hostname")
    if hostname.exists() and hostname.read_text().strip():
        for path in cli.home.rglob("*.md"):
            assert hostname.read_text().strip() not in path.read_text()

    opened = cli(
        "files",
        "add",
        str(inputs / "encrypted.pdf"),
        "-p",
        "p",
        "--password",
        "open-sesame",
        "--json",
    )
    assert opened.exit_code == 0, opened.stderr
    # It opens, and its text is the report's: recognised as the same content.
    (outcome,) = json.loads(opened.stdout)
    report = next(row for row in listed if row["name"] == "report.pdf")
    assert (outcome["status"], outcome["duplicate_of"]) == ("duplicate", report["id"])
