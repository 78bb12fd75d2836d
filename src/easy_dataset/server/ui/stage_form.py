"""The form that starts a stage, built from its `Params` (see `jobs/stage.py`): one input per
option, chosen by the option's type, with the bounds its constraints declare; a list of ids
marked `Picks` is a picker of the project's files, tags or templates, and a list marked
`Lines` a text area with one item per line. The form only
gathers what was filled in: the stage's `Params` checks it (`stages.estimate_stage` /
`start_stage` raise `InputError` saying what is wrong)."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from nicegui import ui
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from easy_dataset.errors import InputError
from easy_dataset.jobs.stage import Lines, Picks, Stage
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import tag_paths
from easy_dataset.server.ui.i18n import STRINGS, t
from easy_dataset.services import files, models, tags
from easy_dataset.services.generation import templates
from easy_dataset.services.views import ProjectView

# Records a form can list by name; ids of the others (chunks, questions...) are typed.
PICKABLE = ("file", "tag", "template")
# Bounds past this are no bound a person would type against (and JavaScript numbers lose them).
SAFE_BOUND = 2**53
TEMPLATE_CHARS = 80


def label_of(name: str) -> str:
    """An option's label: its translation when there is one, else the name in words."""
    key = f"stage_form.field.{name}"
    return t(key) if key in STRINGS else name.replace("_", " ").capitalize()


def split_list(text: str) -> list[str]:
    """ "3, 5,8" -> ["3", "5", "8"]; the stage's `Params` turns them into ids."""
    return [part.strip() for part in text.split(",") if part.strip()]


def split_pairs(text: str, label: str) -> dict[str, str]:
    """ "accuracy=2, relevance=1" -> {"accuracy": "2", "relevance": "1"}."""
    pairs: dict[str, str] = {}
    for part in split_list(text):
        key, equals, value = part.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise InputError(t("stage_form.bad_pair", field=label, part=part))
        pairs[key.strip()] = value.strip()
    return pairs


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without `| None`, and whether None was allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0], len(rest) < len(get_args(annotation))
    return annotation, False


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        if isinstance(item, Ge | Gt):
            low = float(item.ge if isinstance(item, Ge) else item.gt)  # type: ignore[arg-type]
        elif isinstance(item, Le | Lt):
            high = float(item.le if isinstance(item, Le) else item.lt)  # type: ignore[arg-type]
    return _safe(low), _safe(high)


def _safe(bound: float | None) -> float | None:
    return bound if bound is not None and abs(bound) <= SAFE_BOUND else None


def _picks(info: FieldInfo) -> Picks | None:
    return next((item for item in info.metadata if isinstance(item, Picks)), None)


def _lines(info: FieldInfo) -> bool:
    return any(isinstance(item, Lines) for item in info.metadata)


Kind = Literal[
    "number", "integer", "bool", "choice", "text", "model", "pick", "list", "lines", "pairs"
]


@dataclass
class FormField:
    """One option's input and how to read it back."""

    name: str
    kind: Kind
    default: Any
    element: Any

    def value(self) -> Any:
        """What was filled in, None when empty or left at the default (then not sent)."""
        found = self._read(self.element.value)
        return None if found == self.default else found

    def _read(self, raw: Any) -> Any:
        if self.kind == "integer" and raw is not None and float(raw).is_integer():
            return int(raw)  # the number input gives floats
        if self.kind in ("integer", "number"):
            return raw
        if self.kind == "bool":
            return bool(raw)
        if self.kind == "pick":
            return list(raw or []) or None
        if self.kind == "list":
            return split_list(str(raw or "")) or None
        if self.kind == "lines":
            return [line.strip() for line in str(raw or "").splitlines() if line.strip()] or None
        if self.kind == "pairs":
            return split_pairs(str(raw or ""), label_of(self.name)) or None
        # text, choice, model: "" is the "default" entry
        return raw.strip() or None if isinstance(raw, str) else raw


class StageForm:
    """The inputs of one stage's options, in the current container."""

    def __init__(self, ctx: UiContext, project: ProjectView, stage_cls: type[Stage[Any]]) -> None:
        self.ctx = ctx
        self.project = project
        self.stage_cls = stage_cls
        self.fields: list[FormField] = []
        with ui.row().classes("w-full items-end gap-x-4 gap-y-1").props("data-testid=stage-form"):
            for name, info in stage_cls.Params.model_fields.items():
                self.fields.append(self._field(name, info))

    def collect(self) -> dict[str, Any]:
        """The options filled in, by name; `InputError` for text that cannot be read."""
        options = {}
        for field in self.fields:
            value = field.value()
            if value is not None:
                options[field.name] = value
        return options

    def _field(self, name: str, info: FieldInfo) -> FormField:
        default = None if info.default is PydanticUndefined else info.default
        kind, element = self._input(name, info, default)
        # Dense, with the description as a tooltip: the form stays a line or two high above
        # the jobs it starts.
        element.props(f"dense data-testid=stage-field-{name}")
        if info.description:
            element.tooltip(info.description)
        if kind == "bool":
            default = bool(default)  # an unset `bool | None` reads as unticked
        return FormField(name, kind, default, element)

    def _input(self, name: str, info: FieldInfo, default: Any) -> tuple[Kind, Any]:
        label = label_of(name)
        base, optional = _unwrap(info.annotation)
        origin = get_origin(base)
        wide = "min-w-[11rem]"
        if name == "model":
            configs = [view.name for view in models.list_models(self.ctx.core, self.project.id)]
            options = {"": t("jobs.default_model")} | {config: config for config in configs}
            return "model", ui.select(options, value=default or "", label=label).classes(wide)
        if base is bool:
            return "bool", ui.checkbox(label, value=bool(default))
        if base in (int, float):
            low, high = _bounds(info)
            number = ui.number(label, value=default, min=low, max=high).classes(wide)
            if base is int:
                number.props("step=1")
            return ("integer" if base is int else "number"), number
        if origin is Literal:
            choices: dict[Any, str] = {value: str(value) for value in get_args(base)}
            if optional:
                choices = {"": t("stage_form.default")} | choices
            value = "" if default is None else default
            return "choice", ui.select(choices, value=value, label=label).classes(wide)
        if origin is list and _lines(info):
            area = ui.textarea(label, placeholder=t("stage_form.lines"))
            return "lines", area.props("autogrow").classes("min-w-[24rem]")
        if origin is list:
            picks = _picks(info)
            if picks is not None and picks.record in PICKABLE:
                records = self._records(picks.record)
                select = ui.select(records, multiple=True, value=[], label=label)
                return "pick", select.props("use-chips").classes("min-w-[14rem]")
            hint = t("stage_form.comma_ids" if picks is not None else "stage_form.comma")
            return "list", ui.input(label, placeholder=hint).classes(wide)
        if origin is dict:
            keys = get_args(get_args(base)[0]) if get_args(base) else ()
            hint = ", ".join(f"{key}=…" for key in keys) or "key=value, key=value"
            return "pairs", ui.input(label, placeholder=hint).classes("min-w-[20rem]")
        return "text", ui.input(label, value=default or "").classes(wide)

    def _records(self, record: str) -> dict[int, str]:
        """The project's records of one kind, id -> name, for a picker."""
        core, project_id = self.ctx.core, self.project.id
        if record == "file":
            return {view.id: view.name for view in files.list_files(core, project_id)}
        if record == "tag":
            return tag_paths(tags.tag_tree(core, project_id))
        return {
            view.id: view.question[:TEMPLATE_CHARS]
            for view in templates.list_templates(core, project_id)
        }
