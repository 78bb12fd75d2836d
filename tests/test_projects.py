"""Projects: creation rules, settings stored per project, deletion of rows and folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from easy_dataset.config import Settings
from easy_dataset.errors import ConfigError, ConflictError, InputError, NotFoundError
from easy_dataset.services import App, projects
from easy_dataset.types import ChunkSettings
from tests.helpers import GUIDE, write


def test_create_list_show(app: App) -> None:
    created = projects.create_project(app, "legal", description="contracts")
    assert created.chunking == ChunkSettings()
    assert [p.name for p in projects.list_projects(app)] == ["legal"]
    assert projects.get_project(app, "legal").id == created.id
    assert projects.get_project(app, str(created.id)).name == "legal"


@pytest.mark.parametrize("name", ["", "   ", "123", "a\x00b", "x" * 201])
def test_bad_names_are_refused(app: App, name: str) -> None:
    with pytest.raises(InputError):
        projects.create_project(app, name)
    assert projects.list_projects(app) == []


def test_duplicate_name_conflicts(app: App) -> None:
    projects.create_project(app, "legal")
    with pytest.raises(ConflictError, match="already exists"):
        projects.create_project(app, " legal ")


def test_unknown_project(app: App) -> None:
    with pytest.raises(NotFoundError, match=r"^no project 'nope'$") as caught:
        projects.get_project(app, "nope")
    assert caught.value.subject == "project"  # the CLI adds `easy-dataset project list`


def test_chunking_settings_are_stored(app: App) -> None:
    settings = ChunkSettings(strategy="fixed", size=500, overlap=50)
    projects.create_project(app, "p", chunking=settings)
    assert projects.get_project(app, "p").chunking == settings
    updated = projects.set_chunking(app, "p", ChunkSettings(strategy="token", size=256))
    assert updated.chunking.strategy == "token"


def test_delete_removes_rows_and_folder(app: App, tmp_path: Path) -> None:
    from easy_dataset.services import files

    project = projects.create_project(app, "p")
    files.add_files(app, "p", [write(tmp_path / "guide.md", GUIDE)])
    folder = Path(project.folder)
    assert any(folder.rglob("*.md"))
    projects.delete_project(app, "p")
    assert not folder.exists()
    with app.db.engine.connect() as connection:
        for table in ("projects", "files", "chunks"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0


def test_sqlite_runs_in_wal_with_foreign_keys(app: App) -> None:
    with app.db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EASY_DATASET_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("EASY_DATASET_MAX_FILE_MB", "1.5")
    settings = Settings.load()
    assert settings.home == (tmp_path / "h").resolve()
    assert settings.database_url.endswith("h/easy-dataset.db")
    assert settings.max_file_bytes == int(1.5 * 1024 * 1024)
    other = Settings.load(database_url="sqlite:///" + str(tmp_path / "other.db"))
    assert other.database_url.endswith("other.db")
    monkeypatch.setenv("EASY_DATASET_MAX_FILE_MB", "lots")
    with pytest.raises(ConfigError, match="EASY_DATASET_MAX_FILE_MB"):
        Settings.load()


def test_any_database_url_is_accepted(tmp_path: Path) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'elsewhere' / 'db.sqlite'}"
    instance = App(Settings.load(home=tmp_path / "home", database_url=url))
    projects.create_project(instance, "p")
    instance.close()
    assert (tmp_path / "elsewhere" / "db.sqlite").exists()
    assert not (tmp_path / "home" / "easy-dataset.db").exists()
