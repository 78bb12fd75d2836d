"""Filling and emptying evaluation sets: hold out QA pairs, import benchmark files, export
a set as JSON Lines, CSV or an lm-evaluation-harness task."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    counted,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.cli.evals.sets import SetOption
from easy_dataset.errors import InputError
from easy_dataset.services.evaluation import held_out, transfer


@guarded
def hold_out(
    ctx: typer.Context,
    eval_set: SetOption,
    project: ProjectOption,
    fraction: Annotated[float, typer.Option(help="Share of the QA pairs to hold out (0-1].")],
    seed: Annotated[int, typer.Option(help="Seed of the draw.")] = 0,
    by_tag: Annotated[
        bool, typer.Option("--by-tag/--no-by-tag", help="Draw the share from each tag.")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Move a share of the QA pairs into a set; they are then never exported for training."""
    report = held_out.hold_out(state(ctx).app(), project, eval_set, fraction, seed, by_tag=by_tag)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(
        f"held out {counted(report.held_out, 'QA pair')} of {report.candidates} into "
        f"{escape(report.set.name)}; skipped {counted(report.dialogues_skipped, 'dialogue')}, "
        f"{report.already_held} already held out"
    )


@guarded
def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .jsonl or .csv file in MMLU-style columns.")],
    eval_set: SetOption,
    project: ProjectOption,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Store the good lines and list the bad ones.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a benchmark file into a set; one bad line stores nothing unless --skip-bad."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
    app = state(ctx).app()
    report = transfer.import_items(
        app, project, eval_set, file.name, data, skip_bad=skip_bad,
        max_bytes=app.settings.max_file_bytes,
    )  # fmt: skip
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(f"imported {counted(report.added, 'item')} into {escape(report.set.name)}")
    for line in report.bad_lines:
        console.print(f"skipped {escape(line)}")


@guarded
def export_file(
    ctx: typer.Context,
    eval_set: SetOption,
    project: ProjectOption,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="File (jsonl, csv) or folder (lm-eval).")
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv or lm-eval.")] = "jsonl",
    confirmed_only: Annotated[
        bool, typer.Option("--confirmed-only", help="Only confirmed items.")
    ] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace what is there.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Export a set as JSON Lines, CSV (the columns import reads) or an lm-eval task folder."""
    written = transfer.export_set(
        state(ctx).app(), project, eval_set, fmt, out,
        confirmed_only=confirmed_only, overwrite=overwrite,
    )  # fmt: skip
    if as_json:
        print_json(written.model_dump(mode="json"))
    else:
        console.print(f"wrote {counted(written.items, 'item')} to {escape(written.path)}")
