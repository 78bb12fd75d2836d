"""Exporting a project that holds QA pairs and dialogues: every filter applies to both, the kind
filter through every interface, and LLaMA-Factory's entry names exactly the columns written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from easy_dataset.export import ExportOptions
from easy_dataset.samples_shape import dialogue_columns
from easy_dataset.services import App
from easy_dataset.services.export import ExportFilters, count_export, export_dataset
from easy_dataset.services.projects import create_project
from easy_dataset.store.dataset import QAPair, QualityResult
from tests.api_support import api_client, core
from tests.conftest import Cli

PROJECT = "hives"
OWN_SYSTEM = [
    {"role": "system", "content": "You keep bees."},
    {"role": "user", "content": "Why smoke the hive?"},
    {"role": "assistant", "content": "It calms the bees.", "reasoning": "Alarm scent."},
    {"role": "user", "content": "How much?"},
    {"role": "assistant", "content": "A few puffs.", "reasoning": "Brood is fragile."},
]
PLAIN = [
    {"role": "user", "content": "When to harvest?"},
    {"role": "assistant", "content": "Late summer."},
    {"role": "user", "content": "Why then?"},
    {"role": "assistant", "content": "The flow is over."},
]


def _seed(app: App) -> dict[str, int]:
    """Two QA pairs and two dialogues with review state and quality results; ids by label."""
    project_id = create_project(app, PROJECT).id
    with app.db.session() as session:
        rows = {
            "qa_confirmed": QAPair(
                project_id=project_id, question="What is wax?", answer="Made by bees.",
                cot="Glands.", confirmed=True, score=4.0,
            ),
            "dialogue_confirmed": QAPair(
                project_id=project_id, confirmed=True, score=5.0, user_tags=["smoke"],
                provenance={"file": "guide.md"}, **dialogue_columns(OWN_SYSTEM),
            ),
            "qa_open": QAPair(project_id=project_id, question="Why bees?", answer="Honey."),
            "dialogue_open": QAPair(project_id=project_id, **dialogue_columns(PLAIN)),
        }  # fmt: skip
        session.add_all(rows.values())
        session.flush()
        ids = {label: row.id for label, row in rows.items()}
        for label, judge in (("qa_confirmed", 4.5), ("dialogue_confirmed", 4.0)):
            session.add(
                QualityResult(project_id=project_id, kind="judge", qa_id=ids[label], score=judge)
            )
        session.add(
            QualityResult(
                project_id=project_id, kind="judge", qa_id=ids["dialogue_open"], score=2.0
            )
        )
        session.add(
            QualityResult(
                project_id=project_id, kind="duplicate", qa_id=ids["dialogue_open"], flagged=True
            )
        )
    return ids


@pytest.fixture
def ids(app: App) -> dict[str, int]:
    return _seed(app)


def _read(path: Path) -> list[Any]:
    text = path.read_text("utf-8")
    if path.suffix == ".json":
        return list(json.loads(text))
    return [json.loads(line) for line in text.splitlines()]


def _exported(app: App, tmp_path: Path, filters: ExportFilters) -> list[int]:
    out = tmp_path / "out.jsonl"
    options = ExportOptions(format="sharegpt", include_provenance=True)
    export_dataset(app, PROJECT, out, options, filters, overwrite=True)
    return [row["metadata"]["id"] for row in _read(out)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["qa_confirmed", "dialogue_confirmed", "qa_open", "dialogue_open"]),
        ({"kinds": ["dialogue"]}, ["dialogue_confirmed", "dialogue_open"]),
        ({"kinds": ["qa"]}, ["qa_confirmed", "qa_open"]),
        (
            {"kinds": ["qa", "dialogue"], "confirmed_only": True},
            ["qa_confirmed", "dialogue_confirmed"],
        ),
        ({"min_score": 4.5}, ["dialogue_confirmed"]),
        ({"min_judge": 3.5}, ["qa_confirmed", "dialogue_confirmed"]),
        ({"kinds": ["dialogue"], "exclude_flagged": ["duplicate"]}, ["dialogue_confirmed"]),
        ({"tags": ["SMOKE"]}, ["dialogue_confirmed"]),
    ],
)
def test_filters_apply_to_dialogues(
    app: App, ids: dict[str, int], tmp_path: Path, filters: dict[str, Any], expected: list[str]
) -> None:
    chosen = ExportFilters.model_validate(filters)
    assert _exported(app, tmp_path, chosen) == [ids[label] for label in expected]
    assert count_export(app, PROJECT, chosen) == len(expected)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="dialogue"):
        ExportFilters.model_validate({"kinds": ["chat"]})


def test_each_record_carries_its_dialogues_turns(
    app: App, ids: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "m.jsonl"
    export_dataset(
        app,
        PROJECT,
        out,
        ExportOptions(format="messages", cot="field"),
        ExportFilters(kinds=["dialogue"]),
    )
    first, second = _read(out)
    assert first["messages"][0] == {"role": "system", "content": "You keep bees."}
    assert [m["content"] for m in first["messages"][1:]] == [
        "Why smoke the hive?", "It calms the bees.", "How much?", "A few puffs.",
    ]  # fmt: skip
    assert first["messages"][2]["reasoning_content"] == "Alarm scent."
    assert [m["role"] for m in second["messages"]] == ["user", "assistant"] * 2


def _info(out: Path) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads((out.parent / "dataset_info.json").read_text("utf-8"))
    return entry[out.stem]


@pytest.fixture
def hf_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    return tmp_path / "hf-cache"


@pytest.mark.parametrize("file_type", ["json", "jsonl"])
@pytest.mark.parametrize(
    ("settings", "kinds", "columns"),
    [
        ({"format": "alpaca"}, [], {"prompt", "query", "response", "system", "history"}),
        ({"format": "alpaca"}, ["qa"], {"prompt", "query", "response"}),
        (
            {"format": "alpaca", "system_prompt": "Be kind."},
            ["qa"],
            {"prompt", "query", "response", "system"},
        ),
        ({"format": "sharegpt"}, [], {"messages", "system"}),
        ({"format": "sharegpt"}, ["qa"], {"messages"}),
        ({"format": "messages", "cot": "field"}, [], {"messages"}),
    ],
)
def test_llamafactory_entry_names_the_columns_the_file_has(
    app: App,
    ids: dict[str, int],
    tmp_path: Path,
    hf_offline: Path,
    file_type: str,
    settings: dict[str, Any],
    kinds: list[str],
    columns: set[str],
) -> None:
    import datasets

    out = tmp_path / f"bees.{file_type}"
    options = ExportOptions.model_validate(settings | {"file_type": file_type})
    filters = ExportFilters.model_validate({"kinds": kinds})
    summary = export_dataset(app, PROJECT, out, options, filters, llamafactory=True)
    entry = _info(out)
    assert set(entry["columns"]) == columns
    loaded = datasets.load_dataset(
        "json", data_files=str(out), split="train", cache_dir=str(hf_offline)
    )
    # Every column the entry names is in the file, as LLaMA-Factory needs.
    assert set(entry["columns"].values()) <= set(loaded.column_names)
    assert loaded.num_rows == summary.count == (4 if not kinds else 2)


def test_a_system_prompt_replaces_the_dialogues_own(
    app: App, ids: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "s.jsonl"
    options = ExportOptions(format="sharegpt", system_prompt="Be kind.")
    export_dataset(app, PROJECT, out, options, ExportFilters(kinds=["dialogue"]), llamafactory=True)
    assert [row["system"] for row in _read(out)] == ["Be kind.", "Be kind."]
    assert _info(out)["columns"] == {"messages": "conversations", "system": "system"}


def test_rest_takes_the_kind_filter(tmp_path: Path) -> None:
    with api_client(tmp_path / "api") as client:
        ids = _seed(core(client))
        url = f"/api/projects/{PROJECT}/export"
        params = {"format": "sharegpt", "kind": "dialogue", "provenance": "true"}
        got = client.get(url, params=params)
        assert got.status_code == 200, got.text
        assert [json.loads(line)["metadata"]["id"] for line in got.text.splitlines()] == [
            ids["dialogue_confirmed"], ids["dialogue_open"],
        ]  # fmt: skip
        posted = client.post(
            url, json={"options": {"format": "alpaca"}, "filters": {"kinds": ["qa"]}}
        )
        assert posted.status_code == 200, posted.text
        assert [json.loads(line)["instruction"] for line in posted.text.splitlines()] == [
            "What is wax?", "Why bees?",
        ]  # fmt: skip
        assert client.get(url, params={"kind": "chat"}).status_code == 422


def test_cli_takes_the_kind_filter(cli: Cli, ids: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    result = cli(
        "export", "-p", PROJECT, "-o", str(out), "--kind", "dialogue", "--format", "alpaca"
    )
    assert result.exit_code == 0, result.output
    assert "exported 2 samples (alpaca, jsonl)" in result.stdout
    assert [row["history"] for row in _read(out)] == [
        [["Why smoke the hive?", "<think>\nAlarm scent.\n</think>\n\nIt calms the bees."]],
        [["When to harvest?", "Late summer."]],
    ]
    wrong = cli("export", "-p", PROJECT, "-o", str(tmp_path / "x.jsonl"), "--kind", "chat")
    assert wrong.exit_code == 1 and "--kind: Input should be 'qa' or 'dialogue'" in wrong.stderr
