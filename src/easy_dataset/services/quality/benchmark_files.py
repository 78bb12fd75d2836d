"""Benchmark files a project's questions are checked against for contamination.

A file is read once when added (JSON Lines, JSON, CSV or plain text: every string value
of at least a few words becomes an item) and kept as a JSON list of items under the
project folder, so a check never re-parses it and never reads outside the folder.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.store.folders import ProjectFolder

SUFFIXES = (".jsonl", ".json", ".csv", ".txt")
MAX_BYTES = 200 * 1024 * 1024
MIN_WORDS = 3  # "A", "yes", label columns: not text a question could be copied from
_STORED = re.compile(r"^[0-9a-f]{32}\.json$")


@dataclass(frozen=True)
class BenchmarkView:
    id: str  # the stored name
    name: str  # the name the user gave
    items: int


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def parse_benchmark(name: str, data: bytes) -> list[str]:
    """The text items of a benchmark file; InputError says what is wrong with a bad one."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{name}: a benchmark file is one of {', '.join(SUFFIXES)}")
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    values: list[Any]
    try:
        if suffix == ".jsonl":
            values = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif suffix == ".json":
            values = [json.loads(text)]
        elif suffix == ".csv":
            values = [list(row) for row in csv.reader(io.StringIO(text))]
        else:
            values = [line for line in text.splitlines()]
    except (json.JSONDecodeError, csv.Error) as exc:
        raise InputError(f"{name}: not valid {suffix[1:].upper()}: {exc}") from None
    items = [s.strip() for s in _strings(values) if len(s.split()) >= MIN_WORDS or _cjk(s)]
    if not items:
        raise InputError(f"{name}: no text items of {MIN_WORDS} words or more found")
    return items


def _cjk(text: str) -> bool:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") >= 2 * MIN_WORDS


def _folder(app: App, project_ref: str | int) -> ProjectFolder:
    with app.db.session() as session:
        return app.folder(find_project(session, project_ref).id)


def add_benchmarks(
    app: App, project_ref: str | int, uploads: list[tuple[str, bytes]]
) -> list[BenchmarkView]:
    """Read benchmark files (name, bytes) and keep their items with the project, all or
    none: every file is parsed before any is stored. A stored benchmark with the same file
    name is replaced, so adding a file again never counts its items twice."""
    parsed = [(Path(name).name, parse_benchmark(name, data)) for name, data in uploads]
    folder = _folder(app, project_ref)
    replaced = {name for name, _ in parsed}
    old = [view for view in list_benchmarks(app, project_ref) if view.name in replaced]
    views = []
    for shown, items in parsed:
        stored = ProjectFolder.new_name(".json")
        payload = json.dumps({"name": shown, "items": items}, ensure_ascii=False).encode()
        folder.write(folder.benchmark_file(stored), payload)
        views.append(BenchmarkView(id=stored, name=shown, items=len(items)))
    folder.remove(*(folder.benchmark_file(view.id) for view in old))
    return views


def add_benchmark(app: App, project_ref: str | int, name: str, data: bytes) -> BenchmarkView:
    """Read one benchmark file and keep its items with the project (see add_benchmarks)."""
    return add_benchmarks(app, project_ref, [(name, data)])[0]


def _path(folder: ProjectFolder, stored: str) -> Path:
    if not _STORED.match(stored) or not (path := folder.benchmark_file(stored)).exists():
        raise NotFoundError(f"no benchmark {stored!r} in this project", subject="benchmark")
    return path


def _read(folder: ProjectFolder, stored: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_path(folder, stored).read_text(encoding="utf-8"))
    return loaded


def _stored(folder: ProjectFolder) -> list[str]:
    """The stored benchmarks' ids, oldest first."""
    if not folder.benchmarks.exists():
        return []
    paths = sorted(folder.benchmarks.glob("*.json"), key=lambda path: path.stat().st_mtime)
    return [path.name for path in paths if _STORED.match(path.name)]


def list_benchmarks(app: App, project_ref: str | int) -> list[BenchmarkView]:
    folder = _folder(app, project_ref)
    views = []
    for stored in _stored(folder):
        payload = _read(folder, stored)
        views.append(BenchmarkView(stored, str(payload["name"]), len(payload["items"])))
    return views


def benchmark_ids(app: App, project_ref: str | int, ids: list[str] | None = None) -> list[str]:
    """The named benchmarks (all of the project's when `ids` is None), each checked to
    exist, without reading them."""
    folder = _folder(app, project_ref)
    if ids is None:
        return _stored(folder)
    for stored in ids:
        _path(folder, stored)
    return list(ids)


def benchmark_items(app: App, project_ref: str | int, ids: list[str] | None = None) -> list[str]:
    """The items of the named benchmarks (all of the project's when `ids` is None)."""
    folder = _folder(app, project_ref)
    items: list[str] = []
    for stored in benchmark_ids(app, project_ref, ids):
        items.extend(str(item) for item in _read(folder, stored)["items"])
    return items


def delete_benchmark(app: App, project_ref: str | int, stored: str) -> BenchmarkView:
    """Remove a benchmark file; what it was."""
    folder = _folder(app, project_ref)
    payload = _read(folder, stored)
    folder.remove(folder.benchmark_file(stored))
    return BenchmarkView(stored, str(payload["name"]), len(payload["items"]))
