"""A stage: one kind of work a user starts (a generation step, a quality check), declared once.

A stage module subclasses `Stage`: its name (also its job type), a label and one-line help in
English and Chinese, a pydantic `Params` model — the only place its options are checked,
with their defaults and bounds — and the job hooks (plan / process / commit). The CLI
commands, the REST routes and their OpenAPI schemas, the web form and the Python API are
all built from the registry here, so a new stage needs no edit anywhere else.

`Params` fields may carry markers in `Annotated[...]`: `Flag` (how the CLI spells the
option, when it should not be `--field-name`), `Picks` (the kind of record a list of ids
names, so forms can offer a picker) and `Lines` (a list of free texts, one per line in a
form). A stage that reports more than item counts about a job overrides `summarize`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, NamedTuple, TypeVar, cast

from pydantic import BaseModel, ConfigDict, ValidationError

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.jobs.handlers import JobHandler, register, unregister
from easy_dataset.jobs.summary import StageSummary


class Words(NamedTuple):
    """A short text in each language the interfaces speak."""

    en: str
    zh: str

    def get(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Flag:
    """The CLI's spelling of an option (`Flag("--file")`), when not `--field-name`."""

    name: str
    short: str | None = None


Record = Literal["file", "chunk", "tag", "question", "qa", "template", "benchmark"]


@dataclass(frozen=True)
class Picks:
    """Marks a list option as ids (or names) of one kind of record."""

    record: Record


@dataclass(frozen=True)
class Lines:
    """Marks a list of texts that may hold commas: a form takes one item per line."""


class StageParams(BaseModel):
    """A stage's options; unknown names are refused."""

    model_config = ConfigDict(extra="forbid")


P = TypeVar("P", bound=StageParams)

# What a stage belongs to; decides where the interfaces show it.
Group = Literal["generation", "quality", "evaluation", "training"]


class Stage(JobHandler[Any], Generic[P]):
    """A job type that users start by name, with options checked by its `Params`."""

    name: ClassVar[str]
    group: ClassVar[Group]
    label: ClassVar[Words]
    help: ClassVar[Words]
    Params: ClassVar[type[StageParams]]
    # Where the CLI offers the stage besides `easy-dataset stage NAME` (group, command).
    command: ClassVar[tuple[str, str] | None] = None
    # Position in lists (pipeline order for generation).
    order: ClassVar[int] = 1000
    # The keys of its items' results that `summarize` reads (read in SQL, so that large
    # results are never loaded for the summary); () gives it whole results.
    summary_keys: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            cls.type = cls.name

    def options(self, params: Mapping[str, Any]) -> P:
        """The stored parameters of a job as this stage's typed options."""
        return cast(P, self.Params.model_validate(dict(params)))

    def resolve(self, app: Any, project_id: int, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters a job is planned with, given the ones asked for; a stage that
        takes a default from project settings (the judge's model) fills it in here."""
        return params

    def summarize(self, results: list[tuple[str, dict[str, Any]]]) -> StageSummary | None:
        """The job's figures from its succeeded items' (key, result), in item order; None:
        the stage reports only the counts."""
        return None

    @classmethod
    def has_summary(cls) -> bool:
        return cls.summarize is not Stage.summarize

    def follow_ups(self, app: Any, job_id: int) -> list[int]:
        """Jobs to run once job `job_id` of this stage has succeeded, planned here (the
        caller runs them: the CLI at once, the server in its queue)."""
        return []

    @classmethod
    def short_name(cls) -> str:
        """The name without its group (`quality.judge` -> `judge`)."""
        return cls.name.split(".", 1)[1] if cls.name.startswith(f"{cls.group}.") else cls.name


_STAGES: dict[str, type[Stage[Any]]] = {}

S = TypeVar("S", bound=type[Stage[Any]])


def register_stage(stage_cls: S) -> S:
    """Make a stage (and its job type) known to every interface; a class decorator."""
    known = _STAGES.get(stage_cls.name)
    if known is not None and known is not stage_cls:
        raise ConflictError(f"stage {stage_cls.name!r} is already {known.__qualname__}")
    register(stage_cls)
    _STAGES[stage_cls.name] = stage_cls
    return stage_cls


@contextmanager
def registered(stage_cls: type[Stage[Any]]) -> Iterator[type[Stage[Any]]]:
    """The stage registered for the duration of a block (plugins' and tests' stages)."""
    register_stage(stage_cls)
    try:
        yield stage_cls
    finally:
        _STAGES.pop(stage_cls.name, None)
        unregister(stage_cls.type)


def all_stages(group: Group | None = None) -> list[type[Stage[Any]]]:
    """The registered stages (of one group), in their order."""
    found = [cls for cls in _STAGES.values() if group is None or cls.group == group]
    return sorted(found, key=lambda cls: (cls.order, cls.name))


def find_stage(name: str) -> type[Stage[Any]] | None:
    """The stage of that name (a job type), or None when the job type is no stage."""
    return _STAGES.get(name)


def get_stage(name: str) -> type[Stage[Any]]:
    stage_cls = _STAGES.get(name)
    if stage_cls is None:
        known = ", ".join(cls.name for cls in all_stages())
        raise NotFoundError(f"no stage {name!r}; the stages are: {known}")
    return stage_cls


def check_params(stage_cls: type[Stage[Any]], options: Mapping[str, Any]) -> StageParams:
    """Options (None: left out) checked by the stage's `Params`, or `InputError` saying why."""
    given = {name: value for name, value in options.items() if value is not None}
    try:
        return stage_cls.Params.model_validate(given)
    except ValidationError as exc:
        raise InputError(f"{stage_cls.name}: {reasons(exc)}") from exc


def reasons(exc: ValidationError, names: Mapping[str, str] | None = None) -> str:
    """Like `validation_reasons`, naming the value given when it is short (the person who
    typed it sees which of several values was refused); `names` spells the options the way
    the interface does (`--action` for `action`)."""
    found = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if loc and names and loc[0] in names:
            loc[0] = names[loc[0]]
        where = ".".join(loc)
        reason = f"{where}: {error['msg'].removeprefix('Value error, ')}"
        given = error.get("input")
        if isinstance(given, str | int | float) and len(str(given)) <= 40 and error["loc"]:
            reason += f" (not {given!r})"
        found.append(reason)
    return "; ".join(found)


def stored_params(params: StageParams) -> dict[str, Any]:
    """What a job row keeps: the options that differ from their defaults, as JSON."""
    return params.model_dump(mode="json", exclude_defaults=True)
