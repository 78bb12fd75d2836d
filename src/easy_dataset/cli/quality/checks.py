"""The checks that flag QA pairs: judge, ground, pii, refs and hygiene."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from easy_dataset.cli.common import JsonOption, ProjectOption, guarded, print_json, state
from easy_dataset.cli.quality.options import QaIdsOption, RedoOption, check_choice, check_share
from easy_dataset.cli.quality.runs import UNCHECKED, flag_outcome, given, run
from easy_dataset.cli.stage_run import CacheOption, ConcurrencyOption, DryRunOption, print_estimate
from easy_dataset.errors import InputError
from easy_dataset.services import quality

PII_ACTIONS = ("flag", "mask")


def _weights(pairs: list[str] | None) -> dict[str, float] | None:
    """`--weight accuracy=3` options as a partial weights dict (the job checks the values)."""
    if not pairs:
        return None
    weights: dict[str, float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise InputError(f"--weight takes CRITERION=NUMBER (like accuracy=3), not {pair!r}")
    return weights


@guarded
def judge(
    ctx: typer.Context,
    project: ProjectOption,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Judge model configuration (default: the project's judge model, else its own).",
        ),
    ] = None,
    weight: Annotated[
        list[str] | None,
        typer.Option("--weight", help="CRITERION=NUMBER, like accuracy=3 (repeatable)."),
    ] = None,
    qa: QaIdsOption = None,
    redo: RedoOption = False,
    concurrency: ConcurrencyOption = None,
    cache: CacheOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Have a model score each QA pair 0–5 against its source chunk (below 3 is flagged);
    --dry-run prints the estimate instead."""
    options: dict[str, Any] = {
        "model": model,
        "weights": _weights(weight),
        "qa_ids": qa,
        "redo": redo,
        "concurrency": concurrency,
        "cache": cache,
    }
    if dry_run:
        found = quality.estimate_check(state(ctx).app(), project, "judge", **given(options))
        if as_json:
            print_json(found)
        else:
            print_estimate(found)
        return
    summary = run(ctx, project, "judge", **options)
    flag_outcome(ctx, project, "judge", summary, as_json=as_json, nothing=UNCHECKED)


@guarded
def ground(
    ctx: typer.Context,
    project: ProjectOption,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="Support (0–1) below which a sentence is unsupported.",
            show_default="the project's, else calibrated",
        ),
    ] = None,
    qa: QaIdsOption = None,
    redo: RedoOption = False,
    as_json: JsonOption = False,
) -> None:
    """Check how well each answer is supported by its chunk (no model call)."""
    check_share("--threshold", threshold)
    summary = run(ctx, project, "ground", threshold=threshold, qa_ids=qa, redo=redo)
    flag_outcome(ctx, project, "ground", summary, as_json=as_json, nothing=UNCHECKED)


@guarded
def pii(
    ctx: typer.Context,
    project: ProjectOption,
    action: Annotated[
        str | None,
        typer.Option(
            "--action",
            help="flag: only mark pairs; mask: also replace the data with placeholders.",
            show_default="the project's (flag)",
        ),
    ] = None,
    qa: QaIdsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find personal data (e-mail addresses, phone numbers, ids...) in the QA pairs."""
    check_choice("--action", action, PII_ACTIONS)
    summary = run(ctx, project, "pii", action=action, qa_ids=qa)
    flag_outcome(ctx, project, "pii", summary, as_json=as_json, nothing=" (no QA pairs)")


@guarded
def refs(
    ctx: typer.Context, project: ProjectOption, qa: QaIdsOption = None, as_json: JsonOption = False
) -> None:
    """Find answers that talk about "the text" or "the document" instead of answering."""
    summary = run(ctx, project, "refs", qa_ids=qa)
    flag_outcome(ctx, project, "refs", summary, as_json=as_json, nothing=" (no QA pairs)")


@guarded
def hygiene(
    ctx: typer.Context, project: ProjectOption, qa: QaIdsOption = None, as_json: JsonOption = False
) -> None:
    """Repair stray quotes and commas, leaked tags, HTML wrappers and doubled spaces; flag
    instructions posing as questions, texts that ask nothing and empty answers."""
    summary = run(ctx, project, "hygiene", qa_ids=qa)
    flag_outcome(ctx, project, "hygiene", summary, as_json=as_json, nothing=" (no QA pairs)")
