"""The tags screen (`/projects/{id}/tags`): the domain tag tree, editable by hand (add at
the top or under a tag, rename, move under another parent, delete with its subtree),
built or rebuilt by the model as a `tags.build` job, locked against the model, switched
off, or imported from pasted Markdown headings, an indented list or JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from nicegui import ui

from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import JobLauncher, dialog, tag_paths, walk
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.services import generation, tags
from easy_dataset.services.tags import TagNode
from easy_dataset.services.views import ProjectView

TOP = 0  # the "top level" choice of a parent select
SaveName = Callable[[str], Awaitable[None]]


class TagsScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.tree: list[TagNode] = []
        self.summary: ui.label | None = None
        self.listing: ui.column | None = None
        self.launcher: JobLauncher | None = None

    def build(self) -> None:
        ui.label(t("tags.title")).classes("text-2xl")
        self._options()
        with ui.row().classes("w-full items-end gap-2"):
            name = ui.input(t("tags.new_name")).props("data-testid=tags-new-name")
            name.classes("min-w-[16rem]")

            async def add_top() -> None:
                await self._add(name.value or "", None)
                name.set_value("")

            name.on("keydown.enter", guarded(add_top))
            ui.button(t("tags.add"), icon="add", on_click=guarded(add_top)).props(
                "data-testid=tags-add"
            )
            ui.space()
            self.summary = ui.label().props("data-testid=tags-count")
        self.listing = ui.column().classes("w-full gap-0").props("data-testid=tags-tree")
        self._import_form()
        self.show(tags.tag_tree(self.ctx.core, self.project.id))

    def _options(self) -> None:
        settings = generation.get_generation_settings(self.ctx.core, self.project.id)
        with ui.card().classes("w-full"):
            with ui.row().classes("w-full items-center gap-4"):
                enabled = ui.switch(t("tags.enabled"), value=settings.tags_enabled)
                enabled.props("data-testid=tags-enabled")
                enabled.on_value_change(guarded(lambda e: self._set(enabled=bool(e.value))))
                locked = ui.switch(t("tags.locked"), value=settings.tags_locked)
                locked.props("data-testid=tags-locked")
                locked.on_value_change(guarded(lambda e: self._set(locked=bool(e.value))))
            with ui.row().classes("w-full items-center gap-4"):
                rebuild = ui.checkbox(t("tags.rebuild")).props("data-testid=tags-rebuild")

                async def build() -> None:
                    if rebuild.value and not await confirm(
                        t("tags.confirm_rebuild"), action=t("tags.rebuild_go")
                    ):
                        return
                    assert self.launcher is not None
                    await self.launcher.start_after_estimate(
                        "tags.build",
                        t("estimate.title.tags"),
                        t("estimate.tags.rebuild" if rebuild.value else "estimate.tags.all"),
                        rebuild=bool(rebuild.value) or None,
                    )

                ui.button(t("tags.build"), icon="auto_awesome", on_click=guarded(build)).props(
                    "data-testid=tags-build"
                )
            ui.label(t("tags.build_help")).classes("text-sm text-gray-600")
            self.launcher = JobLauncher(self.ctx, self.project, self.reload)

    def _set(self, *, enabled: bool | None = None, locked: bool | None = None) -> None:
        tags.set_tag_options(self.ctx.core, self.project.id, enabled=enabled, locked=locked)
        if enabled is not None:
            notify_ok(t("tags.enabled_on" if enabled else "tags.enabled_off"))
        if locked is not None:
            notify_ok(t("tags.locked_on" if locked else "tags.locked_off"))

    def _import_form(self) -> None:
        with (
            ui.expansion(t("tags.import"), icon="upload")
            .classes("w-full")
            .props("data-testid=tags-import-open")
        ):
            ui.label(t("tags.import_help")).classes("text-sm text-gray-600")
            text = ui.textarea(t("tags.import_text")).classes("w-full font-mono")
            text.props("autogrow data-testid=tags-import-text")
            replace = ui.checkbox(t("tags.import_replace")).props("data-testid=tags-import-replace")

            async def go() -> None:
                if replace.value and not await confirm(
                    t("tags.confirm_replace"), action=t("tags.import_go")
                ):
                    return
                tree = await off_loop(
                    tags.import_tags,
                    self.ctx.core,
                    self.project.id,
                    text.value or "",
                    replace=bool(replace.value),
                )
                text.set_value("")
                self.show(tree)
                notify_ok(t("tags.imported", count=sum(1 for _ in walk(tree))))

            ui.button(t("tags.import_go"), on_click=guarded(go)).props("data-testid=tags-import-go")

    async def reload(self) -> None:
        self.show(await off_loop(tags.tag_tree, self.ctx.core, self.project.id))

    def show(self, tree: list[TagNode]) -> None:
        self.tree = tree
        if self.summary is not None:
            self.summary.set_text(t("tags.count", count=sum(1 for _ in walk(tree))))
        if self.listing is None:
            return
        self.listing.clear()
        with self.listing:
            if not tree:
                ui.label(t("tags.none")).props("data-testid=tags-none")
            for node, depth in walk(tree):
                self._row(node, depth)

    def _row(self, node: TagNode, depth: int) -> None:
        row = ui.row().classes("w-full items-center gap-1 no-wrap hover:bg-gray-50")
        with row.style(f"padding-left: {depth * 1.75}rem").props(f"data-testid=tag-{node.id}"):
            ui.icon("label" if not node.children else "account_tree", color="primary")
            ui.label(node.name).classes("break-all").props(f"data-testid=tag-name-{node.id}")
            if node.description:
                ui.label(node.description).classes("text-sm text-gray-600")
            ui.space()
            actions = (
                ("add", "tags.add_child", "add", self._add_child),
                ("rename", "tags.rename", "edit", self._rename),
                ("move", "tags.move", "drive_file_move", self._move),
                ("delete", "tags.delete", "delete", self._delete),
            )
            for key, label, icon, handler in actions:
                button = ui.button(icon=icon, on_click=guarded(lambda h=handler: h(node)))
                button.props(f"flat dense round size=sm data-testid=tag-{key}-{node.id}")
                button.tooltip(t(label))

    async def _add(self, name: str, parent_id: int | None) -> None:
        added = tags.add_tag(self.ctx.core, self.project.id, name, parent_id=parent_id)
        notify_ok(t("tags.added", name=added.name))
        await self.reload()

    def _name_dialog(self, title: str, value: str, save: SaveName) -> None:
        box, card = dialog("tag-dialog")
        with card:
            ui.label(title).classes("text-lg break-all")
            name = ui.input(t("tags.name"), value=value).classes("w-full")
            name.props("autofocus data-testid=tag-dialog-name")

            async def ok() -> None:
                await save(name.value or "")
                box.close()

            name.on("keydown.enter", guarded(ok))
            with ui.row():
                ui.button(t("common.save"), on_click=guarded(ok)).props(
                    "data-testid=tag-dialog-save"
                )
                ui.button(t("common.cancel"), on_click=box.close).props("flat")
        box.open()

    def _add_child(self, node: TagNode) -> None:
        async def save(name: str) -> None:
            await self._add(name, node.id)

        self._name_dialog(t("tags.add_child_title", name=node.name), "", save)

    def _rename(self, node: TagNode) -> None:
        async def save(name: str) -> None:
            renamed = tags.rename_tag(self.ctx.core, self.project.id, node.id, name)
            notify_ok(t("tags.renamed", name=renamed.name))
            await self.reload()

        self._name_dialog(t("tags.rename_title", name=node.name), node.name, save)

    def _move(self, node: TagNode) -> None:
        box, card = dialog("tag-dialog")
        choices = {TOP: t("gen.top_level")} | tag_paths(self.tree, skip=node.id)
        with card:
            ui.label(t("tags.move_title", name=node.name)).classes("text-lg break-all")
            parent = ui.select(
                choices, value=node.parent_id or TOP, label=t("tags.new_parent"), with_input=True
            ).classes("w-full")
            parent.props("data-testid=tag-dialog-parent")

            async def ok() -> None:
                target = int(parent.value or TOP)
                moved = tags.move_tag(
                    self.ctx.core, self.project.id, node.id, None if target == TOP else target
                )
                box.close()
                notify_ok(t("tags.moved", name=moved.name))
                await self.reload()

            with ui.row():
                ui.button(t("tags.move"), on_click=guarded(ok)).props("data-testid=tag-dialog-save")
                ui.button(t("common.cancel"), on_click=box.close).props("flat")
        box.open()

    async def _delete(self, node: TagNode) -> None:
        below = sum(1 for _ in walk(node.children))
        if not await confirm(t("tags.confirm_delete", name=node.name, count=below)):
            return
        gone = tags.delete_tag(self.ctx.core, self.project.id, node.id)
        notify_ok(t("tags.deleted", name=gone.name))
        await self.reload()


def register() -> None:
    @ui.page("/projects/{project_id}/tags")
    def tags_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "tags")
        if opened is None:
            return
        with content():
            TagsScreen(*opened).build()
