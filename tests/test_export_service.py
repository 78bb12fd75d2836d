"""Exporting a project: filters in SQL, atomic files, overwrite rules, LLaMA-Factory, CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.export import ExportOptions
from easy_dataset.services import App
from easy_dataset.services.export import ExportFilters, count_export, export_dataset
from easy_dataset.services.projects import create_project
from easy_dataset.store.dataset import QAPair, Question, Tag
from tests.conftest import Cli

PROJECT = "bees"


def _seed(app: App) -> dict[str, int]:
    """Five QA pairs in the project (and one in another), ids by label."""
    project_id = create_project(app, PROJECT).id
    other_id = create_project(app, "other").id
    with app.db.session() as session:
        tag = Tag(project_id=project_id, name="养蜂")
        session.add(tag)
        session.flush()
        tagged = Question(project_id=project_id, text="q", tag_id=tag.id)
        untagged = Question(project_id=project_id, text="q")
        session.add_all([tagged, untagged])
        session.flush()
        rows = {
            "confirmed_high": QAPair(
                project_id=project_id,
                question_id=tagged.id,
                question="蜂蜡是什么？",
                answer='Wax, "made" by bees.\nMore.',
                cot="They secrete it.",
                model="gpt-x",
                confirmed=True,
                score=9.0,
                user_tags=["wax"],
                provenance={
                    "file": "guide.md",
                    "heading_path": ["Guide", "Wax"],
                    "persona": "beginner",
                    "tag": "old tag name",
                },
            ),
            "confirmed_low": QAPair(
                project_id=project_id,
                question_id=untagged.id,
                question="Why smoke?",
                answer="It calms them.",
                confirmed=True,
                score=3.0,
                user_tags=["smoke", "safety"],
            ),
            "open_high": QAPair(
                project_id=project_id,
                question="When to harvest?",
                answer="Late summer.",
                score=8.0,
                user_tags=[],
            ),
            "open_unscored": QAPair(
                project_id=project_id,
                question_id=tagged.id,
                question="What is propolis?",
                answer="Bee glue.",
            ),
            "open_tagged_by_user": QAPair(
                project_id=project_id,
                question="Which hive?",
                answer="Langstroth.",
                score=5.0,
                user_tags=["养蜂", "hives"],
            ),
        }
        session.add_all(rows.values())
        session.add(QAPair(project_id=other_id, question="x", answer="y", confirmed=True))
        session.flush()
        return {label: row.id for label, row in rows.items()}


@pytest.fixture
def ids(app: App) -> dict[str, int]:
    return _seed(app)


def _read(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _exported_ids(app: App, tmp_path: Path, filters: ExportFilters) -> list[int]:
    out = tmp_path / "out.jsonl"
    export_dataset(
        app,
        PROJECT,
        out,
        ExportOptions(include_provenance=True),
        filters,
        overwrite=True,
    )
    return [row["metadata"]["id"] for row in _read(out)]


def test_everything_in_id_order_without_filters(
    app: App, ids: dict[str, int], tmp_path: Path
) -> None:
    assert _exported_ids(app, tmp_path, ExportFilters()) == sorted(ids.values())


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"confirmed_only": True}, ["confirmed_high", "confirmed_low"]),
        ({"min_score": 5}, ["confirmed_high", "open_high", "open_tagged_by_user"]),
        # A user tag, or the domain tag of the question the pair answers.
        ({"tags": ["养蜂"]}, ["confirmed_high", "open_unscored", "open_tagged_by_user"]),
        ({"tags": ["safety", "wax"]}, ["confirmed_high", "confirmed_low"]),
        # In any case, as the review list matches them; a pair with both tags counts once.
        ({"tags": ["SAFETY", "Smoke"]}, ["confirmed_low"]),
        ({"tags": ["nothing"]}, []),
        ({"ids": ["open_high", "confirmed_low"]}, ["confirmed_low", "open_high"]),
        ({"confirmed_only": True, "min_score": 5}, ["confirmed_high"]),
        (
            {"tags": ["养蜂"], "min_score": 4, "confirmed_only": False},
            ["confirmed_high", "open_tagged_by_user"],
        ),
    ],
)
def test_filters(
    app: App, ids: dict[str, int], tmp_path: Path, filters: dict[str, Any], expected: list[str]
) -> None:
    if "ids" in filters:
        filters = filters | {"ids": [ids[label] for label in filters["ids"]]}
    wanted = ExportFilters.model_validate(filters)
    selected = _exported_ids(app, tmp_path, wanted)
    assert selected == sorted(ids[label] for label in expected)
    assert count_export(app, PROJECT, wanted) == len(expected)


def test_ids_of_another_project_are_not_exported(
    app: App, ids: dict[str, int], tmp_path: Path
) -> None:
    foreign = max(ids.values()) + 1
    assert _exported_ids(app, tmp_path, ExportFilters(ids=[foreign])) == []


def test_records_carry_live_tag_model_and_review_state(
    app: App, ids: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "qa.json"
    options = ExportOptions(
        format="sharegpt", file_type="json", include_provenance=True, cot="field"
    )
    summary = export_dataset(app, PROJECT, out, options, ExportFilters(ids=[ids["confirmed_high"]]))
    assert summary.count == 1 and summary.bytes == out.stat().st_size
    assert summary.path == str(out) and summary.format == "sharegpt"
    [row] = json.loads(out.read_text("utf-8"))
    assert row == {
        "conversations": [
            {"from": "human", "value": "蜂蜡是什么？"},
            {"from": "gpt", "value": 'Wax, "made" by bees.\nMore.'},
        ],
        "reasoning": "They secrete it.",
        "metadata": {
            "id": ids["confirmed_high"],
            "kind": "qa",
            "file": "guide.md",
            "heading_path": ["Guide", "Wax"],
            # The question's tag today wins over the name recorded at generation time.
            "tag": "养蜂",
            "tags": ["wax"],
            "persona": "beginner",
            "source": None,
            "tag_path": None,
            "lineage": None,
            "model": "gpt-x",
            "score": 9.0,
            "confirmed": True,
        },
    }


def test_streams_in_batches_across_many_rows(app: App, tmp_path: Path) -> None:
    project_id = create_project(app, PROJECT).id
    count = 2_500  # more than two fetch batches
    with app.db.session() as session:
        session.execute(
            insert(QAPair),
            [
                {"project_id": project_id, "question": f"q{i}", "answer": f"a{i}", "score": i % 10}
                for i in range(count)
            ],
        )
    out = tmp_path / "many.json"
    summary = export_dataset(app, PROJECT, out, ExportOptions(file_type="json"))
    rows = json.loads(out.read_text("utf-8"))
    assert summary.count == len(rows) == count
    assert [row["instruction"] for row in rows[:3]] == ["q0", "q1", "q2"]
    filtered = export_dataset(
        app, PROJECT, out, ExportOptions(), ExportFilters(min_score=9), overwrite=True
    )
    assert filtered.count == count // 10


def test_writes_to_an_open_stream(app: App, ids: dict[str, int]) -> None:
    binary, text = io.BytesIO(), io.StringIO()
    options = ExportOptions(format="messages", system_prompt="Be brief.")
    first = export_dataset(app, PROJECT, binary, options, ExportFilters(confirmed_only=True))
    export_dataset(app, PROJECT, text, options, ExportFilters(confirmed_only=True))
    assert binary.getvalue().decode("utf-8") == text.getvalue()
    assert first.count == 2 and first.path is None and first.bytes == len(binary.getvalue())
    with pytest.raises(InputError, match="beside an output file"):
        export_dataset(app, PROJECT, io.BytesIO(), ExportOptions(), llamafactory=True)


def test_existing_file_is_kept_without_overwrite(
    app: App, ids: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "qa.jsonl"
    out.write_text("precious\n", "utf-8")
    with pytest.raises(ConflictError, match="already exists; allow overwriting"):
        export_dataset(app, PROJECT, out, ExportOptions())
    assert out.read_text("utf-8") == "precious\n"
    summary = export_dataset(app, PROJECT, out, ExportOptions(), overwrite=True)
    assert summary.count == len(ids) and len(_read(out)) == len(ids)


def test_failure_midway_leaves_no_partial_file(
    app: App, ids: dict[str, int], tmp_path: Path
) -> None:
    with app.db.session() as session:
        # A value JSON cannot hold, stored in the third pair: writing fails after two records.
        broken = session.get_one(QAPair, ids["open_high"])
        broken.provenance = {"file": float("nan")}
    out = tmp_path / "folder" / "qa.json"
    options = ExportOptions(file_type="json", include_provenance=True)
    with pytest.raises(InputError, match=f"QA pair {ids['open_high']} cannot be written"):
        export_dataset(app, PROJECT, out, options)
    assert list(out.parent.iterdir()) == []
    # An older file of the same name survives a failed overwrite untouched.
    out.write_text("[]\n", "utf-8")
    with pytest.raises(InputError):
        export_dataset(app, PROJECT, out, options, overwrite=True)
    assert [path.name for path in out.parent.iterdir()] == ["qa.json"]
    assert out.read_text("utf-8") == "[]\n"


def test_refuses_folders_the_database_and_unknown_projects(
    app: App, ids: dict[str, int], tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="is a folder"):
        export_dataset(app, PROJECT, tmp_path, ExportOptions())
    database = app.settings.home / "easy-dataset.db"
    assert database.exists()
    with pytest.raises(InputError, match="is the project database"):
        export_dataset(app, PROJECT, database, ExportOptions(), overwrite=True)
    with pytest.raises(NotFoundError, match="no project 'nope'"):
        export_dataset(app, "nope", tmp_path / "x.jsonl", ExportOptions())
    assert not (tmp_path / "x.jsonl").exists()


def test_llamafactory_dataset_info_is_merged(app: App, ids: dict[str, int], tmp_path: Path) -> None:
    info_path = tmp_path / "dataset_info.json"
    info_path.write_text(json.dumps({"alpaca_en_demo": {"file_name": "alpaca_en_demo.json"}}))
    options = ExportOptions(format="sharegpt", file_type="json", system_prompt="Be brief.")
    summary = export_dataset(app, PROJECT, tmp_path / "bees.json", options, llamafactory=True)
    assert summary.dataset_info_path == str(info_path)
    assert json.loads(info_path.read_text("utf-8")) == {
        "alpaca_en_demo": {"file_name": "alpaca_en_demo.json"},
        "bees": {
            "file_name": "bees.json",
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "system": "system"},
            "tags": {
                "role_tag": "from",
                "content_tag": "value",
                "user_tag": "human",
                "assistant_tag": "gpt",
            },
        },
    }
    # A different entry under a taken name is refused before any data is written.
    with pytest.raises(ConflictError, match="already describes a dataset 'bees'"):
        export_dataset(
            app,
            PROJECT,
            tmp_path / "b2.json",
            ExportOptions(),
            llamafactory=True,
            dataset_name="bees",
        )
    assert not (tmp_path / "b2.json").exists()
    export_dataset(
        app,
        PROJECT,
        tmp_path / "a.jsonl",
        ExportOptions(),
        llamafactory=True,
        dataset_name="bees_a",
    )
    assert set(json.loads(info_path.read_text("utf-8"))) == {"alpaca_en_demo", "bees", "bees_a"}
    with pytest.raises(InputError, match="LLaMA-Factory reads"):
        export_dataset(
            app, PROJECT, tmp_path / "r.jsonl", ExportOptions(format="reasoning"), llamafactory=True
        )


def test_cli_end_to_end(cli: Cli, app: App, ids: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "out" / "bees.json"
    summary = cli.json(
        "export", "-p", PROJECT, "-o", str(out), "--format", "messages", "--system", "Be brief.",
        "--cot", "field", "--confirmed-only", "--min-score", "5", "--provenance", "--llamafactory",
    )  # fmt: skip
    assert summary == {
        "count": 1,
        "path": str(out),
        "format": "messages",
        "file_type": "json",
        "bytes": out.stat().st_size,
        "dataset_info_path": str(out.parent / "dataset_info.json"),
    }
    [row] = json.loads(out.read_text("utf-8"))
    assert row["messages"][0] == {"role": "system", "content": "Be brief."}
    assert row["messages"][2]["reasoning_content"] == "They secrete it."
    assert row["metadata"]["id"] == ids["confirmed_high"]

    custom = tmp_path / "custom.jsonl"
    result = cli(
        "export", "-p", PROJECT, "-o", str(custom), "--format", "custom",
        "--field", "question=prompt", "--field", "answer=completion", "--cot", "omit",
        "--tag", "wax", "--tag", "hives",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "exported 2 samples (custom, jsonl) to" in result.stdout
    assert _read(custom) == [
        {"prompt": "蜂蜡是什么？", "completion": 'Wax, "made" by bees.\nMore.'},
        {"prompt": "Which hive?", "completion": "Langstroth."},
    ]

    refused = cli("export", "-p", PROJECT, "-o", str(custom))
    assert refused.exit_code == 1 and "already exists" in refused.stderr
    bad = cli("export", "-p", PROJECT, "-o", str(tmp_path / "x.txt"))
    assert bad.exit_code == 1 and "cannot tell the file type" in bad.stderr
    wrong = cli("export", "-p", PROJECT, "-o", str(tmp_path / "y.jsonl"), "--field", "question")
    assert wrong.exit_code == 1 and "SOURCE=NAME" in wrong.stderr
    combo = cli(
        "export",
        "-p",
        PROJECT,
        "-o",
        str(tmp_path / "z.jsonl"),
        "--format",
        "reasoning",
        "--cot",
        "think",
    )
    assert combo.exit_code == 1 and "reasoning format keeps" in combo.stderr
    assert not (tmp_path / "z.jsonl").exists()


def test_cli_writes_to_standard_output(cli: Cli, ids: dict[str, int]) -> None:
    result = cli(
        "export", "-p", PROJECT, "-o", "-", "--format", "alpaca", "--id", str(ids["open_high"])
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"instruction": "When to harvest?", "input": "", "output": "Late summer."}
    ]
    assert "exported 1 sample (alpaca" in result.stderr
