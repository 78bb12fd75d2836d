"""REST API: multipart uploads (streamed to the data home, size limit, hostile names), files,
and chunks (list, search, show, edit, merge, split, delete, re-split)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import easy_dataset
from tests.api_support import core, fresh, ok, refused, shared_server
from tests.ingest_samples import docx_bytes, pdf_bytes

GUIDE = (Path(easy_dataset.__file__).parent / "samples" / "beekeeping.md").read_bytes()
SMALL = {"min_chars": 100, "max_chars": 500}
Upload = tuple[str, tuple[str, bytes, str]]


def _file(name: str, data: bytes, kind: str = "application/octet-stream") -> Upload:
    return ("files", (name, data, kind))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    # A 1 MB limit per file, so the oversize upload stays small.
    yield from shared_server(tmp_path_factory.mktemp("api") / "home", max_file_mb=1)


@pytest.fixture
def home(server: TestClient) -> Path:
    return core(server).settings.home


@pytest.fixture
def api(server: TestClient) -> TestClient:
    client = fresh(server)
    ok(client.post("/api/projects", json={"name": "p", "chunking": SMALL}), 201)
    return client


def _upload(api: TestClient, *files: Upload, **fields: str) -> Any:
    return ok(api.post("/api/projects/p/files", files=list(files), data=fields))


def _temporary_files(home: Path) -> list[Path]:
    return [path for path in (home / "uploads").glob("*") if path.is_file()]


def _chunk_ids(api: TestClient, **query: int) -> list[int]:
    return [
        c["id"]
        for c in ok(api.get("/api/projects/p/chunks", params={"limit": 500, **query}))["items"]
    ]


def test_upload_mirrors_add_files(api: TestClient, home: Path) -> None:
    result = _upload(
        api,
        _file("guide.md", GUIDE, "text/markdown"),
        _file("report.docx", docx_bytes()),
        _file("report.pdf", pdf_bytes()),
        _file("again.md", GUIDE),
        _file("broken.pdf", b"not a pdf at all"),
        _file("notes.xyz", b"what is this"),
    )
    statuses = [(item["path"], item["status"]) for item in result["items"]]
    assert statuses == [
        ("guide.md", "added"),
        ("report.docx", "added"),
        ("report.pdf", "added"),
        ("again.md", "duplicate"),
        ("broken.pdf", "failed"),
        ("notes.xyz", "failed"),
    ]
    assert (result["added"], result["duplicates"], result["failed"]) == (3, 1, 2)
    items = result["items"]
    assert items[3]["duplicate_of"] == items[0]["file"]["id"]
    assert items[4]["error"].startswith("broken.pdf: not a PDF")
    assert "unsupported file type '.xyz'" in items[5]["error"]
    assert [items[i]["file"]["format"] for i in range(3)] == ["markdown", "docx", "pdf"]
    assert _temporary_files(home) == []  # every temporary copy is gone
    # The client's name is shown, never the temporary file's.
    assert "uploads" not in str(result)


def test_hostile_names_never_become_paths(api: TestClient, home: Path) -> None:
    result = _upload(
        api,
        _file("../../../escape.md", b"# Out\n\nTrying to climb out of the folder."),
        _file("..\\..\\win.md", b"# Win\n\nBackslashes as separators."),
        _file("/etc/passwd.md", b"# Abs\n\nAn absolute path."),
    )
    assert [item["file"]["name"] for item in result["items"]] == [
        "escape.md",
        "win.md",
        "passwd.md",
    ]
    # The home's folder holds nothing else: a name that climbed out would land there.
    outside = [p for p in home.parent.rglob("*") if home not in p.parents and p != home]
    assert outside == []
    stored = list((home / "projects").rglob("*.md"))
    assert len(stored) == 6 and not any("escape" in p.name or "win" in p.name for p in stored)


def test_oversize_upload_is_refused_whole(api: TestClient, home: Path) -> None:
    big = b"# Big\n\n" + b"honey " * 200_000  # 1.2 MB, over the 1 MB limit
    response = api.post(
        "/api/projects/p/files",
        files=[_file("small.md", b"# Small\n\nFine."), _file("big.md", big)],
    )
    detail = refused(response, 413)
    assert "big.md" in detail and "1 MB" in detail
    assert ok(api.get("/api/projects/p/files"))["total"] == 0
    assert _temporary_files(home) == []


def test_malformed_uploads(api: TestClient, home: Path) -> None:
    md = _file("a.md", b"# A\n\nText.")
    refused(api.post("/api/projects/p/files", json={"files": []}), 415)
    refused(api.post("/api/projects/p/files", data={"split": "true"}), 415)  # urlencoded
    no_files = api.post("/api/projects/p/files", files={"split": (None, "true")})
    assert "no files" in refused(no_files, 422, "invalid_input")
    unknown = api.post("/api/projects/p/files", files=[md], data={"colour": "red"})
    assert "unknown form field 'colour'" in refused(unknown, 422)
    assert "true or false" in refused(
        api.post("/api/projects/p/files", files=[md], data={"split": "maybe"}), 422
    )
    truncated = api.post(
        "/api/projects/p/files",
        content=b'--xx\r\nContent-Disposition: form-data; name="files"; filename="a.md"\r\n\r\nab',
        headers={"content-type": "multipart/form-data; boundary=xx"},
    )
    refused(truncated, 422)
    refused(api.post("/api/projects/nope/files", files=[md]), 404, "not_found")
    assert ok(api.get("/api/projects/p/files"))["total"] == 0
    assert _temporary_files(home) == []


def test_files_list_show_delete(api: TestClient) -> None:
    _upload(api, _file("guide.md", GUIDE), _file("report.docx", docx_bytes()))
    _upload(api, _file("later.md", b"# Later\n\nNot split yet."), split="false")
    page = ok(api.get("/api/projects/p/files?limit=2"))
    assert page["total"] == 3 and [f["name"] for f in page["items"]] == ["guide.md", "report.docx"]
    later = ok(api.get("/api/projects/p/files?offset=2"))["items"][0]
    assert later["chunk_count"] == 0
    guide_id = page["items"][0]["id"]
    plain = ok(api.get(f"/api/projects/p/files/{guide_id}"))
    assert plain["markdown"] is None and plain["chunk_count"] > 1
    full = ok(api.get(f"/api/projects/p/files/{guide_id}?markdown=true"))
    assert full["markdown"].startswith("# Keeping Honey Bees")

    assert ok(api.delete(f"/api/projects/p/files/{guide_id}"))["id"] == guide_id
    refused(api.get(f"/api/projects/p/files/{guide_id}"), 404)
    refused(api.delete(f"/api/projects/p/files/{guide_id}"), 404)
    refused(api.get(f"/api/projects/p/chunks?file_id={guide_id}"), 404)
    for bad in ("abc", "0", "-1", str(2**70)):
        refused(api.get(f"/api/projects/p/files/{bad}"), 422, "invalid_request")
    # A file of another project is not found through this one.
    ok(api.post("/api/projects", json={"name": "other"}), 201)
    refused(api.get(f"/api/projects/other/files/{later['id']}"), 404)


def test_chunks_list_search_show_edit(api: TestClient) -> None:
    guide = _upload(api, _file("guide.md", GUIDE))["items"][0]["file"]
    docx = _upload(api, _file("report.docx", docx_bytes()))["items"][0]["file"]
    everything = ok(api.get("/api/projects/p/chunks?limit=500"))
    assert everything["total"] == guide["chunk_count"] + docx["chunk_count"]
    page = ok(api.get("/api/projects/p/chunks?limit=2&offset=1"))
    assert [c["id"] for c in page["items"]] == [c["id"] for c in everything["items"][1:3]]
    only_docx = ok(api.get(f"/api/projects/p/chunks?file_id={docx['id']}"))
    assert {c["file_name"] for c in only_docx["items"]} == {"report.docx"}
    found = ok(api.get("/api/projects/p/chunks", params={"search": "SMOKER"}))
    assert found["total"] >= 1 and all("smoker" in c["content"].lower() for c in found["items"])
    # Wildcards are literal text.
    assert ok(api.get("/api/projects/p/chunks", params={"search": "%_%"}))["total"] == 0
    refused(api.get("/api/projects/p/chunks?file_id=999"), 404)

    chunk = everything["items"][0]
    assert ok(api.get(f"/api/projects/p/chunks/{chunk['id']}")) == chunk
    edited = ok(api.patch(f"/api/projects/p/chunks/{chunk['id']}", json={"content": "New text."}))
    assert edited["content"] == "New text." and edited["size"] == 9
    assert "cannot be empty" in refused(
        api.patch(f"/api/projects/p/chunks/{chunk['id']}", json={"content": "  "}), 422
    )
    refused(api.patch(f"/api/projects/p/chunks/{chunk['id']}", json={"text": "x"}), 422)
    refused(api.get("/api/projects/p/chunks/999999"), 404, "not_found")
    ok(api.post("/api/projects", json={"name": "other"}), 201)
    refused(api.get(f"/api/projects/other/chunks/{chunk['id']}"), 404)
    refused(api.patch(f"/api/projects/other/chunks/{chunk['id']}", json={"content": "x"}), 404)


def test_chunks_merge_split_delete(api: TestClient) -> None:
    file_id = _upload(api, _file("guide.md", GUIDE))["items"][0]["file"]["id"]
    first, second, third, *_ = _chunk_ids(api)
    merged = ok(api.post("/api/projects/p/chunks/merge", json={"ids": [second, first]}))
    assert merged["id"] == first and merged["ordinal"] == 0
    assert "not adjacent" in refused(
        api.post("/api/projects/p/chunks/merge", json={"ids": [first, third + 1]}), 422
    )
    refused(api.post("/api/projects/p/chunks/merge", json={"ids": [first]}), 422)
    refused(api.post("/api/projects/p/chunks/merge", json={"ids": ["x", first]}), 422)

    head, tail = ok(api.post(f"/api/projects/p/chunks/{first}/split", json={"offset": 40}))
    assert head["id"] == first and tail["ordinal"] == 1
    assert merged["content"].startswith(head["content"]) and len(head["content"]) <= 40
    assert merged["content"].endswith(tail["content"])
    refused(api.post(f"/api/projects/p/chunks/{first}/split", json={"offset": 0}), 422)
    refused(api.post(f"/api/projects/p/chunks/{first}/split", json={"offset": 10**9}), 422)
    refused(api.post(f"/api/projects/p/chunks/{first}/split", json={}), 422)

    before = _chunk_ids(api)
    refused(api.post("/api/projects/p/chunks/delete", json={"ids": [before[1], 999999]}), 404)
    assert _chunk_ids(api) == before  # nothing deleted
    refused(api.post("/api/projects/p/chunks/delete", json={"ids": []}), 422)
    assert ok(api.post("/api/projects/p/chunks/delete", json={"ids": before[1:3]})) == {
        "deleted": 2
    }
    assert ok(api.delete(f"/api/projects/p/chunks/{before[3]}")) == {"deleted": 1}
    left = ok(api.get(f"/api/projects/p/chunks?file_id={file_id}&limit=500"))["items"]
    assert [c["ordinal"] for c in left] == list(range(len(before) - 3))


def test_resplit_with_another_strategy(api: TestClient) -> None:
    file_id = _upload(api, _file("guide.md", GUIDE))["items"][0]["file"]["id"]
    before = len(_chunk_ids(api))
    kept = ok(api.post("/api/projects/p/chunks/resplit", json={}))
    assert kept == [
        {"file_id": file_id, "file_name": "guide.md", "status": "kept", "chunk_count": before}
    ]
    named = api.post("/api/projects/p/chunks/resplit", json={"file_ids": [file_id]})
    assert "already have chunks" in refused(named, 409, "conflict")
    fixed = {"strategy": "fixed", "size": 2000, "overlap": 0}
    [outcome] = ok(
        api.post(
            "/api/projects/p/chunks/resplit",
            json={"file_ids": [file_id], "settings": fixed, "replace": True},
        )
    )
    assert outcome["status"] == "split" and outcome["chunk_count"] == len(_chunk_ids(api))
    assert all(c["size"] <= 2000 for c in ok(api.get("/api/projects/p/chunks?limit=500"))["items"])
    assert ok(api.get("/api/projects/p"))["chunking"]["strategy"] == "fixed"
    refused(api.post("/api/projects/p/chunks/resplit", json={"settings": {"size": 0}}), 422)
    refused(api.post("/api/projects/p/chunks/resplit", json={"file_ids": [999]}), 404)
