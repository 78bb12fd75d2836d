"""`quality results`: every check's result for one QA pair, one line each."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    counted,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.cli.quality.options import QaId
from easy_dataset.services import quality
from easy_dataset.services.quality_results import ResultView


def _summary(result: ResultView) -> str:
    """One line saying what a check found, from its stored detail."""
    detail = result.detail
    if detail.get("applicable") is False:
        return "not applicable: answered without a source chunk"
    if result.kind == "judge":
        return str(detail.get("verdict", ""))
    if result.kind == "grounding":
        unsupported = detail.get("unsupported") or []
        if detail.get("unanswerable") and detail.get("declines") is False:
            return "unanswerable, yet the answer does not decline" + (
                f": {unsupported[0]}" if unsupported else ""
            )
        return f"{counted(len(unsupported), 'unsupported sentence')}" + (
            f": {unsupported[0]}" if unsupported else ""
        )
    if result.kind == "duplicate":
        return f"cluster kept #{detail.get('keep')} ({detail.get('size')} members)"
    if result.kind == "pii":
        found = detail.get("findings") or []
        kinds = sorted({f"{f.get('kind')} in {f.get('field')}" for f in found})
        return ", ".join(kinds) + (" (masked)" if detail.get("masked") else "")
    if result.kind == "refs":
        return "refers to the text in " + ", ".join(detail.get("fields") or [])
    if result.kind == "contamination":
        fields = detail.get("fields") or {}
        return "; ".join(
            f"{name}: {value.get('shared')}/{value.get('total')} "
            f"{value.get('n', detail.get('n'))}-grams shared"
            for name, value in fields.items()
        )
    if result.kind == "sample":
        return str(detail.get("note") or "")
    if result.kind == "hygiene":
        issues = [f"{i.get('field')}: {i.get('reason')}" for i in detail.get("issues") or []]
        repairs = sorted({r for done in (detail.get("repairs") or {}).values() for r in done})
        return "; ".join(issues + ([f"repaired {', '.join(repairs)}"] if repairs else []))
    if result.kind == "citations":
        unverified = detail.get("unverified") or []
        return f"{detail.get('verified')} of {detail.get('quotes')} quotes verified" + (
            f"; not in the chunk: {unverified[0]}" if unverified else ""
        )
    if result.kind == "refine":
        return (
            f"{detail.get('outcome')}: {detail.get('before')} → {detail.get('after')} "
            f"after {counted(int(detail.get('rounds') or 0), 'round')}"
        )
    text = json.dumps(detail, ensure_ascii=False)
    return text if len(text) <= 100 else text[:99] + "…"


def _flag(result: ResultView) -> str:
    if result.detail.get("applicable") is False:
        return "n/a"  # nothing to check against: neither a pass nor a fail
    if result.kind == "sample":
        return {None: "not reviewed", True: "error", False: "ok"}[result.flagged]
    return {None: "", True: "flagged", False: "ok"}[result.flagged]


@guarded
def results(
    ctx: typer.Context, qa_id: QaId, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Every check's result for one QA pair."""
    found = quality.item_results(state(ctx).app(), project, qa_id)
    if as_json:
        print_json([result.__dict__ for result in found])
        return
    if not found:
        console.print(f"no quality results for QA pair #{qa_id} yet")
        return
    table = Table("check", "score", "result", "detail")
    for result in found:
        table.add_row(
            result.kind,
            "" if result.score is None else f"{result.score:g}",
            _flag(result),
            escape(_summary(result)),
        )
    console.print(table)
