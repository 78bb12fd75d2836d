"""Export samples: filtered in SQL, streamed in batches to a file, an open stream or a download."""

from __future__ import annotations

import io
import json
import math
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError, InputError
from easy_dataset.export import (
    ExportFormat,
    ExportOptions,
    ExportRecord,
    ExportWriter,
    FileType,
    dataset_info,
)
from easy_dataset.samples_shape import sample_messages
from easy_dataset.services.app import App
from easy_dataset.services.generation.qa_query import QAFilters, known_flags, quality_filtered
from easy_dataset.services.projects import find_project
from easy_dataset.store.dataset import QAPair, Question, Tag
from easy_dataset.store.evaluation import EvalItem
from easy_dataset.store.queries import json_array_has_any, json_flag
from easy_dataset.types import SampleKind

BATCH = 1000
CHUNK_RECORDS = 256  # records per chunk of an encoded export
DATASET_INFO = "dataset_info.json"
T = TypeVar("T")
UnanswerableFilter = Literal["keep", "drop", "only"]


class ExportFilters(BaseModel):
    """Which samples to export; every filter given must hold."""

    confirmed_only: bool = False
    # Which kinds of sample (qa, dialogue); empty: every kind.
    kinds: list[SampleKind] = []
    min_score: float | None = None
    # A pair matches when one of its own tags or its question's domain tag is listed.
    tags: list[str] = []
    # Bounded to the database's 64-bit integers, so a huge id is bad input, not a crash.
    ids: list[Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]] = []
    # Quality: the judge's score at least this; none of these checks flagged the pair
    # (e.g. ["duplicate", "pii", "grounding"]).
    min_judge: float | None = None
    exclude_flagged: list[str] = []
    # Samples answering an unanswerable question (with a refusal): kept, left out, or alone.
    unanswerable: UnanswerableFilter = "keep"

    _known_flags = field_validator("exclude_flagged")(known_flags)

    @field_validator("min_score", "min_judge")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("the minimum score must be a number")
        return value


class ExportSummary(BaseModel):
    """What an export wrote."""

    count: int
    path: str | None
    format: ExportFormat
    file_type: FileType
    bytes: int
    dataset_info_path: str | None = None


def _held_out() -> Any:
    """Whether a pair is held out for evaluation (never exported for training): one
    anti-join on the eval items' (project, qa) index, not a query per pair."""
    return exists().where(
        EvalItem.project_id == QAPair.project_id,
        EvalItem.qa_id == QAPair.id,
        EvalItem.origin == "held_out",
    )


def _query(project_id: int, filters: ExportFilters, dialect: str) -> Select[Any]:
    query = (
        select(
            QAPair.id,
            QAPair.question,
            QAPair.answer,
            QAPair.cot,
            QAPair.model,
            QAPair.confirmed,
            QAPair.score,
            QAPair.user_tags,
            QAPair.provenance,
            Tag.name.label("tag_name"),
            QAPair.kind,
            QAPair.messages,
        )
        .outerjoin(Question, Question.id == QAPair.question_id)
        .outerjoin(Tag, Tag.id == Question.tag_id)
        .where(QAPair.project_id == project_id, ~_held_out())
        .order_by(QAPair.id)
    )
    if filters.confirmed_only:
        query = query.where(QAPair.confirmed.is_(True))
    if filters.kinds:
        query = query.where(QAPair.kind.in_(filters.kinds))
    if filters.min_score is not None:
        query = query.where(QAPair.score >= filters.min_score)
    if filters.tags:
        # Any case, as the review list matches tags: what it shows is what gets exported.
        own = json_array_has_any(QAPair.user_tags, filters.tags, dialect, casefold=True)
        domain = func.lower(Tag.name).in_([tag.lower() for tag in filters.tags])
        query = query.where(or_(own, domain))
    if filters.ids:
        query = query.where(QAPair.id.in_(filters.ids))
    if filters.unanswerable != "keep":
        marked = json_flag(QAPair.provenance, "unanswerable")
        query = query.where(marked if filters.unanswerable == "only" else ~marked)
    quality = QAFilters(min_judge=filters.min_judge, not_flagged=filters.exclude_flagged or None)
    return quality_filtered(query, quality)


def _record(row: Sequence[Any]) -> ExportRecord:
    # Unpacked by position: cheaper than one named lookup per column, a million times over.
    (
        id_,
        question,
        answer,
        cot,
        model,
        confirmed,
        score,
        user_tags,
        provenance,
        tag_name,
        kind,
        messages,
    ) = row
    provenance = dict(provenance or {})
    # The live values win over the snapshot: tags are linked by id and may have been renamed.
    if tag_name:
        provenance["tag"] = tag_name
    if model:
        provenance["model"] = model
    return ExportRecord(
        id=id_,
        question=question,
        answer=answer,
        cot=cot or "",
        tags=[str(tag) for tag in user_tags or []],
        score=score,
        confirmed=bool(confirmed),
        provenance=provenance,
        kind=kind,
        # A QA pair's one turn is question / answer / cot: no JSON is read for it.
        messages=()
        if kind == "qa"
        else tuple(sample_messages(kind, question, answer, cot, messages)),
    )


def _records(
    session: Session, project_ref: str | int, filters: ExportFilters
) -> Iterator[ExportRecord]:
    """The project's matching samples in id order, fetched a batch at a time, converted lazily."""
    project_id = find_project(session, project_ref).id  # now, so an unknown project fails first
    query = _query(project_id, filters, session.get_bind().dialect.name)
    result = session.execute(query.execution_options(yield_per=BATCH, stream_results=True))
    return (_record(row) for row in result)


def matching_records(
    app: App, project_ref: str | int, filters: ExportFilters | None = None
) -> list[ExportRecord]:
    """The project's samples an export with these filters would write, in id order."""
    with app.db.session() as session:
        return list(_records(session, project_ref, filters or ExportFilters()))


def _database_files(app: App) -> set[Path]:
    """The SQLite database and its journal files, which no export may replace."""
    url = make_url(app.settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return set()
    database = Path(url.database).resolve()
    return {
        database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")
    }


def _check_target(app: App, path: Path, overwrite: bool) -> None:
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name to export to")
    if path.resolve() in _database_files(app):
        raise InputError(f"{path} is the project database; export to another file")
    if path.exists() and not overwrite:
        raise ConflictError(
            f"{path} already exists; allow overwriting to replace it", subject="export_exists"
        )


def _contents(
    session: Session, project_ref: str | int, filters: ExportFilters, options: ExportOptions
) -> dict[str, bool]:
    """What decides the export's LLaMA-Factory columns: does it hold dialogues, and does one
    of them bring its own system message (needed only without the export's system prompt)?"""
    project_id = find_project(session, project_ref).id
    query = _query(project_id, filters, session.get_bind().dialect.name).order_by(None)
    dialogues = query.where(QAPair.kind == "dialogue")
    if not session.scalar(select(dialogues.exists())):
        return {"dialogues": False, "own_system": False}
    if options.system_prompt is not None:
        return {"dialogues": True, "own_system": False}
    first_role = QAPair.messages[(0, "role")].as_string()
    own_system = dialogues.where(first_role == "system")
    return {"dialogues": True, "own_system": bool(session.scalar(select(own_system.exists())))}


def _info_entries(
    options: ExportOptions,
    path: Path,
    dataset_name: str | None,
    overwrite: bool,
    contents: dict[str, bool],
) -> tuple[Path, dict[str, Any]]:
    """The merged `dataset_info.json` to write beside `path`, checked before any data is."""
    info_path = path.with_name(DATASET_INFO)
    entry = dataset_info(options, path.name, dataset_name or path.stem, **contents)
    return info_path, merged_dataset_info(info_path, entry, overwrite)


def merged_dataset_info(info_path: Path, entry: dict[str, Any], overwrite: bool) -> dict[str, Any]:
    """The `dataset_info.json` at `info_path` with `entry` merged in, or ConflictError where
    it already describes one of entry's datasets otherwise (unless `overwrite`)."""
    merged: dict[str, Any] = {}
    if info_path.exists():
        try:
            merged = json.loads(info_path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {info_path}: {exc}") from None
        if not isinstance(merged, dict):
            raise InputError(f"{info_path} is not a JSON object; move it away or fix it")
    # Other datasets in the file are kept: LLaMA-Factory reads one registry per folder.
    for name, value in entry.items():
        if merged.get(name, value) != value and not overwrite:
            raise ConflictError(
                f"{info_path} already describes a dataset {name!r}; choose another dataset "
                "name or allow overwriting to replace it",
                subject="export_exists",
            )
    return merged | entry


def replace_atomically(path: Path, write: Callable[[IO[bytes]], T]) -> T:
    """Write through a temporary file beside `path`, renamed over it only once complete."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with temporary.open("xb") as handle:
            result = write(handle)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return result


def write_dataset_info(info_path: Path, entries: dict[str, Any]) -> None:
    data = (json.dumps(entries, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    replace_atomically(info_path, lambda handle: handle.write(data))


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {path.parent}: {exc.strerror or exc}") from None


class ExportEncoder:
    """Encodes records into chunks of bytes, a few hundred records per chunk, counting both."""

    def __init__(self, options: ExportOptions) -> None:
        self.options = options
        self.records = 0
        self.bytes = 0

    def chunks(self, records: Iterable[ExportRecord]) -> Iterator[bytes]:
        """The whole file's bytes, in order; memory holds one chunk at a time."""
        # The writer encodes JSON Lines; a JSON array is the same lines joined by commas,
        # since encoded JSON never holds a raw newline. Its bytes equal ExportWriter's.
        buffer = io.BytesIO()
        writer = ExportWriter(self.options.model_copy(update={"file_type": "jsonl"}), buffer)
        array = self.options.file_type == "json"
        pending = iter(records)
        while batch := list(islice(pending, CHUNK_RECORDS)):
            buffer.seek(0)
            buffer.truncate()
            writer.write_all(batch)
            data = buffer.getvalue()
            if array:
                data = (b",\n" if self.records else b"[\n") + data[:-1].replace(b"\n", b",\n")
            self.records += len(batch)
            yield self._counted(data)
        if array:
            yield self._counted(b"\n]\n" if self.records else b"[]\n")

    def _counted(self, data: bytes) -> bytes:
        self.bytes += len(data)
        return data


class ExportStream:
    """A project's export ready to be streamed: iterate it for its bytes."""

    def __init__(
        self,
        app: App,
        project_id: int,
        project_name: str,
        options: ExportOptions,
        filters: ExportFilters,
    ) -> None:
        self.app = app
        self.project_id = project_id
        self.project_name = project_name
        self.filters = filters
        self.encoder = ExportEncoder(options)

    def __iter__(self) -> Iterator[bytes]:
        # The session lives as long as the iteration: rows are fetched a batch at a time.
        with self.app.db.session() as session:
            yield from self.encoder.chunks(_records(session, self.project_id, self.filters))


def count_export(app: App, project_ref: str | int, filters: ExportFilters | None = None) -> int:
    """How many records an export with these filters writes."""
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
        query = _query(project_id, filters or ExportFilters(), session.get_bind().dialect.name)
        counted = select(func.count()).select_from(query.order_by(None).subquery())
        return int(session.scalar(counted) or 0)


def export_stream(
    app: App,
    project_ref: str | int,
    options: ExportOptions,
    filters: ExportFilters | None = None,
) -> ExportStream:
    """The project's matching samples as a stream of bytes, written nowhere."""
    # Looked up now, so an unknown project fails before a response has started.
    with app.db.session() as session:
        project = find_project(session, project_ref)
        project_id, name = project.id, project.name
    return ExportStream(app, project_id, name, options, filters or ExportFilters())


def _summary(
    options: ExportOptions,
    counted: ExportWriter | ExportEncoder,
    path: Path | None,
    info_path: Path | None,
) -> ExportSummary:
    return ExportSummary(
        count=counted.records,
        path=None if path is None else str(path),
        format=options.format,
        file_type=options.file_type,
        bytes=counted.bytes,
        dataset_info_path=None if info_path is None else str(info_path),
    )


def export_dataset(
    app: App,
    project_ref: str | int,
    target: str | Path | IO[Any],
    options: ExportOptions,
    filters: ExportFilters | None = None,
    *,
    overwrite: bool = False,
    llamafactory: bool = False,
    dataset_name: str | None = None,
) -> ExportSummary:
    """Stream the project's matching samples to `target`: a file path or an open stream.

    A file is written beside itself and renamed into place at the end, so a failed export
    leaves no partial file. `llamafactory` also writes or updates `dataset_info.json` there.
    """
    filters = filters or ExportFilters()
    if not isinstance(target, str | Path):
        if llamafactory:
            raise InputError("dataset_info.json is written beside an output file, not a stream")
        with app.db.session() as session:
            writer = ExportWriter(options, target)
            writer.write_all(_records(session, project_ref, filters))
        return _summary(options, writer, None, None)
    path = Path(target).expanduser().absolute()
    _check_target(app, path, overwrite)
    # Checked before any data is written: a clash found afterwards would strand the file.
    info = None
    if llamafactory:
        with app.db.session() as session:
            contents = _contents(session, project_ref, filters, options)
        info = _info_entries(options, path, dataset_name, overwrite, contents)
    encoder = ExportEncoder(options)
    with app.db.session() as session:
        records = _records(session, project_ref, filters)
        _make_parent(path)
        replace_atomically(path, lambda handle: handle.writelines(encoder.chunks(records)))
    if info is not None:
        write_dataset_info(*info)
    return _summary(options, encoder, path, None if info is None else info[0])
