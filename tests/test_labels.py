"""Plural words in the web strings (`{n|one|other}`) and chunk labels as every screen shows
them (file and place, never the database id)."""

from __future__ import annotations

from pathlib import Path

import pytest

from easy_dataset.cli.common import counted
from easy_dataset.server.ui import i18n
from easy_dataset.server.ui.i18n import STRINGS, plural, t
from easy_dataset.services import App, chunk_labels, chunks, projects
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import add_document, make_project


def test_plural_helper() -> None:
    assert [plural(n, "chunk", "chunks") for n in (0, 1, 2, -1, "1", "1,000")] == [
        "chunks",
        "chunk",
        "chunks",
        "chunk",
        "chunk",
        "chunks",
    ]
    assert plural(None, "a", "b") == "b"


@pytest.mark.parametrize(
    ("key", "fields", "expected"),
    [
        ("chunks.deleted", {"count": 1}, "1 chunk deleted"),
        ("export.count", {"count": 1}, "1 QA pair will be exported"),
        ("export.count", {"count": 4}, "4 QA pairs will be exported"),
        ("qa.total", {"total": 1, "page": 1, "pages": 1}, "1 QA pair · page 1 of 1"),
        ("personas.file_count", {"count": 1}, "1 pair"),
        ("files.deleted", {"count": 2}, "2 files deleted"),
    ],
)
def test_english_counts_read_right(key: str, fields: dict[str, int], expected: str) -> None:
    assert t(key, **fields) == expected


def test_no_string_says_s_in_brackets_and_chinese_has_no_plural_marks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, (english, chinese) in STRINGS.items():
        assert "(s)" not in english, key
        assert not i18n._PLURAL.search(chinese), key  # Chinese nouns have no plural
    monkeypatch.setattr(i18n, "current_language", lambda: "zh")
    assert t("export.count", count=1) == "将导出 1 个问答对"
    assert t("chunks.deleted", count=2) == "已删除 2 个文本块"


def test_chunk_labels(app: App, tmp_path: Path, fake: FakeOpenAI) -> None:
    project = make_project(app, tmp_path, fake.base_url)
    other = make_project(app, tmp_path, fake.base_url, name="other")
    add_document(app, project, tmp_path, "notes.md", "# Notes\n\n" + "Drones mate. " * 60)
    rows = chunks.list_chunks(app, project, limit=100)[1]
    labels = chunk_labels.chunk_labels(app, project, [row.id for row in rows] + [None])
    assert labels == {row.id: f"{row.file_name} · #{row.ordinal + 1}" for row in rows}
    foreign = chunks.list_chunks(app, other, limit=100)[1][0].id
    assert chunk_labels.chunk_labels(app, project, [foreign]) == {}
    notes = [row for row in rows if row.file_name == "notes.md"]
    choices = chunk_labels.chunk_choices(app, project, notes[0].file_id)
    assert list(choices) == [row.id for row in sorted(notes, key=lambda r: r.ordinal)]
    assert all(text.startswith(f"#{n + 1} · ") for n, text in enumerate(choices.values()))
    assert projects.get_project(app, project).id != projects.get_project(app, other).id


def test_cli_counts_read_right() -> None:
    assert [counted(n, "question") for n in (0, 1, 2)] == [
        "0 questions",
        "1 question",
        "2 questions",
    ]
    assert counted(1, "QA pair") == "1 QA pair"
    assert counted(3, "child", "children") == "3 children"
