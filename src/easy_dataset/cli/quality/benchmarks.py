"""Benchmark files and the contamination check that compares the data with them."""

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
from easy_dataset.services import quality


def _add_benchmark(ctx: typer.Context, project: str, file: Path) -> quality.BenchmarkView:
    """Store a benchmark file with the project (one of the same name is replaced)."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
    return quality.add_benchmark(state(ctx).app(), project, file.name, data)


@guarded
def benchmarks_list(
    ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """List the project's benchmark files."""
    found = quality.list_benchmarks(state(ctx).app(), project)
    if as_json:
        print_json([view.__dict__ for view in found])
        return
    if not found:
        console.print("no benchmark files; `easy-dataset quality benchmarks add FILE` adds one")
        return
    table = Table("id", "name", "items")
    for view in found:
        table.add_row(view.id, escape(view.name), str(view.items))
    console.print(table)


@guarded
def benchmarks_add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .jsonl, .json, .csv or .txt file.")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Add a benchmark file (one of the same name is replaced)."""
    view = _add_benchmark(ctx, project, file)
    if as_json:
        print_json(view.__dict__)
    else:
        console.print(
            f"added benchmark {escape(view.name)}: {counted(view.items, 'item')} ({view.id})"
        )


@guarded
def benchmarks_remove(
    ctx: typer.Context,
    benchmark_id: Annotated[str, typer.Argument(help="Benchmark id (see `benchmarks list`).")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Remove a benchmark file from the project."""
    quality.delete_benchmark(state(ctx).app(), project, benchmark_id)
    if as_json:
        print_json({"removed": benchmark_id})
    else:
        console.print(f"removed benchmark {escape(benchmark_id)}")
