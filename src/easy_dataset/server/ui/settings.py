"""The settings screen (`/projects/{id}/settings`): models, chunking, generation, prompts."""

from __future__ import annotations

from fastapi import Request
from nicegui import ui

from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.settings_forms import chunking_form, generation_form
from easy_dataset.server.ui.settings_models import ModelsSection
from easy_dataset.server.ui.settings_prompts import PromptsSection

TABS = ("models", "chunking", "generation", "prompts")


def register() -> None:
    @ui.page("/projects/{project_id}/settings")
    def settings_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "settings")
        if opened is None:
            return
        ctx, project = opened
        with content():
            ui.label(t("settings.title")).classes("text-2xl")
            with ui.tabs().classes("w-full") as tabs:
                tab = {
                    key: ui.tab(t(f"settings.tab.{key}")).props(f"data-testid=tab-{key}")
                    for key in TABS
                }
            with ui.tab_panels(tabs, value=tab["models"]).classes("w-full"):
                with ui.tab_panel(tab["models"]):
                    ModelsSection(ctx, project).build()
                with ui.tab_panel(tab["chunking"]):
                    chunking_form(ctx, project)
                with ui.tab_panel(tab["generation"]):
                    generation_form(ctx, project)
                with ui.tab_panel(tab["prompts"]):
                    PromptsSection(ctx, project).build()
