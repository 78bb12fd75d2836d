"""`easy-dataset preferences ...`: preference pairs (prompt, chosen, rejected) from arena
votes, judged drafts and reviewer edits, listed or exported for DPO training."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

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
from easy_dataset.errors import InputError
from easy_dataset.evaluate.preferences import DEFAULT_MARGIN, PREFERENCE_SOURCES
from easy_dataset.export.preferences import PreferenceFormat
from easy_dataset.services.evaluation.preferences import (
    PreferenceFilters,
    export_preferences,
    list_preferences,
)

app = typer.Typer(
    help="Preference pairs for DPO: from arena votes, judged drafts and reviewer edits.",
    no_args_is_help=True,
)

SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source", "-s", help="Only pairs from this source (arena, judge, edit); repeat."
    ),
]
MarginOption = Annotated[
    float,
    typer.Option(
        "--min-margin",
        min=0,
        max=5,
        help="Judge pairs: the best draft beats the worst by at least this (0–5 scale).",
    ),
]
ConfirmedOption = Annotated[
    bool,
    typer.Option(
        "--confirmed-only", help="Only pairs a person stands behind: votes, confirmed samples."
    ),
]
PREVIEW = 60  # characters of each text in the table


def _filters(sources: list[str] | None, margin: float, confirmed: bool) -> PreferenceFilters:
    unknown = [source for source in sources or [] if source not in PREFERENCE_SOURCES]
    if unknown:
        raise InputError(
            f"--source is one of {', '.join(PREFERENCE_SOURCES)}, not {', '.join(unknown)}"
        )
    chosen = [source for source in PREFERENCE_SOURCES if source in (sources or PREFERENCE_SOURCES)]
    return PreferenceFilters(sources=chosen, min_margin=margin, confirmed_only=confirmed)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return escape(flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…")


@app.command("list")
@guarded
def list_pairs(
    ctx: typer.Context,
    project: ProjectOption,
    source: SourceOption = None,
    min_margin: MarginOption = DEFAULT_MARGIN,
    confirmed_only: ConfirmedOption = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="Rows to show.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Count the pairs by source and show the first few."""
    found = list_preferences(
        state(ctx).app(), project, _filters(source, min_margin, confirmed_only), limit=limit
    )
    if as_json:
        print_json(found)
        return
    counts = ", ".join(f"{name} {count}" for name, count in found.by_source.items())
    console.print(f"{counted(found.total, 'preference pair')} ({counts})")
    if not found.pairs:
        return
    table = Table("source", "from", "prompt", "chosen", "rejected", "margin")
    for pair in found.pairs:
        origin = pair.qa_id if pair.qa_id is not None else pair.battle_id
        table.add_row(
            pair.source,
            f"{'QA' if pair.qa_id is not None else 'battle'} {origin}",
            _short(pair.prompt),
            _short(pair.chosen),
            _short(pair.rejected),
            "" if pair.margin is None else f"{pair.margin:g}",
        )
    console.print(table)


@app.command("export")
@guarded
def export(
    ctx: typer.Context,
    project: ProjectOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the file into.")],
    format: Annotated[
        PreferenceFormat,
        typer.Option(
            "--format",
            "-f",
            help="trl (prompt/chosen/rejected strings), trl-conversational (message lists), "
            "llamafactory (alpaca ranking) or llamafactory-sharegpt; the LLaMA-Factory "
            "formats also write dataset_info.json.",
        ),
    ] = "trl",
    name: Annotated[
        str, typer.Option("--name", help="File stem, and the dataset's name in dataset_info.json.")
    ] = "preferences",
    system: Annotated[
        str | None,
        typer.Option("--system", help="System prompt for pairs without their own."),
    ] = None,
    source: SourceOption = None,
    min_margin: MarginOption = DEFAULT_MARGIN,
    confirmed_only: ConfirmedOption = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the file and the dataset's entry.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write the pairs as JSON Lines for TRL's DPOTrainer or LLaMA-Factory."""
    summary = export_preferences(
        state(ctx).app(),
        project,
        out,
        format,
        _filters(source, min_margin, confirmed_only),
        system=system,
        dataset_name=name,
        overwrite=overwrite,
    )
    if as_json:
        print_json(summary)
        return
    counts = ", ".join(f"{key} {count}" for key, count in summary.by_source.items())
    line = f"{counted(summary.count, 'pair')} ({counts}) written to {escape(summary.path)}"
    if summary.dataset_info_path:
        line += f"; LLaMA-Factory entry {name!r} in {escape(summary.dataset_info_path)}"
    console.print(line)
