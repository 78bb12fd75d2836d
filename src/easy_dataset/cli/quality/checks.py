"""What `quality <check>` prints after its job, besides the outcome.

The check commands themselves come from the stage registry (`cli/stage_commands.py`:
options from each check's `Params`); this module only adds each check's own lines: how many
QA pairs it flags now, the duplicate clusters, the sample drawn.
"""

from __future__ import annotations

from typing import Any

import typer

from easy_dataset.cli.common import counted, escape, state
from easy_dataset.cli.stage_commands import after_stage
from easy_dataset.cli.stage_run import Addition
from easy_dataset.jobs import JobSummary
from easy_dataset.services import generation, quality

# The check -> the kind of result it flags QA pairs with.
FLAG_KIND = {
    "judge": "judge",
    "ground": "grounding",
    "pii": "pii",
    "refs": "refs",
    "contamination": "contamination",
    "hygiene": "hygiene",
}
# Why a check found nothing to do.
UNCHECKED = " (every QA pair has a result; --redo checks them again)"
NO_PAIRS = " (no QA pairs)"
SHOWN_IDS = 20


def _flagged(check: str, nothing: str) -> None:
    kind = FLAG_KIND[check]

    @after_stage(f"quality.{check}")
    def flagged(
        ctx: typer.Context, project: str, summary: JobSummary, options: dict[str, Any]
    ) -> Addition:
        count = generation.count_qa(state(ctx).app(), project, flagged=[kind])
        added = Addition(extra={"flagged": count}, nothing=f"{check}: nothing to do{nothing}")
        if summary.status == "succeeded":
            line = f"{counted(count, 'QA pair')} flagged by {kind}"
            if count:
                line += f"; `easy-dataset qa list -p {escape(project)} --flagged {kind}` lists them"
            added.lines.append(line)
        return added


for _check, _nothing in (
    ("judge", UNCHECKED),
    ("ground", UNCHECKED),
    ("pii", NO_PAIRS),
    ("refs", NO_PAIRS),
    ("contamination", NO_PAIRS),
    ("hygiene", NO_PAIRS),
):
    _flagged(_check, _nothing)


@after_stage("quality.dedup")
def _clusters(
    ctx: typer.Context, project: str, summary: JobSummary, options: dict[str, Any]
) -> Addition:
    target = str(options.get("target", "qa"))
    total, marked = quality.count_duplicates(state(ctx).app(), project, target)
    added = Addition(extra={"clusters": total, "marked": marked})
    if summary.status == "succeeded":
        added.lines.append(
            f"{counted(total, 'cluster')} of duplicates; {marked} marked (each cluster keeps one)"
        )
        if total:
            added.lines.append(
                f"`easy-dataset quality clusters -p {escape(project)} --target {target}` "
                "shows them; `quality delete-duplicates` deletes the marked ones"
            )
    return added


@after_stage("quality.sample")
def _sample(
    ctx: typer.Context, project: str, summary: JobSummary, options: dict[str, Any]
) -> Addition:
    app = state(ctx).app()
    status = quality.sample_status(app, project)
    ids = [pair.id for pair in generation.list_qa(app, project, sampled=True, limit=SHOWN_IDS)]
    added = Addition(extra={"size": status.size})
    if summary.status == "succeeded":
        more = "…" if status.size > len(ids) else ""
        added.lines.append(f"sampled {status.size} of {status.population} QA pairs for review")
        if ids:
            added.lines.append(f"ids: {', '.join(map(str, ids))}{more}")
            added.lines.append(
                "`easy-dataset quality review QA_ID ok|error` records a verdict; "
                "`qa list --sampled` lists them"
            )
    return added
