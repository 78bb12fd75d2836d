"""Pieces of the questions screen: the filter bar, one question as a card (list and tree
views), and the add and edit dialogs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from nicegui import ui

from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import Reload, dialog
from easy_dataset.server.ui.helpers import guarded, notify_ok
from easy_dataset.server.ui.i18n import t
from easy_dataset.services import chunk_labels, files, generation
from easy_dataset.services.generation import QuestionView
from easy_dataset.services.views import ProjectView

NO_TAG = 0
NO_CHUNK = 0
ALL = 0  # "any" in a filter select
ORIGINS = ("generated", "template", "manual", "distilled")
ANSWERED = {"yes": True, "no": False}


def meta(question: QuestionView, chunk_label: str | None = None) -> str:
    """ "#12 · generated · answered · tag X · chunk bees.md · #3" (the chunk as the chunk
    list numbers it, its id only when no label was found)."""
    parts = [
        t(
            "questions.meta",
            id=question.id,
            origin=t(f"questions.origin.{question.origin}"),
            answered=t("questions.answered_yes" if question.answered else "questions.answered_no"),
        )
    ]
    if question.parent_question_id is not None:
        method = question.evolution or ""
        parts.append(t("questions.meta_parent", id=question.parent_question_id, method=method))
    if question.tag:
        parts.append(t("questions.meta_tag", tag=question.tag))
    if chunk_label is not None:
        parts.append(t("questions.meta_chunk_label", label=chunk_label))
    elif question.chunk_id is not None:
        parts.append(t("questions.meta_chunk", chunk=question.chunk_id))
    return " · ".join(parts)


def card(
    question: QuestionView,
    *,
    on_edit: Callable[[QuestionView], None],
    selected: bool | None = None,
    on_select: Callable[[int, bool], None] | None = None,
    prefix: str = "question",
    chunk_label: str | None = None,
    flags: Sequence[str] = (),
) -> None:
    """A question's text (as text, never HTML) and details; with `on_select` a checkbox."""
    with ui.card().classes("w-full py-2 gap-1").props(f"data-testid={prefix}-{question.id}"):
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            if on_select is not None:
                ui.checkbox(
                    value=bool(selected),
                    on_change=lambda e: on_select(question.id, bool(e.value)),
                ).props(f"dense data-testid={prefix}-select-{question.id}")
            ui.label(question.text).classes("break-words grow").props(
                f"data-testid={prefix}-text-{question.id}"
            )
            ui.button(icon="edit", on_click=lambda: on_edit(question)).props(
                f"flat dense round data-testid={prefix}-edit-{question.id}"
            ).tooltip(t("questions.edit"))
        with ui.row().classes("items-center gap-2"):
            ui.label(meta(question, chunk_label)).classes("text-xs text-gray-600").props(
                f"data-testid={prefix}-meta-{question.id}"
            )
            if flags:  # what the hygiene check could not repair
                reasons = ", ".join(t(f"hygiene.reason.{reason}") for reason in flags)
                ui.badge(t("questions.flagged", reasons=reasons), color="negative").props(
                    f"outline data-testid={prefix}-flag-{question.id}"
                )


def _tag_select(tags: dict[int, str], current: QuestionView | None) -> ui.select:
    choices = {NO_TAG: t("gen.no_tag")} | tags
    if current is not None and current.tag_id is not None and current.tag_id not in choices:
        choices[current.tag_id] = current.tag or str(current.tag_id)  # added since the page
    select = ui.select(
        choices,
        value=current.tag_id if current is not None and current.tag_id else NO_TAG,
        label=t("gen.tag"),
        with_input=True,
    )
    return select.classes("w-full").props("data-testid=question-form-tag")


def add(ctx: UiContext, project: ProjectView, tags: dict[int, str], done: Reload) -> None:
    box, body = dialog("question-dialog")
    with body:
        ui.label(t("questions.add_title")).classes("text-lg")
        text = ui.textarea(t("questions.text")).classes("w-full")
        text.props("autogrow autofocus data-testid=question-form-text")
        chunk = _chunk_picker(ctx, project)
        tag = _tag_select(tags, None)

        async def save() -> None:
            added = generation.add_question(
                ctx.core,
                project.id,
                text.value or "",
                chunk_id=int(chunk.value) if chunk.value else None,
                tag_id=int(tag.value or NO_TAG) or None,
            )
            box.close()
            notify_ok(t("questions.added", id=added.id))
            await done()

        _buttons(box, save)
    box.open()


def _chunk_picker(ctx: UiContext, project: ProjectView) -> ui.select:
    """A file, then one of its chunks as the chunk list numbers them (none: no chunk)."""
    found = {view.id: view.name for view in files.list_files(ctx.core, project.id)}
    with ui.row().classes("w-full gap-2 no-wrap"):
        file = ui.select(
            {NO_CHUNK: t("questions.chunk_none")} | found,
            value=NO_CHUNK,
            label=t("questions.chunk_file"),
        ).props("data-testid=question-form-chunk-file")
        chunk = ui.select(
            {NO_CHUNK: t("questions.chunk_none")}, value=NO_CHUNK, label=t("questions.chunk_pick")
        ).props("data-testid=question-form-chunk")
        file.classes("grow basis-0")
        chunk.classes("grow basis-0")

    def chosen() -> None:
        options = {NO_CHUNK: t("questions.chunk_none")}
        if file.value:
            options |= chunk_labels.chunk_choices(ctx.core, project.id, int(file.value))
        chunk.set_options(options, value=next(iter(options.keys() - {NO_CHUNK}), NO_CHUNK))

    file.on_value_change(lambda _: chosen())
    return chunk


def _buttons(box: ui.dialog, save: Callable[[], Awaitable[None]]) -> None:
    with ui.row():
        ui.button(t("common.save"), on_click=guarded(save)).props("data-testid=question-form-save")
        ui.button(t("common.cancel"), on_click=box.close).props("flat")


def edit(
    ctx: UiContext, project: ProjectView, question: QuestionView, tags: dict[int, str], done: Reload
) -> None:
    box, body = dialog("question-dialog")
    with body:
        ui.label(t("questions.edit_title", id=question.id)).classes("text-lg")
        text = ui.textarea(t("questions.text"), value=question.text).classes("w-full")
        text.props("autogrow autofocus data-testid=question-form-text")
        tag = _tag_select(tags, question)

        async def save() -> None:
            tag_id = int(tag.value or NO_TAG) or None
            generation.edit_question(
                ctx.core,
                project.id,
                question.id,
                text=text.value or "",
                tag_id=tag_id,
                clear_tag=tag_id is None and question.tag_id is not None,
            )
            box.close()
            notify_ok(t("common.saved"))
            await done()

        _buttons(box, save)
    box.open()


def filter_bar(
    files: dict[int, str], tags: dict[int, str], on_filter: Callable[..., Awaitable[None]]
) -> ui.select:
    """The list's filters; `on_filter(name=value)` on a change. Returns the tag select."""
    with ui.row().classes("w-full items-end gap-4"):
        ui.select(
            {ALL: t("gen.all_files")} | files,
            value=ALL,
            label=t("gen.file"),
            on_change=lambda e: on_filter(file_id=int(e.value or ALL) or None),
        ).classes("min-w-[12rem]").props("data-testid=qs-file")
        tag = ui.select(
            {ALL: t("gen.all")} | tags,
            value=ALL,
            label=t("gen.tag"),
            with_input=True,
            on_change=lambda e: on_filter(tag_id=int(e.value or ALL) or None),
        )
        tag.classes("min-w-[12rem]").props("data-testid=qs-tag")
        ui.select(
            {"": t("gen.all")} | {key: t(f"questions.origin.{key}") for key in ORIGINS},
            value="",
            label=t("questions.origin"),
            on_change=lambda e: on_filter(origin=str(e.value or "") or None),
        ).classes("min-w-[8rem]").props("data-testid=qs-origin")
        ui.select(
            {
                "": t("gen.all"),
                "yes": t("questions.answered_yes"),
                "no": t("questions.answered_no"),
            },
            value="",
            label=t("questions.answered"),
            on_change=lambda e: on_filter(answered=ANSWERED.get(str(e.value))),
        ).classes("min-w-[8rem]").props("data-testid=qs-answered")
        search = ui.input(t("questions.search")).props(
            "clearable debounce=400 data-testid=qs-search"
        )
        search.on_value_change(lambda e: on_filter(search=str(e.value or "")))
    return tag
