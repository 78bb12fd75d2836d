"""Splitting files and the manual chunk operations, through the services."""

from __future__ import annotations

from pathlib import Path

import pytest

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.services import App, chunks, files, projects
from easy_dataset.types import ChunkSettings
from tests.helpers import write

SECTIONS = "\n\n".join(
    f"## Section {n}\n\n" + f"Sentence {n} explains one more thing about the topic. " * 8
    for n in range(6)
)
DOCUMENT = "# Handbook\n\n" + SECTIONS + "\n"
SMALL = ChunkSettings(min_chars=100, max_chars=500)


@pytest.fixture
def file_id(app: App, tmp_path: Path) -> int:
    projects.create_project(app, "p", chunking=SMALL)
    (outcome,) = files.add_files(app, "p", [write(tmp_path / "handbook.md", DOCUMENT)])
    assert outcome.file is not None
    return outcome.file.id


def _all(app: App) -> list[chunks.ChunkView]:
    _, page = chunks.list_chunks(app, "p", limit=1000)
    return page


def test_chunks_follow_the_document(app: App, file_id: int) -> None:
    page = _all(app)
    assert len(page) >= 6
    assert [c.ordinal for c in page] == list(range(len(page)))
    assert page[1].heading_path[:1] == ["Handbook"]
    assert all(c.size == len(c.content) <= 500 for c in page)
    assert any(c.heading_path == ["Handbook", "Section 3"] for c in page)


def test_resplit_explicit_file_needs_replace(app: App, file_id: int) -> None:
    before = _all(app)
    with pytest.raises(ConflictError, match="already have chunks; replace them") as caught:
        chunks.split_files(app, "p", file_ids=[file_id], settings=ChunkSettings(strategy="fixed"))
    assert caught.value.subject == "chunks_exist"  # the CLI's hint names --replace
    assert _all(app) == before
    # Nothing changed, the project's settings included.
    assert projects.get_project(app, "p").chunking == SMALL


def test_split_all_keeps_existing_unless_replace(app: App, file_id: int) -> None:
    before = _all(app)
    (kept,) = chunks.split_files(app, "p")
    assert kept.status == "kept" and kept.chunk_count == len(before)
    assert _all(app) == before
    fixed = ChunkSettings(strategy="fixed", size=300, overlap=30)
    (done,) = chunks.split_files(app, "p", settings=fixed, replace=True)
    assert done.status == "split"
    after = _all(app)
    assert after != before and all(c.size <= 300 for c in after)
    assert projects.get_project(app, "p").chunking == fixed
    assert files.get_file(app, "p", file_id).chunking["strategy"] == "fixed"


def test_edit(app: App, file_id: int) -> None:
    target = _all(app)[0]
    edited = chunks.edit_chunk(app, target.id, "New text.")
    assert (edited.content, edited.size) == ("New text.", 9)
    assert chunks.get_chunk(app, target.id).content == "New text."
    with pytest.raises(InputError):
        chunks.edit_chunk(app, target.id, "  \n")
    with pytest.raises(NotFoundError):
        chunks.edit_chunk(app, 99999, "x")


def test_merge_adjacent(app: App, file_id: int) -> None:
    page = _all(app)
    merged = chunks.merge_chunks(app, [page[2].id, page[1].id])
    assert merged.id == page[1].id
    assert merged.content == page[1].content + "\n\n" + page[2].content
    after = _all(app)
    assert len(after) == len(page) - 1
    assert [c.ordinal for c in after] == list(range(len(after)))
    assert page[2].id not in {c.id for c in after}


def test_merge_refuses_gaps_and_single(app: App, file_id: int) -> None:
    page = _all(app)
    with pytest.raises(InputError, match="adjacent"):
        chunks.merge_chunks(app, [page[0].id, page[2].id])
    with pytest.raises(InputError):
        chunks.merge_chunks(app, [page[0].id, page[0].id])
    assert _all(app) == page


def test_merge_refuses_chunks_of_two_files(app: App, file_id: int, tmp_path: Path) -> None:
    files.add_files(app, "p", [write(tmp_path / "other.md", "# Other\n\nSome other text.\n")])
    page = _all(app)
    last_of_first = [c for c in page if c.file_id == file_id][-1]
    first_of_second = next(c for c in page if c.file_id != file_id)
    with pytest.raises(InputError, match="same file"):
        chunks.merge_chunks(app, [last_of_first.id, first_of_second.id])


def test_split_at(app: App, file_id: int) -> None:
    page = _all(app)
    target = page[1]
    cut = target.content.index("Sentence")
    first, second = chunks.split_chunk_at(app, target.id, cut)
    assert first.content == target.content[:cut].rstrip()
    assert second.content == target.content[cut:].lstrip()
    assert second.heading_path == target.heading_path
    after = _all(app)
    assert [c.id for c in after[:3]] == [page[0].id, first.id, second.id]
    assert after[3].id == page[2].id
    assert [c.ordinal for c in after] == list(range(len(after)))


@pytest.mark.parametrize("offset", [0, -1, 10**6])
def test_split_at_refuses_bad_offsets(app: App, file_id: int, offset: int) -> None:
    page = _all(app)
    with pytest.raises(InputError, match="non-empty"):
        chunks.split_chunk_at(app, page[0].id, offset)
    assert _all(app) == page


def test_delete_many_all_or_nothing(app: App, file_id: int) -> None:
    page = _all(app)
    with pytest.raises(NotFoundError):
        chunks.delete_chunks(app, [page[0].id, 424242])
    assert _all(app) == page
    assert chunks.delete_chunks(app, [page[0].id, page[2].id]) == 2
    after = _all(app)
    assert [c.id for c in after] == [c.id for c in page if c.id not in (page[0].id, page[2].id)]
    assert [c.ordinal for c in after] == list(range(len(after)))


def test_list_filters_and_pages(app: App, file_id: int, tmp_path: Path) -> None:
    files.add_files(app, "p", [write(tmp_path / "o.md", "# Other\n\n100% literal_text here.\n")])
    total, page = chunks.list_chunks(app, "p", limit=2, offset=1)
    assert total == len(_all(app)) and len(page) == 2
    found_total, found = chunks.list_chunks(app, "p", search="100% literal_")
    assert found_total == 1 and "100%" in found[0].content
    assert chunks.list_chunks(app, "p", search="10_%")[0] == 0  # wildcards are literal
    only, _ = chunks.list_chunks(app, "p", file_id=file_id)
    assert only == len([c for c in _all(app) if c.file_id == file_id])
