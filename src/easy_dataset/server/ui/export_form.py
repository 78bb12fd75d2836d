"""What the export screen needs besides widgets: the form's state in the page's address (so
a language switch or a reload keeps every choice), the download address (the REST endpoint,
so the file streams from the database straight to the browser), the count of matching pairs
and a one-record preview made by the export encoder itself."""

from __future__ import annotations

import json
import math
from typing import Any, Protocol
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from easy_dataset.export import ExportOptions
from easy_dataset.export.options import CUSTOM_SOURCES
from easy_dataset.samples_shape import SAMPLE_KINDS
from easy_dataset.services.app import App
from easy_dataset.services.export import ExportFilters, count_export, export_stream
from easy_dataset.services.generation.qa_query import FLAG_KINDS

FORMATS = ("alpaca", "sharegpt", "messages", "reasoning", "custom")
FILE_TYPES = ("jsonl", "json")
COT_MODES = ("", "think", "field", "omit")  # "": the format's default
QUESTION_SLOTS = ("instruction", "input")
UNANSWERABLE_CHOICES = ("keep", "drop", "only")
DEFAULT_FIELDS = {"question": "question", "answer": "answer"}
MAX_SCORE = 5
MAX_QUERY_TEXT = 10_000


class QueryValues(Protocol):
    """What a page reads its address through (Starlette's `QueryParams`)."""

    def getlist(self, key: str) -> list[str]: ...


class ExportForm(BaseModel):
    """Every choice of the export form, as kept in the page's address."""

    format: str = "alpaca"
    file_type: str = "jsonl"
    cot: str = ""
    provenance: bool = False
    citations: bool = False
    system: str = ""
    question_as: str = "instruction"
    instruction: str = ""
    fields: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_FIELDS))
    kinds: list[str] = []
    confirmed: bool = False
    min_score: float | None = None
    tags: list[str] = []
    ids: str = ""
    min_judge: float | None = None
    exclude: list[str] = []
    unanswerable: str = "keep"

    @classmethod
    def from_query(cls, query: QueryValues) -> ExportForm:
        """The form an address describes; what it cannot mean is left at the default."""

        def get(name: str) -> str | None:
            values = query.getlist(name)
            return values[0] if values else None

        def one(name: str, allowed: tuple[str, ...], default: str) -> str:
            value = get(name)
            return value if value in allowed else default

        def text(name: str) -> str:
            return (get(name) or "")[:MAX_QUERY_TEXT]

        fields = dict(DEFAULT_FIELDS)
        for pair in query.getlist("field"):
            source, _, name = pair.partition("=")
            if source in CUSTOM_SOURCES:
                fields[source] = name[:200]
        return cls(
            format=one("format", FORMATS, "alpaca"),
            file_type=one("file_type", FILE_TYPES, "jsonl"),
            cot=one("cot", COT_MODES, ""),
            provenance=get("provenance") == "true",
            citations=get("citations") == "true",
            system=text("system"),
            question_as=one("question_as", QUESTION_SLOTS, "instruction"),
            instruction=text("instruction"),
            fields=fields,
            kinds=_unique([kind for kind in query.getlist("kind") if kind in SAMPLE_KINDS]),
            confirmed=get("confirmed_only") == "true",
            min_score=_score(get("min_score")),
            tags=_unique([tag[:200] for tag in query.getlist("tag") if tag.strip()])[:100],
            ids=text("ids"),
            min_judge=_score(get("min_judge")),
            exclude=_unique(
                [kind for kind in query.getlist("exclude_flagged") if kind in FLAG_KINDS]
            ),
            unanswerable=one("unanswerable", UNANSWERABLE_CHOICES, "keep"),
        )

    def query(self) -> str:
        """The address's query string (`?...`, or "" for the defaults): only what differs."""
        params: list[tuple[str, str]] = []
        default = ExportForm()
        for name in ("format", "file_type", "cot", "question_as"):
            if getattr(self, name) != getattr(default, name):
                params.append((name, getattr(self, name)))
        for name in ("system", "instruction", "ids"):
            if getattr(self, name):
                params.append((name, getattr(self, name)))
        if self.provenance:
            params.append(("provenance", "true"))
        if self.citations:
            params.append(("citations", "true"))
        params.extend(
            ("field", f"{source}={name}")
            for source, name in self.fields.items()
            if name != DEFAULT_FIELDS.get(source, "")
        )
        params.extend(("kind", kind) for kind in self.kinds)
        if self.confirmed:
            params.append(("confirmed_only", "true"))
        for name in ("min_score", "min_judge"):
            value = getattr(self, name)
            if value is not None:
                params.append((name, f"{value:g}"))
        params.extend(("tag", tag) for tag in self.tags)
        params.extend(("exclude_flagged", kind) for kind in self.exclude)
        if self.unanswerable != default.unanswerable:
            params.append(("unanswerable", self.unanswerable))
        return f"?{urlencode(params)}" if params else ""


def _score(value: object) -> float | None:
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if math.isfinite(number) and 0 <= number <= MAX_SCORE else None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def export_url(project_id: int, options: ExportOptions, filters: ExportFilters) -> str:
    """`GET /api/projects/{id}/export?...` for these options and filters (see api/export.py)."""
    params: list[tuple[str, str]] = [
        ("format", options.format),
        ("file_type", options.file_type),
    ]
    if options.system_prompt is not None:
        params.append(("system", options.system_prompt))
    if options.cot is not None:
        params.append(("cot", options.cot))
    if options.format == "alpaca" and options.alpaca_question_as != "instruction":
        params.append(("question_as", options.alpaca_question_as))
    if options.alpaca_instruction is not None:
        params.append(("instruction", options.alpaca_instruction))
    params.extend(("field", f"{source}={name}") for source, name in options.field_map.items())
    if options.include_provenance:
        params.append(("provenance", "true"))
    if options.include_citations:
        params.append(("citations", "true"))
    params.extend(("kind", kind) for kind in filters.kinds)
    if filters.confirmed_only:
        params.append(("confirmed_only", "true"))
    if filters.min_score is not None:
        params.append(("min_score", f"{filters.min_score:g}"))
    params.extend(("tag", tag) for tag in filters.tags)
    if filters.min_judge is not None:
        params.append(("min_judge", f"{filters.min_judge:g}"))
    params.extend(("exclude_flagged", kind) for kind in filters.exclude_flagged)
    if filters.unanswerable != "keep":
        params.append(("unanswerable", filters.unanswerable))
    params.extend(("id", str(qa_id)) for qa_id in filters.ids)
    return f"/api/projects/{project_id}/export?{urlencode(params)}"


def parse_ids(text: str) -> list[int]:
    """QA pair ids typed as `1, 2 5`; ValueError names the first that is not a number."""
    ids: list[int] = []
    for part in text.replace(",", " ").split():
        try:
            ids.append(int(part))
        except ValueError:
            raise ValueError(part) from None
    return list(dict.fromkeys(ids))


def count_matching(app: App, project_id: int, filters: ExportFilters) -> int:
    """How many records the download will hold (the export's own query, counted)."""
    return count_export(app, project_id, filters)


def preview_record(
    app: App, project_id: int, options: ExportOptions, filters: ExportFilters
) -> dict[str, Any] | None:
    """The first record the export would write, exactly as the download encodes it."""
    lines = options.model_copy(update={"file_type": "jsonl"})
    stream = iter(export_stream(app, project_id, lines, filters))
    try:
        first = next(stream, b"")
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    line = first.split(b"\n", 1)[0]
    if not line:
        return None
    record: dict[str, Any] = json.loads(line)
    return record


def pretty(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2)
