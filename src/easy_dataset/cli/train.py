"""Fine-tuning: `train run` (the stage), and the runs it leaves: list, status, resume, and
evaluate (base versus tuned model on an evaluation set); `train export-config` writes the
files to train with LLaMA-Factory instead."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.cli.evals.runs import comparison_table
from easy_dataset.cli.jobs import job_progress
from easy_dataset.cli.stage_commands import StageGroup, model_parameters, model_values
from easy_dataset.services import training
from easy_dataset.services.training import TrainingRunView
from easy_dataset.services.training.evaluation import TrainingEvaluation
from easy_dataset.services.training.launch import TrainingConfigRequest, export_training_config

app = typer.Typer(
    cls=StageGroup,
    help="Fine-tune a model on the project's samples (LoRA, prefix tuning, full).",
    no_args_is_help=True,
)

RunId = Annotated[int, typer.Argument(help="The training run's id (as in `train list`).")]


def _loss(curve: list[list[float]]) -> str:
    return f"{curve[-1][1]:.4f}" if curve else "-"


def _eta(seconds: float | None) -> str:
    return "-" if seconds is None else f"{round(seconds)} s"


@app.command("list")
@guarded
def list_(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """The project's training runs, newest first."""
    found = training.list_runs(state(ctx).app(), project)
    if as_json:
        print_json([run.model_dump(mode="json") for run in found])
        return
    table = Table("id", "name", "method", "base", "status", "step", "train loss", "val loss")
    for run in found:
        table.add_row(
            str(run.id),
            run.name,
            run.method,
            run.base_model,
            run.status,
            f"{run.step}/{run.total_steps}",
            _loss(run.curves.get("train", [])),
            _loss(run.curves.get("validation", [])),
        )
    console.print(table)


def _print_run(run: TrainingRunView) -> None:
    console.print(
        f"run {run.id} ({run.name}): {run.status}, step {run.step}/{run.total_steps}, "
        f"ETA {_eta(run.eta_seconds)}"
    )
    console.print(
        f"  train loss {_loss(run.curves.get('train', []))}, "
        f"validation loss {_loss(run.curves.get('validation', []))}"
    )
    for name, path in run.outputs.items():
        console.print(f"  {name}: {path}")
    if run.model_name:
        console.print(f"  model configuration: {run.model_name}")
    if run.error:
        console.print(f"  error: {run.error}")
    record = run.metrics.get("evaluation")
    if isinstance(record, dict):
        console.print(
            f"  evaluation on {record.get('eval_set')!r}: "
            + (f"not started: {record['error']}" if record.get("error") else "`train evaluation`")
        )


@app.command("status")
@guarded
def status(
    ctx: typer.Context, run_id: RunId, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """One run: progress, ETA, the latest losses, its outputs."""
    run = training.get_run(state(ctx).app(), project, run_id)
    if as_json:
        print_json(run.model_dump(mode="json"))
    else:
        _print_run(run)


@app.command("resume")
@guarded
def resume(
    ctx: typer.Context, run_id: RunId, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Go on with a stopped run from its last checkpoint."""
    from easy_dataset.services.training.start import resume_run

    with job_progress() as update:
        run = resume_run(state(ctx).app(), project, run_id, on_progress=update)
    if as_json:
        print_json(run.model_dump(mode="json"))
    else:
        _print_run(run)
    if run.status != "done":
        raise typer.Exit(1)


@app.command("evaluate")
@guarded
def evaluate(
    ctx: typer.Context,
    run_id: RunId,
    project: ProjectOption,
    eval_set: Annotated[str, typer.Option("--set", "-s", help="The evaluation set's name.")],
    base_model: Annotated[
        str | None,
        typer.Option(help="The model configuration serving the base (default: embedded)."),
    ] = None,
    judge_model: Annotated[str | None, typer.Option(help="Judge of short and open answers.")] = (
        None
    ),
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N items.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Did this dataset help? Score the base and the tuned model on an evaluation set and
    show them side by side (all, per kind, per tag)."""
    from easy_dataset.services.training.evaluation import evaluate_run

    options = {
        key: value
        for key, value in {"judge_model": judge_model, "limit": limit}.items()
        if value is not None
    }
    with job_progress() as update:
        found = evaluate_run(
            state(ctx).app(),
            project,
            run_id,
            eval_set,
            base_model_config=base_model,
            on_progress=update,
            **options,
        )
    _print_evaluation(found, as_json)


@app.command("evaluation")
@guarded
def evaluation(
    ctx: typer.Context, run_id: RunId, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """The run's base-versus-tuned evaluation as it stands."""
    from easy_dataset.services.training.evaluation import evaluation as find_evaluation

    found = find_evaluation(state(ctx).app(), project, run_id)
    if found is None:
        console.print(f"training run {run_id} has no evaluation; run `train evaluate {run_id}`")
        raise typer.Exit(1)
    _print_evaluation(found, as_json)


def _print_evaluation(found: TrainingEvaluation, as_json: bool) -> None:
    if as_json:
        print_json(found.model_dump(mode="json"))
    elif found.error:
        console.print(f"the evaluation on {found.eval_set!r} could not start: {found.error}")
    elif found.comparison is None:
        console.print(f"the evaluation jobs {found.jobs} have not all begun yet")
    else:
        console.print(comparison_table(found.comparison))
    if found.error:
        raise typer.Exit(1)


OutOption = Annotated[
    Path, typer.Option("--out", "-o", help="Folder for the dataset and the training files.")
]
OverwriteOption = Annotated[
    bool, typer.Option("--overwrite", help="Replace the files and the dataset's entry.")
]


def export_config(
    ctx: typer.Context,
    project: str,
    out: Path,
    overwrite: bool = False,
    as_json: bool = False,
    **given: Any,
) -> None:
    """Write the samples as a LLaMA-Factory dataset (with dataset_info.json) and a training
    YAML of these settings; with --gpus 2 or more also accelerate's configuration. The
    folder's train.sh trains, here or wherever the folder is copied."""
    request = TrainingConfigRequest.model_validate(model_values(TrainingConfigRequest, given))
    written = export_training_config(state(ctx).app(), project, out, request, overwrite=overwrite)
    if as_json:
        print_json(written)
        return
    console.print(
        f"{written.examples} samples written to {escape(written.data_path)}, "
        f"LLaMA-Factory entry {request.name!r} in {escape(written.dataset_info_path)}"
    )
    for path in written.files:
        console.print(f"  {escape(path)}")
    console.print(f"train with: cd {escape(written.folder)} && {escape(written.launch)}")


def _keyword(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> Any:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


# The settings' options are those of `train run`, built from the same fields.
export_config.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        _keyword("project", ProjectOption),
        _keyword("out", OutOption),
        *model_parameters(TrainingConfigRequest),
        _keyword("overwrite", OverwriteOption, False),
        _keyword("as_json", JsonOption, False),
    ]
)
app.command("export-config")(guarded(export_config))
