"""The "Report" tab of the quality screen: every figure of the dataset report against its
target (pass in green, fail in red, grey while its check has not run), the targets edited
in place (saved to the project's quality settings, then the report is computed again),
charts of the counts, the judge's and reviewers' scores and the checks' flags, the
diversity numbers and the sampled error rate with its 95% interval.

Charts are ECharts drawn as SVG with plain-text tooltips (as on the usage screen), so tag
and file names stay text."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from easy_dataset.generate.refine import OUTCOMES
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import STRINGS, t
from easy_dataset.server.ui.quality_panel import estimate_text, kind_label
from easy_dataset.services import quality
from easy_dataset.services.quality import Figure, Report
from easy_dataset.services.views import ProjectView

# Shares shown (and their targets typed) as percentages.
PERCENT = frozenset(
    {"domain_term_ratio", "duplicate_rate", "sampled_error_rate", "verified_citations"}
)
CHARTS = ("tags", "files", "scores", "checks")
MAX_BARS = 30  # the largest groups; the rest summed as "others"
STATUS_COLOURS = {True: "positive", False: "negative", None: "grey"}
# The report's names for rows without a group.
NO_GROUP = {
    quality.UNTAGGED: "quality.by.untagged",
    quality.NO_SOURCE: "quality.by.no_source",
    quality.NO_PERSONA: "quality.by.no_persona",
    quality.QUESTION_DELETED: "quality.by.question_deleted",
}


def figure_label(name: str) -> str:
    key = f"quality.fig.{name}"
    return t(key) if key in STRINGS else name


def group_label(group: str) -> str:
    return t(NO_GROUP[group]) if group in NO_GROUP else group


def shown_value(name: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if name in PERCENT else f"{value:.3f}"


def status_text(passed: bool | None) -> str:
    return t({True: "quality.pass", False: "quality.fail", None: "quality.not_run"}[passed])


def figure_note(figure: Figure, report: Report) -> str:
    """What the figure is based on, in the page's language."""
    basis = figure.basis
    if figure.name == "sampled_error_rate":
        return estimate_text(report.sample)
    if figure.name == "verified_citations":
        if figure.value is None:
            return t("quality.note.no_citations")
        return t(
            "quality.note.citations",
            verified=basis["verified"],
            quotes=basis["quotes"],
            unverified=basis["unverified_samples"],
            samples=basis["samples"],
        )
    if figure.value is None:
        if figure.check is None:
            return ""
        return t("quality.note.run", check=t(f"quality.check.{figure.check}"))
    if figure.name == "semantic_consistency":
        return t("quality.note.checked", count=basis["checked"], below=basis["below"])
    if figure.name == "duplicate_rate":
        return t("quality.note.marked", marked=basis["marked"], total=basis["total"])
    if figure.name == "domain_term_ratio":
        return t("quality.note.terms", terms=", ".join(figure.terms))
    return t("quality.note.questions", count=basis.get("questions", 0))


def _top(counts: dict[str, int]) -> dict[str, int]:
    if len(counts) <= MAX_BARS:
        return counts
    ordered = sorted(counts.items(), key=lambda item: -item[1])
    top = dict(ordered[: MAX_BARS - 1])
    top[t("quality.chart.others")] = sum(count for _, count in ordered[MAX_BARS - 1 :])
    return top


def bar_options(labels: list[str], series: list[tuple[str, list[int]]]) -> dict[str, Any]:
    return {
        "animation": False,
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 20, "top": 40, "bottom": 20, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": labels,
            "axisLabel": {"rotate": 30, "width": 140, "overflow": "truncate"},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": name, "type": "bar", "data": data} for name, data in series],
    }


def chart_data(key: str, report: Report) -> tuple[list[str], list[tuple[str, list[int]]]]:
    if key in ("tags", "files"):
        counts = _top(report.by_tag if key == "tags" else report.by_file)
        return [group_label(group) for group in counts], [
            (t("quality.chart.pairs"), list(counts.values()))
        ]
    if key == "scores":
        labels = list(report.judge_scores)
        return labels, [
            (t("quality.chart.judge"), list(report.judge_scores.values())),
            (t("quality.chart.reviewer"), [report.reviewer_scores.get(k, 0) for k in labels]),
        ]
    kinds = list(report.checks)
    return [kind_label(kind) for kind in kinds], [
        (t("quality.chart.results"), [report.checks[k]["results"] for k in kinds]),
        (t("quality.chart.flagged"), [report.checks[k]["flagged"] for k in kinds]),
        (t("quality.chart.na"), [report.checks[k].get("not_applicable", 0) for k in kinds]),
    ]


class FigureRow:
    """One figure: its value, the target (an input), pass/fail and what it is based on."""

    def __init__(self, section: ReportSection, figure: Figure) -> None:
        self.name = figure.name
        percent = figure.name in PERCENT
        with (
            ui.row()
            .classes("w-full items-center gap-3 no-wrap")
            .props(f"data-testid=quality-fig-{figure.name}")
        ):
            ui.label(figure_label(figure.name)).classes("w-56 font-medium")
            self.value = ui.label().classes("w-20 text-right font-mono")
            self.value.props(f"data-testid=quality-fig-{figure.name}-value")
            ui.label("≥" if figure.direction == "min" else "≤").classes("w-4 text-center")
            target = figure.target * 100 if percent else figure.target
            self.target = ui.number(
                value=round(target, 4),
                min=0,
                max=100 if percent else None,
                step=0.5 if percent else 0.05,
                suffix="%" if percent else None,
            )
            self.target.classes("w-28").props(
                f"dense outlined debounce=600 data-testid=quality-target-{figure.name}"
            )
            self.target.on_value_change(guarded(lambda e: section.save_target(figure, e.value)))
            self.status = ui.badge().classes("min-w-[4rem] justify-center")
            self.status.props(f"data-testid=quality-fig-{figure.name}-status")
            self.note = ui.label().classes("text-sm text-gray-600 flex-1")
            self.note.props(f"data-testid=quality-fig-{figure.name}-note")

    def show(self, figure: Figure, report: Report) -> None:
        self.value.set_text(shown_value(figure.name, figure.value))
        colour = STATUS_COLOURS[figure.passed]
        self.value.classes(replace=f"w-20 text-right font-mono text-{colour}")
        self.status.set_text(status_text(figure.passed))
        self.status.props(f"color={colour}")
        self.note.set_text(figure_note(figure, report))


class ReportSection:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.requests = 0
        self.rows: dict[str, FigureRow] = {}
        self.charts: dict[str, ui.echart] = {}

    def build(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            self.summary = ui.label(t("quality.report.computing")).classes("font-medium")
            self.summary.props("data-testid=quality-summary")
            ui.space()
            refresh = ui.button(
                t("quality.report.refresh"), icon="refresh", on_click=guarded(self.reload)
            )
            refresh.props("flat data-testid=quality-report-refresh")
        with ui.card().classes("w-full gap-2"):
            ui.label(t("quality.report.figures")).classes("text-lg")
            ui.label(t("quality.report.targets_help")).classes("text-sm text-gray-600")
            self.figures = ui.column().classes("w-full gap-1").props("data-testid=quality-figures")
        with ui.card().classes("w-full gap-1"):
            ui.label(t("quality.report.sample")).classes("text-lg")
            self.sample = ui.label().props("data-testid=quality-report-sample")
        with ui.card().classes("w-full gap-1"):
            ui.label(t("quality.refine.title")).classes("text-lg")
            self.refine = ui.column().classes("w-full gap-1").props("data-testid=quality-refine")
        with ui.card().classes("w-full gap-1"):
            ui.label(t("quality.agree.title")).classes("text-lg")
            self.agreement = ui.column().classes("w-full gap-1")
            self.agreement.props("data-testid=quality-agreement")
        with ui.card().classes("w-full gap-1"):
            ui.label(t("quality.report.diversity")).classes("text-lg")
            self.diversity = ui.row().classes("w-full gap-6").props("data-testid=quality-diversity")
        with ui.element("div").classes("w-full grid gap-4 md:grid-cols-2"):
            for key in CHARTS:
                with ui.card().classes("w-full"):
                    ui.label(t(f"quality.chart.{key}")).classes("text-lg")
                    chart = ui.echart(bar_options([], []), renderer="svg").classes("w-full h-72")
                    self.charts[key] = chart.props(f"data-testid=quality-chart-{key}")
        with ui.element("div").classes("w-full grid gap-4 md:grid-cols-2"):
            self.breakdowns = {key: self._breakdown_table(key) for key in ("persona", "type")}

    def _show_refine(self, report: Report) -> None:
        """How many answers the self-correction loop improved, left, or could not improve."""
        figures = report.refine
        self.refine.clear()
        with self.refine:
            if not figures.judged:
                ui.label(t("quality.refine.none")).classes("text-sm text-gray-600")
                return
            ui.label(
                t("quality.refine.summary", judged=figures.judged, rewritten=figures.rewritten)
            ).classes("text-sm")
            cells: list[tuple[str, str]] = [(n, str(getattr(figures, n))) for n in OUTCOMES]
            for name, mean in (("before", figures.mean_before), ("after", figures.mean_after)):
                cells.append((name, "—" if mean is None else f"{mean:.2f}"))
            with ui.row().classes("w-full gap-6"):
                for name, value in cells:
                    with ui.column().classes("gap-0").props(f"data-testid=quality-refine-{name}"):
                        ui.label(t(f"quality.refine.{name}")).classes("text-sm text-gray-600")
                        ui.label(value).classes("text-lg font-mono")

    def _show_agreement(self, report: Report) -> None:
        """Spearman of the scores and kappa on pass / fail, with what kappa advises."""
        figures = report.judge_agreement
        scores, table = figures.scores, figures.pass_fail
        self.agreement.clear()
        with self.agreement:
            if table.kappa is None and scores.rho is None:
                missing = table.missing or scores.missing or "too_few"
                ui.label(t(f"quality.agree.{missing}")).classes("text-sm text-gray-600")
                return
            if scores.rho is not None:
                ui.label(t("quality.agree.spearman", rho=f"{scores.rho:.3f}", n=scores.n))
            if table.kappa is not None and table.band is not None:
                ui.label(
                    t(
                        "quality.agree.kappa",
                        kappa=f"{table.kappa:.3f}",
                        band=t(f"quality.agree.band.{table.band}"),
                        n=table.n,
                        observed=f"{(table.observed or 0) * 100:.1f}",
                        expected=f"{(table.expected or 0) * 100:.1f}",
                    )
                ).props("data-testid=quality-agreement-kappa")
                ui.label(
                    t(
                        "quality.agree.table",
                        both_pass=table.both_pass,
                        judge_only=table.judge_only,
                        reviewer_only=table.reviewer_only,
                        both_fail=table.both_fail,
                    )
                ).classes("text-sm")
                ui.label(t(f"quality.agree.advice.{table.advice}")).classes("font-medium")
            ui.label(
                t(
                    "quality.agree.basis",
                    judge=f"{figures.judge_pass:g}",
                    reviewer=f"{figures.reviewer_pass:g}",
                )
            ).classes("text-sm text-gray-600")

    def _breakdown_table(self, key: str) -> ui.table:
        with ui.card().classes("w-full"):
            ui.label(t(f"quality.by.{key}")).classes("text-lg")
            columns = [
                {
                    "name": "group",
                    "label": t(f"quality.by.{key}"),
                    "field": "group",
                    "align": "left",
                },
                {"name": "count", "label": t("quality.chart.pairs"), "field": "count"},
            ]
            table = ui.table(columns=columns, rows=[], row_key="group", pagination=10)
            table.classes("w-full")
            return table.props(f"flat dense data-testid=quality-by-{key}")

    async def reload(self) -> None:
        self.requests += 1
        mine = self.requests
        report = await off_loop(quality.build_report, self.ctx.core, self.project.id)
        if mine == self.requests:
            self.show(report)

    async def save_target(self, figure: Figure, value: float | None) -> None:
        if value is None:
            return
        share = float(value) / 100 if figure.name in PERCENT else float(value)
        await off_loop(
            quality.update_quality_settings,
            self.ctx.core,
            self.project.id,
            targets={figure.target_key: share},
        )
        notify_ok(t("quality.target_saved"))
        await self.reload()

    def show(self, report: Report) -> None:
        self.summary.set_text(
            t(
                "quality.report.summary",
                pairs=report.qa_pairs,
                confirmed=report.confirmed,
                questions=report.questions,
            )
        )
        with self.figures:
            for figure in report.figures:
                if figure.name not in self.rows:
                    self.rows[figure.name] = FigureRow(self, figure)
                self.rows[figure.name].show(figure, report)
        self.sample.set_text(estimate_text(report.sample))
        self._show_refine(report)
        self._show_agreement(report)
        self.diversity.clear()
        with self.diversity:
            for key, value in report.diversity.items():
                with ui.column().classes("gap-0").props(f"data-testid=quality-div-{key}"):
                    ui.label(t(f"quality.div.{key}")).classes("text-sm text-gray-600")
                    ui.label(f"{value:.3f}").classes("text-lg font-mono")
        for key, chart in self.charts.items():
            labels, series = chart_data(key, report)
            chart.options.clear()
            chart.options.update(bar_options(labels, series))
            chart.update()
        for key, table in self.breakdowns.items():
            counts = report.by_persona if key == "persona" else report.by_type
            table.rows = [{"group": group_label(group), "count": n} for group, n in counts.items()]
            table.update()
