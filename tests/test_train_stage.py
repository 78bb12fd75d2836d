"""`train.run` as a durable job: a run killed with SIGKILL after a checkpoint resumes from
it (the step counter goes on, it does not restart) and finishes with its results stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from easy_dataset.api import Workspace
from easy_dataset.errors import ConflictError
from tests.train_support import conversations, save_tiny

pytestmark = pytest.mark.slow

STEPS = 30


def _data_file(folder: Path) -> Path:
    path = folder / "data.jsonl"
    rows = [{"messages": c.messages(), "tag": c.tag} for c in conversations(24)]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def _options(tmp_path: Path) -> dict[str, object]:
    return {
        "base_model": str(save_tiny(tmp_path / "tiny")),
        "data_file": str(_data_file(tmp_path)),
        "max_steps": STEPS,
        "grad_accumulation": 1,
        "checkpoint_every": 5,
        "eval_every": 5,
        "max_length": 128,
        "learning_rate": 5e-3,
        "lora_r": 4,
    }


def test_a_killed_run_resumes_from_its_last_checkpoint(tmp_path: Path) -> None:
    home = tmp_path / "home"
    options = _options(tmp_path)
    with Workspace(home) as workspace:
        project_id = workspace.project("bees", create=True).id
    script = (
        "import json, sys\n"
        "from easy_dataset.api import Workspace\n"
        "with Workspace(sys.argv[1]) as ws:\n"
        "    ws.project('bees').train(**json.loads(sys.argv[2]))\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(home), json.dumps(options)],
        env={**os.environ, "EASY_DATASET_TRAIN_DEVICE": "cpu"},
    )
    checkpoints = home / "projects" / str(project_id) / "training" / "run-1" / "checkpoints"
    deadline = time.monotonic() + 300
    while not list(checkpoints.glob("step-*")) and time.monotonic() < deadline:
        assert child.poll() is None, "the training process ended before its first checkpoint"
        time.sleep(0.2)
    child.send_signal(signal.SIGKILL)
    child.wait()
    killed_at = max(int(p.name.removeprefix("step-")) for p in checkpoints.glob("step-*"))
    assert 5 <= killed_at < STEPS

    with Workspace(home) as workspace:
        project = workspace.project("bees")
        [run] = project.training_runs()
        assert run.status == "running" and run.step < STEPS
        done = project.resume_training(run.id)
    assert done.status == "done" and done.step == STEPS
    resumed_from = done.metrics["resumed_from"]
    assert len(resumed_from) == 1 and resumed_from[0] >= killed_at
    # One curve, step after step, the steps before the checkpoint not trained twice.
    assert [step for step, _ in done.curves["train"]] == list(range(1, STEPS + 1))
    for name in ("adapter", "merged", "report_json"):
        assert Path(done.outputs[name]).exists()


def test_the_same_settings_on_unchanged_data_are_trained_once(tmp_path: Path) -> None:
    options = _options(tmp_path) | {"max_steps": 3, "checkpoint_every": 100}
    with Workspace(tmp_path / "home") as workspace:
        project = workspace.project("bees", create=True)
        run = project.train(**options)
        assert run is not None and run.status == "done" and run.step == 3
        assert run.curves["validation"] and run.metrics["train_examples"] > 0
        assert project.train(**options) is None
        assert [r.id for r in project.training_runs()] == [run.id]


def test_a_failed_run_says_why_and_resumes_once_the_cause_is_gone(tmp_path: Path) -> None:
    options = _options(tmp_path) | {"max_steps": 3, "checkpoint_every": 100, "name": "first try"}
    data = Path(str(options["data_file"]))
    text = data.read_text(encoding="utf-8")
    data.unlink()
    with Workspace(tmp_path / "home") as workspace:
        project = workspace.project("bees", create=True)
        run = project.train(**options)
        assert run is not None and run.name == "first try"
        assert run.status == "failed" and str(data) in run.error
        data.write_text(text, encoding="utf-8")
        done = project.resume_training(run.id)
        assert done.status == "done" and done.step == 3 and done.error == ""
        with pytest.raises(ConflictError, match="nothing to resume"):
            project.resume_training(run.id)
