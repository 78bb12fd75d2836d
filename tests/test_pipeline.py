"""The one-shot pipeline (`easy-dataset generate`) and the Python API, against the fake server."""

from __future__ import annotations

import json
from pathlib import Path

from easy_dataset import Workspace
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services.export import ExportFilters
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI, Faults
from tests.helpers import write

DOC = "# Hives\n\n" + "\n\n".join(
    f"## Part {n}\n\n" + f"Bees in part {n} store nectar, build comb and guard the entrance. " * 6
    for n in range(3)
)


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_generate_end_to_end_and_resume(cli: Cli, tmp_path: Path) -> None:
    doc = write(tmp_path / "hives.md", DOC)
    out = tmp_path / "out" / "hives.jsonl"
    with FakeOpenAI() as fake:
        args = ["generate", str(doc), "-o", str(out), "--model", "fake-model",
                "--base-url", fake.base_url, "--json"]  # fmt: skip
        first = cli(*args)
        assert first.exit_code == 0, first.output
        summary = json.loads(first.stdout)
        calls_after_first = fake.stats().total

        assert summary["project"] == "hives" and summary["files"] == 1
        assert summary["chunks"] >= 1 and summary["questions"] >= summary["chunks"]
        assert summary["qa_pairs"] == summary["questions"]
        assert summary["export"]["count"] == summary["qa_pairs"]
        assert summary["calls"] > 0 and summary["prompt_tokens"] > 0
        assert [stage["stage"] for stage in summary["stages"]] == [
            "tags.build", "questions.generate", "answers.generate",
        ]  # fmt: skip
        records = _lines(out)
        assert len(records) == summary["qa_pairs"]
        assert all(record["instruction"] and record["output"] for record in records)

        again = cli(*args)
        assert again.exit_code == 0, again.output
        second = json.loads(again.stdout)
    # Nothing is redone: no new items, no new rows, no model calls beyond the first run.
    assert all(stage["total"] == 0 for stage in second["stages"])
    assert (second["questions"], second["qa_pairs"]) == (summary["questions"], summary["qa_pairs"])
    assert fake.stats().total == calls_after_first
    assert len(_lines(out)) == summary["qa_pairs"]


def test_max_chunks_tries_the_first_chunks_and_a_full_run_goes_on(cli: Cli, tmp_path: Path) -> None:
    sentence = "Bees in part {n} store nectar, build comb and guard the entrance. "
    parts = [f"## Part {n}\n\n" + sentence.format(n=n) * 30 for n in range(4)]
    doc = write(tmp_path / "long.md", "# Hives\n\n" + "\n\n".join(parts))
    out = tmp_path / "long.jsonl"
    with FakeOpenAI() as fake:
        args = ["generate", str(doc), "-o", str(out), "--model", "m", "--base-url",
                fake.base_url, "--no-tags", "--json"]  # fmt: skip
        trial = json.loads(cli(*args, "--max-chunks", "2").stdout)
        chunks = cli.json("chunks", "list", "-p", "long")["items"]
        asked = {question["chunk_id"] for question in cli.json("questions", "list", "-p", "long")}
        assert trial["chunks"] == len(chunks) == 4
        assert asked == {chunks[0]["id"], chunks[1]["id"]}
        assert trial["export"]["count"] == trial["qa_pairs"] > 0
        full = json.loads(cli(*args).stdout)
    asked = {question["chunk_id"] for question in cli.json("questions", "list", "-p", "long")}
    assert asked == {chunk["id"] for chunk in chunks}
    assert full["qa_pairs"] > trial["qa_pairs"] and len(_lines(out)) == full["qa_pairs"]


def test_generate_reports_failures(cli: Cli, tmp_path: Path) -> None:
    doc = write(tmp_path / "hives.md", DOC)
    out = tmp_path / "hives.json"
    with FakeOpenAI(Faults(p_malformed=1.0)) as fake:
        result = cli("generate", str(doc), "-o", str(out), "--model", "m", "--base-url",
                     fake.base_url, "--no-tags")  # fmt: skip
    assert result.exit_code == 1
    assert "questions.generate" in result.stdout and "parse" in result.stdout
    assert json.loads(out.read_text()) == []  # a valid, empty JSON dataset


def test_python_api(tmp_path: Path) -> None:
    doc = write(tmp_path / "hives.md", DOC)
    with FakeOpenAI() as fake, Workspace(tmp_path / "home") as ws:
        project = ws.project("bees", create=True)
        project.add_model(
            ModelConfig(name="fake", provider="custom", base_url=fake.base_url, model="m")
        )
        (added,) = project.add_files([doc])
        assert added.status == "added" and project.chunks()
        assert project.run_stage("questions.generate").failed == 0
        assert project.run_stage("answers.generate").succeeded > 0
        assert all(question.answered for question in project.questions())
        first = project.qa_pairs()[0]
        assert project.confirm([first.id])[0].confirmed
        project.add_question_template(
            "Which caste?", answer_type="label", labels=["queen", "worker"]
        )
        assert project.run_stage("templates.apply").succeeded > 0
        assert {p.answer for p in project.qa_pairs() if p.question == "Which caste?"} <= {
            "queen",
            "worker",
        }
        summary = project.export(tmp_path / "bees.json", format="sharegpt")
        confirmed = project.export(
            tmp_path / "ok.json", format="sharegpt", filters=ExportFilters(confirmed_only=True)
        )
    records = json.loads((tmp_path / "bees.json").read_text())
    assert len(records) == summary.count > 0 and confirmed.count == 1
    assert records[0]["conversations"][0]["from"] == "human"
