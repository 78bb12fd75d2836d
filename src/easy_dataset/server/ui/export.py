"""The export screen (`/projects/{id}/export`): format and options, which pairs, a live count
and a one-record preview; the download is the REST endpoint's streamed file, opened by the
browser, so no row of it passes through this page. Every choice is kept in the page's
address (`export_form.ExportForm`), so switching the language or reloading keeps the form,
its count and what the download holds."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from nicegui import ui
from nicegui.elements.mixins.value_element import ValueElement
from pydantic import ValidationError

from easy_dataset.errors import EasyDatasetError, validation_reasons
from easy_dataset.export import ExportOptions
from easy_dataset.export.options import CUSTOM_SOURCES
from easy_dataset.samples_shape import SAMPLE_KINDS
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.export_form import (
    COT_MODES,
    FILE_TYPES,
    FORMATS,
    QUESTION_SLOTS,
    UNANSWERABLE_CHOICES,
    ExportForm,
    count_matching,
    export_url,
    parse_ids,
    pretty,
    preview_record,
)
from easy_dataset.server.ui.helpers import off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.server.ui.qa_filters import tag_names
from easy_dataset.server.ui.settings_prompts import text_block
from easy_dataset.services import tags
from easy_dataset.services.export import ExportFilters
from easy_dataset.services.generation.qa_query import FLAG_KINDS
from easy_dataset.services.views import ProjectView


class ExportScreen:
    def __init__(self, ctx: UiContext, project: ProjectView, form: ExportForm) -> None:
        self.ctx = ctx
        self.project = project
        self.initial = form
        self.url = ""
        self.requests = 0
        self.fields: dict[str, ui.input] = {}

    def build(self) -> None:
        ui.label(t("export.title")).classes("text-2xl")
        with ui.card().classes("w-full gap-2"):
            ui.label(t("export.shape")).classes("text-lg")
            self._shape()
        with ui.card().classes("w-full gap-2"):
            ui.label(t("export.which")).classes("text-lg")
            self._which()
        with ui.row().classes("w-full items-center gap-4"):
            self.count = ui.label().props("data-testid=export-count").classes("font-medium")
            self.error = ui.label().classes("text-negative").props("data-testid=export-error")
            ui.space()
            self.download = ui.button(t("export.download"), icon="download")
            self.download.props("data-testid=export-download").on_click(self._download)
        ui.label(t("export.url_help")).classes("text-sm text-gray-600")
        self.url_label = (
            ui.label().classes("font-mono text-xs break-all").props("data-testid=export-url")
        )
        ui.label(t("export.preview")).classes("text-lg")
        self.preview = ui.column().classes("w-full")
        ui.timer(0, self.refresh, once=True)

    def _changed(self, element: ValueElement[Any]) -> None:
        element.on_value_change(self.refresh)

    def _shape(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            start = self.initial
            self.format = ui.select(list(FORMATS), value=start.format, label=t("export.format"))
            self.format.classes("min-w-[10rem]").props("data-testid=export-format")
            self.file_type = ui.select(
                list(FILE_TYPES), value=start.file_type, label=t("export.file_type")
            )
            self.file_type.classes("min-w-[7rem]").props("data-testid=export-file-type")
            self.cot = ui.select(
                {mode: t(f"export.cot.{mode or 'default'}") for mode in COT_MODES},
                value=start.cot,
                label=t("export.cot"),
            )
            self.cot.classes("min-w-[14rem]").props("data-testid=export-cot")
            self.provenance = ui.switch(t("export.provenance"), value=start.provenance).props(
                "data-testid=export-provenance"
            )
            self.citations = ui.switch(t("export.citations"), value=start.citations).props(
                "data-testid=export-citations"
            )
        self.system = ui.textarea(t("export.system"), value=start.system).classes("w-full")
        self.system.props("autogrow outlined debounce=400 data-testid=export-system")
        with ui.row().classes("w-full items-end gap-4") as self.alpaca_row:
            self.question_as = ui.select(
                {slot: t(f"export.question_as.{slot}") for slot in QUESTION_SLOTS},
                value=start.question_as,
                label=t("export.question_as"),
            )
            self.question_as.classes("min-w-[14rem]").props("data-testid=export-question-as")
            self.instruction = ui.input(t("export.instruction"), value=start.instruction)
            self.instruction.classes("flex-1")
            self.instruction.props("debounce=400 data-testid=export-instruction")
        with ui.column().classes("w-full gap-1") as self.custom_box:
            ui.label(t("export.fields_help")).classes("text-sm text-gray-600")
            with ui.row().classes("w-full gap-2"):
                for source in CUSTOM_SOURCES:
                    field = ui.input(
                        t("export.field_for", source=source), value=start.fields.get(source, "")
                    )
                    field.classes("w-36").props(f"debounce=400 data-testid=export-field-{source}")
                    self.fields[source] = field
        self.alpaca_row.set_visibility(start.format == "alpaca")
        self.custom_box.set_visibility(start.format == "custom")
        watched: list[ValueElement[Any]] = [self.format, self.file_type, self.cot, self.system]
        watched += [self.provenance, self.citations, self.question_as, self.instruction]
        watched += self.fields.values()
        for element in watched:
            self._changed(element)

    def _which(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            start = self.initial
            self.confirmed = ui.checkbox(t("export.confirmed_only"), value=start.confirmed)
            self.confirmed.props("data-testid=export-confirmed")
            self.min_score = ui.number(
                t("export.min_score"), value=start.min_score, min=0, max=5, step=0.5
            )
            self.min_score.classes("w-32").props(
                "clearable debounce=400 data-testid=export-min-score"
            )
            domain_tags = tag_names(tags.tag_tree(self.ctx.core, self.project.id))
            domain_tags += [tag for tag in start.tags if tag not in domain_tags]
            self.tags = ui.select(
                domain_tags,
                value=list(start.tags),
                label=t("export.tags"),
                multiple=True,
                new_value_mode="add-unique",
            )
            self.tags.classes("min-w-[14rem]").props("use-chips data-testid=export-tags")
            self.ids = ui.input(t("export.ids"), value=start.ids).classes("min-w-[14rem]")
            self.ids.props("clearable debounce=400 data-testid=export-ids")
        with ui.row().classes("w-full items-end gap-4"):
            self.min_judge = ui.number(
                t("export.min_judge"), value=start.min_judge, min=0, max=5, step=0.5
            )
            self.min_judge.classes("w-40").props(
                "clearable debounce=400 data-testid=export-min-judge"
            )
            self.exclude = ui.select(
                {kind: t(f"quality.flag.{kind}") for kind in FLAG_KINDS},
                value=list(start.exclude),
                label=t("export.exclude_flagged"),
                multiple=True,
            )
            self.exclude.classes("min-w-[16rem]").props("use-chips data-testid=export-exclude")
            self.kinds = ui.select(
                {kind: t(f"export.kind.{kind}") for kind in SAMPLE_KINDS},
                value=list(start.kinds),
                label=t("export.kinds"),
                multiple=True,
            )
            self.kinds.classes("min-w-[14rem]").props("use-chips data-testid=export-kinds")
            self.unanswerable = ui.select(
                {key: t(f"export.unanswerable.{key}") for key in UNANSWERABLE_CHOICES},
                value=start.unanswerable,
                label=t("export.unanswerable"),
            )
            self.unanswerable.classes("min-w-[12rem]").props("data-testid=export-unanswerable")
        for choice in (self.confirmed, self.min_score, self.tags, self.ids):
            self._changed(choice)
        self._changed(self.min_judge)
        self._changed(self.exclude)
        self._changed(self.kinds)
        self._changed(self.unanswerable)

    # -- state ----------------------------------------------------------------------------

    def _form(self) -> ExportForm:
        """The choices as they stand, for the page's address."""
        return ExportForm(
            format=str(self.format.value),
            file_type=str(self.file_type.value),
            cot=str(self.cot.value or ""),
            provenance=bool(self.provenance.value),
            citations=bool(self.citations.value),
            system=str(self.system.value or ""),
            question_as=str(self.question_as.value),
            instruction=str(self.instruction.value or ""),
            fields={source: str(field.value or "") for source, field in self.fields.items()},
            confirmed=bool(self.confirmed.value),
            min_score=self.min_score.value,
            tags=[str(tag) for tag in self.tags.value or []],
            ids=str(self.ids.value or ""),
            min_judge=self.min_judge.value,
            exclude=[str(kind) for kind in self.exclude.value or []],
            kinds=[str(kind) for kind in self.kinds.value or []],
            unanswerable=str(self.unanswerable.value),
        )

    def _remember(self) -> None:
        """Keep the form in the address: a reload or a language switch comes back to it."""
        here = project_path(self.project.id, "export") + self._form().query()
        ui.navigate.history.replace(here)

    def _options(self) -> ExportOptions:
        chosen = str(self.format.value)
        alpaca, custom = chosen == "alpaca", chosen == "custom"
        self.alpaca_row.set_visibility(alpaca)
        self.custom_box.set_visibility(custom)
        field_map = {
            source: str(field.value).strip()
            for source, field in self.fields.items()
            if str(field.value or "").strip()
        }
        return ExportOptions(
            format=chosen,  # type: ignore[arg-type]  # one of FORMATS
            file_type=str(self.file_type.value),  # type: ignore[arg-type]
            system_prompt=self.system.value or None,
            cot=self.cot.value or None,
            alpaca_question_as=self.question_as.value if alpaca else "instruction",
            alpaca_instruction=(self.instruction.value or None) if alpaca else None,
            field_map=field_map if custom else {},
            include_provenance=bool(self.provenance.value),
            include_citations=bool(self.citations.value),
        )

    def _filters(self) -> ExportFilters:
        try:
            ids = parse_ids(str(self.ids.value or ""))
        except ValueError as exc:
            raise ValueError(t("export.bad_id", id=str(exc))) from None
        return ExportFilters(
            confirmed_only=bool(self.confirmed.value),
            min_score=self.min_score.value,
            tags=[str(tag) for tag in self.tags.value or []],
            ids=ids,
            min_judge=self.min_judge.value,
            exclude_flagged=[str(kind) for kind in self.exclude.value or []],
            kinds=[kind for kind in SAMPLE_KINDS if kind in (self.kinds.value or [])],
            unanswerable=self.unanswerable.value,
        )

    async def refresh(self) -> None:
        """Check the choices, then count and preview what they export (off the loop)."""
        self.requests += 1
        mine = self.requests
        self._remember()
        try:
            options, filters = self._options(), self._filters()
        except ValidationError as exc:
            self._refuse(validation_reasons(exc))
            return
        except (EasyDatasetError, ValueError) as exc:
            self._refuse(str(exc))
            return
        self.error.set_text("")
        self.download.enable()
        self.url = export_url(self.project.id, options, filters)
        self.url_label.set_text(self.url)
        core, project_id = self.ctx.core, self.project.id
        count = await off_loop(count_matching, core, project_id, filters)
        record = await off_loop(preview_record, core, project_id, options, filters)
        if mine != self.requests:
            return
        self.count.set_text(t("export.count", count=count))
        self.preview.clear()
        with self.preview:
            if record is None:
                ui.label(t("export.no_preview")).props("data-testid=export-preview-none")
            else:
                text_block(pretty(record), "export-preview")

    def _refuse(self, reason: str) -> None:
        self.url = ""
        self.error.set_text(reason)
        self.download.disable()
        self.count.set_text("")
        self.url_label.set_text("")
        self.preview.clear()

    def _download(self) -> None:
        if self.url:
            ui.download.from_url(self.url)


def register() -> None:
    @ui.page("/projects/{project_id}/export")
    def export_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "export")
        if opened is None:
            return
        with content():
            ExportScreen(*opened, form=ExportForm.from_query(request.query_params)).build()
