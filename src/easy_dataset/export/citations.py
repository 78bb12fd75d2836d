"""A sample's citations as exported: the spans of its chunk its answer quotes, each with
whether it was found in the chunk."""

from __future__ import annotations

from typing import Any

from easy_dataset.export.records import ExportRecord


def citations(record: ExportRecord) -> list[dict[str, Any]]:
    """`[{quote, verified}]` from the provenance; [] for a sample answered without quotes,
    so every record of a file has the field."""
    found = record.provenance.get("citations")
    if not isinstance(found, list):
        return []
    return [
        {"quote": str(item.get("quote", "")), "verified": bool(item.get("verified"))}
        for item in found
        if isinstance(item, dict)
    ]
