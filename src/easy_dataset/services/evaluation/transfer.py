"""Evaluation sets in and out of files: benchmark files imported (JSON Lines or CSV in
MMLU-style columns), a set exported as JSON Lines, CSV or an lm-evaluation-harness task.

An import is all or nothing by default: one bad line stores nothing, and the error lists
the bad lines with their numbers. With `skip_bad` the good lines are stored and the bad
ones reported."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select

from easy_dataset.errors import ConflictError, InputError
from easy_dataset.evaluate.item_files import ItemOut, csv_text, describe, jsonl_lines, read_items
from easy_dataset.evaluate.lm_eval_task import task_files, task_name
from easy_dataset.services.app import App
from easy_dataset.services.evaluation.sets import ensure_set, find_set, view_of
from easy_dataset.services.evaluation.views import EvalSetView
from easy_dataset.services.projects import find_project
from easy_dataset.store.evaluation import EvalItem

MAX_IMPORT_BYTES = 50 * 1024 * 1024
SetFormat = Literal["jsonl", "csv", "lm-eval"]
SET_FORMATS: tuple[SetFormat, ...] = ("jsonl", "csv", "lm-eval")


class ImportReport(BaseModel):
    set: EvalSetView
    added: int
    bad_lines: list[str]  # "line N: reason", only with skip_bad


class ExportedSet(BaseModel):
    path: str
    items: int
    files: list[str]  # the files written (several for an lm-eval task folder)


def import_items(
    app: App,
    project_ref: str | int,
    set_name: str,
    file_name: str,
    data: bytes,
    *,
    skip_bad: bool = False,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportReport:
    """Add a benchmark file's items to `set_name` (made when missing), origin imported, each
    with its file and line in the provenance."""
    shown = Path(file_name.replace("\\", "/")).name or "upload"
    rows, bad = read_items(shown, data, min(max_bytes, MAX_IMPORT_BYTES))
    if bad and not skip_bad:
        raise InputError(
            f"{shown}: {len(bad)} bad lines, nothing imported (fix them, or skip them with "
            f"skip_bad):\n{describe(bad)}"
        )
    if not rows:
        raise InputError(f"{shown}: no good lines to import:\n{describe(bad)}")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        eval_set = ensure_set(session, project.id, set_name)
        session.add_all(
            EvalItem(
                project_id=project.id,
                set_id=eval_set.id,
                kind=row.kind,
                question=row.question,
                options=row.options,
                answer=row.answer,
                tag_path=row.tag_path,
                origin="imported",
                provenance={"file": shown, "line": row.line},
            )
            for row in rows
        )
        session.flush()
        return ImportReport(
            set=view_of(session, eval_set), added=len(rows), bad_lines=[str(b) for b in bad]
        )


def set_items(
    app: App, project_ref: str | int, set_ref: str | int, *, confirmed_only: bool = False
) -> tuple[str, list[ItemOut]]:
    """A set's name and its items as files keep them, in id order."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        eval_set = find_set(session, project.id, set_ref)
        query = select(EvalItem).where(EvalItem.set_id == eval_set.id).order_by(EvalItem.id)
        if confirmed_only:
            query = query.where(EvalItem.confirmed.is_(True))
        items = [
            ItemOut(
                kind=row.kind,
                question=row.question,
                options=[str(option) for option in row.options or []],
                answer=row.answer,
                tag_path=[str(tag) for tag in row.tag_path or []],
            )
            for row in session.scalars(query)
        ]
        return eval_set.name, items


def _check_format(fmt: str) -> SetFormat:
    if fmt not in SET_FORMATS:
        raise InputError(f"the format is one of {', '.join(SET_FORMATS)}, not {fmt!r}")
    return fmt


def export_bytes(
    app: App,
    project_ref: str | int,
    set_ref: str | int,
    fmt: str,
    *,
    confirmed_only: bool = False,
) -> tuple[str, bytes]:
    """A download: (file name, bytes); an lm-eval task comes as a zip of its folder."""
    fmt = _check_format(fmt)
    name, items = set_items(app, project_ref, set_ref, confirmed_only=confirmed_only)
    stem = task_name(name)
    if fmt == "jsonl":
        return f"{stem}.jsonl", "".join(jsonl_lines(items)).encode()
    if fmt == "csv":
        return f"{stem}.csv", csv_text(items).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, text in task_files(name, items).items():
            archive.writestr(f"{stem}/{file_name}", text)
    return f"{stem}.zip", buffer.getvalue()


def export_set(
    app: App,
    project_ref: str | int,
    set_ref: str | int,
    fmt: str,
    out: Path,
    *,
    confirmed_only: bool = False,
    overwrite: bool = False,
) -> ExportedSet:
    """Write a set to `out`: a file for jsonl and csv, a folder for an lm-eval task."""
    fmt = _check_format(fmt)
    name, items = set_items(app, project_ref, set_ref, confirmed_only=confirmed_only)
    if fmt == "lm-eval":
        files = task_files(name, items)
        if out.exists() and not out.is_dir():
            raise ConflictError(f"{out} is a file; an lm-eval task is written to a folder")
        taken = [out / file_name for file_name in files if (out / file_name).exists()]
        if taken and not overwrite:
            raise ConflictError(f"{taken[0]} exists; pass overwrite to replace it")
        out.mkdir(parents=True, exist_ok=True)
        for file_name, text in files.items():
            (out / file_name).write_text(text, encoding="utf-8")
        return ExportedSet(path=str(out), items=len(items), files=sorted(files))
    if out.exists() and not overwrite:
        raise ConflictError(f"{out} exists; pass overwrite to replace it")
    text = "".join(jsonl_lines(items)) if fmt == "jsonl" else csv_text(items)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return ExportedSet(path=str(out), items=len(items), files=[out.name])
