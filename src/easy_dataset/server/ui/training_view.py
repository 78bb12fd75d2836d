"""What the fine-tuning screen shows of a run, as plain functions of its view: the state a
run is in here (queued, live, resumable), its row in the list, its chart's options and
the figures and files it leaves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from easy_dataset.server.ui.gen_common import duration
from easy_dataset.server.ui.helpers import when
from easy_dataset.server.ui.i18n import STRINGS, t
from easy_dataset.services.training import TrainingRunView

COLUMNS = ("id", "name", "method", "base", "status", "step", "eta", "loss", "model", "created")
CURVES = ("train", "validation", "learning_rate")
NONE = "–"


@dataclass(frozen=True)
class Runner:
    """What the page knows of the job runner at one moment: the jobs queued or running on
    it, and the project's interrupted jobs (a run killed with its process)."""

    queued: frozenset[int]
    interrupted: frozenset[int]

    def status(self, run: TrainingRunView) -> str:
        """The run's status, or `queued` while its job waits for the runner."""
        if run.job_id in self.queued and run.status != "running":
            return "queued"
        return run.status

    def live(self, run: TrainingRunView) -> bool:
        """Whether the run moves: queued, or running in a live process."""
        if run.job_id is None:
            return False
        if run.job_id in self.queued:
            return True
        return run.status == "running" and run.job_id not in self.interrupted

    def resumable(self, run: TrainingRunView) -> bool:
        """Stopped (cancelled, failed, killed) and not taken up again yet."""
        if run.job_id is None or run.job_id in self.queued:
            return False
        if run.status == "running":
            return run.job_id in self.interrupted
        return run.status in ("cancelled", "failed")


def status_label(status: str) -> str:
    key = f"training.status.{status}"
    return t(key) if key in STRINGS else status


def loss(value: float | None) -> str:
    return NONE if value is None else f"{value:.4f}"


def points(run: TrainingRunView, name: str) -> list[list[float]]:
    """One curve's [step, value] points (none before the first write)."""
    found = run.curves.get(name) or []
    return [list(point) for point in found]


def loss_cell(run: TrainingRunView) -> str:
    """ "2.3141 · 2.4012": the latest training loss and the best validation loss so far."""
    train = points(run, "train")
    validation = points(run, "validation")
    latest = train[-1][1] if train else None
    best = min(value for _, value in validation) if validation else None
    return f"{loss(latest)} · {loss(best)}"


def eta_text(run: TrainingRunView, runner: Runner) -> str:
    if run.eta_seconds is None or not runner.live(run):
        return NONE
    return duration(run.eta_seconds)


def row(run: TrainingRunView, runner: Runner) -> dict[str, Any]:
    """The run's line in the list (table cells are text, escaped by Vue)."""
    return {
        "id": run.id,
        "name": run.name,
        "method": run.method,
        "base": run.base_model,
        "status": status_label(runner.status(run)),
        "step": f"{run.step}/{run.total_steps}" if run.total_steps else NONE,
        "eta": eta_text(run, runner),
        "loss": loss_cell(run),
        "model": run.model_name or NONE,
        "created": when(run.created_at),
    }


def progress_text(run: TrainingRunView, runner: Runner) -> str:
    if not run.total_steps:
        return status_label(runner.status(run))
    if runner.live(run) and run.eta_seconds is not None:
        left = duration(run.eta_seconds)
        return t("training.progress_left", step=run.step, total=run.total_steps, left=left)
    return t("training.progress", step=run.step, total=run.total_steps)


def points_text(run: TrainingRunView) -> str:
    """How many points the chart holds and the latest losses, for the line under it."""
    train = points(run, "train")
    validation = points(run, "validation")
    parts = [t("training.points", train=len(train), validation=len(validation))]
    if train:
        parts.append(t("training.last_loss", loss=loss(train[-1][1]), step=int(train[-1][0])))
    if validation:
        last = validation[-1]
        parts.append(t("training.last_validation", loss=loss(last[1]), step=int(last[0])))
    return " · ".join(parts)


def chart_series(run: TrainingRunView) -> list[list[list[float]]]:
    """The chart's data, one list of points per curve, in `CURVES` order."""
    return [points(run, name) for name in CURVES]


def chart_options(run: TrainingRunView) -> dict[str, Any]:
    """Training and validation loss against step on the left axis, the learning rate on
    the right one."""
    train, validation, rate = chart_series(run)
    line = {"type": "line", "showSymbol": False, "animation": False}
    return {
        "animation": False,
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 0},
        "grid": {"left": 50, "right": 60, "top": 40, "bottom": 30, "containLabel": True},
        "xAxis": {
            "type": "value",
            "name": t("training.axis.step"),
            "nameLocation": "middle",
            "nameGap": 25,
            "minInterval": 1,
        },
        "yAxis": [
            {"type": "value", "name": t("training.axis.loss"), "scale": True},
            {
                "type": "value",
                "name": t("training.axis.learning_rate"),
                "position": "right",
                "splitLine": {"show": False},
                "axisLabel": {":formatter": "(value) => value.toExponential(1)"},
            },
        ],
        "series": [
            {**line, "name": t("training.series.train"), "data": train, "yAxisIndex": 0},
            {
                **line,
                "name": t("training.series.validation"),
                "data": validation,
                "yAxisIndex": 0,
                "showSymbol": True,
            },
            {
                **line,
                "name": t("training.series.learning_rate"),
                "data": rate,
                "yAxisIndex": 1,
                "lineStyle": {"type": "dashed"},
            },
        ],
    }


def figure(value: Any) -> str:
    """A metric as text: floats to four significant digits, lists joined, yes for true."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return t("common.yes") if value else NONE
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(figure(item) for item in value) or NONE
    return str(value)


def metric_label(name: str) -> str:
    key = f"training.metric.{name}"
    return t(key) if key in STRINGS else name.replace("_", " ")
