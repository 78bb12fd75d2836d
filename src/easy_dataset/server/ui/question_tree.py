"""The questions screen's tree view: every tag of the tree (indented by depth) with the
number of its own questions under the list's filters, and on expanding the first page of
them; then "untagged". The counts come from one grouped query off the event loop; a newer
refresh stops an older one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from easy_dataset.server.ui import question_dialogs
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import walk
from easy_dataset.server.ui.helpers import off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.services import chunk_labels, generation, tags
from easy_dataset.services.generation import QuestionView
from easy_dataset.services.views import ProjectView

PAGE = 20

Filters = Callable[[], dict[str, Any]]
OnEdit = Callable[[QuestionView], None]
ShowInList = Callable[[int], Awaitable[None]]


class QuestionTree:
    def __init__(
        self,
        ctx: UiContext,
        project: ProjectView,
        filters: Filters,
        on_edit: OnEdit,
        show_in_list: ShowInList,
    ) -> None:
        self.ctx = ctx
        self.project = project
        self.filters = filters
        self.on_edit = on_edit
        self.show_in_list = show_in_list
        self.counts: dict[int | None, int] = {}
        self.refreshes = 0
        self.container = ui.column().classes("w-full gap-1").props("data-testid=tree")

    async def refresh(self) -> None:
        self.refreshes += 1
        mine = self.refreshes
        tree = await off_loop(tags.tag_tree, self.ctx.core, self.project.id)
        if mine != self.refreshes:
            return
        filters = {**self.filters(), "tag_id": None}
        self.counts = {}
        heads: list[tuple[int | None, str, ui.expansion]] = []
        self.container.clear()
        with self.container:
            if not tree:
                ui.label(t("questions.no_tags")).classes("text-sm")
            for node, depth in walk(tree):
                heads.append((node.id, node.name, self._head(node.id, node.name, depth, filters)))
            untagged = t("questions.untagged")
            heads.append((None, untagged, self._head(None, untagged, 0, filters)))
        counts = await off_loop(
            generation.count_questions_by_tag, self.ctx.core, self.project.id, **filters
        )
        if mine != self.refreshes:
            return
        for tag_id, name, head in heads:
            self.counts[tag_id] = counts.get(tag_id, 0)
            if not head.is_deleted:
                head.set_text(t("questions.tree_count", name=name, count=self.counts[tag_id]))

    def _head(
        self, tag_id: int | None, name: str, depth: int, filters: dict[str, Any]
    ) -> ui.expansion:
        testid = f"tree-tag-{tag_id}" if tag_id is not None else "tree-untagged"
        head = ui.expansion(
            t("questions.tree_counting", name=name), icon="label" if tag_id else "label_off"
        )
        head.classes("w-full").style(f"padding-left: {depth * 1.75}rem")
        head.props(f"dense data-testid={testid}")
        with head:
            body = ui.column().classes("w-full gap-1")
        loaded = False

        async def opened(value: bool) -> None:
            nonlocal loaded
            if value and not loaded:
                loaded = True
                await self._fill(body, tag_id, filters)

        head.on_value_change(lambda e: opened(bool(e.value)))
        return head

    async def _fill(self, body: ui.column, tag_id: int | None, filters: dict[str, Any]) -> None:
        only = {"untagged": True} if tag_id is None else {"tag_id": tag_id}
        rows = await off_loop(
            generation.list_questions,
            self.ctx.core,
            self.project.id,
            limit=PAGE,
            **{**filters, **only},
        )
        labels = await off_loop(
            chunk_labels.chunk_labels, self.ctx.core, self.project.id, [r.chunk_id for r in rows]
        )
        more = self.counts.get(tag_id, 0) > len(rows)
        if body.is_deleted:
            return
        body.clear()
        with body:
            if not rows:
                ui.label(t("questions.none")).classes("text-sm")
            for row in rows:
                question_dialogs.card(
                    row,
                    on_edit=self.on_edit,
                    prefix="tree-question",
                    chunk_label=labels.get(row.chunk_id) if row.chunk_id else None,
                )
            if tag_id is not None and more:
                with ui.row().classes("items-center gap-2"):
                    ui.label(
                        t("questions.tree_more", shown=len(rows), count=self.counts[tag_id])
                    ).classes("text-sm")
                    ui.button(
                        t("questions.show_in_list"), on_click=lambda: self.show_in_list(tag_id)
                    ).props(f"flat dense data-testid=tree-show-{tag_id}")
            elif more:
                ui.label(t("questions.tree_untagged_more")).classes("text-sm")
