"""Adding files: dedup, batches with bad files, no partial rows, nothing outside the project."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from easy_dataset.config import Settings
from easy_dataset.errors import NotFoundError
from easy_dataset.services import App, files, projects
from tests.helpers import GUIDE, write


def _tree(root: Path) -> set[Path]:
    return {path for path in root.rglob("*")}


def test_add_markdown_keeps_outline_and_chunks(app: App, tmp_path: Path) -> None:
    project = projects.create_project(app, "p")
    (outcome,) = files.add_files(app, "p", [write(tmp_path / "guide.md", GUIDE)])
    assert outcome.status == "added" and outcome.file is not None
    added = outcome.file
    assert added.format == "markdown"
    assert added.char_count == len(GUIDE)
    assert added.outline[0]["title"] == "Guide"
    assert [child["title"] for child in added.outline[0]["children"]] == ["Install", "Use"]
    assert added.chunk_count >= 1
    assert added.chunking["strategy"] == "markdown"
    folder = Path(project.folder)
    stored = list((folder / "originals").iterdir())
    assert len(stored) == 1 and stored[0].name != "guide.md"  # generated name
    assert (folder / "originals" / stored[0].name).read_text() == GUIDE


def test_same_bytes_twice_is_recognised(app: App, tmp_path: Path) -> None:
    projects.create_project(app, "p")
    first = write(tmp_path / "a.md", GUIDE)
    second = write(tmp_path / "copy" / "b.md", GUIDE)
    outcomes = files.add_files(app, "p", [first, second])
    assert [o.status for o in outcomes] == ["added", "duplicate"]
    assert outcomes[1].duplicate_of == outcomes[0].file.id  # type: ignore[union-attr]
    assert len(files.list_files(app, "p")) == 1


def test_same_text_in_another_encoding_is_recognised(app: App, tmp_path: Path) -> None:
    projects.create_project(app, "p")
    text_ = "标题\n\n这是一段中文文本，用来测试重复检测。" * 20
    outcomes = files.add_files(
        app,
        "p",
        [write(tmp_path / "utf8.txt", text_), write(tmp_path / "gbk.txt", text_, "gb18030")],
    )
    assert [o.status for o in outcomes] == ["added", "duplicate"]


def test_same_file_in_two_projects_is_added_to_both(app: App, tmp_path: Path) -> None:
    for name in ("a", "b"):
        projects.create_project(app, name)
        (outcome,) = files.add_files(app, name, [write(tmp_path / "g.md", GUIDE)])
        assert outcome.status == "added"


def test_bad_file_does_not_stop_the_batch(app: App, tmp_path: Path) -> None:
    project = projects.create_project(app, "p")
    good = write(tmp_path / "good.md", GUIDE)
    empty = write(tmp_path / "empty.txt", "")
    fake_pdf = write(tmp_path / "fake.pdf", "this is not a pdf")
    missing = tmp_path / "missing.md"
    also_good = write(tmp_path / "notes.txt", "Plain notes about the project.\n")
    outside_before = _tree(tmp_path) - _tree(Path(project.folder).parent.parent)
    outcomes = files.add_files(app, "p", [good, empty, fake_pdf, missing, also_good])
    assert [o.status for o in outcomes] == ["added", "failed", "failed", "failed", "added"]
    for outcome, name in zip(outcomes[1:4], ["empty.txt", "fake.pdf", "missing.md"], strict=True):
        assert outcome.error is not None and outcome.error.startswith(name)
    # No partial rows and no stray copies for the failed ones.
    assert len(files.list_files(app, "p")) == 2
    assert len(list((Path(project.folder) / "originals").iterdir())) == 2
    assert len(list((Path(project.folder) / "markdown").iterdir())) == 2
    home = Path(project.folder).parent.parent
    assert _tree(tmp_path) - _tree(home) == outside_before


def test_size_limit(home: Path, tmp_path: Path) -> None:
    small = App(Settings.load(home=home, max_file_mb=0.001))
    projects.create_project(small, "p")
    (outcome,) = files.add_files(small, "p", [write(tmp_path / "big.md", "x" * 5000)])
    assert outcome.status == "failed"
    assert outcome.error is not None and "limit" in outcome.error
    small.close()


def test_folders_are_searched_for_documents(app: App, tmp_path: Path) -> None:
    projects.create_project(app, "p")
    write(tmp_path / "docs" / "a.md", GUIDE)
    write(tmp_path / "docs" / "sub" / "b.txt", "Other text entirely.\n")
    write(tmp_path / "docs" / "image.png", "not a document")
    outcomes = files.add_files(app, "p", [tmp_path / "docs"])
    assert sorted(Path(o.path).name for o in outcomes) == ["a.md", "b.txt"]


def test_no_split_then_remove(app: App, tmp_path: Path) -> None:
    project = projects.create_project(app, "p")
    (outcome,) = files.add_files(app, "p", [write(tmp_path / "g.md", GUIDE)], split=False)
    assert outcome.file is not None and outcome.file.chunk_count == 0
    assert outcome.file.chunking == {}
    removed = files.remove_files(app, "p", [outcome.file.id])
    assert [r.id for r in removed] == [outcome.file.id]
    assert list((Path(project.folder) / "originals").iterdir()) == []
    assert list((Path(project.folder) / "markdown").iterdir()) == []
    with pytest.raises(NotFoundError):
        files.remove_files(app, "p", [outcome.file.id])


def test_removing_a_file_removes_its_chunks(app: App, tmp_path: Path) -> None:
    projects.create_project(app, "p")
    (outcome,) = files.add_files(app, "p", [write(tmp_path / "g.md", GUIDE)])
    assert outcome.file is not None
    files.remove_files(app, "p", [outcome.file.id])
    with app.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM chunks")).scalar() == 0


def test_file_of_another_project_is_not_found(app: App, tmp_path: Path) -> None:
    projects.create_project(app, "a")
    projects.create_project(app, "b")
    (outcome,) = files.add_files(app, "a", [write(tmp_path / "g.md", GUIDE)])
    assert outcome.file is not None
    with pytest.raises(NotFoundError):
        files.remove_files(app, "b", [outcome.file.id])
    assert len(files.list_files(app, "a")) == 1
