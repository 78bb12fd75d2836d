"""Multi-turn dialogues: `dialogues generate` (the stage) and their review."""

from __future__ import annotations

import typer

from easy_dataset.cli.stage_commands import StageGroup

app = typer.Typer(
    cls=StageGroup,
    help="Multi-turn dialogues between two roles, grounded in the chunks.",
    no_args_is_help=True,
)
