"""What every command shares: the app context, error reporting and output rendering."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from easy_dataset.cli.hints import with_hint
from easy_dataset.config import Settings
from easy_dataset.errors import EasyDatasetError
from easy_dataset.services import App

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ProjectOption = Annotated[
    str,
    typer.Option(
        "--project",
        "-p",
        envvar="EASY_DATASET_PROJECT",
        help="Project name or id.",
        show_default=False,
    ),
]


@dataclass
class CliState:
    """Global options, and the App opened from them on first use."""

    home: Path | None = None
    database_url: str | None = None
    max_file_mb: float | None = None
    _app: App | None = field(default=None, repr=False)

    def app(self) -> App:
        if self._app is None:
            self._app = App(
                Settings.load(
                    home=self.home, database_url=self.database_url, max_file_mb=self.max_file_mb
                )
            )
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def fail(message: str) -> None:
    """One line on stderr, the way every error is reported."""
    err_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)


P = ParamSpec("P")
R = TypeVar("R")


def guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors into a one-line message (with the CLI's hint for the error's subject)
    and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except EasyDatasetError as exc:
            fail(escape(with_hint(str(exc), exc.subject)))
            raise typer.Exit(1) from None

    return wrapper


def escape(text: str) -> str:
    """Keep Rich from reading square brackets in user text as markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def to_jsonable(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list | tuple):
        return [to_jsonable(item) for item in data]
    if isinstance(data, dict):
        return {key: to_jsonable(value) for key, value in data.items()}
    return data


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2) + "\n")


@contextmanager
def progress_bar(description: str, total: int | None, enabled: bool = True) -> Iterator[Progress]:
    """A Rich progress bar on stderr, so stdout stays clean for --json."""
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not enabled,
    )
    with progress:
        progress.add_task(description, total=total)
        yield progress


def counted(count: int, one: str, other: str | None = None) -> str:
    """ "1 question", "3 questions" (`other` where the plural is not `one` + "s")."""
    return f"{count} {one if count == 1 else other or one + 's'}"


def heading_path(parts: Sequence[str]) -> str:
    return " > ".join(parts) if parts else "(no heading)"


def human_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
