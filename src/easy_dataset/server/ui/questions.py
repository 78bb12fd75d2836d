"""The questions screen (`/projects/{id}/questions`): filters (file, tag, origin,
answered, text), a list paged in the database (one page of rows at a time; the next page by
keyset, page jumps by offset; the total counted off the event loop, once per filter), a
tree by tag (`question_tree`) and the question templates (`question_templates`). Questions
are added, edited and deleted by hand; generating and answering start jobs."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from nicegui import ui

from easy_dataset.server.ui import question_dialogs
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import JobLauncher, confirm_job, tag_paths
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.question_templates import TemplatesSection
from easy_dataset.server.ui.question_tree import QuestionTree
from easy_dataset.services import chunk_labels, files, generation, quality, tags
from easy_dataset.services.generation import QuestionView
from easy_dataset.services.views import ProjectView

PAGE_SIZES = [10, 20, 50, 100]
ALL = 0
TABS = ("list", "tree", "templates")


class QuestionsScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.file_id: int | None = None
        self.tag_id: int | None = None
        self.origin: str | None = None
        self.answered: bool | None = None
        self.search = ""
        self.page = 1
        self.page_size = 20
        self.total: int | None = None  # None while counting
        self.rows: list[QuestionView] = []
        self.labels: dict[int, str] = {}  # chunk id -> "file · #n" for the rows shown
        self.flags: dict[int, list[str]] = {}  # question id -> what hygiene flagged
        self.rows_page = 0  # the page `rows` are
        self.selected: set[int] = set()
        self.requests = 0  # page fetches started: only the latest is shown
        self.counts = 0  # counts started: only the latest is shown
        self.tags: dict[int, str] = {}
        self.summary: ui.label | None = None
        self.pager: ui.pagination | None = None
        self.listing: ui.column | None = None
        self.tag_select: ui.select | None = None
        self.tabs: ui.tabs | None = None
        self.tree: QuestionTree | None = None
        self.launcher: JobLauncher | None = None
        self.file_names: dict[int, str] = {}

    def filters(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "tag_id": self.tag_id,
            "origin": self.origin,
            "answered": self.answered,
            "search": self.search or None,
        }

    def build(self) -> None:
        ui.label(t("questions.title")).classes("text-2xl")
        self.tags = tag_paths(tags.tag_tree(self.ctx.core, self.project.id))
        names = {view.id: view.name for view in files.list_files(self.ctx.core, self.project.id)}
        self.file_names = names
        self.tag_select = question_dialogs.filter_bar(names, self.tags, self._filter)
        with ui.row().classes("w-full items-center gap-2"):
            ui.button(t("questions.add"), icon="add", on_click=self._add).props(
                "data-testid=qs-add"
            )
            ui.button(
                t("questions.generate"), icon="auto_awesome", on_click=guarded(self._generate)
            ).props("flat data-testid=qs-generate")
            ui.button(t("questions.answer_all"), on_click=guarded(self._answer_all)).props(
                "flat data-testid=qs-answer-all"
            )
            # Consistency voting: each question answered k times (the project's setting),
            # kept only when most answers agree.
            self.votes = quality.get_quality_settings(self.ctx.core, self.project.id).votes
            self.voting = (
                ui.switch(t("questions.voting", k=self.votes))
                .props("data-testid=qs-voting")
                .tooltip(t("questions.voting_hint", k=self.votes))
            )
        self.launcher = JobLauncher(self.ctx, self.project, self.refresh)
        with ui.tabs().classes("w-full") as self.tabs:
            for name in TABS:
                ui.tab(name, label=t(f"questions.tab.{name}")).props(f"data-testid=qs-tab-{name}")
        self.tabs.on_value_change(guarded(self._tab_changed))
        with ui.tab_panels(self.tabs, value="list").classes("w-full"):
            with ui.tab_panel("list"):
                self._list_panel()
            with ui.tab_panel("tree"):
                self.tree = QuestionTree(
                    self.ctx, self.project, self.filters, self._edit, self._show_tag
                )
            with ui.tab_panel("templates"):
                TemplatesSection(self.ctx, self.project, self.launcher).build()
        rows = self._fetch(1, None)
        self.labels, self.flags = self._labels(rows)
        self._show(rows, 1)
        ui.timer(0, self._count, once=True)

    def _list_panel(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            self.summary = ui.label().props("data-testid=qs-total")
            ui.space()
            ui.button(t("questions.answer_selected"), on_click=guarded(self._answer)).props(
                "flat data-testid=qs-answer-selected"
            )
            ui.button(t("questions.delete"), on_click=guarded(self._delete)).props(
                "flat color=negative data-testid=qs-delete"
            )
            ui.select(
                PAGE_SIZES,
                value=self.page_size,
                label=t("questions.page_size"),
                on_change=lambda e: self._filter(page_size=int(e.value)),
            ).classes("min-w-[6rem]").props("data-testid=qs-page-size")
        self.pager = ui.pagination(1, 1, direction_links=True, value=1)
        self.pager.props("max-pages=7 boundary-numbers data-testid=qs-pager")
        self.pager.on_value_change(lambda e: self._go(int(e.value or 1)))
        self.listing = ui.column().classes("w-full gap-2")

    # ---- the list ----------------------------------------------------------------------

    async def _filter(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        self.page = 1
        await self.reload(recount=True)
        if self.tree is not None and self._tree_shown():
            await self.tree.refresh()

    async def _go(self, page: int) -> None:
        if page != self.page:
            # The next page starts after the last row shown (keyset): cheap at any depth.
            next_page = page == self.rows_page + 1 and self.rows
            after = self.rows[-1].id if next_page else None
            self.page = page
            await self.reload(after=after)

    def _labels(self, rows: list[QuestionView]) -> tuple[dict[int, str], dict[int, list[str]]]:
        """How the chunk list names the chunks of these questions ("guide.md · #2"), and
        what hygiene flagged in them."""
        ids = [row.chunk_id for row in rows]
        return (
            chunk_labels.chunk_labels(self.ctx.core, self.project.id, ids),
            quality.question_flags(self.ctx.core, self.project.id, [row.id for row in rows]),
        )

    def _fetch(self, page: int, after: int | None) -> list[QuestionView]:
        offset = 0 if after is not None else (page - 1) * self.page_size
        return generation.list_questions(
            self.ctx.core,
            self.project.id,
            limit=self.page_size,
            offset=offset,
            after=after,
            **self.filters(),
        )

    async def reload(self, *, recount: bool = False, after: int | None = None) -> None:
        self.requests += 1
        mine = self.requests
        if recount:
            self.total = None
            self.counts += 1
        page = self.page
        rows = await off_loop(self._fetch, page, after)
        labels = await off_loop(self._labels, rows)
        if mine == self.requests:
            self.labels, self.flags = labels
            self._show(rows, page)
        if recount:
            await self._count()

    async def _count(self) -> None:
        mine = self.counts
        total = await off_loop(
            generation.count_questions, self.ctx.core, self.project.id, **self.filters()
        )
        if mine != self.counts:
            return
        self.total = total
        pages = max(1, -(-total // self.page_size))
        if self.page > pages:  # the last page emptied by a delete
            self.page = pages
            await self.reload()
        self._summarize()

    def _summarize(self) -> None:
        if self.summary is not None:
            if self.total is None:
                self.summary.set_text(t("questions.counting", page=self.page))
            else:
                pages = max(1, -(-self.total // self.page_size))
                self.summary.set_text(
                    t("questions.total", total=self.total, page=self.page, pages=pages)
                )
        if self.pager is not None:
            if self.total is not None:
                self.pager.max = max(1, -(-self.total // self.page_size))
            self.pager.set_value(self.page)

    def _show(self, rows: list[QuestionView], page: int) -> None:
        """Show a page; the selection is kept only within the page."""
        self.rows, self.rows_page = rows, page
        self.selected &= {row.id for row in rows}
        self._summarize()
        if self.listing is None:
            return
        self.listing.clear()
        with self.listing:
            if not rows:
                ui.label(t("questions.none")).props("data-testid=qs-none")
            for row in rows:
                question_dialogs.card(
                    row,
                    on_edit=self._edit,
                    selected=row.id in self.selected,
                    on_select=self._select,
                    chunk_label=self.labels.get(row.chunk_id) if row.chunk_id else None,
                    flags=self.flags.get(row.id, ()),
                )

    def _select(self, question_id: int, on: bool) -> None:
        if on:
            self.selected.add(question_id)
        else:
            self.selected.discard(question_id)

    # ---- tabs, tree, refreshing ---------------------------------------------------------

    def _tree_shown(self) -> bool:
        return self.tabs is not None and self.tabs.value == "tree"

    async def _tab_changed(self) -> None:
        if self.tree is not None and self._tree_shown():
            await self.tree.refresh()

    async def _show_tag(self, tag_id: int) -> None:
        """The list filtered by one tag (from the tree)."""
        if self.tag_select is not None and self.tabs is not None:
            self.tag_select.set_value(tag_id)  # its change handler filters the list
            self.tabs.set_value("list")

    async def refresh(self) -> None:
        """After a change or a finished job: the list, its total and the tree if shown."""
        self.tags = tag_paths(await off_loop(tags.tag_tree, self.ctx.core, self.project.id))
        if self.tag_select is not None:
            self.tag_select.set_options({ALL: t("gen.all")} | self.tags)
        await self.reload(recount=True)
        if self.tree is not None and self._tree_shown():
            await self.tree.refresh()

    # ---- actions ------------------------------------------------------------------------

    def _add(self) -> None:
        question_dialogs.add(self.ctx, self.project, self.tags, self.refresh)

    def _edit(self, question: QuestionView) -> None:
        question_dialogs.edit(self.ctx, self.project, question, self.tags, self.refresh)

    async def _delete(self) -> None:
        if not self.selected:
            ui.notify(t("gen.select_first"))
            return
        if await confirm(t("questions.confirm_delete", count=len(self.selected))):
            ids = sorted(self.selected)
            count = await off_loop(generation.delete_questions, self.ctx.core, self.project.id, ids)
            self.selected.clear()
            notify_ok(t("questions.deleted", count=count))
            await self.refresh()

    def _scope(self, *, by_tag: bool = True) -> tuple[dict[str, Any], str]:
        """The job options and words for the File and Tag filters that are set: generating
        and answering from this screen stay within what the list shows. Generating takes
        chunks, which have no tag of their own (`by_tag=False`): only the file narrows it."""
        options: dict[str, Any] = {}
        words: list[str] = []
        if self.file_id is not None:
            options["file_ids"] = [self.file_id]
            words.append(t("scope.file", name=self.file_names.get(self.file_id, self.file_id)))
        if by_tag and self.tag_id is not None:
            options["tag_ids"] = [self.tag_id]
            words.append(t("scope.tag", name=self.tags.get(self.tag_id, self.tag_id)))
        return options, " · ".join(words) or t("scope.all")

    async def _answer(self) -> None:
        if not self.selected:
            ui.notify(t("gen.select_first"))
            return
        options: dict[str, Any] = {"question_ids": sorted(self.selected), "votes": self._votes()}
        scope = t("scope.questions", count=len(self.selected))
        if await confirm_job(
            self.ctx, self.project, "answers.generate", t("scope.title.answers"), scope, **options
        ):
            assert self.launcher is not None
            await self.launcher.start("answers.generate", **options)

    async def _answer_all(self) -> None:
        options, scope = self._scope()
        options["votes"] = self._votes()
        scope = f"{t('scope.unanswered')} · {scope}"
        if await confirm_job(
            self.ctx, self.project, "answers.generate", t("scope.title.answers"), scope, **options
        ):
            assert self.launcher is not None
            await self.launcher.start("answers.generate", **options)

    def _votes(self) -> int | None:
        return self.votes if self.voting.value else None

    async def _generate(self) -> None:
        options, scope = self._scope(by_tag=False)
        if await confirm_job(
            self.ctx,
            self.project,
            "questions.generate",
            t("scope.title.questions"),
            scope,
            **options,
        ):
            assert self.launcher is not None
            await self.launcher.start("questions.generate", **options)


def register() -> None:
    @ui.page("/projects/{project_id}/questions")
    def questions_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "questions")
        if opened is None:
            return
        with content():
            QuestionsScreen(*opened).build()
