"""The usage screen (`/projects/{id}/usage`): tokens and calls per day and per model for this
project, per project for all of them, and error rates by kind, over a chosen period. Calls
stopped by the user's cancelling a job are shown apart, never as errors, and the error
rate is over the calls that ran to an end. Charts
are ECharts drawn as SVG with plain-text tooltips, so model and project names stay text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import Request
from nicegui import ui

from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.services import App, projects, usage
from easy_dataset.services.usage import ErrorRate, UsageRow
from easy_dataset.services.views import ProjectView

PERIODS: dict[str, int | None] = {"week": 7, "month": 30, "quarter": 90, "all": None}
ERROR_COLUMNS = ("key", "calls", "errors", "rate", "kinds", "cancelled")


@dataclass
class Report:
    days: list[UsageRow]
    models: list[UsageRow]
    projects: list[UsageRow]
    errors: list[ErrorRate]
    overall: ErrorRate
    names: dict[int, str]


def since_for(period: str, today: date) -> datetime | None:
    """The start (naive UTC, as the log stores times) of the period's days, today included."""
    days = PERIODS[period]
    if days is None:
        return None
    start = today - timedelta(days=days - 1)
    return datetime(start.year, start.month, start.day)


def gather(app: App, project_id: int, since: datetime | None) -> Report:
    return Report(
        days=usage.usage_totals(app, project_ref=project_id, group_by="day", since=since),
        models=usage.usage_totals(app, project_ref=project_id, group_by="model", since=since),
        projects=usage.usage_totals(app, group_by="project", since=since),
        errors=usage.error_rates(app, project_ref=project_id, group_by="model", since=since),
        overall=usage.error_rates(app, project_ref=project_id, group_by=None, since=since)[0],
        names={view.id: view.name for view in projects.list_projects(app)},
    )


def _idle(key: str) -> UsageRow:
    return UsageRow(
        key=key,
        calls=0,
        errors=0,
        cancelled=0,
        cached=0,
        prompt_tokens=0,
        completion_tokens=0,
        mean_latency_ms=0.0,
    )


def every_day(rows: list[UsageRow], first: date | None, last: date) -> list[UsageRow]:
    """One row per day from `first` (or the first logged day) to `last`; zeros where idle."""
    by_day = {row.key[:10]: row for row in rows}
    if first is None:
        if not by_day:
            return []
        first = min(date.fromisoformat(key) for key in by_day)
    filled: list[UsageRow] = []
    day = first
    while day <= last:
        key = day.isoformat()
        filled.append(by_day.get(key) or _idle(key))
        day += timedelta(days=1)
    return filled


def chart_options(labels: list[str], rows: list[UsageRow]) -> dict[str, Any]:
    """Prompt and completion tokens as stacked bars, calls as a line on a second axis."""
    return {
        "animation": False,
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 0},
        "grid": {"left": 60, "right": 60, "top": 40, "bottom": 60, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 30}},
        "yAxis": [
            {"type": "value", "name": t("usage.tokens")},
            {"type": "value", "name": t("usage.calls"), "minInterval": 1},
        ],
        "series": [
            {
                "name": t("usage.prompt_tokens"),
                "type": "bar",
                "stack": "tokens",
                "data": [row.prompt_tokens for row in rows],
            },
            {
                "name": t("usage.completion_tokens"),
                "type": "bar",
                "stack": "tokens",
                "data": [row.completion_tokens for row in rows],
            },
            {
                "name": t("usage.calls"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [row.calls for row in rows],
            },
        ],
    }


def project_label(key: str, names: dict[int, str]) -> str:
    try:
        project_id = int(key)
    except ValueError:
        return t("usage.no_project")
    return names.get(project_id, t("usage.deleted_project", id=project_id))


def error_row(rate: ErrorRate) -> dict[str, Any]:
    kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(rate.kinds.items()))
    return {
        "key": rate.key,
        "calls": rate.calls,
        "errors": rate.errors,
        "rate": f"{rate.error_rate * 100:.1f}%",
        "kinds": kinds or "—",
        "cancelled": rate.cancelled,
    }


class UsageScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.period = "month"
        self.requests = 0
        self.charts: dict[str, ui.echart] = {}

    def build(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            ui.label(t("usage.title")).classes("text-2xl")
            ui.space()
            ui.select(
                {period: t(f"usage.period.{period}") for period in PERIODS},
                value=self.period,
                label=t("usage.period"),
                on_change=lambda e: self._period(str(e.value)),
            ).classes("min-w-[10rem]").props("data-testid=usage-period")
        self.summary = ui.label().classes("font-medium").props("data-testid=usage-summary")
        for key in ("days", "models", "projects"):
            ui.label(t(f"usage.chart.{key}")).classes("text-lg")
            chart = ui.echart(chart_options([], []), renderer="svg").classes("w-full h-72")
            self.charts[key] = chart.props(f"data-testid=usage-{key}")
        ui.label(t("usage.errors")).classes("text-lg")
        columns = [
            {"name": key, "label": t(f"usage.col.{key}"), "field": key, "align": "left"}
            for key in ERROR_COLUMNS
        ]
        self.table = ui.table(columns=columns, rows=[], row_key="key").classes("w-full")
        self.table.props("flat bordered dense data-testid=usage-errors")
        ui.timer(0, self.reload, once=True)

    async def _period(self, period: str) -> None:
        self.period = period
        await self.reload()

    async def reload(self) -> None:
        self.requests += 1
        mine = self.requests
        today = datetime.now(UTC).date()
        since = since_for(self.period, today)
        report = await off_loop(gather, self.ctx.core, self.project.id, since)
        if mine == self.requests:
            self._show(report, None if since is None else since.date(), today)

    def _show(self, report: Report, first: date | None, today: date) -> None:
        days = every_day(report.days, first, today)
        self._draw("days", [row.key for row in days], days)
        self._draw("models", [row.key for row in report.models], report.models)
        labels = [project_label(row.key, report.names) for row in report.projects]
        self._draw("projects", labels, report.projects)
        prompt = sum(row.prompt_tokens for row in report.models)
        completion = sum(row.completion_tokens for row in report.models)
        overall = report.overall
        self.summary.set_text(
            t(
                "usage.summary_cancelled",
                cancelled=overall.cancelled,
                calls=overall.calls,
                tokens=prompt + completion,
                prompt=prompt,
                completion=completion,
                errors=overall.errors,
                rate=f"{overall.error_rate * 100:.1f}",
            )
        )
        self.table.rows = [error_row(rate) for rate in report.errors]
        self.table.update()

    def _draw(self, key: str, labels: list[str], rows: list[UsageRow]) -> None:
        chart = self.charts[key]
        chart.options.clear()
        chart.options.update(chart_options(labels, rows))
        chart.update()


def register() -> None:
    @ui.page("/projects/{project_id}/usage")
    def usage_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "usage")
        if opened is None:
            return
        with content():
            UsageScreen(*opened).build()
