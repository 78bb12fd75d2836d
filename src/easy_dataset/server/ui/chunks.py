"""The chunks screen (`/projects/{id}/chunks`): one page of chunks at a time from the
database (a count and LIMIT/OFFSET, never all rows), search, file filter, and the manual
operations: view as Markdown, edit, merge the selected, split at an offset, delete the
selected, re-split a file with other settings; questions generated for the selected
chunks (after the estimate); cleaning by the model started for the selected chunks (or
all), its proposals reviewed on their own screen (`cleaning`), and an accepted cleaning
undone. The dialogs live in `chunk_dialogs`."""

from __future__ import annotations

from fastapi import Request
from nicegui import ui

from easy_dataset.errors import ConflictError
from easy_dataset.server.ui import chunk_dialogs, cleaning, safe
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import JobLauncher, confirm_job
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.services import chunk_cleaning, chunks, files
from easy_dataset.services.chunk_labels import label as chunk_label
from easy_dataset.services.views import ChunkView, ProjectView

PAGE_SIZES = [10, 20, 50, 100]
PREVIEW = 400


class ChunksScreen:
    def __init__(self, ctx: UiContext, project: ProjectView, file_id: int | None) -> None:
        self.ctx = ctx
        self.project = project
        self.file_id = file_id
        self.search = ""
        self.page = 1
        self.page_size = 20
        self.total = 0
        self.selected: set[int] = set()
        self.requests = 0  # reloads started, so a slow one never overwrites a newer one
        self.listing: ui.column | None = None
        self.summary: ui.label | None = None
        self.pager: ui.pagination | None = None
        self.launcher: JobLauncher | None = None
        self.review: ui.button | None = None
        self.restorable: set[int] = set()

    def build(self) -> None:
        ui.label(t("chunks.title")).classes("text-2xl")
        names = {view.id: view.name for view in files.list_files(self.ctx.core, self.project.id)}
        if self.file_id not in names:
            self.file_id = None
        with ui.row().classes("w-full items-end gap-4"):
            search = ui.input(t("chunks.search")).props("clearable data-testid=chunks-search")
            search.on_value_change(lambda e: self._filter(search=e.value or ""))
            search.props("debounce=400")
            choices: dict[int, str] = {0: t("chunks.all_files")} | names
            ui.select(
                choices,
                value=self.file_id or 0,
                label=t("chunks.file"),
                on_change=lambda e: self._filter(file_id=int(e.value or 0) or None),
            ).classes("min-w-[14rem]").props("data-testid=chunks-file")
            ui.select(
                PAGE_SIZES,
                value=self.page_size,
                label=t("chunks.page_size"),
                on_change=lambda e: self._filter(page_size=int(e.value)),
            ).classes("min-w-[6rem]").props("data-testid=chunks-page-size")
        with ui.row().classes("w-full items-center gap-2"):
            self.summary = ui.label().props("data-testid=chunks-total")
            ui.space()
            ui.button(
                t("chunks.generate_selected"),
                icon="auto_awesome",
                on_click=guarded(self._generate),
            ).props("flat data-testid=chunks-generate")
            ui.button(t("chunks.merge"), on_click=guarded(self._merge)).props(
                "flat data-testid=chunks-merge"
            )
            ui.button(t("chunks.delete"), on_click=guarded(self._delete)).props(
                "flat color=negative data-testid=chunks-delete"
            )
            ui.button(
                t("chunks.resplit"),
                on_click=lambda: chunk_dialogs.resplit(self.ctx, self.project, names, self.reload),
            ).props("flat data-testid=chunks-resplit")
        with ui.row().classes("w-full items-center gap-2"):
            ui.space()
            ui.button(
                t("cleaning.start"), icon="cleaning_services", on_click=guarded(self._clean)
            ).props("flat data-testid=chunks-clean")
            self.review = ui.button(
                icon="rule",
                on_click=lambda: ui.navigate.to(cleaning.path(self.project.id)),
            ).props("flat data-testid=chunks-cleaning-review")
            self._count_proposals()
        # A line per job started here, with a link to it on the Jobs screen; a finished
        # cleaning job brings its proposals' count up to date.
        self.launcher = JobLauncher(self.ctx, self.project, self._jobs_done)
        self.pager = ui.pagination(1, 1, direction_links=True, value=1)
        self.pager.props("max-pages=7 boundary-numbers data-testid=chunks-pager")
        self.pager.on_value_change(lambda e: self._go(int(e.value or 1)))
        self.listing = ui.column().classes("w-full gap-2")
        self.load()

    async def _filter(
        self, *, search: str | None = None, file_id: int | None = -1, page_size: int | None = None
    ) -> None:
        if search is not None:
            self.search = search
        if file_id != -1:
            self.file_id = file_id
        if page_size is not None:
            self.page_size = page_size
        self.page = 1
        await self.reload()

    async def _go(self, page: int) -> None:
        if page != self.page:
            self.page = page
            await self.reload()

    def _fetch(self) -> tuple[int, list[ChunkView]]:
        return chunks.list_chunks(
            self.ctx.core,
            self.project.id,
            file_id=self.file_id,
            search=self.search or None,
            limit=self.page_size,
            offset=(self.page - 1) * self.page_size,
        )

    def load(self) -> None:
        """Show the current page at once (the first view: indexed queries, no search)."""
        self._show(*self._fetch())

    async def reload(self) -> None:
        """Fetch the current page off the event loop (a text search reads every chunk);
        only the latest of overlapping requests is shown."""
        self.requests += 1
        mine = self.requests
        total, rows = await off_loop(self._fetch)
        if mine == self.requests:
            self._show(total, rows)

    def _count_proposals(self) -> None:
        if self.review is not None:
            waiting = chunk_cleaning.count_pending(self.ctx.core, self.project.id)
            self.review.set_text(t("cleaning.review", count=waiting))

    async def _jobs_done(self) -> None:
        self._count_proposals()

    def _show(self, total: int, rows: list[ChunkView]) -> None:
        """Show a page; the selection is kept only within the page."""
        pages = max(1, -(-total // self.page_size))
        if self.page > pages:  # the last page emptied by a delete
            self.page = pages
            self._show(*self._fetch())
            return
        self.total = total
        self.selected &= {row.id for row in rows}
        self.restorable = chunk_cleaning.restorable(
            self.ctx.core, self.project.id, [row.id for row in rows]
        )
        if self.summary is not None:
            self.summary.set_text(t("chunks.total", total=total, page=self.page, pages=pages))
        if self.pager is not None:
            self.pager.max = pages
            self.pager.set_value(self.page)
        if self.listing is not None:
            self.listing.clear()
            with self.listing:
                if not rows:
                    ui.label(t("chunks.none")).props("data-testid=chunks-none")
                for row in rows:
                    self._card(row)

    def _card(self, row: ChunkView) -> None:
        with ui.card().classes("w-full").props(f"data-testid=chunk-{row.id}"):
            with ui.row().classes("w-full items-center gap-2"):
                ui.checkbox(
                    value=row.id in self.selected,
                    on_change=lambda e, cid=row.id: self._select(cid, bool(e.value)),
                ).props(f"dense data-testid=chunk-select-{row.id}")
                where = " › ".join(row.heading_path)
                title = (
                    f"{chunk_label(row.file_name, row.ordinal)} · {row.size} {t('chunks.chars')}"
                )
                ui.label(title).classes("font-medium")
                if where:
                    ui.label(where).classes("text-sm text-gray-600")
                ui.space()
                ui.button(t("chunks.view"), on_click=lambda: chunk_dialogs.view(row)).props(
                    f"flat dense data-testid=chunk-view-{row.id}"
                )
                ui.button(
                    t("chunks.edit"),
                    on_click=lambda: chunk_dialogs.edit(self.ctx, row, self.reload),
                ).props(f"flat dense data-testid=chunk-edit-{row.id}")
                ui.button(
                    t("chunks.split"),
                    on_click=lambda: chunk_dialogs.split(self.ctx, row, self.reload),
                ).props(f"flat dense data-testid=chunk-split-{row.id}")
                if row.id in self.restorable:
                    ui.button(
                        t("cleaning.restore"), on_click=guarded(lambda: self._restore(row.id))
                    ).props(f"flat dense data-testid=chunk-restore-{row.id}")
            # Rendered as Markdown (HTML in the text stays text), headings kept small; a
            # code block cut short by the preview is closed again.
            preview = row.content
            if len(preview) > PREVIEW:
                preview = preview[:PREVIEW].rstrip() + " …"
                if sum(line.lstrip().startswith("```") for line in preview.split("\n")) % 2:
                    preview += "\n```"
            safe.markdown(preview).classes(
                "w-full break-words text-sm [&_h1]:text-lg [&_h2]:text-base [&_h3]:text-base "
                "[&_h4]:text-sm [&_h5]:text-sm [&_h6]:text-sm [&_pre]:whitespace-pre-wrap"
            ).props(f"data-testid=chunk-text-{row.id}")

    def _select(self, chunk_id: int, on: bool) -> None:
        if on:
            self.selected.add(chunk_id)
        else:
            self.selected.discard(chunk_id)

    async def _generate(self) -> None:
        """Questions for the selected chunks only, after the estimate."""
        if not self.selected:
            ui.notify(t("chunks.select_first"))
            return
        ids = sorted(self.selected)
        if await confirm_job(
            self.ctx,
            self.project,
            "questions.generate",
            t("scope.title.questions"),
            t("scope.chunks", count=len(ids)),
            chunk_ids=ids,
        ):
            assert self.launcher is not None
            await self.launcher.start("questions.generate", chunk_ids=ids)

    async def _clean(self) -> None:
        """The model's cleaning of the selected chunks (all without a selection), after
        the estimate; the proposals wait on the review screen."""
        ids = sorted(self.selected) or None
        scope = t("scope.chunks", count=len(ids)) if ids else t("scope.all")
        if await confirm_job(
            self.ctx, self.project, "chunks.clean", t("cleaning.title_start"), scope, chunk_ids=ids
        ):
            assert self.launcher is not None
            await self.launcher.start("chunks.clean", chunk_ids=ids)

    async def _restore(self, chunk_id: int) -> None:
        if not await confirm(t("cleaning.confirm_restore"), action=t("cleaning.restore")):
            return
        try:
            chunk_cleaning.restore(self.ctx.core, self.project.id, chunk_id)
        except ConflictError as exc:
            # Edited since the cleaning: restoring discards that edit too; ask once more.
            if not await confirm(str(exc), action=t("cleaning.restore")):
                return
            chunk_cleaning.restore(self.ctx.core, self.project.id, chunk_id, force=True)
        notify_ok(t("cleaning.restored"))
        await self.reload()

    async def _merge(self) -> None:
        merged = chunks.merge_chunks(self.ctx.core, sorted(self.selected))
        self.selected.clear()
        notify_ok(t("chunks.merged", id=merged.id))
        await self.reload()

    async def _delete(self) -> None:
        if not self.selected:
            ui.notify(t("chunks.select_first"))
            return
        if await confirm(t("chunks.confirm_delete", count=len(self.selected))):
            count = await off_loop(chunks.delete_chunks, self.ctx.core, sorted(self.selected))
            self.selected.clear()
            notify_ok(t("chunks.deleted", count=count))
            await self.reload()


def register() -> None:
    @ui.page("/projects/{project_id}/chunks")
    def chunks_page(request: Request, project_id: int, file: int | None = None) -> None:
        opened = project_page(request, project_id, "chunks")
        if opened is None:
            return
        with content():
            ChunksScreen(*opened, file_id=file).build()
