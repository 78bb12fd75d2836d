"""The command line: every command, --json output, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.helpers import GUIDE, write


def test_project_lifecycle(cli: Cli) -> None:
    created = cli.json(
        "project",
        "create",
        "docs",
        "-d",
        "manuals",
        "--strategy",
        "fixed",
        "--size",
        "800",
        "--overlap",
        "80",
    )
    assert created["chunking"]["strategy"] == "fixed" and created["chunking"]["overlap"] == 80
    assert [p["name"] for p in cli.json("project", "list")] == ["docs"]
    assert cli.json("project", "show", "docs")["description"] == "manuals"
    shown = cli("project", "show", "docs")
    assert "docs" in shown.stdout and "fixed" in shown.stdout
    refused = cli("project", "delete", "docs")
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    assert cli("project", "delete", "docs", "--yes").exit_code == 0
    assert cli.json("project", "list") == []


def test_errors_are_one_line_and_exit_nonzero(cli: Cli) -> None:
    result = cli("project", "show", "ghost")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "error:" in result.stderr and "ghost" in result.stderr
    bad = cli("project", "create", "x", "--min", "4000", "--max", "3000")
    assert bad.exit_code == 1 and "min_chars" in bad.stderr
    assert cli.json("project", "list") == []


def test_files_add_reports_each_bad_file(cli: Cli, tmp_path: Path) -> None:
    cli("project", "create", "p")
    good = write(tmp_path / "guide.md", GUIDE)
    empty = write(tmp_path / "empty.md", "")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    result = cli("files", "add", str(good), str(empty), str(binary), "-p", "p")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert "empty.md" in errors[0] and "blob.txt" in errors[1]
    assert "1 added" in result.stdout
    listed = cli.json("files", "list", "-p", "p")
    assert [f["name"] for f in listed] == ["guide.md"]
    shown = cli("files", "show", str(listed[0]["id"]), "-p", "p")
    assert "Guide" in shown.stdout and "Linux" in shown.stdout
    again = cli("files", "add", str(good), "-p", "p", "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)[0]["status"] == "duplicate"


def test_chunk_commands(cli: Cli, tmp_path: Path) -> None:
    cli("project", "create", "p", "--min", "50", "--max", "200")
    body = "\n\n".join(f"## Part {i}\n\n" + "A sentence about bees. " * 6 for i in range(4))
    write(tmp_path / "bees.md", "# Bees\n\n" + body)
    assert cli("files", "add", str(tmp_path / "bees.md"), "-p", "p").exit_code == 0
    listing = cli.json("chunks", "list", "-p", "p")
    items = listing["items"]
    assert listing["total"] == len(items) >= 4
    first, second = items[0], items[1]

    shown = cli.json("chunks", "show", str(first["id"]))
    assert shown["content"] == first["content"]
    plain = cli("chunks", "show", str(second["id"]))
    assert "Bees > Part" in plain.stdout

    edited = cli.json("chunks", "edit", str(first["id"]), "--text", "Edited [bold]text[/].")
    assert edited["content"] == "Edited [bold]text[/]."
    merged = cli.json("chunks", "merge", str(first["id"]), str(second["id"]))
    assert merged["content"].startswith("Edited [bold]text[/].\n\n")
    halves = cli.json("chunks", "split-at", str(first["id"]), "8")
    assert halves[0]["content"] == "Edited [" and halves[1]["ordinal"] == 1
    assert cli.json("chunks", "delete", str(halves[1]["id"]))["deleted"] == 1

    resplit = cli(
        "chunks", "split", "1", "-p", "p", "--strategy", "delimiter", "--delimiter", "\\n\\n"
    )
    assert resplit.exit_code == 1 and "--replace" in resplit.stderr
    done = cli.json(
        "chunks",
        "split",
        "1",
        "-p",
        "p",
        "--strategy",
        "delimiter",
        "--delimiter",
        "\\n\\n",
        "--replace",
    )
    assert done[0]["status"] == "split"
    assert cli.json("project", "show", "p")["chunking"]["delimiter"] == "\n\n"
    after = cli.json("chunks", "list", "-p", "p", "--limit", "1000")["items"]
    assert all("\n\n" not in chunk["content"] for chunk in after)


def test_edit_from_stdin(cli: Cli, tmp_path: Path) -> None:
    cli("project", "create", "p")
    cli("files", "add", str(write(tmp_path / "g.md", GUIDE)), "-p", "p")
    chunk_id = cli.json("chunks", "list", "-p", "p")["items"][0]["id"]
    result = cli(
        "chunks", "edit", str(chunk_id), "--from-file", "-", "--json", input="从标准输入\n"
    )
    assert json.loads(result.stdout)["content"] == "从标准输入\n"


@pytest.mark.slow
def test_console_script_runs_with_env_home(tmp_path: Path) -> None:
    """The installed entry point works and honours EASY_DATASET_HOME."""
    env = {**os.environ, "EASY_DATASET_HOME": str(tmp_path / "envhome")}
    script = Path(sys.executable).with_name("easy-dataset")
    created = subprocess.run(
        [str(script), "project", "create", "from-env", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(created.stdout)["folder"].startswith(str((tmp_path / "envhome").resolve()))
    assert (tmp_path / "envhome" / "easy-dataset.db").exists()


def test_commands_start_without_loading_the_server() -> None:
    """Only `serve` needs FastAPI, NiceGUI and the routes; loading them cost every other
    command about a second before it did anything."""
    loaded = "import sys, easy_dataset.cli; print([m for m in WEB if m in sys.modules])"
    probe = f"WEB = ('easy_dataset.server', 'fastapi', 'nicegui'); {loaded}"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"


@pytest.mark.embedded
def test_demo_runs_the_whole_pipeline_on_the_embedded_model(cli: Cli) -> None:
    """The one end-to-end run of every stage on the embedded model (structure only), on the
    first two chunks: every stage runs as on all eight, in a quarter of the time. The demo
    project configures no model, so this is also the run of the fallback to the embedded
    one: each question and pair says which model, prompt and file it came from."""
    first = cli("demo", "--max-chunks", "2")
    assert first.exit_code == 0, first.output
    dataset = cli.home / "demo-dataset.jsonl"
    assert f"dataset: {dataset}" in first.stdout.replace("\n", "")
    records = [json.loads(line) for line in dataset.read_text("utf-8").splitlines()]
    assert records and all(record["instruction"] and record["output"] for record in records)
    assert len(records) <= 2  # one question for each of the two chunks
    questions = cli.json("questions", "list", "-p", "demo")
    assert questions and all(q["text"].strip() and q["provenance"]["model"] for q in questions)
    pairs = cli.json("qa", "list", "-p", "demo")
    assert [pair["question"] for pair in pairs] == [r["instruction"] for r in records]
    for pair in pairs:
        source = pair["provenance"]
        assert pair["answer"].strip() and source["model"] and source["file"] == "beekeeping.md"
        # The demo asks for no synthesised reasoning: the model's own, or none.
        assert source["prompt"] == "answer" and source["cot_source"] in ("reasoning", "none")
    shown = cli.json("project", "show", "demo")
    assert shown["file_count"] == 1 and shown["chunk_count"] >= 5
    # Then the checks that need no model, and the report: every pair grounded.
    assert "full report: easy-dataset report -p demo" in first.stdout
    report = cli.json("report", "-p", "demo")
    assert report["checks"]["grounding"]["results"] == len(records)
    consistency = next(f for f in report["figures"] if f["name"] == "semantic_consistency")
    assert 0 < consistency["value"] <= 1
    # Resumes instead of starting over: every record kept, in the same order, and the file
    # not split again. (Items the tiny model failed on the first time are tried again, so
    # the second dataset may be longer.)
    again = cli("demo", "--max-chunks", "2")
    assert again.exit_code == 0, again.output
    rerun = [json.loads(line) for line in dataset.read_text("utf-8").splitlines()]
    assert rerun[: len(records)] == records
    assert cli.json("project", "show", "demo")["chunk_count"] == shown["chunk_count"]


def test_max_file_size_option(cli: Cli, tmp_path: Path) -> None:
    cli("project", "create", "p")
    big = write(tmp_path / "big.md", "# Big\n\n" + "words " * 1000)
    refused = cli("files", "add", str(big), "-p", "p", "--max-file-mb", "0.001")
    assert refused.exit_code == 1
    assert "big.md" in refused.stderr and "limit" in refused.stderr
    assert cli.json("files", "list", "-p", "p") == []
    assert cli("files", "add", str(big), "-p", "p").exit_code == 0
