"""`easy-dataset prompts ...`: see, override and reset a project's prompt templates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.errors import InputError
from easy_dataset.services import prompts

app = typer.Typer(help="See and override the prompts a project sends.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="Prompt name (`easy-dataset prompts list`).")]
LanguageOption = Annotated[
    str, typer.Option("--language", "-l", help="Template language: en or zh.")
]


def _read(source: str) -> str:
    """The template text from a file, or from stdin for "-"."""
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source} is not UTF-8 text; save it as UTF-8 and try again") from None
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None


@app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    project: ProjectOption,
    language: Annotated[
        str | None, typer.Option("--language", "-l", help="Only this language.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the prompts, their versions, and which ones the project overrides."""
    found = prompts.list_prompts(state(ctx).app(), project)
    if language is not None:
        found = [view for view in found if view.language == language]
    if as_json:
        print_json(found)
        return
    table = Table("name", "language", "version", "overridden", "description")
    for view in found:
        table.add_row(
            view.name,
            view.language,
            view.version,
            "yes" if view.overridden else "",
            escape(view.description),
        )
    console.print(table)


@app.command("show")
@guarded
def show(
    ctx: typer.Context,
    name: NameArg,
    project: ProjectOption,
    language: LanguageOption = "en",
    default: Annotated[
        bool, typer.Option("--default", help="Show the built-in template, not the override.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Print the template the project uses for a prompt (its override, else the default)."""
    detail = prompts.show_prompt(state(ctx).app(), project, name, language)
    if as_json:
        print_json(detail)
        return
    # Raw text, not Rich: templates are full of brackets Rich would read as markup.
    text = detail.default if default else detail.template
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command("set")
@guarded
def set_(
    ctx: typer.Context,
    name: NameArg,
    project: ProjectOption,
    from_file: Annotated[
        str,
        typer.Option(
            "--from-file", "-f", help="Template file, or - to read stdin.", show_default=False
        ),
    ],
    language: LanguageOption = "en",
    as_json: JsonOption = False,
) -> None:
    """Override a prompt for this project with your own template (checked before storing)."""
    detail = prompts.set_prompt(state(ctx).app(), project, name, language, _read(from_file))
    if as_json:
        print_json(detail)
    else:
        console.print(
            f"prompt {name} ({language}) now uses your template, version {detail.version}"
        )


@app.command("reset")
@guarded
def reset(
    ctx: typer.Context,
    name: NameArg,
    project: ProjectOption,
    language: LanguageOption = "en",
    as_json: JsonOption = False,
) -> None:
    """Remove the project's override so the built-in template is used again."""
    detail = prompts.reset_prompt(state(ctx).app(), project, name, language)
    if as_json:
        print_json(detail)
    else:
        console.print(f"prompt {name} ({language}) uses the built-in template again")


@app.command("diff")
@guarded
def diff(
    ctx: typer.Context,
    name: NameArg,
    project: ProjectOption,
    language: LanguageOption = "en",
    as_json: JsonOption = False,
) -> None:
    """Show how the project's override differs from the built-in template."""
    text = prompts.diff_prompt(state(ctx).app(), project, name, language)
    if as_json:
        print_json({"name": name, "language": language, "diff": text})
    elif not text:
        console.print(
            f"prompt {name} ({language}) is not overridden: the built-in template is used"
        )
    else:
        sys.stdout.write(text)
