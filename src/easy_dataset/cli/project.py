"""`easy-dataset project ...`: create, list, show, change and delete projects."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from easy_dataset.cli.chunk_options import (
    ChunkOptions,
    Delimiter,
    Language,
    MaxChars,
    MinChars,
    Overlap,
    Separators,
    Size,
    Strategy,
)
from easy_dataset.cli.common import JsonOption, console, escape, guarded, print_json, state
from easy_dataset.errors import InputError
from easy_dataset.services import generation, projects
from easy_dataset.services.views import ProjectView

app = typer.Typer(help="Create, list, show, change and delete projects.", no_args_is_help=True)

ProjectArg = Annotated[str, typer.Argument(help="Project name or id.")]


def _describe(project: ProjectView) -> None:
    chunking = project.chunking
    console.print(f"[bold]{escape(project.name)}[/] (id {project.id})")
    if project.description:
        console.print(escape(project.description))
    console.print(f"files: {project.file_count}   chunks: {project.chunk_count}")
    settings = ", ".join(
        f"{key}={value!r}" for key, value in chunking.model_dump().items() if value is not None
    )
    console.print(f"chunking: {escape(settings)}")
    console.print(f"folder: {escape(project.folder)}")


@app.command("create")
@guarded
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A unique name.")],
    description: Annotated[str, typer.Option("--description", "-d")] = "",
    strategy: Strategy = None,
    min_chars: MinChars = None,
    max_chars: MaxChars = None,
    size: Size = None,
    overlap: Overlap = None,
    separator: Separators = None,
    delimiter: Delimiter = None,
    language: Language = None,
    as_json: JsonOption = False,
) -> None:
    """Create a project, optionally with its chunking settings."""
    chunking = ChunkOptions(
        strategy, min_chars, max_chars, size, overlap, separator, delimiter, language
    ).apply()
    project = projects.create_project(
        state(ctx).app(), name, description=description, chunking=chunking
    )
    if as_json:
        print_json(project)
    else:
        console.print(f"created project [bold]{escape(project.name)}[/] (id {project.id})")


@app.command("list")
@guarded
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the projects with their file and chunk counts."""
    found = projects.list_projects(state(ctx).app())
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("no projects yet: `easy-dataset project create NAME` makes one")
        return
    table = Table("id", "name", "files", "chunks", "strategy", "created")
    for project in found:
        table.add_row(
            str(project.id),
            escape(project.name),
            str(project.file_count),
            str(project.chunk_count),
            project.chunking.strategy,
            project.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("show")
@guarded
def show(ctx: typer.Context, project: ProjectArg, as_json: JsonOption = False) -> None:
    """Show one project."""
    found = projects.get_project(state(ctx).app(), project)
    if as_json:
        print_json(found)
        return
    _describe(found)
    rules = generation.get_generation_settings(state(ctx).app(), found.id).domain_rules
    console.print(f"domain rules: {escape(rules) if rules else '(none)'}")


def _read_rules(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"cannot read {path}: {reason or exc}") from None


@app.command("set")
@guarded
def set_(
    ctx: typer.Context,
    project: ProjectArg,
    domain_rules: Annotated[
        str | None,
        typer.Option(
            "--domain-rules",
            help="Rules every answer must follow (e.g. 'Always cite the clause number'); "
            "answers refine rewrites answers by them. '' clears them.",
        ),
    ] = None,
    rules_file: Annotated[
        Path | None,
        typer.Option("--domain-rules-file", help="Read the domain rules from this text file."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change the project's domain rules."""
    if domain_rules is not None and rules_file is not None:
        raise InputError("give the domain rules as text or as a file, not both")
    if rules_file is not None:
        text = _read_rules(rules_file)
    elif domain_rules is not None:
        text = domain_rules
    else:
        raise InputError("nothing to change: give --domain-rules or --domain-rules-file")
    settings = generation.update_generation_settings(
        state(ctx).app(), project, domain_rules=text.strip()
    )
    if as_json:
        print_json(settings)
    elif settings.domain_rules:
        console.print(f"domain rules of {escape(project)}:\n{escape(settings.domain_rules)}")
    else:
        console.print(f"domain rules of {escape(project)} cleared")


@app.command("delete")
@guarded
def delete(
    ctx: typer.Context,
    project: ProjectArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete a project with all its files and chunks."""
    app_ = state(ctx).app()
    found = projects.get_project(app_, project)
    if not yes:
        if not typer.get_text_stream("stdin").isatty():
            raise InputError("deleting a project needs --yes when there is no terminal to ask")
        typer.confirm(
            f"Delete project {found.name!r} with {found.file_count} files and "
            f"{found.chunk_count} chunks?",
            abort=True,
        )
    deleted = projects.delete_project(app_, found.id)
    if as_json:
        print_json(deleted)
    else:
        console.print(f"deleted project [bold]{escape(deleted.name)}[/]")
