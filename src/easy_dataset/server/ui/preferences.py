"""The preference data screen (`/projects/{id}/preferences`): the pairs (prompt, chosen,
rejected) derived from arena votes, judged drafts and reviewer edits, with their source and
counts, narrowed by source, judge margin and confirmation, and downloaded in TRL's or
LLaMA-Factory's format through the REST endpoint."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from nicegui import ui

from easy_dataset.evaluate.preferences import DEFAULT_MARGIN, PREFERENCE_SOURCES
from easy_dataset.export.preferences import PREFERENCE_FORMATS
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import guarded, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.services.evaluation.preferences import PreferenceFilters, list_preferences
from easy_dataset.services.views import ProjectView

ROWS = 100  # pairs shown; the export holds them all
PREVIEW = 200  # characters of each text in the table
COLUMNS = ("source", "prompt", "chosen", "rejected", "margin")


def download_url(project_id: int, format: str, filters: PreferenceFilters) -> str:
    """The REST download of the pairs the filters keep."""
    query: list[tuple[str, str]] = [("format", format)]
    query += [("source", source) for source in filters.sources]
    query.append(("min_margin", f"{filters.min_margin:g}"))
    if filters.confirmed_only:
        query.append(("confirmed_only", "true"))
    return f"/api/projects/{project_id}/preferences/export?{urlencode(query)}"


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"


class PreferencesScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.requests = 0

    def build(self) -> None:
        ui.label(t("nav.preferences")).classes("text-2xl")
        ui.label(t("preferences.help")).classes("text-sm text-gray-600")
        with ui.row().classes("w-full items-center gap-4"):
            ui.label(t("preferences.sources")).classes("font-medium")
            self.sources = {
                source: ui.checkbox(t(f"preferences.source.{source}"), value=True)
                .props(f"data-testid=preferences-source-{source}")
                .on_value_change(guarded(self.reload))
                for source in PREFERENCE_SOURCES
            }
            self.margin = ui.number(
                t("preferences.min_margin"), value=DEFAULT_MARGIN, min=0, max=5, step=0.5
            )
            self.margin.classes("w-48").props("dense outlined debounce=400")
            self.margin.props("data-testid=preferences-margin")
            self.margin.on_value_change(guarded(self.reload))
            self.confirmed = ui.switch(t("preferences.confirmed_only"))
            self.confirmed.props("data-testid=preferences-confirmed")
            self.confirmed.on_value_change(guarded(self.reload))
        with ui.row().classes("w-full items-center gap-4"):
            self.format = ui.select(list(PREFERENCE_FORMATS), value="trl")
            self.format.props("dense outlined data-testid=preferences-format")
            self.format.classes("w-64")
            export = ui.button(t("preferences.export"), icon="download", on_click=self._download)
            export.props("data-testid=preferences-export")
            self.summary = ui.label().props("data-testid=preferences-summary")
        columns = [
            {"name": key, "label": t(f"preferences.col.{key}"), "field": key, "align": "left"}
            for key in COLUMNS
        ]
        self.table = ui.table(columns=columns, rows=[], row_key="row", pagination=20)
        self.table.classes("w-full").props("flat dense wrap-cells data-testid=preferences-table")

    def filters(self) -> PreferenceFilters:
        margin = self.margin.value
        return PreferenceFilters(
            sources=[source for source, box in self.sources.items() if box.value],
            min_margin=min(5.0, max(0.0, float(DEFAULT_MARGIN if margin is None else margin))),
            confirmed_only=bool(self.confirmed.value),
        )

    async def reload(self) -> None:
        self.requests += 1
        mine = self.requests
        found = await off_loop(
            list_preferences, self.ctx.core, self.project.id, self.filters(), limit=ROWS
        )
        if mine != self.requests:
            return
        self.summary.set_text(
            t("preferences.summary", total=found.total, **found.by_source)
            if found.total
            else t("preferences.none")
        )
        self.table.rows = [
            {
                "row": index,
                "source": t(f"preferences.source.{pair.source}"),
                "prompt": _short(pair.prompt),
                "chosen": _short(pair.chosen),
                "rejected": _short(pair.rejected),
                "margin": "" if pair.margin is None else f"{pair.margin:g}",
            }
            for index, pair in enumerate(found.pairs)
        ]
        self.table.update()

    def _download(self) -> None:
        ui.download.from_url(download_url(self.project.id, str(self.format.value), self.filters()))


def register() -> None:
    @ui.page("/projects/{project_id}/preferences")
    def preferences_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "preferences")
        if opened is None:
            return
        with content():
            screen = PreferencesScreen(*opened)
            screen.build()
            ui.timer(0, guarded(screen.reload), once=True)
