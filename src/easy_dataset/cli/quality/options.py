"""Options the quality commands share, and checks of their values before any job starts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated

import typer

from easy_dataset.errors import InputError

QaIdsOption = Annotated[
    list[int] | None, typer.Option("--qa", help="Only this QA pair id (repeatable).")
]
RedoOption = Annotated[
    bool, typer.Option("--redo", help="Check pairs that have a result already, too.")
]
TargetOption = Annotated[
    str, typer.Option("--target", help="qa (question and answer) | questions.")
]
QaId = Annotated[int, typer.Argument(help="QA pair id.")]


def check_choice(option: str, value: str | None, choices: Sequence[str]) -> None:
    if value is not None and value not in choices:
        raise InputError(f"{option} is one of {', '.join(choices)}, not {value!r}")


def check_share(option: str, value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and 0 <= value <= 1):
        raise InputError(f"{option} runs from 0 to 1, not {value:g}")
