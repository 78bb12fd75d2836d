"""The QA review screen (`/projects/{id}/qa`): one page of pairs at a time from the
database, fast at a million pairs. Next and previous pages are keyset queries from the ids
shown (`after`, either direction), the last page a keyset query from the end; only a jump to
a page in the middle uses an offset. The total is counted off the event loop, so the rows
show first. Filters live in the address and travel to the detail view (`qa_detail`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from nicegui import ui

from easy_dataset.server.ui import qa_detail
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.server.ui.qa_filters import (
    COT_CHOICES,
    KIND_CHOICES,
    SAMPLE_CHOICES,
    STATUSES,
    UNANSWERABLE_CHOICES,
    ReviewFilters,
    tag_names,
)
from easy_dataset.services import files, generation, tags
from easy_dataset.services.generation import QAView
from easy_dataset.services.generation.qa_query import FLAG_KINDS
from easy_dataset.services.views import ProjectView

PAGE_SIZES = [10, 20, 50, 100]
PREVIEW = 300
Fetch = Callable[[], list[QAView]]


def _short(text: str) -> str:
    return text if len(text) <= PREVIEW else text[:PREVIEW] + "…"


class QAScreen:
    def __init__(self, ctx: UiContext, project: ProjectView, filters: ReviewFilters) -> None:
        self.ctx = ctx
        self.project = project
        self.filters = filters
        self.page = 1
        self.page_size = 20
        self.total: int | None = None  # None while it is being counted
        self.rows: list[QAView] = []
        self.selected: set[int] = set()
        self.requests = 0  # so a slow answer never overwrites a newer one
        self.counts = 0
        self.summary: ui.label | None = None
        self.pager: ui.pagination | None = None
        self.listing: ui.column | None = None

    # -- building -------------------------------------------------------------------------

    def build(self) -> None:
        ui.label(t("qa.title")).classes("text-2xl")
        self._filter_bar()
        with ui.row().classes("w-full items-center gap-2"):
            self.summary = ui.label(t("qa.counting")).props("data-testid=qa-total")
            ui.space()
            ui.button(t("qa.select_page"), on_click=self._select_page).props(
                "flat data-testid=qa-select-page"
            )
            ui.button(
                t("qa.confirm_selected"), on_click=guarded(lambda: self._confirm(True))
            ).props("flat data-testid=qa-confirm-selected")
            ui.button(
                t("qa.unconfirm_selected"), on_click=guarded(lambda: self._confirm(False))
            ).props("flat data-testid=qa-unconfirm-selected")
            ui.button(t("qa.export_selected"), on_click=self._export_selected).props(
                "flat data-testid=qa-export-selected"
            )
        self.pager = ui.pagination(1, 1, direction_links=True, value=1)
        self.pager.props("max-pages=7 boundary-numbers data-testid=qa-pager")
        self.pager.on_value_change(lambda e: self._go(int(e.value or 1)))
        self.listing = ui.column().classes("w-full gap-2")
        with self.listing:
            ui.spinner()
        # After the browser is connected: the rows first, then the count.
        ui.timer(0, self.reload, once=True)

    def _filter_bar(self) -> None:
        names = {view.id: view.name for view in files.list_files(self.ctx.core, self.project.id)}
        domain_tags = tag_names(tags.tag_tree(self.ctx.core, self.project.id))
        current = self.filters
        with ui.row().classes("w-full items-end gap-4"):
            ui.select(
                {key: t(f"qa.status.{key}") for key in STATUSES},
                value=current.status,
                label=t("qa.status"),
                on_change=lambda e: self._filter(status=str(e.value)),
            ).classes("min-w-[9rem]").props("data-testid=qa-status")
            low = ui.number(t("qa.min_score"), value=current.min_score, min=0, max=5, step=0.5)
            low.classes("w-28").props("clearable debounce=400 data-testid=qa-min-score")
            low.on_value_change(lambda e: self._filter(min_score=e.value))
            high = ui.number(t("qa.max_score"), value=current.max_score, min=0, max=5, step=0.5)
            high.classes("w-28").props("clearable debounce=400 data-testid=qa-max-score")
            high.on_value_change(lambda e: self._filter(max_score=e.value))
            tag = ui.input(t("qa.tag"), value=current.tag, autocomplete=domain_tags)
            tag.classes("min-w-[10rem]").props("clearable debounce=400 data-testid=qa-tag")
            tag.on_value_change(lambda e: self._filter(tag=e.value or ""))
            ui.select(
                {key: t(f"qa.cot.{key}") for key in COT_CHOICES},
                value=current.cot,
                label=t("qa.cot"),
                on_change=lambda e: self._filter(cot=str(e.value)),
            ).classes("min-w-[9rem]").props("data-testid=qa-cot")
            ui.select(
                {key: t(f"qa.kind.{key}") for key in KIND_CHOICES},
                value=current.kind,
                label=t("qa.kind"),
                on_change=lambda e: self._filter(kind=str(e.value)),
            ).classes("min-w-[9rem]").props("data-testid=qa-kind")
            ui.select(
                {key: t(f"qa.unanswerable.{key}") for key in UNANSWERABLE_CHOICES},
                value=current.unanswerable,
                label=t("qa.unanswerable"),
                on_change=lambda e: self._filter(unanswerable=str(e.value)),
            ).classes("min-w-[10rem]").props("data-testid=qa-unanswerable")
            search = ui.input(t("qa.search"), value=current.search)
            search.classes("min-w-[12rem]").props("clearable debounce=400 data-testid=qa-search")
            search.on_value_change(lambda e: self._filter(search=e.value or ""))
            if current.file_id not in names:
                self.filters = current = current.with_(file_id=None)
            ui.select(
                {0: t("qa.all_files")} | names,
                value=current.file_id or 0,
                label=t("qa.file"),
                on_change=lambda e: self._filter(file_id=int(e.value or 0) or None),
            ).classes("min-w-[12rem]").props("data-testid=qa-file")
            ui.select(
                PAGE_SIZES,
                value=self.page_size,
                label=t("qa.page_size"),
                on_change=lambda e: self._resize(int(e.value)),
            ).classes("min-w-[6rem]").props("data-testid=qa-page-size")
        self._quality_bar()

    def _quality_bar(self) -> None:
        """The quality filters: judge score bounds, flags by check, the review sample."""
        current = self.filters
        kinds = {kind: t(f"quality.flag.{kind}") for kind in FLAG_KINDS}
        with ui.row().classes("w-full items-end gap-4"):
            low = ui.number(t("qa.q.min_judge"), value=current.min_judge, min=0, max=5, step=0.5)
            low.classes("w-32").props("clearable debounce=400 data-testid=qa-min-judge")
            low.on_value_change(lambda e: self._filter(min_judge=e.value))
            high = ui.number(t("qa.q.max_judge"), value=current.max_judge, min=0, max=5, step=0.5)
            high.classes("w-32").props("clearable debounce=400 data-testid=qa-max-judge")
            high.on_value_change(lambda e: self._filter(max_judge=e.value))
            for field, testid in (("flagged", "qa-flagged"), ("not_flagged", "qa-not-flagged")):
                ui.select(
                    kinds,
                    value=list(getattr(current, field)),
                    label=t(f"qa.q.{field}"),
                    multiple=True,
                    on_change=lambda e, name=field: self._filter(
                        **{name: tuple(k for k in FLAG_KINDS if k in (e.value or []))}
                    ),
                ).classes("min-w-[12rem]").props(f"use-chips clearable data-testid={testid}")
            ui.select(
                {key: t(f"qa.q.sample.{key}") for key in SAMPLE_CHOICES},
                value=current.sample,
                label=t("qa.q.sample"),
                on_change=lambda e: self._filter(sample=str(e.value)),
            ).classes("min-w-[9rem]").props("data-testid=qa-sample")

    # -- paging ---------------------------------------------------------------------------

    def _list(self, limit: int | None = None, **paging: Any) -> list[QAView]:
        size = self.page_size if limit is None else limit
        return generation.list_qa(
            self.ctx.core, self.project.id, limit=size, **paging, **self.filters.service()
        )

    def _fetch_for(self, page: int) -> Fetch:
        """How to fetch `page` from where the list stands: keyset when it is next to the page
        shown (or the last one), an offset only for a jump."""
        rows, size, total = self.rows, self.page_size, self.total
        if page == 1:
            return lambda: self._list()
        if rows and page == self.page + 1:
            return lambda: self._list(after=rows[-1].id)
        if rows and page == self.page - 1:
            return lambda: self._list(after=rows[0].id, newest_first=True)[::-1]
        if total is not None and page == self.pages():
            last = total - (page - 1) * size  # the rows on the last page, read from the end
            return lambda: self._list(limit=last, newest_first=True)[::-1]
        return lambda: self._list(offset=(page - 1) * size)

    def _fetch_current(self) -> Fetch:
        if self.rows:  # from the first id shown: the same page, changes included
            first = self.rows[0].id
            return lambda: self._list(after=first - 1)
        return self._fetch_for(1) if self.page == 1 else self._offset(self.page)

    def _offset(self, page: int) -> Fetch:
        return lambda: self._list(offset=(page - 1) * self.page_size)

    def pages(self) -> int:
        if self.total is None:  # not counted yet: one more page when this one is full
            return self.page + (1 if len(self.rows) == self.page_size else 0)
        return max(1, -(-self.total // self.page_size))

    async def _load(self, page: int, fetch: Fetch) -> None:
        self.requests += 1
        mine = self.requests
        rows = await off_loop(fetch)
        if mine != self.requests:
            return
        if not rows and page > 1:  # emptied (e.g. all confirmed under "unconfirmed")
            await self._load(page - 1, self._offset(page - 1))
            return
        self.page, self.rows = page, rows
        self.selected &= {row.id for row in rows}
        self._show()

    async def _count(self) -> None:
        self.counts += 1
        mine = self.counts
        total = await off_loop(
            generation.count_qa, self.ctx.core, self.project.id, **self.filters.service()
        )
        if mine == self.counts:
            self.total = total
            self._show()

    async def reload(self) -> None:
        """Show the current page again, then count again."""
        self.total = None
        await self._load(self.page, self._fetch_current())
        await self._count()

    async def _go(self, page: int) -> None:
        if page != self.page:
            await self._load(page, self._fetch_for(page))

    async def _filter(self, **changes: object) -> None:
        self.filters = self.filters.with_(**changes)
        here = project_path(self.project.id, "qa") + self.filters.suffix()
        ui.navigate.history.replace(here)
        self.page, self.rows, self.total = 1, [], None
        await self.reload()

    async def _resize(self, size: int) -> None:
        self.page_size, self.page, self.rows = size, 1, []
        await self.reload()

    # -- showing --------------------------------------------------------------------------

    def _show(self) -> None:
        pages = self.pages()
        if self.summary is not None:
            if self.total is None:
                self.summary.set_text(t("qa.total_counting", page=self.page))
            else:
                self.summary.set_text(t("qa.total", total=self.total, page=self.page, pages=pages))
        if self.pager is not None:
            self.pager.max = max(pages, self.page)
            self.pager.set_value(self.page)
        if self.listing is None:
            return
        self.listing.clear()
        with self.listing:
            if not self.rows:
                ui.label(t("qa.none")).props("data-testid=qa-none")
            for row in self.rows:
                self._card(row)

    def _card(self, row: QAView) -> None:
        with ui.card().classes("w-full gap-1").props(f"data-testid=qa-row-{row.id}"):
            with ui.row().classes("w-full items-center gap-2"):
                ui.checkbox(
                    value=row.id in self.selected,
                    on_change=lambda e, qa_id=row.id: self._select(qa_id, bool(e.value)),
                ).props(f"dense data-testid=qa-select-{row.id}")
                ui.label(f"#{row.id}").classes("font-medium")
                status = t("qa.confirmed") if row.confirmed else t("qa.unconfirmed")
                ui.badge(status, color="positive" if row.confirmed else "grey").props(
                    f"data-testid=qa-badge-{row.id}"
                )
                if row.score is not None:
                    ui.label(t("qa.score_is", score=f"{row.score:g}")).classes("text-sm")
                if row.cot:
                    ui.badge(t("qa.has_cot"), color="secondary")
                if row.kind == "dialogue":
                    ui.badge(t("dialogue.badge"), color="info").props(
                        f"data-testid=qa-dialogue-{row.id}"
                    )
                for name in row.user_tags:
                    ui.badge(name, color="accent")
                domain = row.provenance.get("tag")
                if isinstance(domain, str) and domain:
                    ui.label(domain).classes("text-sm text-gray-600")
                ui.space()
                ui.button(t("qa.open"), on_click=lambda qa_id=row.id: self._open(qa_id)).props(
                    f"flat dense data-testid=qa-open-{row.id}"
                )
            ui.label(_short(row.question)).classes("font-medium whitespace-pre-wrap w-full").props(
                f"data-testid=qa-question-{row.id}"
            )
            ui.label(_short(row.answer)).classes("text-sm whitespace-pre-wrap w-full").props(
                f"data-testid=qa-answer-{row.id}"
            )

    # -- actions --------------------------------------------------------------------------

    def _open(self, qa_id: int) -> None:
        ui.navigate.to(qa_detail.detail_path(self.project.id, qa_id, self.filters))

    def _select(self, qa_id: int, on: bool) -> None:
        if on:
            self.selected.add(qa_id)
        else:
            self.selected.discard(qa_id)

    def _select_page(self) -> None:
        self.selected = {row.id for row in self.rows}
        self._show()

    async def _confirm(self, confirmed: bool) -> None:
        if not self.selected:
            ui.notify(t("qa.select_first"))
            return
        ids = sorted(self.selected)
        await off_loop(generation.confirm_qa, self.ctx.core, self.project.id, ids, confirmed)
        self.selected.clear()
        key = "qa.confirmed_count" if confirmed else "qa.unconfirmed_count"
        notify_ok(t(key, count=len(ids)))
        await self.reload()

    def _export_selected(self) -> None:
        if not self.selected:
            ui.notify(t("qa.select_first"))
            return
        ids = ",".join(str(qa_id) for qa_id in sorted(self.selected))
        ui.navigate.to(project_path(self.project.id, "export") + f"?ids={ids}")


def register() -> None:
    @ui.page("/projects/{project_id}/qa")
    def qa_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "qa")
        if opened is None:
            return
        with content():
            QAScreen(*opened, ReviewFilters.from_query(request.query_params)).build()

    qa_detail.register()
