"""`easy-dataset quality ...`: check the data: judge, ground, deduplicate, scan for personal
data, references to "the text" and benchmark contamination, and review a random sample.

This module builds the command group; each family of commands lives in its own module.
"""

from __future__ import annotations

import typer

from easy_dataset.cli.quality import (  # noqa: F401 (checks registers its renderers)
    benchmarks,
    checks,
    duplicates,
    results,
    review,
    settings,
)
from easy_dataset.cli.stage_commands import StageGroup

app = typer.Typer(
    cls=StageGroup,
    help="Check the dataset's quality: judge, ground, deduplicate, scan and sample.",
    no_args_is_help=True,
)
benchmarks_app = typer.Typer(
    help="Benchmark files the contamination check compares questions with.",
    no_args_is_help=True,
)
settings_app = typer.Typer(
    help="Judge weights, check thresholds and the report's targets.",
    no_args_is_help=True,
)
app.add_typer(benchmarks_app, name="benchmarks")
app.add_typer(settings_app, name="settings")

# The checks themselves (judge, ground, dedup, pii, refs, hygiene, contamination, sample)
# come from the stage registry; `checks` adds what each prints after its job.
app.command("clusters")(duplicates.clusters)
app.command("delete-duplicates")(duplicates.delete_duplicates)
app.command("review")(review.review)
app.command("sample-status")(review.sample_status)
app.command("results")(results.results)

benchmarks_app.command("list")(benchmarks.benchmarks_list)
benchmarks_app.command("add")(benchmarks.benchmarks_add)
benchmarks_app.command("remove")(benchmarks.benchmarks_remove)

settings_app.command("show")(settings.settings_show)
settings_app.command("set")(settings.settings_set)
