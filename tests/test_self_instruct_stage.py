"""The instructions.self_instruct stage against the fake model, from the CLI, REST and Python:
rounds of 8 examples, the planted copied instruction dropped by ROUGE-L, the keyword filter,
the round table in the job's summary, the stop at the count asked for, resume, export.

The fake's replies (tests/fake_kinds/self_instruct.py) plant in every round, in order: the
first example shown copied word for word, a new instruction, one that asks to draw a map,
the new one again, "Okay.", then more new ones; 8 items for 8 asked, 4 of them new.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from easy_dataset.api import Workspace
from easy_dataset.services import App, jobs, stages
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import JobItem
from tests.api_support import fresh, make_project, ok, refused, shared_server, wait_for_job
from tests.conftest import Cli
from tests.fake_kinds.self_instruct import KEYWORD_TASK
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_generate_support import make_project as make_local_project

STAGE = "instructions.self_instruct"
SEEDS = [
    {"instruction": "Explain why honey bees swarm in spring.", "output": "Colonies split."},
    {"instruction": "Write a short poem about a beekeeper at dawn."},
    {"instruction": "List three signs that a hive has lost its queen."},
    {"instruction": "Classify each food as high or low in sugar.", "input": "honey, celery"},
    {"instruction": "Summarise the life cycle of a worker bee in two sentences."},
    {"instruction": "Suggest a name for a small honey shop."},
]
TYPED = "Translate a greeting into French for a market stall."
ROUND = {"generated": 8, "rouge": 1, "keyword": 1, "duplicate": 1, "malformed": 1}


def _samples(app: App) -> list[QAPair]:
    with app.db.session() as session:
        rows = list(session.scalars(select(QAPair).order_by(QAPair.id)))
        session.expunge_all()
        return rows


def _seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "seeds.jsonl"
    path.write_text("\n".join(json.dumps(seed) for seed in SEEDS), encoding="utf-8")
    return path


def test_cli_runs_rounds_to_the_count_and_prints_the_round_table(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_local_project(app, tmp_path, fake.base_url)
    seeds = str(_seed_file(tmp_path))
    result = cli(
        "instructions", "self-instruct", "-p", "bees", "--seeds", seeds, "--seed", TYPED,
        "--count", "10",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("Self-Instruct rounds: generated → filtered → kept" in line for line in lines)
    header = next(line for line in lines if line.split()[:2] == ["round", "generated"])
    for column in ("round", "rouge", "keyword", "duplicate", "malformed", "surplus", "kept"):
        assert column in header
    # Two rounds keep 4 each; the third keeps the 2 still wanted (2 more passed: surplus).
    rows = [line.split() for line in lines if line.split()[:1] in (["1"], ["2"], ["3"], ["total"])]
    assert rows == [
        ["1", "8", "1", "1", "1", "1", "0", "4"],
        ["2", "8", "1", "1", "1", "1", "0", "4"],
        ["3", "8", "1", "1", "1", "1", "2", "2"],
        ["total", "24", "3", "3", "3", "3", "2", "10"],
    ]
    samples = _samples(app)
    assert len(samples) == 10
    for sample in samples:
        source = sample.provenance
        assert (sample.kind, sample.chunk_id, sample.question_id) == ("qa", None, None)
        assert source["source"] == "self-instruct" and source["round"] in (1, 2, 3)
        assert sample.question.startswith(source["instruction"]) and sample.answer
        assert source["context"] == "none" and source["prompt"] == "self_instruct_instance"
        if source["input"]:
            assert sample.question == f"{source['instruction']}\n\n{source['input']}"
    instructions = [sample.provenance["instruction"] for sample in samples]
    assert len(set(instructions)) == 10
    seeds_given = {seed["instruction"] for seed in SEEDS} | {TYPED}
    assert not seeds_given & set(instructions) and KEYWORD_TASK not in instructions


def test_the_summary_says_what_was_dropped_and_why(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_local_project(app, tmp_path, fake.base_url)
    done = cli.json(
        "stage", STAGE, "-p", "bees", "--seeds", str(_seed_file(tmp_path)), "--count", "4",
        "--max-rounds", "3", "--json",
    )  # fmt: skip
    assert done["status"] == "succeeded" and done["total"] == 3
    summary = done["summary"]
    assert [row["round"] for row in summary["rows"]] == [1]  # rounds 2 and 3: count reached
    assert summary["rows"][0] == {"round": 1, **ROUND, "surplus": 0, "kept": 4}
    assert summary["details"]["rounds_skipped"] == 2
    dropped = {item["reason"]: item for item in summary["details"]["dropped"]}
    # The planted copy is the first example the round showed: a seed, word for word.
    copied = dropped["rouge"]
    assert copied["score"] == 1.0 and copied["instruction"] == copied["match"]
    assert copied["match"] in {seed["instruction"] for seed in SEEDS}
    assert dropped["keyword"]["instruction"] == KEYWORD_TASK
    assert dropped["malformed"]["instruction"] == "Okay."
    # `jobs show` shows the same table.
    shown = cli("jobs", "show", str(done["job_id"]))
    assert "Self-Instruct rounds" in shown.output and "rouge" in shown.output


def test_options_are_checked_before_anything_starts(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_local_project(app, tmp_path, fake.base_url)
    none = cli("instructions", "self-instruct", "-p", "bees")
    assert none.exit_code == 1 and "needs seed tasks" in none.output
    bad = cli(
        "instructions", "self-instruct", "-p", "bees", "--seed", TYPED, "--rouge-threshold", "1.5"
    )
    assert bad.exit_code == 1 and "--rouge-threshold" in bad.output
    missing = cli(
        "instructions", "self-instruct", "-p", "bees", "--seeds", str(tmp_path / "no.jsonl")
    )
    assert missing.exit_code == 1 and "cannot read" in missing.output
    wrong = tmp_path / "seeds.csv"
    wrong.write_text("question,answer\nq,a\n", encoding="utf-8")
    refused_file = cli("instructions", "self-instruct", "-p", "bees", "--seeds", str(wrong))
    assert refused_file.exit_code == 1 and "'instruction' column" in refused_file.output
    assert not _samples(app) and not jobs.list_jobs(app)
    estimate = stages.estimate_stage(app, "bees", STAGE, seeds=[TYPED], count=16)
    # 16 tasks at 8 a round: at least 2 rounds, then one call per task; 6 rounds planned.
    assert (estimate.items, estimate.calls) == (6, 18) and estimate.prompt_tokens > 0


def test_python_api_with_typed_seeds_and_no_keyword_filter(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    with Workspace(tmp_path / "home") as workspace:
        make_local_project(workspace.app, tmp_path, fake.base_url)
        project = workspace.project("bees")
        typed = "\n".join(seed["instruction"] for seed in SEEDS)
        done = project.run_stage(STAGE, seeds=typed, count=5, keywords=[], per_round=8)
        summary = project.job(done.job_id).summary
        assert summary is not None
        # Without keywords the map-drawing task is kept: 5 new ones in round 1.
        assert summary.rows[0] == {
            "round": 1, **ROUND, "keyword": 0, "surplus": 0, "kept": 5,
        }  # fmt: skip
        kept = [row.provenance["instruction"] for row in _samples(workspace.app)]
        assert KEYWORD_TASK in kept and len(kept) == 5
        # A second run shows the model what the first one kept, as generated examples, and
        # compares with it.
        again = project.run_stage(STAGE, seeds=typed, count=2, max_rounds=1)
        with workspace.app.db.session() as session:
            result = session.scalars(
                select(JobItem.result).where(JobItem.job_id == again.job_id)
            ).one()
        assert len(set(result["examples"]) & set(kept)) == 2
        assert len(_samples(workspace.app)) == 7


def test_a_failed_round_retried_later_sees_what_the_others_kept(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_local_project(app, tmp_path, fake.base_url)
    # Round 1: the instructions and 4 instances; round 2's first call fails.
    fake.set_faults(Faults(script=["ok"] * 5 + ["500"]))
    done = stages.run_stage(app, "bees", STAGE, seeds=[s["instruction"] for s in SEEDS], count=12)
    assert (done.status, done.failed, done.total) == ("failed", 1, 6)
    assert len(_samples(app)) == 12  # rounds 1, 3 and 4
    moved, rerun = jobs.retry_job(app, done.job_id)
    assert moved == 1 and rerun is not None and rerun.status == "succeeded"
    # The retried round 2 knows the count is reached: nothing more is made.
    assert len(_samples(app)) == 12
    summary = jobs.show_job(app, done.job_id).summary
    assert summary is not None
    assert [row["round"] for row in summary.rows] == [1, 3, 4]
    assert summary.details["rounds_skipped"] == 3
    assert len({row.provenance["instruction"] for row in _samples(app)}) == 12


def test_export_keeps_the_provenance(app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path) -> None:
    make_local_project(app, tmp_path, fake.base_url)
    cli(
        "instructions",
        "self-instruct",
        "-p",
        "bees",
        "--seeds",
        str(_seed_file(tmp_path)),
        "--count",
        "2",
    )
    out = tmp_path / "out.jsonl"
    assert (
        cli(
            "export", "-p", "bees", "--out", str(out), "--format", "alpaca", "--provenance"
        ).exit_code
        == 0
    )
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    samples = _samples(app)
    assert len(rows) == 2
    for row, sample in zip(rows, samples, strict=True):
        assert row["instruction"] == sample.question and row["output"] == sample.answer
        assert row["metadata"]["source"] == "self-instruct"
        assert row["metadata"]["lineage"] == {"round": 1}
        assert row["metadata"]["model"] == "m" and row["metadata"]["file"] is None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


def test_rest_takes_seeds_inline_and_returns_the_round_table(
    server: TestClient, fake: FakeOpenAI
) -> None:
    api = fresh(server)
    make_project(api, fake.base_url)
    path = f"/api/projects/bees/stages/{STAGE}"
    body: dict[str, Any] = {"seeds": [SEEDS[0], *(s["instruction"] for s in SEEDS[1:])], "count": 6}
    estimate = ok(api.post(f"{path}/estimate", json=body))
    assert estimate["items"] == 5 and estimate["calls"] == 7  # 1 round (at best) + 6 tasks
    job = ok(api.post(path, json=body), 202)
    assert job["type"] == STAGE and job["params"]["seeds"][0]["output"] == "Colonies split."
    state = wait_for_job(api, job["id"])
    assert state["job"]["status"] == "succeeded"
    summary = state["summary"]
    assert [column["key"] for column in summary["columns"]] == [
        "round", "generated", "rouge", "keyword", "duplicate", "malformed", "surplus", "kept",
    ]  # fmt: skip
    assert [row["kept"] for row in summary["rows"]] == [4, 2]
    assert summary["totals"]["kept"] == 6 and summary["title_zh"]
    assert ok(api.get("/api/projects/bees/qa"))["total"] == 6
    refused(api.post(path, json={"seeds": [], "count": 3}), 422)
    refused(api.post(path, json={"seeds": ["x"], "rouge_threshold": 0}), 422)
    refused(api.post(path, json={"seeds": [{"instruction": ""}]}), 422)
    # Other jobs report only their counts.
    assert ok(api.get(f"/api/jobs/{job['id']}"))["summary"]["rows"]
    tags = ok(api.post("/api/projects/bees/stages/tags.build", json={}), 202)
    assert wait_for_job(api, tags["id"])["summary"] is None
