"""The dialogs of the chunks screen: view (Markdown, escaped), edit, split, re-split."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from easy_dataset.server.ui import safe
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.settings_forms import ChunkingFields
from easy_dataset.server.ui.settings_prompts import text_block
from easy_dataset.server.ui.unsaved import page_guard
from easy_dataset.services import chunks
from easy_dataset.services.chunk_labels import label as chunk_label
from easy_dataset.services.views import ChunkView, ProjectView

Reload = Callable[[], Awaitable[None]]


def _dialog() -> tuple[ui.dialog, ui.card]:
    """A dialog that removes itself from the page once closed."""
    dialog = ui.dialog().props("data-testid=chunk-dialog")
    # After the closing animation, when the handler that closed it has finished.
    dialog.on("hide", lambda: dialog.delete())
    with dialog:
        card = ui.card().classes("w-[60rem] max-w-full")
    return dialog, card


def view(row: ChunkView) -> None:
    dialog, card = _dialog()
    with card:
        ui.label(chunk_label(row.file_name, row.ordinal)).classes("text-lg")
        with ui.tabs() as tabs:
            rendered = ui.tab(t("chunks.markdown"))
            raw = ui.tab(t("chunks.raw")).props("data-testid=chunk-raw-tab")
        with ui.tab_panels(tabs, value=rendered).classes("w-full"):
            with ui.tab_panel(rendered):
                safe.markdown(row.content).classes("w-full").props("data-testid=chunk-markdown")
            with ui.tab_panel(raw):
                text_block(row.content, "chunk-raw")
        ui.button(t("common.close"), on_click=dialog.close)
    dialog.open()


def edit(ctx: UiContext, row: ChunkView, reload: Reload) -> None:
    """The chunk's text in an editor; a click beside the dialog or Esc does not close it
    (only Save or Cancel do), and leaving the page with an unsaved edit asks first."""
    dialog, card = _dialog()
    dialog.props("persistent")
    guard = page_guard()
    with card:
        ui.label(t("chunks.edit_title", id=row.id)).classes("text-lg")
        editor = ui.textarea(value=row.content).classes("w-full font-mono")
        editor.props("autogrow data-testid=chunk-editor")

        async def save() -> None:
            chunks.edit_chunk(ctx.core, row.id, editor.value or "")
            guard.forget(editor)
            dialog.close()
            notify_ok(t("common.saved"))
            await reload()

        def cancel() -> None:
            guard.forget(editor)
            dialog.close()

        guard.watch(editor, save)

        with ui.row():
            ui.button(t("common.save"), on_click=guarded(save)).props("data-testid=chunk-save")
            ui.button(t("common.cancel"), on_click=cancel).props("flat")
    dialog.open()


def split(ctx: UiContext, row: ChunkView, reload: Reload) -> None:
    dialog, card = _dialog()
    with card:
        ui.label(t("chunks.split_title", id=row.id)).classes("text-lg")
        ui.label(t("chunks.split_help")).classes("text-sm")
        text = ui.textarea(value=row.content).classes("w-full font-mono")
        text.props("readonly autogrow data-testid=chunk-split-text")
        offset = ui.number(
            t("chunks.offset"), value=len(row.content) // 2, min=1, max=len(row.content) - 1
        ).props("data-testid=chunk-split-offset")

        async def use_cursor() -> None:
            # The text before the caret, measured in Python characters (not UTF-16 units).
            before = await ui.run_javascript(
                f"const area = getHtmlElement({text.id}).querySelector('textarea');"
                "return area.value.slice(0, area.selectionStart);"
            )
            offset.set_value(len(str(before)))

        async def cut() -> None:
            chunks.split_chunk_at(ctx.core, row.id, int(offset.value or 0))
            dialog.close()
            notify_ok(t("chunks.split_done"))
            await reload()

        with ui.row():
            ui.button(t("chunks.use_cursor"), on_click=use_cursor).props("flat")
            ui.button(t("chunks.split"), on_click=guarded(cut)).props("data-testid=chunk-split-go")
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
    dialog.open()


def resplit(ctx: UiContext, project: ProjectView, names: dict[int, str], reload: Reload) -> None:
    if not names:
        ui.notify(t("chunks.no_files"))
        return
    dialog, card = _dialog()
    with card:
        ui.label(t("chunks.resplit")).classes("text-lg")
        chosen = ui.select(names, value=next(iter(names)), label=t("chunks.file"))
        chosen.classes("min-w-[14rem]").props("data-testid=resplit-file")
        fields = ChunkingFields(project.chunking)
        ui.label(t("chunks.resplit_note")).classes("text-sm text-gray-600")

        async def go() -> None:
            settings = fields.settings()
            file_id = int(chosen.value)
            if not await confirm(
                t("chunks.confirm_resplit", name=names[file_id]), action=t("chunks.resplit")
            ):
                return
            outcomes = await off_loop(
                chunks.split_files,
                ctx.core,
                project.id,
                file_ids=[file_id],
                settings=settings,
                replace=True,
            )
            dialog.close()
            notify_ok(t("chunks.resplit_done", count=sum(o.chunk_count for o in outcomes)))
            await reload()

        with ui.row():
            ui.button(t("chunks.resplit"), on_click=guarded(go)).props("data-testid=resplit-go")
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
    dialog.open()
