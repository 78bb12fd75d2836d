"""One QA pair (`/projects/{id}/qa/{qa_id}`): the source chunk (Markdown, escaped) beside
the pair; edit question, answer and reasoning, confirm, rate, tag, note, revise with advice
(one model call, off the event loop), and previous/next within the list's filters. A
dialogue shows its turns instead (`dialogue_editor.DialogueEditor`) and offers no revision.

No action loses an edit: confirming (or un-confirming) saves the edited texts in the same
service call, revising saves them first (the model revises what the page shows), and leaving
the page with unsaved edits or an unsaved note asks first (`unsaved.UnsavedGuard`)."""

from __future__ import annotations

from fastapi import Request
from nicegui import ui

from easy_dataset.errors import NotFoundError
from easy_dataset.server.ui import safe
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.dialogue_editor import DialogueEditor
from easy_dataset.server.ui.helpers import guarded, notify_ok, off_loop, when
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.server.ui.qa_filters import ReviewFilters
from easy_dataset.server.ui.quality_panel import QualityPanel
from easy_dataset.server.ui.settings_prompts import text_block
from easy_dataset.server.ui.unsaved import page_guard
from easy_dataset.services import generation
from easy_dataset.services.chunk_labels import label as chunk_label
from easy_dataset.services.generation import QADetail, QAView
from easy_dataset.services.views import ProjectView


def detail_path(project_id: int, qa_id: int, filters: ReviewFilters) -> str:
    return f"{project_path(project_id, 'qa')}/{qa_id}{filters.suffix()}"


class QADetailScreen:
    def __init__(
        self, ctx: UiContext, project: ProjectView, detail: QADetail, filters: ReviewFilters
    ) -> None:
        self.ctx = ctx
        self.project = project
        self.detail = detail
        self.view: QAView = detail
        self.filters = filters
        self.neighbours: tuple[int | None, int | None] = (None, None)
        self.status: ui.row | None = None
        self.tag_row: ui.row | None = None
        self.prev_button: ui.button | None = None
        self.next_button: ui.button | None = None
        self.question: ui.textarea | None = None
        self.answer: ui.textarea | None = None
        self.cot: ui.textarea | None = None
        self.rating: ui.rating | None = None
        self.note: ui.textarea | None = None
        self.confirm_button: ui.button | None = None
        self.revised: ui.column | None = None
        self.panel: QualityPanel | None = None
        self.dialogue: DialogueEditor | None = None
        self.guard = page_guard()

    @property
    def qa_id(self) -> int:
        return self.detail.id

    def build(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            back = project_path(self.project.id, "qa") + self.filters.suffix()
            ui.link(t("qa.back"), back).props("data-testid=qa-back")
            title = "dialogue.detail_title" if self.detail.kind == "dialogue" else "qa.detail_title"
            ui.label(t(title, id=self.qa_id)).classes("text-2xl")
            ui.space()
            self.prev_button = ui.button(t("qa.previous"), icon="chevron_left")
            self.prev_button.props("flat data-testid=qa-prev").disable()
            self.prev_button.on_click(guarded(lambda: self._step(0)))
            self.next_button = ui.button(t("qa.next"), icon="chevron_right")
            self.next_button.props("flat data-testid=qa-next").disable()
            self.next_button.on_click(guarded(lambda: self._step(1)))
        with ui.row().classes("w-full items-start gap-4 no-wrap max-md:flex-wrap"):
            with ui.column().classes("flex-1 min-w-[20rem] gap-2"):
                self._chunk()
            with ui.column().classes("flex-1 min-w-[20rem] gap-3"):
                self.status = ui.row().classes("w-full items-center gap-2")
                self._status()
                if self.detail.kind == "dialogue":
                    self._dialogue()
                else:
                    self._editor()
                self._review()
                self.panel = QualityPanel(self.ctx, self.project.id, self.qa_id)
                # Revising rereads the source chunk: a pair answered without one has none.
                if self.dialogue is None and self.view.provenance.get("context") != "none":
                    self._revise()
        ui.timer(0, self._find_neighbours, once=True)

    # -- the source ------------------------------------------------------------------------

    def _chunk(self) -> None:
        ui.label(t("qa.source")).classes("text-lg")
        chunk = self.detail.chunk
        if chunk is None:
            ui.label(t("qa.no_chunk")).props("data-testid=qa-no-chunk")
            return
        ui.label(chunk_label(chunk.file_name, chunk.ordinal)).classes("text-sm font-medium")
        if chunk.heading_path:
            ui.label(" › ".join(chunk.heading_path)).classes("text-sm text-gray-600")
        with ui.card().classes("w-full bg-gray-50"):
            safe.markdown(chunk.content).classes("w-full").props("data-testid=qa-chunk")

    # -- the pair --------------------------------------------------------------------------

    def _status(self) -> None:
        if self.status is None:
            return
        self.status.clear()
        view = self.view
        with self.status:
            label = t("qa.confirmed") if view.confirmed else t("qa.unconfirmed")
            ui.badge(label, color="positive" if view.confirmed else "grey").props(
                "data-testid=qa-status-badge"
            )
            score = "—" if view.score is None else f"{view.score:g}"
            ui.label(t("qa.score_is", score=score)).props("data-testid=qa-score")
            domain = view.provenance.get("tag")
            if isinstance(domain, str) and domain:
                ui.label(t("qa.domain_tag", tag=domain)).classes("text-sm text-gray-600")
            ui.label(t("qa.meta", model=view.model or "—", created=when(view.created_at))).classes(
                "text-sm text-gray-600"
            )

    def _editor(self) -> None:
        view = self.view
        self.question = ui.textarea(t("qa.question"), value=view.question).classes("w-full")
        self.question.props("autogrow outlined data-testid=qa-edit-question")
        self.answer = ui.textarea(t("qa.answer"), value=view.answer).classes("w-full")
        self.answer.props("autogrow outlined data-testid=qa-edit-answer")
        self.cot = ui.textarea(t("qa.reasoning"), value=view.cot).classes("w-full")
        self.cot.props("autogrow outlined data-testid=qa-edit-cot")
        for field in (self.question, self.answer, self.cot):
            self.guard.watch(field, self._save)
        with ui.row().classes("gap-2"):
            ui.button(t("common.save"), on_click=guarded(self._save_clicked)).props(
                "data-testid=qa-save"
            )
            self._confirm_button()

    def _dialogue(self) -> None:
        def changed(detail: QADetail) -> None:
            self.view = detail
            self._status()

        self.dialogue = DialogueEditor(self.ctx, self.project.id, self.detail, self.guard, changed)
        self.dialogue.build()
        self._confirm_button()

    def _confirm_button(self) -> None:
        self.confirm_button = ui.button(on_click=guarded(self._toggle_confirm))
        self.confirm_button.props("data-testid=qa-confirm")
        self._confirm_label()

    def _confirm_label(self) -> None:
        if self.confirm_button is None:
            return
        confirmed = self.view.confirmed
        self.confirm_button.set_text(t("qa.unconfirm") if confirmed else t("qa.confirm"))
        self.confirm_button.props(f"color={'grey' if confirmed else 'positive'}")

    def _review(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(t("qa.rating")).classes("font-medium")
            self.rating = ui.rating(
                value=self.view.score,
                max=5,
                size="md",
                on_change=guarded(lambda e: self._rate(e.value)),
            ).props("data-testid=qa-rating")
            ui.button(t("qa.clear_rating"), on_click=guarded(self._clear_rating)).props(
                "flat dense data-testid=qa-rating-clear"
            )
        ui.label(t("qa.tags")).classes("font-medium")
        self.tag_row = ui.row().classes("w-full items-center gap-1").props("data-testid=qa-tags")
        self._tags()
        with ui.row().classes("items-end gap-2"):
            new_tag = ui.input(t("qa.new_tag")).props("dense data-testid=qa-tag-input")

            async def add() -> None:
                await self._tag([new_tag.value or ""], "add")
                new_tag.set_value("")

            new_tag.on("keydown.enter", guarded(add))
            ui.button(t("qa.add_tag"), on_click=guarded(add)).props("flat data-testid=qa-tag-add")
        self.note = ui.textarea(t("qa.note"), value=self.view.note).classes("w-full")
        self.note.props("autogrow outlined data-testid=qa-note")
        self.guard.watch(self.note, self._save_note)

        def save_note() -> None:
            self._save_note()
            notify_ok(t("qa.note_saved"))

        ui.button(t("qa.save_note"), on_click=guarded(save_note)).props(
            "flat data-testid=qa-note-save"
        )
        if self.view.judge_notes:
            ui.label(t("qa.judge_notes")).classes("font-medium")
            text_block(self.view.judge_notes, "qa-judge-notes")

    def _tags(self) -> None:
        if self.tag_row is None:
            return
        self.tag_row.clear()
        with self.tag_row:
            if not self.view.user_tags:
                ui.label(t("qa.no_tags")).classes("text-sm text-gray-600")
            for index, name in enumerate(self.view.user_tags):
                chip = ui.chip(name, removable=True, color="accent", text_color="white")
                chip.props(f"data-testid=qa-tag-{index}")
                chip.on_value_change(
                    guarded(lambda e, tag=name: None if e.value else self._tag([tag], "remove"))
                )

    def _revise(self) -> None:
        with ui.card().classes("w-full").props("data-testid=qa-revise-panel"):
            ui.label(t("qa.revise")).classes("font-medium")
            advice = ui.input(t("qa.advice")).classes("w-full").props("data-testid=qa-advice")
            with ui.row().classes("items-center gap-2"):
                button = ui.button(t("qa.revise_go")).props("data-testid=qa-revise")
                spinner = ui.spinner().props("data-testid=qa-revising")
                spinner.set_visibility(False)
            self.revised = ui.column().classes("w-full")

            async def revise() -> None:
                if self._edited():  # the model revises what the page shows
                    self._save()
                # Nothing typed while the model works could be kept: the texts are reloaded.
                editors = (self.question, self.answer, self.cot)
                for editor in (button, *editors):
                    if editor is not None:
                        editor.disable()
                spinner.set_visibility(True)
                try:
                    self.view = await off_loop(
                        generation.revise_qa,
                        self.ctx.core,
                        self.project.id,
                        self.qa_id,
                        advice.value or "",
                    )
                finally:
                    for editor in (button, *editors):
                        if editor is not None:
                            editor.enable()
                    spinner.set_visibility(False)
                self._show_stored()
                if self.revised is not None:
                    self.revised.clear()
                    with self.revised:
                        ui.label(t("qa.revised")).classes("font-medium")
                        text_block(self.view.answer, "qa-revised")
                notify_ok(t("qa.revised"))

            button.on_click(guarded(revise))

    # -- actions ---------------------------------------------------------------------------

    def _edits(self) -> tuple[str, str, str]:
        """Question, answer and reasoning as the page shows them."""
        assert self.question is not None and self.answer is not None and self.cot is not None
        return self.question.value or "", self.answer.value or "", self.cot.value or ""

    def _edited(self) -> bool:
        view = self.view
        stored = (view.question, view.answer, view.cot)
        return any(text.strip() != was for text, was in zip(self._edits(), stored, strict=True))

    def _show_stored(self) -> None:
        """The fields show what is stored now: called once the page's edits are stored (the
        service strips text) or the model has revised the answer."""
        assert self.question is not None and self.answer is not None and self.cot is not None
        self.question.set_value(self.view.question)
        self.answer.set_value(self.view.answer)
        self.cot.set_value(self.view.cot)
        self.guard.saved(self.question, self.answer, self.cot)

    async def _refresh_panel(self) -> None:
        """The quality card read again: an edit re-runs hygiene, so a flag it fixed is gone."""
        if self.panel is not None:
            await self.panel.refresh()

    async def _save_clicked(self) -> None:
        self._save()
        await self._refresh_panel()

    def _save(self) -> None:
        question, answer, cot = self._edits()
        self.view = generation.edit_qa(
            self.ctx.core, self.project.id, self.qa_id, question=question, answer=answer, cot=cot
        )
        self._show_stored()
        notify_ok(t("common.saved"))

    def _save_note(self) -> None:
        assert self.note is not None
        self.view = generation.note_qa(
            self.ctx.core, self.project.id, self.qa_id, self.note.value or ""
        )
        self.note.set_value(self.view.note)
        self.guard.saved(self.note)

    async def _toggle_confirm(self) -> None:
        wanted = not self.view.confirmed
        if self.dialogue is not None:  # what is confirmed is what the page shows
            self.dialogue.save_edited()
            [self.view] = generation.confirm_qa(
                self.ctx.core, self.project.id, [self.qa_id], wanted
            )
            self._confirm_label()
            self._status()
            notify_ok(t("qa.confirmed") if wanted else t("qa.unconfirmed"))
            await self._refresh_panel()
            return
        edited = self._edited()
        if edited:  # one transaction: the confirmation carries the edit, or neither is stored
            question, answer, cot = self._edits()
            self.view = generation.edit_qa(
                self.ctx.core,
                self.project.id,
                self.qa_id,
                question=question,
                answer=answer,
                cot=cot,
                confirmed=wanted,
            )
            self._show_stored()
        else:
            [self.view] = generation.confirm_qa(
                self.ctx.core, self.project.id, [self.qa_id], wanted
            )
        self._confirm_label()
        self._status()
        if edited:
            notify_ok(t("qa.saved_confirmed") if wanted else t("qa.saved_unconfirmed"))
            await self._refresh_panel()
        else:
            notify_ok(t("qa.confirmed") if wanted else t("qa.unconfirmed"))

    def _rate(self, score: float | None) -> None:
        if score == self.view.score:
            return
        self.view = generation.rate_qa(self.ctx.core, self.project.id, self.qa_id, score)
        self._status()

    def _clear_rating(self) -> None:
        self._rate(None)
        if self.rating is not None:
            self.rating.set_value(None)

    async def _tag(self, names: list[str], mode: str) -> None:
        if mode == "add":
            self.view = generation.tag_qa(self.ctx.core, self.project.id, self.qa_id, names)
        else:
            self.view = generation.tag_qa(
                self.ctx.core, self.project.id, self.qa_id, names, mode="remove"
            )
        self._tags()

    async def _find_neighbours(self) -> None:
        self.neighbours = await off_loop(
            generation.qa_neighbours,
            self.ctx.core,
            self.project.id,
            self.qa_id,
            **self.filters.service(),
        )
        buttons = (self.prev_button, self.next_button)
        for button, target in zip(buttons, self.neighbours, strict=True):
            if button is not None and target is not None:
                button.enable()

    async def _step(self, which: int) -> None:
        target = self.neighbours[which]
        if target is not None:
            await self.guard.leave(detail_path(self.project.id, target, self.filters))


def register() -> None:
    @ui.page("/projects/{project_id}/qa/{qa_id}")
    def qa_detail_page(request: Request, project_id: int, qa_id: int) -> None:
        opened = project_page(request, project_id, "qa")
        if opened is None:
            return
        ctx, project = opened
        filters = ReviewFilters.from_query(request.query_params)
        with content():
            try:
                detail = generation.get_qa(ctx.core, project.id, qa_id)
            except NotFoundError as exc:
                ui.label(str(exc)).props("data-testid=qa-missing")
                ui.link(t("qa.back"), project_path(project.id, "qa") + filters.suffix())
                return
            QADetailScreen(ctx, project, detail, filters).build()
