"""`easy-dataset quality ...`: check the data: judge, ground, deduplicate, scan for personal
data, references to "the text" and benchmark contamination, and review a random sample."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

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
from easy_dataset.cli.jobs import job_progress, report_job
from easy_dataset.cli.stage_run import (
    CacheOption,
    ConcurrencyOption,
    DryRunOption,
    print_estimate,
)
from easy_dataset.errors import InputError
from easy_dataset.jobs import JobSummary
from easy_dataset.services import generation, jobs, quality
from easy_dataset.services.quality.sample import Verdict
from easy_dataset.services.quality_results import ResultView
from easy_dataset.types import DEFAULT_JUDGE_WEIGHTS, QualitySettings, QualityTargets

app = typer.Typer(
    help="Check the dataset's quality: judge, ground, deduplicate, scan and sample.",
    no_args_is_help=True,
)
benchmarks_app = typer.Typer(
    help="Benchmark files the contamination check compares questions with.", no_args_is_help=True
)
settings_app = typer.Typer(
    help="Judge weights, check thresholds and the report's targets.", no_args_is_help=True
)
app.add_typer(benchmarks_app, name="benchmarks")
app.add_typer(settings_app, name="settings")

QaIdsOption = Annotated[
    list[int] | None, typer.Option("--qa", help="Only this QA pair id (repeatable).")
]
RedoOption = Annotated[
    bool, typer.Option("--redo", help="Check pairs that have a result already, too.")
]
TargetOption = Annotated[
    str, typer.Option("--target", help="qa (question and answer) | questions.")
]
QaId = Annotated[int, typer.Argument(help="QA pair id.")]

# The check's name -> the kind of result it flags QA pairs with.
FLAG_KIND = {
    "judge": "judge",
    "ground": "grounding",
    "pii": "pii",
    "refs": "refs",
    "contamination": "contamination",
    "hygiene": "hygiene",
}
PII_ACTIONS = ("flag", "mask")
VERDICTS: dict[str, Verdict | None] = {"ok": "ok", "error": "error", "undo": None}
SHOWN_IDS = 20


def _choice(option: str, value: str | None, choices: Sequence[str]) -> None:
    if value is not None and value not in choices:
        raise InputError(f"{option} is one of {', '.join(choices)}, not {value!r}")


def _share(option: str, value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and 0 <= value <= 1):
        raise InputError(f"{option} runs from 0 to 1, not {value:g}")


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


def _run(ctx: typer.Context, project: str, check: str, **options: Any) -> JobSummary:
    """Run one check to the end with a progress bar; options left out keep their defaults."""
    given = {
        name: value
        for name, value in options.items()
        if value is not None and value is not False and value != []
    }
    with job_progress() as update:
        return quality.run_check(state(ctx).app(), project, check, on_progress=update, **given)


def _outcome(
    ctx: typer.Context,
    check: str,
    summary: JobSummary,
    *,
    as_json: bool,
    extra: dict[str, Any] | None = None,
    lines: Sequence[str] = (),
    nothing: str = "",
) -> None:
    """Print how the check's job went (failures listed); exit 1 unless it succeeded."""
    if as_json:
        print_json({**summary.__dict__, **(extra or {})})
    elif summary.total == 0:
        console.print(f"{check}: nothing to do{nothing}")
    else:
        report_job(summary)
        if summary.failed:
            detail = jobs.show_job(state(ctx).app(), summary.job_id, failures=10)
            for failure in detail.failures:
                console.print(
                    f"[red]{escape(failure.item_key)}[/] ({failure.kind}): "
                    f"{escape(failure.message)}"
                )
            console.print(f"`easy-dataset jobs retry {summary.job_id}` runs the failed ones again")
    if not as_json:
        for line in lines:
            console.print(line)
    if summary.status != "succeeded" and summary.total:
        raise typer.Exit(1)


def _flag_outcome(
    ctx: typer.Context,
    project: str,
    check: str,
    summary: JobSummary,
    *,
    as_json: bool,
    nothing: str = "",
) -> None:
    """The job's outcome and how many QA pairs the check flags now, in all."""
    kind = FLAG_KIND[check]
    count = generation.count_qa(state(ctx).app(), project, flagged=[kind])
    lines = []
    if summary.status == "succeeded":
        line = f"{counted(count, 'QA pair')} flagged by {kind}"
        if count:
            line += f"; `easy-dataset qa list -p {escape(project)} --flagged {kind}` lists them"
        lines.append(line)
    _outcome(
        ctx,
        check,
        summary,
        as_json=as_json,
        extra={"flagged": count},
        lines=lines,
        nothing=nothing,
    )


UNCHECKED = " (every QA pair has a result; --redo checks them again)"


@app.command("judge")
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
        given = {k: v for k, v in options.items() if v is not None and v is not False and v != []}
        found = quality.estimate_check(state(ctx).app(), project, "judge", **given)
        if as_json:
            print_json(found)
        else:
            print_estimate(found)
        return
    summary = _run(ctx, project, "judge", **options)
    _flag_outcome(ctx, project, "judge", summary, as_json=as_json, nothing=UNCHECKED)


@app.command("ground")
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
    _share("--threshold", threshold)
    summary = _run(ctx, project, "ground", threshold=threshold, qa_ids=qa, redo=redo)
    _flag_outcome(ctx, project, "ground", summary, as_json=as_json, nothing=UNCHECKED)


@app.command("dedup")
@guarded
def dedup(
    ctx: typer.Context,
    project: ProjectOption,
    target: TargetOption = "qa",
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode", help="exact | minhash | semantic.", show_default="the project's (minhash)"
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="Jaccard (minhash) or cosine (semantic) similarity, above 0 to 1.",
            show_default="the mode's",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Mark near-duplicates: each cluster keeps its best member; nothing is deleted."""
    summary = _run(ctx, project, "dedup", target=target, mode=mode, threshold=threshold)
    total, marked = quality.count_duplicates(state(ctx).app(), project, target)
    lines = []
    if summary.status == "succeeded":
        lines.append(
            f"{counted(total, 'cluster')} of duplicates; {marked} marked (each cluster keeps one)"
        )
        if total:
            lines.append(
                f"`easy-dataset quality clusters -p {escape(project)} --target {target}` "
                "shows them; `quality delete-duplicates` deletes the marked ones"
            )
    _outcome(
        ctx,
        "dedup",
        summary,
        as_json=as_json,
        extra={"clusters": total, "marked": marked},
        lines=lines,
    )


@app.command("clusters")
@guarded
def clusters(
    ctx: typer.Context,
    project: ProjectOption,
    target: TargetOption = "qa",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Clusters to show.")] = 20,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """Show the duplicate clusters the last `quality dedup` found, largest first."""
    found, total = quality.list_clusters(
        state(ctx).app(), project, target, limit=limit, offset=offset
    )
    if as_json:
        print_json({"total": total, "clusters": [_cluster_json(cluster) for cluster in found]})
        return
    if not total:
        console.print("no duplicate clusters (run `easy-dataset quality dedup` first)")
        return
    table = Table("cluster", "id", "kept", "similarity", "text")
    for cluster in found:
        for member in cluster.members:
            table.add_row(
                f"#{cluster.keep} ({escape(cluster.mode)})" if member.keep else "",
                str(member.id),
                "✓ kept" if member.keep else "marked",
                "" if member.similarity is None else f"{member.similarity:.2f}",
                escape(member.text),
            )
        table.add_section()
    console.print(table)
    console.print(f"{len(found)} of {counted(total, 'cluster')} shown")


def _cluster_json(cluster: quality.ClusterView) -> dict[str, Any]:
    return {
        "keep": cluster.keep,
        "mode": cluster.mode,
        "members": [member.__dict__ for member in cluster.members],
    }


@app.command("delete-duplicates")
@guarded
def delete_duplicates(
    ctx: typer.Context,
    project: ProjectOption,
    target: TargetOption = "qa",
    yes: Annotated[bool, typer.Option("--yes", help="Really delete them.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete every member the last `quality dedup` marked (the kept ones stay)."""
    if not yes:
        _clusters, marked = quality.count_duplicates(state(ctx).app(), project, target)
        raise InputError(
            f"this deletes {counted(marked, 'marked duplicate')} for good; add --yes to go ahead"
        )
    count = quality.delete_duplicates(state(ctx).app(), project, target)
    if as_json:
        print_json({"deleted": count})
    else:
        console.print(f"deleted {counted(count, 'duplicate')}")


@app.command("pii")
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
    _choice("--action", action, PII_ACTIONS)
    summary = _run(ctx, project, "pii", action=action, qa_ids=qa)
    _flag_outcome(ctx, project, "pii", summary, as_json=as_json, nothing=" (no QA pairs)")


@app.command("refs")
@guarded
def refs(
    ctx: typer.Context, project: ProjectOption, qa: QaIdsOption = None, as_json: JsonOption = False
) -> None:
    """Find answers that talk about "the text" or "the document" instead of answering."""
    summary = _run(ctx, project, "refs", qa_ids=qa)
    _flag_outcome(ctx, project, "refs", summary, as_json=as_json, nothing=" (no QA pairs)")


@app.command("hygiene")
@guarded
def hygiene(
    ctx: typer.Context, project: ProjectOption, qa: QaIdsOption = None, as_json: JsonOption = False
) -> None:
    """Repair stray quotes and commas, leaked tags, HTML wrappers and doubled spaces; flag
    instructions posing as questions, texts that ask nothing and empty answers."""
    summary = _run(ctx, project, "hygiene", qa_ids=qa)
    _flag_outcome(ctx, project, "hygiene", summary, as_json=as_json, nothing=" (no QA pairs)")


def _add_benchmark(ctx: typer.Context, project: str, file: Path) -> quality.BenchmarkView:
    """Store a benchmark file with the project (one of the same name is replaced)."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
    return quality.add_benchmark(state(ctx).app(), project, file.name, data)


@app.command("contamination")
@guarded
def contamination(
    ctx: typer.Context,
    project: ProjectOption,
    benchmark: Annotated[
        list[Path] | None,
        typer.Option(
            "--benchmark",
            help="A benchmark file (.jsonl, .json, .csv, .txt) to add first (repeatable).",
        ),
    ] = None,
    n: Annotated[
        int | None,
        typer.Option("--n", help="Words in a shared n-gram (3–50).", show_default="13"),
    ] = None,
    qa: QaIdsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find questions and answers sharing n-grams with the project's benchmark files."""
    if n is not None and not 3 <= n <= 50:
        raise InputError(f"--n runs from 3 to 50, not {n}")
    for file in benchmark or []:
        view = _add_benchmark(ctx, project, file)
        if not as_json:
            console.print(
                f"benchmark {escape(view.name)}: {counted(view.items, 'item')} ({view.id})"
            )
    summary = _run(ctx, project, "contamination", n=n, qa_ids=qa)
    _flag_outcome(ctx, project, "contamination", summary, as_json=as_json, nothing=" (no QA pairs)")


@benchmarks_app.command("list")
@guarded
def benchmarks_list(
    ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """List the project's benchmark files."""
    found = quality.list_benchmarks(state(ctx).app(), project)
    if as_json:
        print_json([view.__dict__ for view in found])
        return
    if not found:
        console.print("no benchmark files; `easy-dataset quality benchmarks add FILE` adds one")
        return
    table = Table("id", "name", "items")
    for view in found:
        table.add_row(view.id, escape(view.name), str(view.items))
    console.print(table)


@benchmarks_app.command("add")
@guarded
def benchmarks_add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .jsonl, .json, .csv or .txt file.")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Add a benchmark file (one of the same name is replaced)."""
    view = _add_benchmark(ctx, project, file)
    if as_json:
        print_json(view.__dict__)
    else:
        console.print(
            f"added benchmark {escape(view.name)}: {counted(view.items, 'item')} ({view.id})"
        )


@benchmarks_app.command("remove")
@guarded
def benchmarks_remove(
    ctx: typer.Context,
    benchmark_id: Annotated[str, typer.Argument(help="Benchmark id (see `benchmarks list`).")],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Remove a benchmark file from the project."""
    quality.delete_benchmark(state(ctx).app(), project, benchmark_id)
    if as_json:
        print_json({"removed": benchmark_id})
    else:
        console.print(f"removed benchmark {escape(benchmark_id)}")


@app.command("sample")
@guarded
def sample(
    ctx: typer.Context,
    project: ProjectOption,
    fraction: Annotated[
        float | None,
        typer.Option(
            "--fraction", help="Share of QA pairs to review, above 0 to 1.", show_default="0.05"
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Draw the same sample again.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Draw a random sample of QA pairs for review (it replaces the previous one)."""
    summary = _run(ctx, project, "sample", fraction=fraction, seed=seed)
    app_ = state(ctx).app()
    status = quality.sample_status(app_, project)
    ids = [pair.id for pair in generation.list_qa(app_, project, sampled=True, limit=SHOWN_IDS)]
    lines = []
    if summary.status == "succeeded":
        more = "…" if status.size > len(ids) else ""
        lines.append(f"sampled {status.size} of {status.population} QA pairs for review")
        if ids:
            lines.append(f"ids: {', '.join(map(str, ids))}{more}")
            lines.append(
                "`easy-dataset quality review QA_ID ok|error` records a verdict; "
                "`qa list --sampled` lists them"
            )
    _outcome(ctx, "sample", summary, as_json=as_json, extra={"size": status.size}, lines=lines)


@app.command("review")
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


@app.command("sample-status")
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


def _summary(result: ResultView) -> str:
    """One line saying what a check found, from its stored detail."""
    detail = result.detail
    if detail.get("applicable") is False:
        return "not applicable: answered without a source chunk"
    if result.kind == "judge":
        return str(detail.get("verdict", ""))
    if result.kind == "grounding":
        unsupported = detail.get("unsupported") or []
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
    text = json.dumps(detail, ensure_ascii=False)
    return text if len(text) <= 100 else text[:99] + "…"


def _flag(result: ResultView) -> str:
    if result.kind == "sample":
        return {None: "not reviewed", True: "error", False: "ok"}[result.flagged]
    return {None: "", True: "flagged", False: "ok"}[result.flagged]


@app.command("results")
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


# Settings: nested groups are set one field at a time (targets.consistency=0.9).
NESTED: dict[str, tuple[str, ...]] = {
    "targets": tuple(QualityTargets.model_fields),
    "judge_weights": tuple(DEFAULT_JUDGE_WEIGHTS),
}


def _setting_keys() -> list[str]:
    keys: list[str] = []
    for name in QualitySettings.model_fields:
        if name in NESTED:
            keys.extend(f"{name}.{inner}" for inner in NESTED[name])
        else:
            keys.append(name)
    return keys


def _flat(settings: QualitySettings) -> dict[str, Any]:
    values = settings.model_dump(mode="json")
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat.update({f"{name}.{inner}": item for inner, item in value.items()})
        else:
            flat[name] = value
    return flat


def _changes(pairs: list[str]) -> dict[str, Any]:
    """`key=value` arguments as partial settings; an empty value restores the default."""
    defaults = _flat(QualitySettings())
    changes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key, value = key.strip(), raw.strip()
        if not sep or not key:
            raise InputError(
                f"settings are set as KEY=VALUE (like targets.consistency=0.9), not {pair!r}"
            )
        if key not in defaults:
            raise InputError(
                f"no quality setting {key!r}; the settings are: {', '.join(_setting_keys())}"
            )
        head, _, inner = key.partition(".")
        parsed: Any = value if value else defaults[key]
        if head == "judge_weights" and value:
            try:
                parsed = float(value)
            except ValueError:
                parsed = math.nan
            if not math.isfinite(parsed):
                raise InputError(f"{key}: a judge weight is a number, not {value!r}")
        if inner:
            changes.setdefault(head, {})[inner] = parsed
        else:
            changes[key] = parsed
    return changes


def _settings_table(settings: QualitySettings, only: Sequence[str] | None = None) -> None:
    table = Table("setting", "value")
    for key, value in _flat(settings).items():
        if only is None or key in only:
            shown = "(default)" if value is None else str(value)
            table.add_row(key, escape(shown))
    console.print(table)


@settings_app.command("show")
@guarded
def settings_show(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """Show the project's quality settings and report targets."""
    settings = quality.get_quality_settings(state(ctx).app(), project)
    if as_json:
        print_json(settings)
    else:
        _settings_table(settings)


@settings_app.command("set")
@guarded
def settings_set(
    ctx: typer.Context,
    pairs: Annotated[
        list[str],
        typer.Argument(
            help="KEY=VALUE, like targets.consistency=0.9 or judge_weights.accuracy=3 "
            "(an empty VALUE restores the default).",
            show_default=False,
        ),
    ],
    project: ProjectOption,
    as_json: JsonOption = False,
) -> None:
    """Change quality settings (all or none); keys as `quality settings show` lists them."""
    changes = _changes(pairs)
    settings = quality.update_quality_settings(state(ctx).app(), project, **changes)
    if as_json:
        print_json(settings)
    else:
        _settings_table(settings, only=[pair.partition("=")[0].strip() for pair in pairs])
