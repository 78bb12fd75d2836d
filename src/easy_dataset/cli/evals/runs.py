"""`eval runs`, `eval results RUN`, `eval compare RUN RUN...`: models' runs on evaluation
sets read back as tables (`eval run` itself comes from the stage registry)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
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
from easy_dataset.services.evaluation import results
from easy_dataset.services.evaluation.results import Figure

RunId = Annotated[int, typer.Argument(help="Run id (see `eval runs`).", min=1)]


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def cell(found: Figure) -> str:
    """ "75.0 [30.1, 95.4] n=4" (per cent, the 95 % interval)."""
    if found.n == 0:
        return "–"
    return f"{percent(found.mean)} [{percent(found.low)}, {percent(found.high)}] n={found.n}"


@guarded
def runs(
    ctx: typer.Context,
    project: ProjectOption,
    set_name: Annotated[str | None, typer.Option("--set", "-s", help="Only this set.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the evaluation runs: model, set, status, items scored and mean score."""
    found = results.list_runs(state(ctx).app(), project, set_name)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("no evaluation runs yet: `easy-dataset eval run --set NAME` makes one")
        return
    table = Table("id", "set", "model", "judge", "status", "scored", "mean %", box=box.SIMPLE_HEAD)
    for run in found:
        table.add_row(
            str(run.id),
            escape(run.set_name),
            escape(run.model),
            escape(run.judge_model),
            run.status,
            f"{run.scored}/{run.total}",
            percent(run.mean),
        )
    console.print(table)


@guarded
def report(
    ctx: typer.Context,
    run: RunId,
    project: ProjectOption,
    items: Annotated[bool, typer.Option("--items", help="List every item's result too.")] = False,
    wrong: Annotated[
        bool, typer.Option("--wrong", help="With --items: only items short of full marks.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """One run's scores overall, per kind and per tag (mean and 95 % interval, in per cent)."""
    app = state(ctx).app()
    found = results.run_report(app, project, run)
    listed = results.run_results(app, project, run, wrong_only=wrong) if items else []
    if as_json:
        print_json({**found.model_dump(mode="json"), **({"items": listed} if items else {})})
        return
    title = f"run {found.run.id}: {found.run.model} on {found.run.set_name}"
    table = Table(
        "group", "name", "n", "mean %", "95 % CI", title=escape(title), box=box.SIMPLE_HEAD
    )
    rows = [("all", "all", found.overall)]
    rows += [("kind", name, figure) for name, figure in found.kinds.items()]
    rows += [("tag", name or "(untagged)", figure) for name, figure in found.tags.items()]
    for group, name, figure in rows:
        table.add_row(
            group,
            escape(name),
            str(figure.n),
            percent(figure.mean),
            f"[{percent(figure.low)}, {percent(figure.high)}]",
        )
    console.print(table)
    if items:
        listing = Table("item", "kind", "score", "method", "response", box=box.SIMPLE_HEAD)
        for result in listed:
            listing.add_row(
                str(result.item_id),
                result.kind,
                "–" if result.score is None else f"{result.score:.2f}",
                result.method,
                escape(" ".join(result.response.split())[:80]),
            )
        console.print(listing)


@guarded
def compare(
    ctx: typer.Context,
    run_ids: Annotated[list[int], typer.Argument(help="Run ids on one set (see `eval runs`).")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Runs of one set side by side: rows all / kinds / tags, a column per model (mean %
    [95 % interval] n)."""
    found = results.compare_runs(state(ctx).app(), project, run_ids)
    if as_json:
        print_json(found)
        return
    console.print(comparison_table(found))


def comparison_table(found: results.Comparison) -> Table:
    """Runs side by side: a row per group (all, kind, tag), a column per model."""
    headings = [f"{run.model} (run {run.id})" for run in found.runs]
    table = Table(
        "group",
        "name",
        *(escape(heading) for heading in headings),
        title=escape(f"{found.set_name}: mean % [95 % CI]"),
        box=box.SIMPLE_HEAD,
    )
    for row in found.rows:
        name = row.name or "(untagged)"
        table.add_row(row.group, escape(name), *(cell(figure) for figure in row.figures))
    return table
