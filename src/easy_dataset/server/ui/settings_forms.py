"""Settings → chunking and generation: two forms over the project's stored settings; leaving
the page with unsaved changes in either asks first (`unsaved.page_guard`)."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from pydantic import ValidationError

from easy_dataset.errors import InputError, validation_reasons
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import guarded, notify_ok
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.unsaved import page_guard
from easy_dataset.services import generation, models, projects
from easy_dataset.services.views import ProjectView
from easy_dataset.types import MAX_DOMAIN_RULES, ChunkSettings

STRATEGIES = ["markdown", "recursive", "fixed", "token", "code", "delimiter"]


def chunk_settings(values: dict[str, Any]) -> ChunkSettings:
    """ChunkSettings from a form, with one readable line when they do not fit together."""
    try:
        return ChunkSettings.model_validate(values)
    except ValidationError as exc:
        raise InputError(f"invalid chunking settings: {validation_reasons(exc)}") from None


class ChunkingFields:
    """The inputs of a ChunkSettings, also used by the re-split dialog of the chunks screen."""

    def __init__(self, settings: ChunkSettings) -> None:
        with ui.row().classes("w-full gap-4 items-end"):
            self.strategy = ui.select(
                STRATEGIES, value=settings.strategy, label=t("chunking.strategy")
            )
            self.strategy.classes("min-w-[10rem]").props("data-testid=chunk-strategy")
            self.min_chars = ui.number(t("chunking.min_chars"), value=settings.min_chars, min=0)
            self.max_chars = ui.number(t("chunking.max_chars"), value=settings.max_chars, min=1)
            self.size = ui.number(t("chunking.size"), value=settings.size, min=1)
            self.overlap = ui.number(t("chunking.overlap"), value=settings.overlap, min=0)
            shown = settings.delimiter.replace("\n", "\\n").replace("\t", "\\t")
            self.delimiter = ui.input(t("chunking.delimiter"), value=shown)
            self.language = ui.input(t("chunking.language"), value=settings.language or "")
            for field in (self.min_chars, self.max_chars, self.size, self.overlap):
                field.classes("min-w-[9rem]")  # labels shown whole, never cut
        ui.label(t("chunking.help")).classes("text-sm text-gray-600")
        self.elements = (
            self.strategy,
            self.min_chars,
            self.max_chars,
            self.size,
            self.overlap,
            self.delimiter,
            self.language,
        )

    def settings(self) -> ChunkSettings:
        return chunk_settings(
            {
                "strategy": self.strategy.value,
                "min_chars": int(self.min_chars.value or 0),
                "max_chars": int(self.max_chars.value or 1),
                "size": int(self.size.value or 1),
                "overlap": int(self.overlap.value or 0),
                "delimiter": (self.delimiter.value or "").replace("\\n", "\n").replace("\\t", "\t"),
                "language": (self.language.value or "").strip() or None,
            }
        )


def chunking_form(ctx: UiContext, project: ProjectView) -> None:
    fields = ChunkingFields(project.chunking)

    def save() -> None:
        projects.set_chunking(ctx.core, project.id, fields.settings())
        guard.saved(*fields.elements)
        notify_ok(t("common.saved"))

    guard = page_guard()
    for element in fields.elements:
        guard.watch(element, save)
    ui.button(t("common.save"), on_click=guarded(save)).props("data-testid=chunking-save")


def generation_form(ctx: UiContext, project: ProjectView) -> None:
    current = generation.get_generation_settings(ctx.core, project.id)
    languages = {"auto": t("generation.lang_auto"), "en": "English", "zh": "中文"}
    with ui.row().classes("w-full gap-4 items-end"):
        language = ui.select(languages, value=current.language, label=t("generation.language"))
        language.classes("min-w-[10rem]").props("data-testid=generation-language")
        density = ui.number(
            t("generation.chars_per_question"), value=current.chars_per_question, min=20
        ).props("data-testid=generation-density")
        low = ui.number(t("generation.min"), value=current.min_questions, min=0)
        high = ui.number(t("generation.max"), value=current.max_questions, min=1)
        exact = ui.number(t("generation.exact"), value=current.exact_questions, min=1)
        exact.props("data-testid=generation-exact")
        # Each field at least as wide as its label: a label is never cut to "Exac…".
        for field in (density, low, high, exact):
            field.classes("min-w-[14rem]")
    with ui.row().classes("w-full gap-4 items-end"):
        tags = ui.checkbox(t("generation.tags_enabled"), value=current.tags_enabled)
        levels = ui.number(t("generation.tag_levels"), value=current.tag_levels, min=1, max=4)
        levels.classes("min-w-[8rem]").props("data-testid=generation-tag-levels")
    rules = ui.textarea(t("generation.domain_rules"), value=current.domain_rules)
    rules.classes("w-full").props(
        f"autogrow outlined maxlength={MAX_DOMAIN_RULES} data-testid=generation-domain-rules"
    )
    ui.label(t("generation.domain_rules_help")).classes("text-sm text-gray-600")
    default = next((m for m in models.list_models(ctx.core, project.id) if m.is_default), None)
    concurrency = default.config.concurrency if default else models.EMBEDDED.concurrency
    ui.label(t("generation.concurrency", n=concurrency)).classes("text-sm text-gray-600")

    def save() -> None:
        generation.update_generation_settings(
            ctx.core,
            project.id,
            language=language.value,
            chars_per_question=int(density.value or 0),
            min_questions=int(low.value or 0),
            max_questions=int(high.value or 0),
            exact_questions=int(exact.value) if exact.value else None,
            tags_enabled=bool(tags.value),
            tag_levels=int(levels.value or 1),
            domain_rules=str(rules.value or "").strip(),
        )
        guard.saved(*elements)
        notify_ok(t("common.saved"))

    guard = page_guard()
    elements = (language, density, low, high, exact, tags, levels, rules)
    for element in elements:
        guard.watch(element, save)

    ui.button(t("common.save"), on_click=guarded(save)).props("data-testid=generation-save")
