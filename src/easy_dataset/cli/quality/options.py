"""Arguments and options the quality commands that are not stages share."""

from __future__ import annotations

from typing import Annotated

import typer

TargetOption = Annotated[
    str, typer.Option("--target", help="qa (question and answer) | questions.")
]
QaId = Annotated[int, typer.Argument(help="QA pair id.")]
