"""The fine-tuning screen in a real browser, training a tiny random model saved as a local
model folder (nothing is downloaded): a run started from the form fills its chart and
ends listed with its figures and files; a long run is cancelled and resumed from its
checkpoint; without the `train` extra the screen says what to install and starts
nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from easy_dataset.server.ui import training as training_screen
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.training import snapshot
from easy_dataset.server.ui.training_view import Runner
from easy_dataset.services import jobs, projects, training
from easy_dataset.services.training import TrainingRunView
from easy_dataset.train import extra
from tests.browser import Browser, LiveServer
from tests.train_support import conversations, save_tiny

SERIES = (
    "return getElement(arguments[0]).chart.getOption().series.map(s => [s.name, s.data.length])"
)
STEP = re.compile(r"Step (\d+) of (\d+)")


def start_options(tmp_path: Path, steps: int) -> dict[str, str]:
    """The form's fields to fill: the tiny model and a JSONL export of short QA turns."""
    data = tmp_path / "data.jsonl"
    rows = [{"messages": c.messages(), "tag": c.tag} for c in conversations(24)]
    data.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return {
        "base_model": str(save_tiny(tmp_path / "tiny")),
        "data_file": str(data),
        "max_steps": str(steps),
        "eval_every": "3",
        "grad_accumulation": "1",
        "max_length": "128",
    }


def start(page: Browser, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        page.type(f"stage-field-{name}", value)
    page.click("training-start")
    page.wait_text("Training started as job")


def only_run(server: LiveServer) -> TrainingRunView:
    [run] = training.list_runs(server.core, "bees")
    return run


def shown_step(page: Browser) -> int:
    found = STEP.search(page.find("training-progress").text)
    return int(found.group(1)) if found else 0


def series(page: Browser) -> dict[str, int]:
    chart = page.find("training-chart")
    return {name: count for name, count in page.driver.execute_script(SERIES, chart)}


def test_a_run_started_here_fills_its_chart_and_is_listed_with_its_results(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project = projects.create_project(server.core, "bees")
    page.open(f"/projects/{project.id}/training")
    page.find("training-no-runs")
    start(page, {"name": "tiny lora"} | start_options(tmp_path, 12))

    page.wait(lambda: page.find("training-status").text == "done", timeout=60, what="done")
    # The notice comes with the refresh that sees the run end and lasts a few seconds.
    page.wait_text("Run 1 is done")
    run = only_run(server)
    assert run.status == "done" and run.step == 12
    validation = len(run.curves["validation"])
    assert validation >= 4  # every 3 steps
    page.wait(
        lambda: (
            series(page)
            == {"training loss": 12, "validation loss": validation, "learning rate": 12}
        ),
        what="every point in the chart",
    )
    points = page.find("training-points").text
    assert points.startswith(f"12 training and {validation} validation points")
    assert f"latest training loss {run.curves['train'][-1][1]:.4f} (step 12)" in points

    cells = [cell.text for cell in page.find("training-runs").find_elements("css selector", "td")]
    assert cells[:7] == [str(run.id), "tiny lora", "lora", run.base_model, "done", "12/12", "–"]
    assert page.find("training-metric-steps").text == "12"
    final = run.metrics["final_train_loss"]
    assert page.find("training-metric-final_train_loss").text == f"{final:.4g}"
    for name in ("adapter", "merged", "report_json"):
        assert page.find(f"training-output-{name}").text == run.outputs[name]
        assert Path(run.outputs[name]).exists()
    assert run.model_name is None  # a Hugging Face folder base: no GGUF, no configuration
    for button in ("training-cancel", "training-resume"):
        assert not page.driver.find_elements("css selector", f"[data-testid='{button}']")

    # The same settings on the same data are trained once: nothing new is started.
    page.click("training-start")
    page.wait_text("These settings were already trained")
    assert len(jobs.list_jobs(server.core, project_ref=project.id)) == 1

    # A second run is listed first and opened as it starts; a click opens the first again.
    page.type("stage-field-name", "second")
    page.type("stage-field-max_steps", "3")
    page.type("stage-field-eval_set", "exam")
    page.click("training-start")
    page.wait(lambda: page.find("training-title").text == "Run 2: second", what="run 2 open")
    page.wait(lambda: page.find("training-status").text == "done", timeout=60, what="run 2 done")
    # It asked to be evaluated, but a Hugging Face folder base leaves no model to score: the
    # run says so (recorded as the job ends; Refresh reads it).

    def evaluation_shown() -> str:
        found = page.driver.find_elements("css selector", "[data-testid='training-evaluation']")
        if not found:
            page.click("training-refresh")
            return ""
        return str(found[0].text)

    said = page.wait(evaluation_shown, what="the evaluation's line")
    assert "The evaluation on exam could not start" in said and "left no model" in said
    rows = page.find("training-runs").find_elements("css selector", "tbody tr")
    assert [row.text.split()[0] for row in rows] == ["2", "1"]
    # A click in the page (notices may cover the foot of the list for a few seconds).
    page.driver.execute_script("arguments[0].click()", rows[1])
    page.wait(lambda: page.find("training-title").text == f"Run {run.id}: tiny lora")
    assert page.driver.current_url.endswith(f"/training?run={run.id}")
    assert series(page)["training loss"] == 12


def test_a_run_that_ends_between_two_reads_is_still_announced(
    page: Browser, server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a busy machine a short run can begin and end between two refreshes of the page:
    no read ever sees it running. Its end is announced all the same."""

    def ended_only(ctx: UiContext, project_id: int) -> tuple[list[TrainingRunView], Runner]:
        listed, runner = snapshot(ctx, project_id)
        return [run for run in listed if not runner.live(run)], runner

    monkeypatch.setattr(training_screen, "snapshot", ended_only)
    project = projects.create_project(server.core, "bees")
    page.open(f"/projects/{project.id}/training")
    start(page, {"name": "quick"} | start_options(tmp_path, 2))
    page.wait(lambda: page.find("training-status").text == "done", timeout=60, what="done")
    page.wait_text("Run 1 is done")


def test_a_long_run_is_cancelled_then_resumed_from_its_checkpoint(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project = projects.create_project(server.core, "bees")
    page.open(f"/projects/{project.id}/training")
    start(page, start_options(tmp_path, 5000))

    page.wait(lambda: shown_step(page) > 0, timeout=30, what="the first steps")
    page.wait(lambda: "left" in page.find("training-progress").text, what="a time left")
    first = series(page)["training loss"]
    page.wait(lambda: series(page)["training loss"] > first, what="the chart to fill")
    page.click("training-cancel")
    page.wait_text("is stopping at the end of its step")
    page.wait(lambda: page.find("training-status").text == "cancelled", timeout=30)
    run = only_run(server)
    assert run.status == "cancelled" and 0 < run.step < 5000
    # Stopping saved a checkpoint at the step it stopped on (the row is written at most
    # once a second, so it may show an earlier step).
    workdir = server.core.folder(project.id).root / "training" / f"run-{run.id}"
    saved = [int(path.name.removeprefix("step-")) for path in workdir.glob("checkpoints/step-*")]
    assert saved and max(saved) >= run.step

    page.click("training-resume")
    page.wait_text("goes on from its last checkpoint")
    page.wait(lambda: page.find("training-status").text == "running", timeout=30)
    page.wait(lambda: only_run(server).step > run.step + 3, timeout=30, what="more steps")
    page.click("training-cancel")
    page.wait(lambda: page.find("training-status").text == "cancelled", timeout=30)

    resumed = only_run(server)
    steps = [int(step) for step, _ in resumed.curves["train"]]
    # One curve going on from the checkpoint: no step trained twice, none left out.
    assert steps == list(range(1, len(steps) + 1)) and len(steps) > run.step
    page.wait(lambda: series(page)["training loss"] == len(steps), what="the resumed curve")
    [job] = jobs.list_jobs(server.core, project_ref=project.id)
    assert job.status == "cancelled" and job.id == resumed.job_id


def test_without_the_train_extra_the_screen_says_so_and_starts_nothing(
    page: Browser, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extra, "MODULES", (*extra.MODULES, "easy_dataset_absent_module"))
    project = projects.create_project(server.core, "bees")
    page.open(f"/projects/{project.id}/training")
    banner = page.find("training-missing-extra").text
    assert "missing: easy_dataset_absent_module" in banner
    assert "'train' extra" in banner and "pip install" in banner
    page.click("training-start")
    page.wait(
        lambda: (
            "easy_dataset_absent_module"
            in page.driver.find_element("css selector", ".q-notification").text
        ),
        what="the notice",
    )
    assert jobs.list_jobs(server.core, project_ref=project.id) == []
    page.find("training-no-runs")
