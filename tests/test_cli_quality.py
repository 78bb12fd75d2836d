"""The quality checks, the review sample and the report from the command line, on a real
project: what each command flags, lists, exports and reports, and how bad input fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import Result

from easy_dataset.services import App
from easy_dataset.services import generation as gen
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import make_project
from tests.test_generate_support import seed_qa_pairs as seed

GOOD = "A worker bee lives about six weeks in summer and several months in winter."
PAIRS = [
    ("How long does a worker bee live?", GOOD),
    ("How long does a worker bee live ?", GOOD),  # the same once normalised
    ("Who lays the eggs?", "The queen lays up to two thousand eggs a day."),
    ("Whom should I e-mail?", "Write to jane.doe@example.com about the hives."),
    ("What is honey made from?", "According to the text, honey is made from nectar."),
    ("Why is honey sealed?", "The ripe honey is sealed under wax and eaten in winter."),
]
EMAIL, REFS, EGGS = 3, 4, 2  # indexes into PAIRS


@pytest.fixture
def project(app: App, tmp_path: Path, fake: FakeOpenAI) -> str:
    name = make_project(app, tmp_path, fake.base_url)
    gen.update_generation_settings(app, name, tags_enabled=False)
    return name


def one_error(result: Result, *words: str) -> None:
    """Exit status 1 and a single `error:` line on stderr that says what is wrong."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def qa_ids(cli: Cli, project: str, *filters: str) -> list[int]:
    return [pair["id"] for pair in cli.json("qa", "list", "-p", project, *filters)]


def test_pii_flags_a_planted_address(cli: Cli, app: App, project: str) -> None:
    ids = seed(app, project, PAIRS)
    ran = cli("quality", "pii", "-p", project)
    assert ran.exit_code == 0, ran.output
    assert "succeeded" in ran.stdout and "1 QA pair flagged by pii" in ran.stdout
    assert qa_ids(cli, project, "--flagged", "pii") == [ids[EMAIL]]
    assert ids[EMAIL] not in qa_ids(cli, project, "--not-flagged", "pii")
    assert len(qa_ids(cli, project, "--not-flagged", "pii")) == len(PAIRS) - 1

    shown = cli("quality", "results", str(ids[EMAIL]), "-p", project)
    assert shown.exit_code == 0 and "email in answer" in shown.stdout
    [result] = cli.json("quality", "results", str(ids[EMAIL]), "-p", project)
    assert (result["kind"], result["flagged"]) == ("pii", True)
    assert "jane.doe" not in json.dumps(result)  # kinds and places only

    # Masking replaces the address in the pair itself.
    masked = cli.json("quality", "pii", "-p", project, "--action", "mask")
    assert (masked["status"], masked["flagged"]) == ("succeeded", 1)
    answer = cli.json("qa", "show", str(ids[EMAIL]), "-p", project)["answer"]
    assert "jane.doe" not in answer

    one_error(cli("quality", "pii", "-p", project, "--action", "shred"), "--action", "shred")
    one_error(cli("qa", "list", "-p", project, "--flagged", "nonsense"), "nonsense")
    one_error(cli("quality", "results", "9999", "-p", project), "9999")


def test_references_to_the_text(cli: Cli, app: App, project: str) -> None:
    ids = seed(app, project, PAIRS)
    assert cli.json("quality", "refs", "-p", project)["flagged"] == 1
    assert qa_ids(cli, project, "--flagged", "refs") == [ids[REFS]]


def test_dedup_then_export_without_the_duplicate(
    cli: Cli, app: App, project: str, tmp_path: Path
) -> None:
    ids = seed(app, project, PAIRS)
    ran = cli("quality", "dedup", "-p", project, "--mode", "exact")
    assert ran.exit_code == 0, ran.output
    assert "1 cluster of duplicates; 1 marked" in ran.stdout
    again = cli.json("quality", "dedup", "-p", project, "--mode", "exact")
    assert (again["clusters"], again["marked"]) == (1, 1)
    [marked] = qa_ids(cli, project, "--flagged", "duplicate")
    assert marked in ids[:2]

    listed = cli.json("quality", "clusters", "-p", project)
    assert listed["total"] == 1
    members = listed["clusters"][0]["members"]
    assert sorted(m["id"] for m in members) == ids[:2]
    assert [m["id"] for m in members if not m["keep"]] == [marked]
    table = cli("quality", "clusters", "-p", project)
    assert "✓ kept" in table.stdout and "marked" in table.stdout

    out = tmp_path / "out.jsonl"
    exported = cli.json(
        "export", "-p", project, "--out", str(out), "--exclude-flagged", "duplicate"
    )
    assert exported["count"] == len(PAIRS) - 1
    assert len(out.read_text().splitlines()) == len(PAIRS) - 1
    one_error(
        cli("export", "-p", project, "--out", str(tmp_path / "x.jsonl"), "--exclude-flagged", "x"),
        "no quality flag x",
    )

    one_error(cli("quality", "dedup", "-p", project, "--mode", "fuzzy"), "fuzzy")
    one_error(cli("quality", "dedup", "-p", project, "--target", "files"), "files")
    refused = cli("quality", "delete-duplicates", "-p", project)
    one_error(refused, "--yes")
    assert len(qa_ids(cli, project)) == len(PAIRS)  # nothing deleted
    assert cli.json("quality", "delete-duplicates", "-p", project, "--yes") == {"deleted": 1}
    assert marked not in qa_ids(cli, project)


def test_judge_then_list_by_judge_score(cli: Cli, app: App, project: str, fake: FakeOpenAI) -> None:
    ids = seed(app, project, PAIRS[:2])
    summary = cli.json("quality", "judge", "-p", project, "--weight", "accuracy=3")
    assert (summary["status"], summary["total"], summary["succeeded"]) == ("succeeded", 2, 2)
    assert qa_ids(cli, project, "--min-judge", "0") == ids
    assert qa_ids(cli, project, "--min-judge", "0", "--max-judge", "5") == ids
    [judged] = cli.json("quality", "results", str(ids[0]), "-p", project)
    assert judged["kind"] == "judge" and judged["detail"]["weights"]["accuracy"] == 3

    calls = len(fake.stats().log)
    again = cli("quality", "judge", "-p", project)
    assert again.exit_code == 0 and "nothing to do" in again.stdout
    assert len(fake.stats().log) == calls
    one = cli.json("quality", "judge", "-p", project, "--qa", str(ids[0]))
    assert one["total"] == 1

    one_error(cli("quality", "judge", "-p", project, "--weight", "speed=2"), "speed")
    one_error(cli("quality", "judge", "-p", project, "--weight", "accuracy"), "accuracy")
    negative = cli("quality", "judge", "-p", project, "--weight", "accuracy=-1")
    one_error(negative, "greater than or equal to 0")
    one_error(cli("quality", "judge", "-p", project, "--weight", "accuracy=nan"), "finite")
    one_error(cli("quality", "judge", "-p", project, "--model", "nobody", "--redo"), "nobody")


def test_contamination_with_a_benchmark_file(
    cli: Cli, app: App, project: str, tmp_path: Path
) -> None:
    ids = seed(app, project, PAIRS)
    one_error(cli("quality", "contamination", "-p", project), "benchmark")
    bench = tmp_path / "eval.jsonl"
    bench.write_text(
        '{"question": "Who lays the eggs?", "answer": "The queen lays up to two thousand eggs'
        ' a day."}\n{"question": "What is the capital of France and why is it famous?"}\n'
    )
    added = cli("quality", "benchmarks", "add", str(bench), "-p", project)
    assert added.exit_code == 0 and "eval.jsonl" in added.stdout and "3 items" in added.stdout
    ran = cli("quality", "contamination", "-p", project, "--n", "5")
    assert ran.exit_code == 0, ran.output
    assert qa_ids(cli, project, "--flagged", "contamination") == [ids[EGGS]]

    # The same file again replaces the stored copy.
    cli.json("quality", "benchmarks", "add", str(bench), "-p", project)
    [stored] = cli.json("quality", "benchmarks", "list", "-p", project)
    assert (stored["name"], stored["items"]) == ("eval.jsonl", 3)
    assert "eval.jsonl" in cli("quality", "benchmarks", "list", "-p", project).stdout

    one_error(cli("quality", "contamination", "-p", project, "--n", "2"), "--n")
    bad = tmp_path / "eval.exe"
    bad.write_text("x")
    one_error(cli("quality", "benchmarks", "add", str(bad), "-p", project), "eval.exe")
    one_error(cli("quality", "benchmarks", "add", str(tmp_path / "gone.jsonl"), "-p", project))
    one_error(cli("quality", "benchmarks", "remove", "../../etc/passwd", "-p", project))
    removed = cli("quality", "benchmarks", "remove", stored["id"], "-p", project)
    assert removed.exit_code == 0
    assert cli.json("quality", "benchmarks", "list", "-p", project) == []


def test_sample_review_and_estimate(cli: Cli, app: App, project: str) -> None:
    ids = seed(app, project, PAIRS * 3)
    drawn = cli("quality", "sample", "-p", project, "--fraction", "0.2", "--seed", "7")
    assert drawn.exit_code == 0, drawn.output
    assert "sampled 4 of 18 QA pairs" in drawn.stdout
    sampled = qa_ids(cli, project, "--sampled")
    assert len(sampled) == 4 and set(sampled) <= set(ids)
    assert len(qa_ids(cli, project, "--not-sampled", "--limit", "100")) == len(ids) - 4
    assert "no verdicts yet" in cli("quality", "sample-status", "-p", project).stdout

    cli.json("quality", "review", str(sampled[0]), "error", "-p", project, "--note", "wrong")
    for qa_id in sampled[1:]:
        assert cli("quality", "review", str(qa_id), "ok", "-p", project).exit_code == 0
    status = cli.json("quality", "sample-status", "-p", project)
    assert (status["size"], status["reviewed"], status["errors"]) == (4, 4, 1)
    assert status["rate"] == pytest.approx(0.25)
    assert status["low"] < 0.25 < status["high"]
    shown = cli("quality", "sample-status", "-p", project)
    assert "reviewed 4, errors 1" in shown.stdout
    assert "error rate 25.0% (95% interval" in shown.stdout
    assert qa_ids(cli, project, "--flagged", "sample") == [sampled[0]]

    undone = cli("quality", "review", str(sampled[0]), "undo", "-p", project)
    assert undone.exit_code == 0 and "verdict removed" in undone.stdout
    assert cli.json("quality", "sample-status", "-p", project)["reviewed"] == 3

    outside = next(qa_id for qa_id in ids if qa_id not in sampled)
    one_error(cli("quality", "review", str(outside), "ok", "-p", project), "not in the review")
    one_error(cli("quality", "review", str(sampled[0]), "maybe", "-p", project), "maybe")
    one_error(cli("quality", "sample", "-p", project, "--fraction", "1.5"), "fraction")


def test_report_and_settings(cli: Cli, app: App, project: str, tmp_path: Path) -> None:
    seed(app, project, PAIRS)
    report = cli.json("report", "-p", project)
    figures = {figure["name"]: figure for figure in report["figures"]}
    assert set(figures) >= {"opening_entropy", "duplicate_rate", "sampled_error_rate"}
    assert all(figure["target"] is not None for figure in figures.values())
    assert figures["duplicate_rate"]["passed"] is None  # dedup has not run
    assert figures["opening_entropy"]["target"] == report["targets"]["opening_entropy"]
    assert report["qa_pairs"] == len(PAIRS)

    shown = cli("report", "-p", project)
    assert shown.exit_code == 0, shown.output
    assert "not run" in shown.stdout and "quality dedup" in shown.stdout
    assert "opening_entropy" in shown.stdout

    changed = cli("quality", "settings", "set", "targets.opening_entropy=1", "-p", project)
    assert changed.exit_code == 0, changed.output
    report = cli.json("report", "-p", project)
    entropy = next(f for f in report["figures"] if f["name"] == "opening_entropy")
    assert entropy["target"] == 1 and entropy["passed"] is True
    assert "≥ 1.00 bits" in cli("report", "-p", project).stdout

    settings = cli.json(
        "quality", "settings", "set", "judge_weights.accuracy=3", "dedup_mode=semantic",
        "-p", project,
    )  # fmt: skip
    assert settings["judge_weights"]["accuracy"] == 3 and settings["dedup_mode"] == "semantic"
    assert settings["judge_weights"]["question"] == 1  # the others keep theirs
    assert settings["targets"]["opening_entropy"] == 1
    restored = cli.json("quality", "settings", "set", "dedup_mode=", "-p", project)
    assert restored["dedup_mode"] == "minhash"

    before = cli.json("quality", "settings", "show", "-p", project)
    one_error(cli("quality", "settings", "set", "speed=3", "-p", project), "speed")
    one_error(cli("quality", "settings", "set", "targets.speed=3", "-p", project), "targets.speed")
    both = ("dedup_mode=exact", "targets.consistency=2")
    one_error(cli("quality", "settings", "set", *both, "-p", project), "consistency")
    one_error(cli("quality", "settings", "set", "dedup_mode", "-p", project), "KEY=VALUE")
    one_error(cli("quality", "settings", "set", "judge_weights.accuracy=x", "-p", project))
    one_error(cli("quality", "settings", "set", "judge_model=nobody", "-p", project), "nobody")
    assert cli.json("quality", "settings", "show", "-p", project) == before  # nothing changed
    assert "targets.opening_entropy" in cli("quality", "settings", "show", "-p", project).stdout

    out = tmp_path / "report.json"
    written = cli("report", "-p", project, "--out", str(out))
    assert written.exit_code == 0 and "report written to" in written.stdout
    assert json.loads(out.read_text())["targets"]["opening_entropy"] == 1
    one_error(cli("report", "-p", project, "--out", str(tmp_path / "no" / "r.json")), "cannot")


def test_bad_check_options_fail_before_any_work(cli: Cli, app: App, project: str) -> None:
    seed(app, project, PAIRS[:1])
    one_error(cli("quality", "ground", "-p", project, "--threshold", "2"), "--threshold")
    one_error(cli("quality", "dedup", "-p", project, "--threshold", "0"), "threshold")
    assert cli.json("jobs", "list") == []  # none of them started a job
    one_error(cli("questions", "answer", "-p", project, "--votes", "10"), "--votes")
    assert cli("quality", "--help").exit_code == 0
