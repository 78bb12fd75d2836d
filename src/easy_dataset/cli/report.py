"""`easy-dataset report`: the dataset's figures against the project's targets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

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
from easy_dataset.cli.corrections import agreement_lines, citation_line, refine_line
from easy_dataset.errors import InputError
from easy_dataset.services.quality import Figure, Report, build_report

# Figures shown as a share; the others as plain numbers (entropy in bits).
PERCENT = {"domain_term_ratio", "duplicate_rate", "sampled_error_rate", "verified_citations"}
BREAKDOWN_ROWS = 15


def _number(name: str, value: float) -> str:
    if name in PERCENT:
        return f"{value:.1%}"
    if name == "opening_entropy":
        return f"{value:.2f} bits"
    return f"{value:.3f}"


def _result(figure: Figure) -> str:
    if figure.passed is None:
        return "[yellow]not run[/]"
    return "[green]✓ pass[/]" if figure.passed else "[red]✗ fail[/]"


def figures_table(report: Report) -> Table:
    """The report's figures against their targets, pass or fail."""
    table = Table("figure", "value", "target", "result", "detail", title="figures")
    for figure in report.figures:
        bound = "≥" if figure.direction == "min" else "≤"
        table.add_row(
            figure.name,
            "-" if figure.value is None else _number(figure.name, figure.value),
            f"{bound} {_number(figure.name, figure.target)}",
            _result(figure),
            escape(figure.detail),
        )
    return table


def _breakdown(title: str, counts: dict[str, int], total: int) -> Table:
    table = Table(title, "QA pairs", "share", title=f"by {title}")
    for label, count in list(counts.items())[:BREAKDOWN_ROWS]:
        table.add_row(escape(label), f"{count:,}", f"{count / total:.1%}" if total else "")
    if len(counts) > BREAKDOWN_ROWS:
        table.add_row(f"… {len(counts) - BREAKDOWN_ROWS} more", "", "")
    return table


def _print(report: Report) -> None:
    console.print(
        f"[bold]report for {escape(report.project)}[/]: {report.qa_pairs:,} QA pairs "
        f"({report.confirmed:,} confirmed), {report.questions:,} questions"
    )
    console.print(figures_table(report))
    for title, counts in (
        ("tag", report.by_tag),
        ("file", report.by_file),
        ("persona", report.by_persona),
        ("type", report.by_type),
    ):
        if counts:
            console.print(_breakdown(title, counts, report.qa_pairs))
    console.print(
        "diversity: " + ", ".join(f"{name} {value:g}" for name, value in report.diversity.items())
    )
    if report.checks:
        checks = Table("check", "results", "flagged", "n/a", title="checks")
        for kind, counts in report.checks.items():
            checks.add_row(
                kind,
                f"{counts['results']:,}",
                f"{counts['flagged']:,}",
                f"{counts.get('not_applicable', 0):,}",
            )
        console.print(checks)
    else:
        console.print("checks: none run yet (see `easy-dataset quality --help`)")
    scores = Table("score", "judge", "reviewer", title="score distribution")
    for bucket in report.judge_scores:
        scores.add_row(
            bucket,
            str(report.judge_scores.get(bucket, 0)),
            str(report.reviewer_scores.get(bucket, 0)),
        )
    console.print(scores)
    if report.refine.judged:
        console.print(f"self-correction: {refine_line(report.refine)}")
    else:
        console.print("self-correction: no answers refined yet (`easy-dataset qa refine`)")
    console.print(f"citations: {citation_line(report.citations)}")
    console.print("judge agreement with reviewers:")
    for line in agreement_lines(report.judge_agreement):
        console.print(f"  {line}")
    sample = report.sample
    if not sample.size:
        console.print("sample: none drawn (`easy-dataset quality sample`)")
    elif not sample.reviewed:
        console.print(f"sample: {counted(sample.size, 'QA pair')}, none reviewed yet")
    else:
        console.print(
            f"sample: {sample.reviewed} of {sample.size} reviewed, "
            f"{counted(sample.errors, 'error')}; error rate {sample.rate:.1%} "
            f"({sample.confidence:.0%} interval {sample.low:.1%}–{sample.high:.1%})"
        )


@guarded
def report(
    ctx: typer.Context,
    project: ProjectOption,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the report as JSON here.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Report the dataset's figures against the project's targets, with counts and scores."""
    built = build_report(state(ctx).app(), project)
    if out is not None:
        text = json.dumps(built.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    if as_json:
        print_json(built)
        return
    _print(built)
    if out is not None:
        console.print(f"report written to {escape(str(out))}")
