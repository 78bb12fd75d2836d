"""`easy-dataset eval ...`: evaluation sets (generate, hold out, import, review, export) and
models scored on them.

This module builds the command group; each family of commands lives in its own module and
the stages placed in the group (`Stage.command = ("eval", ...)`) come from the registry.
"""

from __future__ import annotations

import typer

from easy_dataset.cli.evals import runs
from easy_dataset.cli.stage_commands import StageGroup

app = typer.Typer(
    cls=StageGroup,
    help="Evaluation sets and models scored on them.",
    no_args_is_help=True,
)

app.command("runs")(runs.runs)
app.command("results")(runs.report)
app.command("compare")(runs.compare)
