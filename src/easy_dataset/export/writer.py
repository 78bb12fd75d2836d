"""Streaming writers: records go out one at a time, so memory stays flat at any row count."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import IO, Any

from easy_dataset.errors import InputError
from easy_dataset.export.formats import shape
from easy_dataset.export.options import ExportOptions
from easy_dataset.export.records import ExportRecord


def _sink(out: IO[Any]) -> Callable[[str], int]:
    """A function writing text to `out` as UTF-8, returning the bytes written."""
    binary = isinstance(out, io.RawIOBase | io.BufferedIOBase) or (
        not isinstance(out, io.TextIOBase) and "b" in str(getattr(out, "mode", ""))
    )
    if binary:

        def write_bytes(text: str) -> int:
            data = text.encode("utf-8")
            out.write(data)
            return len(data)

        return write_bytes

    def write_text(text: str) -> int:
        out.write(text)
        return len(text.encode("utf-8"))

    return write_text


# One encoder for all records: json.dumps with arguments builds a new one per call.
# allow_nan=False: one NaN slipping through would make the whole file invalid JSON.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def _dumps(record: ExportRecord, options: ExportOptions) -> str:
    try:
        return _ENCODER.encode(shape(record, options))
    except (TypeError, ValueError) as exc:
        raise InputError(f"QA pair {record.id} cannot be written as JSON: {exc}") from None


class ExportWriter:
    """Writes records to a binary or text stream and counts records and bytes as it goes."""

    def __init__(self, options: ExportOptions, out: IO[Any]) -> None:
        self.options = options
        self.records = 0
        self.bytes = 0
        self._write = _sink(out)

    def write_all(self, records: Iterable[ExportRecord]) -> int:
        """Write every record (a whole JSON array or JSON Lines file); returns the count."""
        if self.options.file_type == "jsonl":
            for record in records:
                self._emit(_dumps(record, self.options) + "\n")
            return self.records
        # One record per line inside the array: valid JSON, yet never held in memory at once.
        separator = "[\n"
        for record in records:
            self._emit(separator + _dumps(record, self.options))
            separator = ",\n"
        self.bytes += self._write("[]\n" if self.records == 0 else "\n]\n")
        return self.records

    def _emit(self, text: str) -> None:
        self.bytes += self._write(text)
        self.records += 1


def write_export(records: Iterable[ExportRecord], options: ExportOptions, out: IO[Any]) -> int:
    """Stream `records` to `out` (binary or text) in the options' format; returns the count."""
    return ExportWriter(options, out).write_all(records)
