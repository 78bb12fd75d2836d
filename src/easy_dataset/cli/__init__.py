"""The `easy-dataset` command line: thin commands over the application services."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from easy_dataset import __version__
from easy_dataset.cli import (
    arena,
    chunks,
    dialogues,
    evals,
    files,
    instructions,
    jobs,
    models,
    personas,
    preferences,
    project,
    prompts,
    qa,
    quality,
    questions,
    tags,
    templates,
    train,
)
from easy_dataset.cli.common import CliState
from easy_dataset.cli.demo import demo
from easy_dataset.cli.distill import distill
from easy_dataset.cli.export import export
from easy_dataset.cli.generate import generate
from easy_dataset.cli.playground import playground
from easy_dataset.cli.report import report
from easy_dataset.cli.serve import serve
from easy_dataset.cli.stage_commands import stage_app
from easy_dataset.cli.usage import usage

app = typer.Typer(
    name="easy-dataset",
    help="Turn your own documents into instruction-tuning datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(project.app, name="project")
app.add_typer(files.app, name="files")
app.add_typer(chunks.app, name="chunks")
app.add_typer(models.app, name="models")
app.add_typer(jobs.app, name="jobs")
app.add_typer(prompts.app, name="prompts")
app.add_typer(tags.app, name="tags")
app.add_typer(personas.app, name="personas")
app.add_typer(questions.app, name="questions")
app.add_typer(qa.app, name="qa")
app.add_typer(dialogues.app, name="dialogues")
app.add_typer(instructions.app, name="instructions")
app.add_typer(templates.app, name="templates")
app.add_typer(quality.app, name="quality")
app.add_typer(evals.app, name="eval")
app.add_typer(preferences.app, name="preferences")
app.add_typer(arena.app, name="arena")
app.add_typer(train.app, name="train")
app.add_typer(stage_app, name="stage")
app.command("demo")(demo)
app.command("usage")(usage)
app.command("export")(export)
app.command("generate")(generate)
app.command("distill")(distill)
app.command("serve")(serve)
app.command("report")(report)
app.command("playground")(playground)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"easy-dataset {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="EASY_DATASET_HOME",
            help="Folder holding the database and project files.",
            show_default="a per-user data folder",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="EASY_DATASET_DATABASE_URL",
            help="Any SQLAlchemy URL.",
            show_default="SQLite in the home folder",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Turn your own documents into instruction-tuning datasets."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    ctx.obj = CliState(home=home, database_url=database_url)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    app()
