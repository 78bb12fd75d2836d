"""What the export screen needs besides widgets: the download address (the REST endpoint,
so the file streams from the database straight to the browser), the count of matching pairs
and a one-record preview made by the export encoder itself."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from easy_dataset.export import ExportOptions
from easy_dataset.services.app import App
from easy_dataset.services.export import ExportFilters, count_export, export_stream


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
    if filters.confirmed_only:
        params.append(("confirmed_only", "true"))
    if filters.min_score is not None:
        params.append(("min_score", f"{filters.min_score:g}"))
    params.extend(("tag", tag) for tag in filters.tags)
    if filters.min_judge is not None:
        params.append(("min_judge", f"{filters.min_judge:g}"))
    params.extend(("exclude_flagged", kind) for kind in filters.exclude_flagged)
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
