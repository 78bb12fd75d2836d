"""The quality screen (`/projects/{id}/quality`): run the data-quality checks, read the
dataset report against its targets, handle duplicates and review a random sample.

Four tabs, the open one kept in the address (`?tab=`): "Run checks" (`quality_checks`),
"Report" (`quality_report`), "Duplicates" and "Review sample" (`quality_review`). Every
check runs as a job on the server's job thread; when one ends the report, the duplicates
and the sample are read again. What the checks found for one QA pair shows on its detail
page (`quality_panel`), and the QA list filters on it."""

from __future__ import annotations

from fastapi import Request
from nicegui import ui

from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import guarded
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.server.ui.quality_checks import ChecksSection
from easy_dataset.server.ui.quality_report import ReportSection
from easy_dataset.server.ui.quality_review import DuplicatesSection, SampleSection
from easy_dataset.services.views import ProjectView

TABS = ("checks", "report", "duplicates", "sample")


class QualityScreen:
    def __init__(self, ctx: UiContext, project: ProjectView, tab: str) -> None:
        self.ctx = ctx
        self.project = project
        self.tab = tab if tab in TABS else "checks"
        self.report = ReportSection(ctx, project)
        self.duplicates = DuplicatesSection(ctx, project, self.report.reload)
        self.sample = SampleSection(ctx, project, self.report.reload)
        self.checks = ChecksSection(ctx, project, self.reload)
        self.loaded: set[str] = set()  # tabs whose data has been read

    def build(self) -> None:
        ui.label(t("quality.title")).classes("text-2xl")
        with ui.tabs().classes("w-full") as tabs:
            for key in TABS:
                ui.tab(key, label=t(f"quality.tab.{key}")).props(f"data-testid=quality-tab-{key}")
        with ui.tab_panels(tabs, value=self.tab).classes("w-full"):
            with ui.tab_panel("checks"):
                self.checks.build()
            with ui.tab_panel("report"):
                self.report.build()
            with ui.tab_panel("duplicates"):
                self.duplicates.build()
            with ui.tab_panel("sample"):
                self.sample.build()
        tabs.on_value_change(lambda e: self._open(str(e.value)))
        ui.timer(0, lambda: self._open(self.tab), once=True)

    @guarded
    async def _open(self, tab: str) -> None:
        self.tab = tab
        ui.navigate.history.replace(project_path(self.project.id, "quality") + f"?tab={tab}")
        if tab not in self.loaded:
            self.loaded.add(tab)
            await self._read(tab)

    async def _read(self, tab: str) -> None:
        if tab == "report":
            await self.report.reload()
        elif tab == "duplicates":
            await self.duplicates.reload()
        elif tab == "sample":
            await self.sample.reload()

    async def reload(self) -> None:
        """A check has ended: read again what the tabs opened so far show."""
        for tab in sorted(self.loaded):
            await self._read(tab)


def register() -> None:
    @ui.page("/projects/{project_id}/quality")
    def quality_page(request: Request, project_id: int, tab: str = "checks") -> None:
        opened = project_page(request, project_id, "quality")
        if opened is None:
            return
        with content():
            QualityScreen(*opened, tab=tab).build()
