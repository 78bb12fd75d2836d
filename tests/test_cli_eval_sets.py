"""`easy-dataset eval ...` for evaluation sets, and the Python API's methods for them."""

from __future__ import annotations

import json
from pathlib import Path

from easy_dataset.api import Workspace
from easy_dataset.services import App
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import make_project, seed_qa_pairs

CSV = "question,A,B,C,answer\nWho lays eggs?,Queen,Drone,Worker,A\n"


def test_cli_reviews_imports_and_exports_a_set(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    assert cli.json("eval", "set-create", "exam", "-p", "bees")["name"] == "exam"
    assert cli("eval", "set-create", "exam", "-p", "bees").exit_code == 1
    item = cli.json(
        "eval", "item-add", "-p", "bees", "--set", "exam", "--kind", "multiple_choice",
        "--question", "Which live in a hive?", "--option", "Workers", "--option", "Ants",
        "--option", "Drones", "--answer", "a, c", "--tag", "Bees",
    )  # fmt: skip
    assert item["answer"] == "AC"
    refused = cli("eval", "item-add", "-p", "bees", "--set", "exam", "--kind", "true_false",
                  "--question", "Bees sting.", "--answer", "maybe")  # fmt: skip
    assert refused.exit_code == 1 and "'true' or 'false'" in refused.output
    edited = cli.json("eval", "item-edit", str(item["id"]), "-p", "bees", "--answer", "A",
                      "--kind", "single_choice", "--confirm")  # fmt: skip
    assert (edited["kind"], edited["answer"], edited["confirmed"]) == ("single_choice", "A", True)
    listed = cli.json("eval", "items", "-p", "bees", "--set", "exam", "--confirmed")
    assert listed["total"] == 1
    table = cli("eval", "items", "-p", "bees", "--set", "exam")
    assert "1 of 1 item" in table.output and "single_choice" in table.output

    bench = tmp_path / "bench.csv"
    bench.write_text(CSV + "Bad?,x,y,,Q\n", encoding="utf-8")
    bad = cli("eval", "import", str(bench), "-p", "bees", "--set", "bench")
    assert bad.exit_code == 1 and "line 3:" in bad.output
    done = cli.json("eval", "import", str(bench), "-p", "bees", "--set", "bench", "--skip-bad")
    assert done["added"] == 1 and len(done["bad_lines"]) == 1
    out = tmp_path / "task"
    written = cli.json("eval", "export", "-p", "bees", "--set", "bench", "--format", "lm-eval",
                       "--out", str(out))  # fmt: skip
    assert (out / "bench.yaml").exists() and written["items"] == 1
    assert cli("eval", "export", "-p", "bees", "--set", "bench", "-f", "xml", "-o",
               str(tmp_path / "x")).exit_code == 1  # fmt: skip

    seed_qa_pairs(app, "bees", [(f"Q{n}?", f"A{n}.") for n in range(4)])
    held = cli.json("eval", "hold-out", "-p", "bees", "--set", "held", "--fraction", "0.5")
    assert held["held_out"] == 2
    sets = cli.json("eval", "sets", "-p", "bees")
    assert [view["name"] for view in sets] == ["bench", "exam", "held"]
    assert (
        cli.json("eval", "confirm", str(item["id"]), "--undo", "-p", "bees")[0]["confirmed"]
        is False
    )
    assert cli.json("eval", "item-delete", str(item["id"]), "-p", "bees") == {"deleted": 1}
    assert cli("eval", "set-delete", "held", "-p", "bees", "--yes").exit_code == 0
    generated = cli.json("eval", "generate", "-p", "bees", "--set", "gen", "--total", "3")
    assert generated["succeeded"] == 3


def test_python_api(app: App, fake: FakeOpenAI, tmp_path: Path) -> None:
    make_project(app, tmp_path, fake.base_url)
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"question": "Sting?", "answer": True}) + "\n", encoding="utf-8")
    with Workspace(app.settings.home) as workspace:
        project = workspace.project("bees")
        assert project.import_eval_set("b", bench).added == 1
        assert project.run_stage("eval.generate", eval_set="b", total=2).succeeded == 2
        assert [view.items for view in project.eval_sets()] == [3]
        assert {item.kind for item in project.eval_items("b", kind="true_false")} == {"true_false"}
        seed_qa_pairs(app, "bees", [("Q?", "A.")])
        assert project.hold_out("h", 1.0).held_out == 1
        written = project.export_eval_set("b", tmp_path / "b.csv", format="csv")
        assert written.items == 3 and (tmp_path / "b.csv").read_text("utf-8").startswith("kind,")
