"""`quality settings`: judge weights, check thresholds and the report's targets."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

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
from easy_dataset.services import quality
from easy_dataset.types import DEFAULT_JUDGE_WEIGHTS, QualitySettings, QualityTargets

# Nested groups are set one field at a time (targets.consistency=0.9).
NESTED: dict[str, tuple[str, ...]] = {
    "targets": tuple(QualityTargets.model_fields),
    "judge_weights": tuple(DEFAULT_JUDGE_WEIGHTS),
}


def _setting_keys() -> list[str]:
    keys: list[str] = []
    for name in QualitySettings.model_fields:
        if name in NESTED:
            keys.extend(f"{name}.{inner}" for inner in NESTED[name])
        else:
            keys.append(name)
    return keys


def _flat(settings: QualitySettings) -> dict[str, Any]:
    values = settings.model_dump(mode="json")
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat.update({f"{name}.{inner}": item for inner, item in value.items()})
        else:
            flat[name] = value
    return flat


def _changes(pairs: list[str]) -> dict[str, Any]:
    """`key=value` arguments as partial settings; an empty value restores the default."""
    defaults = _flat(QualitySettings())
    changes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key, value = key.strip(), raw.strip()
        if not sep or not key:
            raise InputError(
                f"settings are set as KEY=VALUE (like targets.consistency=0.9), not {pair!r}"
            )
        if key not in defaults:
            raise InputError(
                f"no quality setting {key!r}; the settings are: {', '.join(_setting_keys())}"
            )
        head, _, inner = key.partition(".")
        parsed: Any = value if value else defaults[key]
        if head == "judge_weights" and value:
            try:
                parsed = float(value)
            except ValueError:
                parsed = math.nan
            if not math.isfinite(parsed):
                raise InputError(f"{key}: a judge weight is a number, not {value!r}")
        if inner:
            changes.setdefault(head, {})[inner] = parsed
        else:
            changes[key] = parsed
    return changes


def _settings_table(settings: QualitySettings, only: Sequence[str] | None = None) -> None:
    table = Table("setting", "value")
    for key, value in _flat(settings).items():
        if only is None or key in only:
            shown = "(default)" if value is None else str(value)
            table.add_row(key, escape(shown))
    console.print(table)


@guarded
def settings_show(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """Show the project's quality settings and report targets."""
    settings = quality.get_quality_settings(state(ctx).app(), project)
    if as_json:
        print_json(settings)
    else:
        _settings_table(settings)


@guarded
def settings_set(
    ctx: typer.Context,
    pairs: Annotated[
        list[str],
        typer.Argument(
            help="KEY=VALUE, like targets.consistency=0.9 or judge_weights.accuracy=3 "
            "(an empty VALUE restores the default).",
            show_default=False,
        ),
    ],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Change quality settings (all or none); keys as `quality settings show` lists them."""
    changes = _changes(pairs)
    settings = quality.update_quality_settings(state(ctx).app(), project, **changes)
    if as_json:
        print_json(settings)
    else:
        _settings_table(settings, only=[pair.partition("=")[0].strip() for pair in pairs])
