"""The evaluation runs screen (`/projects/{id}/evaluations`): every run with its overall mean
and 95 % interval, runs of one set ticked and compared (a table of all / kinds / tags and a
bar chart per kind with error bars), and one run's items with the model's responses.
Starting a run is the `eval.run` stage, from the Jobs screen's form like every other.

Model text is shown as plain text; the chart is ECharts drawn as SVG with plain-text
tooltips (as on the usage screen)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from nicegui import ui

from easy_dataset.evaluate.kinds import EVAL_KINDS
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import guarded, off_loop, when
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.services.app import App
from easy_dataset.services.evaluation import results
from easy_dataset.services.evaluation.results import (
    Comparison,
    ComparisonRow,
    Figure,
    ResultView,
    RunReport,
    RunView,
)
from easy_dataset.services.views import ProjectView

PAGE = 200  # items shown; narrow by kind or to wrong items to see others
RUN_COLUMNS = ("run", "set", "model", "judge", "scored", "overall", "status", "created")

# One custom series per run: a bar to the mean and a capped line across the 95 % interval,
# laid out side by side within each kind's band (bar and whisker in one series stay aligned,
# which a bar series plus a separate error series would not for several runs).
RENDER_ITEM = """(params, api) => {
  const runs = %d;
  const band = api.size([1, 0])[0];
  const width = band * 0.7 / runs;
  const start = api.coord([api.value(0), 0])[0] - band * 0.35;
  const centre = start + width * (params.seriesIndex + 0.5);
  const base = api.coord([api.value(0), 0])[1];
  const top = api.coord([api.value(0), api.value(1)])[1];
  const low = api.coord([api.value(0), api.value(2)])[1];
  const high = api.coord([api.value(0), api.value(3)])[1];
  const cap = width / 5;
  const line = {stroke: '#333', lineWidth: 1.5};
  return {type: 'group', children: [
    {type: 'rect', style: {fill: api.visual('color')},
     shape: {x: centre - width * 0.45, y: top, width: width * 0.9, height: base - top}},
    {type: 'line', shape: {x1: centre, y1: low, x2: centre, y2: high}, style: line},
    {type: 'line', shape: {x1: centre - cap, y1: low, x2: centre + cap, y2: low}, style: line},
    {type: 'line', shape: {x1: centre - cap, y1: high, x2: centre + cap, y2: high}, style: line},
  ]};
}"""


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def cell(found: Figure) -> str:
    """ "75.0 [30.1, 95.4] n=4": the mean in per cent, its 95 % interval, the count."""
    if found.mean is None:
        return f"– n={found.n}"
    return f"{percent(found.mean)} [{percent(found.low)}, {percent(found.high)}] n={found.n}"


def kind_label(kind: str) -> str:
    return t(f"evalsets.kind.{kind}") if kind in EVAL_KINDS else kind


def row_label(row: ComparisonRow) -> str:
    if row.group == "all":
        return t("evaluations.row.all")
    if row.group == "kind":
        return kind_label(row.name)
    return t("evaluations.row.tag", tag=row.name or t("evaluations.untagged"))


def heading(run: RunView) -> str:
    return f"{run.model} (run {run.id})"


def chart_options(found: Comparison) -> dict[str, Any]:
    """Per kind, one bar per run to its mean (per cent) with its 95 % interval."""
    kinds = [row for row in found.rows if row.group == "kind"]
    series = []
    for index, run in enumerate(found.runs):
        data = [
            [position, *(100 * (value or 0.0) for value in (figure.mean, figure.low, figure.high))]
            for position, row in enumerate(kinds)
            if (figure := row.figures[index]).mean is not None
        ]
        series.append(
            {
                "type": "custom",
                "name": heading(run),
                "data": data,
                "dimensions": [
                    t("evaluations.kind"),
                    t("evaluations.mean"),
                    t("evaluations.low"),
                    t("evaluations.high"),
                ],
                "encode": {"x": 0, "y": 1, "tooltip": [1, 2, 3]},
                ":renderItem": RENDER_ITEM % len(found.runs),
            }
        )
    return {
        "animation": False,
        "tooltip": {"trigger": "item", "renderMode": "richText"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 20, "top": 40, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "category", "data": [kind_label(row.name) for row in kinds]},
        "yAxis": {"type": "value", "min": 0, "max": 100, "name": "%"},
        "series": series,
    }


def overview(app: App, project_id: int) -> list[RunReport]:
    """Every run of the project with its figures (the overall one is shown in the list)."""
    return [
        results.run_report(app, project_id, run.id) for run in results.list_runs(app, project_id)
    ]


class EvaluationsScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.runs: dict[int, RunView] = {}
        self.picked: list[int] = []
        self.kind: str | None = None
        self.wrong_only = False
        self.compares = 0  # requests made, so that only the latest one draws
        self.listings = 0

    def build(self) -> None:
        ui.label(t("evaluations.title")).classes("text-2xl")
        with ui.row().classes("items-center gap-2"):
            ui.label(t("evaluations.start_hint")).classes("text-sm text-gray-600")
            ui.link(t("evaluations.to_jobs"), project_path(self.project.id, "jobs")).props(
                "data-testid=evaluations-to-jobs"
            )
        with ui.card().classes("w-full"):
            with ui.row().classes("w-full items-center"):
                ui.label(t("evaluations.runs")).classes("text-lg")
                ui.space()
                ui.button(
                    t("evaluations.refresh"), icon="refresh", on_click=guarded(self.reload)
                ).props("flat data-testid=evaluations-refresh")
            self.list = ui.column().classes("w-full gap-1").props("data-testid=evaluations-runs")
        with ui.card().classes("w-full"):
            ui.label(t("evaluations.compare")).classes("text-lg")
            self.comparison = ui.column().classes("w-full gap-2")
        with ui.card().classes("w-full"):
            ui.label(t("evaluations.items")).classes("text-lg")
            with ui.row().classes("w-full items-end gap-4"):
                self.chooser = (
                    ui.select({}, label=t("evaluations.run"), on_change=guarded(self._items))
                    .classes("min-w-[18rem]")
                    .props("data-testid=evaluations-run")
                )
                kinds = {"": t("evaluations.all_kinds")} | {
                    kind: kind_label(kind) for kind in EVAL_KINDS
                }
                ui.select(
                    kinds, value="", label=t("evaluations.kind"), on_change=guarded(self._kind)
                ).classes("min-w-[12rem]").props("data-testid=evaluations-kind")
                ui.checkbox(t("evaluations.wrong_only"), on_change=guarded(self._wrong)).props(
                    "data-testid=evaluations-wrong"
                )
            self.shown = ui.label().classes("text-sm").props("data-testid=evaluations-shown")
            self.items = ui.column().classes("w-full gap-2")
        ui.timer(0, self.reload, once=True)

    async def reload(self) -> None:
        reports = await off_loop(overview, self.ctx.core, self.project.id)
        self.runs = {report.run.id: report.run for report in reports}
        self.picked = [run_id for run_id in self.picked if run_id in self.runs]
        self._show_list(reports)
        self.chooser.options = {
            run.id: t("evaluations.run_label", model=run.model, set=run.set_name, id=run.id)
            for run in self.runs.values()
        }
        self.chooser.update()
        await self._compare()
        if self.chooser.value in self.runs:
            await self._items()
        else:
            self.chooser.set_value(max(self.runs, default=None))  # the latest; shows its items

    def _show_list(self, reports: list[RunReport]) -> None:
        self.list.clear()
        with self.list:
            if not reports:
                ui.label(t("evaluations.no_runs")).props("data-testid=evaluations-no-runs")
                return
            grid = ui.grid().classes("w-full gap-x-4 gap-y-1 text-sm items-center")
            with grid.style(f"grid-template-columns: repeat({len(RUN_COLUMNS) + 1}, auto)"):
                ui.label(t("evaluations.col.pick")).classes("font-medium")
                for key in RUN_COLUMNS:
                    ui.label(t(f"evaluations.col.{key}")).classes("font-medium")
                for report in reports:
                    self._run_row(report)

    def _run_row(self, report: RunReport) -> None:
        run = report.run
        ui.checkbox(
            value=run.id in self.picked,
            on_change=guarded(lambda e, i=run.id: self._pick(i, bool(e.value))),
        ).props(f"dense data-testid=evaluations-pick-{run.id}")
        cells = (
            str(run.id),
            run.set_name,
            run.model,
            run.judge_model or "–",
            t("evaluations.scored", scored=run.scored, total=run.total or run.scored),
            cell(report.overall),
            t(f"jobs.status.{run.status}") if run.status else "–",
            when(run.created_at),
        )
        for key, text in zip(RUN_COLUMNS, cells, strict=True):
            ui.label(text).props(f"data-testid=evaluations-{key}-{run.id}")

    async def _pick(self, run_id: int, on: bool) -> None:
        if on and run_id not in self.picked:
            self.picked.append(run_id)
        elif not on and run_id in self.picked:
            self.picked.remove(run_id)
        await self._compare()

    async def _compare(self) -> None:
        # Ticks come faster than comparisons: only the latest request draws (no stale table).
        self.compares += 1
        mine = self.compares
        sets = sorted({self.runs[run_id].set_name for run_id in self.picked})
        found: Comparison | None = None
        if len(sets) == 1:
            found = await off_loop(
                results.compare_runs, self.ctx.core, self.project.id, list(self.picked)
            )
        if mine != self.compares:
            return
        self.comparison.clear()
        if found is None:
            message = (
                t("evaluations.mixed_sets", sets=", ".join(sets))
                if sets
                else t("evaluations.pick_hint")
            )
            with self.comparison:
                ui.label(message).classes("text-sm text-gray-600").props(
                    "data-testid=evaluations-compare-note"
                )
            return
        with self.comparison:
            ui.label(t("evaluations.compare_title", set=found.set_name)).classes("font-medium")
            columns = [{"name": "row", "label": t("evaluations.col.row"), "field": "row"}] + [
                {"name": f"r{run.id}", "label": heading(run), "field": f"r{run.id}"}
                for run in found.runs
            ]
            for column in columns:
                column["align"] = "left"
            rows = [
                {"key": f"{row.group}:{row.name}", "row": row_label(row)}
                | {
                    f"r{run.id}": cell(figure)
                    for run, figure in zip(found.runs, row.figures, strict=True)
                }
                for row in found.rows
            ]
            ui.table(columns=columns, rows=rows, row_key="key").classes("w-full").props(
                "flat bordered dense data-testid=evaluations-compare"
            )
            ui.label(t("evaluations.chart")).classes("font-medium")
            ui.echart(chart_options(found), renderer="svg").classes("w-full h-80").props(
                "data-testid=evaluations-chart"
            )

    async def _kind(self, event: Any) -> None:
        self.kind = event.value or None
        await self._items()

    async def _wrong(self, event: Any) -> None:
        self.wrong_only = bool(event.value)
        await self._items()

    async def _items(self, *_: Any) -> None:
        self.listings += 1
        mine = self.listings
        run_id = self.chooser.value
        found: list[ResultView] = []
        if run_id in self.runs:
            found = await off_loop(
                results.run_results, self.ctx.core, self.project.id, int(run_id),
                kind=self.kind, wrong_only=self.wrong_only,
            )  # fmt: skip
        if mine != self.listings:
            return
        self.items.clear()
        if run_id not in self.runs:
            self.shown.set_text("")
        elif not found:
            self.shown.set_text(t("evaluations.no_items"))
        else:
            shown = min(len(found), PAGE)
            self.shown.set_text(t("evaluations.shown", shown=shown, total=len(found)))
        with self.items:
            for result in found[:PAGE]:
                self._result_card(result)

    def _result_card(self, result: ResultView) -> None:
        card = ui.card().classes("w-full").props(f"data-testid=evaluations-item-{result.item_id}")
        with card, ui.row().classes("w-full items-center gap-2"):
            ui.badge(kind_label(result.kind))
            if result.tag_path:
                ui.label(" / ".join(result.tag_path)).classes("text-xs text-gray-500")
            ui.space()
            if result.score is None:
                score = t("evaluations.unscored", method=result.method)
            else:
                score = t("evaluations.score", score=f"{result.score:.2f}", method=result.method)
            colour = "positive" if result.score == 1 else "negative"
            ui.badge(score, color=colour).props(f"data-testid=evaluations-score-{result.item_id}")
        with card:
            ui.label(result.question).classes("whitespace-pre-wrap")
            if result.options:
                with ui.column().classes("gap-0"):
                    for letter, option in zip("ABCDEFGHIJ", result.options, strict=False):
                        ui.label(f"{letter}. {option}").classes("text-sm")
            ui.label(t("evaluations.reference", answer=result.reference)).classes("font-medium")
            ui.label(t("evaluations.response")).classes("text-sm text-gray-500")
            ui.label(result.response).classes("whitespace-pre-wrap").props(
                f"data-testid=evaluations-response-{result.item_id}"
            )


def register() -> None:
    @ui.page("/projects/{project_id}/evaluations")
    def evaluations_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "evaluations")
        if opened is None:
            return
        with content():
            EvaluationsScreen(*opened).build()
