"""End to end with the embedded model: a two-item set evaluated under its name, the judge
too (structure only: what a tiny model answers is never asserted)."""

from __future__ import annotations

import pytest

from easy_dataset.services import App, projects
from tests.conftest import Cli
from tests.eval_support import Item, make_set


@pytest.mark.embedded
def test_eval_run_on_the_embedded_model(app: App, cli: Cli) -> None:
    projects.create_project(app, "bees")
    make_set(
        app,
        "bees",
        "tiny",
        [
            Item("true_false", "Honey bees live in colonies.", "true"),
            Item("short_answer", "What do bees make from nectar?", "honey"),
        ],
    )
    done = cli.json("eval", "run", "-p", "bees", "--set", "tiny", "--model", "embedded")
    assert done["status"] == "succeeded" and done["succeeded"] == 2
    (run,) = cli.json("eval", "runs", "-p", "bees")
    assert (run["model"], run["judge_model"], run["scored"]) == ("embedded", "embedded", 2)
    report = cli.json("eval", "results", str(run["id"]), "-p", "bees", "--items")
    assert set(report["kinds"]) == {"true_false", "short_answer"}
    for item in report["items"]:
        assert 0.0 <= item["score"] <= 1.0
        assert item["method"] in ("exact", "none", "normalised", "judge")
