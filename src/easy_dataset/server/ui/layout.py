"""The frame of every page: header with product name, project switcher, the current
project's screens and the language toggle; then a content column."""

from __future__ import annotations

from fastapi import Request
from nicegui import ui

from easy_dataset.errors import NotFoundError
from easy_dataset.server.ui.context import UiContext, context_of
from easy_dataset.server.ui.i18n import LANGUAGES, current_language, t
from easy_dataset.server.ui.nav import SCREENS, project_path
from easy_dataset.services import projects
from easy_dataset.services.views import ProjectView

PRODUCT = "easy-dataset"


def _language_toggle() -> None:
    """Switch language and come back to the address the page shows *now*: screens keep
    their state in it (filters, the export form), and a page with unsaved edits asks
    first (`unsaved.py` defines `easyDatasetLeave`)."""
    other = next(code for code in LANGUAGES if code != current_language())
    go = (
        "() => { const here = window.location.pathname + window.location.search;"
        f" const url = '/_ui/language/{other}?next=' + encodeURIComponent(here);"
        " if (window.easyDatasetLeave) window.easyDatasetLeave(url);"
        " else window.location.href = url; }"
    )
    ui.button(t("layout.other_language"), icon="translate").props(
        "flat color=white dense data-testid=language-toggle"
    ).on("click", js_handler=go)


def _project_switcher(ctx: UiContext, current: ProjectView, screen: str) -> None:
    options = {view.id: view.name for view in projects.list_projects(ctx.core)}

    def switch(project_id: int | None) -> None:
        if project_id is not None and project_id != current.id:
            ui.navigate.to(project_path(project_id, screen))

    ui.select(options, value=current.id, on_change=lambda e: switch(e.value)).props(
        "dense outlined dark options-dense data-testid=project-switcher"
    ).classes("min-w-[12rem]")


def header(ctx: UiContext, request: Request, project: ProjectView | None, screen: str) -> None:
    """The page header; `screen` is the key of the current screen (see `nav.SCREENS`)."""
    ui.page_title(f"{project.name} · {PRODUCT}" if project else PRODUCT)
    with ui.header().classes("items-center gap-4 px-4 py-2"):
        ui.link(PRODUCT, "/").classes("text-lg font-bold text-white no-underline")
        ui.link(t("nav.projects"), "/").classes("text-white").props("data-testid=nav-projects")
        if project is not None:
            _project_switcher(ctx, project, screen)
            for item in SCREENS:
                link = ui.link(t(item.label_key), item.path(project.id)).props(
                    f"data-testid=nav-{item.key}"
                )
                link.classes(
                    "text-white "
                    + ("font-bold underline" if item.key == screen else "no-underline")
                )
        ui.space()
        _language_toggle()


def content() -> ui.column:
    """The column a screen builds into."""
    return ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4")


def project_page(
    request: Request, project_id: int, screen: str
) -> tuple[UiContext, ProjectView] | None:
    """Header and context for a project's screen; None (with a notice) for no such project."""
    ctx = context_of(request)
    try:
        project = projects.get_project(ctx.core, project_id)
    except NotFoundError:
        header(ctx, request, None, screen)
        with content():
            ui.label(t("layout.no_project", id=project_id)).props("data-testid=no-project")
            ui.link(t("nav.projects"), "/")
        return None
    header(ctx, request, project, screen)
    return ctx, project
