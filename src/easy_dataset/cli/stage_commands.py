"""Stage commands, built from the stage registry when the CLI runs.

Every stage is `easy-dataset stage NAME`, and also `easy-dataset GROUP COMMAND` where the
stage says so (`Stage.command`, e.g. `questions generate`). Its options come from the
stage's `Params` (the `Flag` marker gives a field its CLI spelling); values are checked by
`Params` alone, in the service. What a command prints after its job is the outcome, plus
whatever an `after_stage` renderer of that stage adds (the tag tree, flag counts...). A
`file_option` adds an option naming files whose contents become an option's values (seed
tasks read from a file): the CLI reads the user's own files, the other interfaces take the
values inline.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

# Typer vendors click (since 0.25); its public API names no command class.
from typer._click.core import Command, Context
from typer.core import TyperGroup

from easy_dataset.cli.common import JsonOption, ProjectOption, console, guarded, print_json, state
from easy_dataset.cli.stage_run import Addition, DryRunOption, print_estimate, run_stage_command
from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.jobs import JobSummary
from easy_dataset.jobs.stage import Flag, Stage, all_stages, get_stage, reasons
from easy_dataset.services import stages

# After the job: the CLI context, the project, how the job went and the options it ran with.
Renderer = Callable[[typer.Context, str, JobSummary, dict[str, Any]], Addition]
_RENDERERS: dict[str, Renderer] = {}


def after_stage(name: str) -> Callable[[Renderer], Renderer]:
    """Register what the CLI adds after a stage's job (a decorator)."""

    def register(renderer: Renderer) -> Renderer:
        _RENDERERS[name] = renderer
        return renderer

    return register


@dataclass(frozen=True)
class FileOption:
    """`flag FILE` (repeatable): each file's values, parsed by `read(name, data)`, come
    before those the stage's option `field` is given directly."""

    flag: str
    field: str
    help: str
    read: Callable[[str, bytes], Sequence[Any]]
    max_bytes: int

    @property
    def parameter(self) -> str:
        return f"{self.field}__files"


_FILE_OPTIONS: dict[str, list[FileOption]] = {}


def file_option(stage: str, option: FileOption) -> None:
    """Give a stage's command an option that reads values from files."""
    _FILE_OPTIONS.setdefault(stage, []).append(option)


def _read_file(option: FileOption, path: Path) -> Sequence[Any]:
    try:
        if path.stat().st_size > option.max_bytes:
            raise InputError(f"{path}: larger than {option.max_bytes // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return option.read(path.name, data)


def _file_parameter(option: FileOption) -> inspect.Parameter:
    annotation = Annotated[list[Path] | None, typer.Option(option.flag, help=option.help)]
    return inspect.Parameter(
        option.parameter, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
    )


def _bare(annotation: Any) -> Any:
    """The annotation without `| None` (and without `Annotated` markers)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        annotation = args[0] if len(args) == 1 else annotation
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _cli_type(annotation: Any) -> tuple[Any, str]:
    """The type Typer parses an option as, and a hint for the help text."""
    bare = _bare(annotation)
    origin = typing.get_origin(bare)
    if origin is Literal:
        return str, " | ".join(map(str, typing.get_args(bare)))
    if origin is dict:
        return list[str], "KEY=VALUE, repeatable"
    if origin is list:
        (item,) = typing.get_args(bare)
        item_type, hint = _cli_type(item)
        return list[item_type], (f"{hint}, repeatable" if hint else "repeatable")  # type: ignore[valid-type]
    if bare in (bool, int, float, str):
        return bare, ""
    return str, ""


def _flag(name: str, info: FieldInfo) -> Flag:
    marker = next((item for item in info.metadata if isinstance(item, Flag)), None)
    return marker or Flag("--" + name.replace("_", "-"))


def _option(name: str, info: FieldInfo) -> inspect.Parameter:
    """A keyword parameter Typer turns into the CLI option of one `Params` field."""
    flag = _flag(name, info)
    kind, hint = _cli_type(info.annotation)
    help_text = (info.description or "").rstrip(".")
    if hint:
        help_text = f"{help_text} ({hint})" if help_text else hint
    names = [flag.name] + ([flag.short] if flag.short else [])
    default = info.default
    if kind is bool:
        # A switch that is on by default is turned off with --no-NAME.
        names = [f"{flag.name}/--no-{flag.name.removeprefix('--')}"] if default else names
        option = typer.Option(*names, help=help_text)
        annotation: Any = Annotated[bool, option]
    elif info.is_required():
        # No default: Typer asks for the option, as `Params` does.
        option = typer.Option(*names, help=help_text)
        annotation = Annotated[kind, option]
        default = inspect.Parameter.empty
    else:
        option = typer.Option(*names, help=help_text, show_default=default is not None)
        annotation = Annotated[kind | None, option]
        default = None if typing.get_origin(kind) is list else default
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _values(model: type[BaseModel], given: dict[str, Any]) -> dict[str, Any]:
    """CLI values as the model's fields: KEY=VALUE lists become dicts, unset ones drop."""
    options: dict[str, Any] = {}
    for name, value in given.items():
        info = model.model_fields[name]
        if value is None or value == [] or value == info.default:
            continue
        if typing.get_origin(_bare(info.annotation)) is dict:
            value = _pairs(_flag(name, info).name, value)
        options[name] = value
    return options


def _check(model: type[BaseModel], options: dict[str, Any]) -> None:
    """Refuse bad values before anything starts, naming the options as typed here."""
    try:
        model.model_validate(options)
    except ValidationError as exc:
        flags = {name: _flag(name, info).name for name, info in model.model_fields.items()}
        raise InputError(reasons(exc, flags)) from None


def model_parameters(model: type[BaseModel]) -> list[inspect.Parameter]:
    """One CLI option per field of `model`, spelled and typed as a stage's options are."""
    return [_option(name, info) for name, info in model.model_fields.items()]


def model_values(model: type[BaseModel], given: dict[str, Any]) -> dict[str, Any]:
    """The values typed for `model_parameters`, those given only; InputError naming the
    option when `model` refuses one."""
    options = _values(model, given)
    _check(model, options)
    return options


def _pairs(flag: str, values: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{flag} takes KEY=VALUE, not {item!r}")
        found[key.strip()] = value.strip()
    return found


def stage_command(stage_cls: type[Stage[Any]]) -> Callable[..., None]:
    """The CLI command of one stage: `--project`, its options, `--dry-run`, `--json`."""
    name = stage_cls.name
    file_options = _FILE_OPTIONS.get(name, [])

    def command(ctx: typer.Context, **given: Any) -> None:
        project, dry_run, as_json = given.pop("project"), given.pop("dry_run"), given.pop("as_json")
        files = {option: given.pop(option.parameter) or [] for option in file_options}
        options = _values(stage_cls.Params, given)
        for option, paths in files.items():
            read = [value for path in paths for value in _read_file(option, path)]
            if read:
                options[option.field] = read + list(options.get(option.field) or [])
        _check(stage_cls.Params, options)
        if dry_run:
            found = stages.estimate_stage(state(ctx).app(), project, name, **options)
            if as_json:
                print_json(found)
            else:
                print_estimate(found)
            return
        renderer = _RENDERERS.get(name)
        run_stage_command(
            ctx,
            project,
            name,
            as_json=as_json,
            after=(lambda summary: renderer(ctx, project, summary, options)) if renderer else None,
            **options,
        )

    context = inspect.Parameter(
        "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
    )
    params = [
        context,
        inspect.Parameter("project", inspect.Parameter.KEYWORD_ONLY, annotation=ProjectOption),
        *model_parameters(stage_cls.Params),
        *(_file_parameter(option) for option in file_options),
        inspect.Parameter(
            "dry_run", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=DryRunOption
        ),
        inspect.Parameter(
            "as_json", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=JsonOption
        ),
    ]
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__doc__ = f"{stage_cls.help.en} --dry-run prints the estimate instead."
    return guarded(command)


def _click_command(stage_cls: type[Stage[Any]], name: str) -> Command:
    single = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    single.command(name)(stage_command(stage_cls))
    built = typer.main.get_command(single)
    built.name = name
    return built


class StageGroup(TyperGroup):
    """A command group that also offers the stages placed in it (`Stage.command`), found
    in the registry when the CLI runs, so a stage registered by a plugin shows up too."""

    def _placed(self) -> dict[str, type[Stage[Any]]]:
        return {
            stage_cls.command[1]: stage_cls
            for stage_cls in all_stages()
            if stage_cls.command and stage_cls.command[0] == self.name
        }

    def list_commands(self, ctx: Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._placed()})

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        stage_cls = self._placed().get(cmd_name)
        return _click_command(stage_cls, cmd_name) if stage_cls else None


class EveryStageGroup(TyperGroup):
    """`easy-dataset stage NAME`: every registered stage by its full name."""

    def list_commands(self, ctx: Context) -> list[str]:
        return [*super().list_commands(ctx), *(stage_cls.name for stage_cls in all_stages())]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        try:
            return _click_command(get_stage(cmd_name), cmd_name)
        except NotFoundError:
            return None


stage_app = typer.Typer(
    cls=EveryStageGroup,
    help="Run any stage by name (`stage list` shows them), with its own options.",
    no_args_is_help=True,
)


@stage_app.command("list")
@guarded
def list_(as_json: JsonOption = False) -> None:
    """List the stages: name, group, whether it calls a model, and what it does."""
    found = stages.list_stages()
    if as_json:
        print_json(found)
        return
    for info in found:
        where = f" (also `{' '.join(info.command)}`)" if info.command else ""
        console.print(f"[bold]{info.name}[/] [dim]{info.group}[/]{where}: {info.help['en']}")
