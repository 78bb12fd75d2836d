"""The review sample: draw it, record verdicts, and see the error rate it estimates."""

from __future__ import annotations

from typing import Annotated

import typer

from easy_dataset.cli.common import JsonOption, ProjectOption, console, guarded, print_json, state
from easy_dataset.cli.quality.options import QaId
from easy_dataset.errors import InputError
from easy_dataset.services import quality
from easy_dataset.services.quality.sample import Verdict

VERDICTS: dict[str, Verdict | None] = {"ok": "ok", "error": "error", "undo": None}
SHOWN_IDS = 20


@guarded
def review(
    ctx: typer.Context,
    qa_id: QaId,
    verdict: Annotated[str, typer.Argument(help="ok | error | undo.")],
    project: ProjectOption,
    note: Annotated[str, typer.Option("--note", help="Why (kept with the verdict).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record a verdict on a sampled QA pair."""
    if verdict not in VERDICTS:
        raise InputError(f"a verdict is one of {', '.join(VERDICTS)}, not {verdict!r}")
    chosen = VERDICTS[verdict]
    quality.review_sample_item(state(ctx).app(), project, qa_id, chosen, note)
    if as_json:
        print_json({"qa_id": qa_id, "verdict": chosen, "note": note})
    else:
        console.print(f"#{qa_id}: {'verdict removed' if chosen is None else chosen}")


@guarded
def sample_status(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """How far the review of the sample is, and the error rate it estimates."""
    status = quality.sample_status(state(ctx).app(), project)
    if as_json:
        print_json(status)
        return
    if not status.size:
        console.print("no review sample; `easy-dataset quality sample` draws one")
        return
    console.print(
        f"sample: {status.size} of {status.population} QA pairs; "
        f"reviewed {status.reviewed}, errors {status.errors}"
    )
    if status.reviewed:
        console.print(
            f"error rate {status.rate:.1%} "
            f"({status.confidence:.0%} interval {status.low:.1%}–{status.high:.1%})"
        )
    else:
        console.print("no verdicts yet; `easy-dataset quality review QA_ID ok|error` gives one")
