"""The frame of every page: header with product name, project switcher, the current
project's screens and the language toggle; then a content column."""

from __future__ import annotations

from fastapi import Request
from nicegui import ui

from easy_dataset.errors import NotFoundError
from easy_dataset.server.ui.context import UiContext, context_of
from easy_dataset.server.ui.i18n import LANGUAGES, current_language, t
from easy_dataset.server.ui.nav import SCREENS, Screen, project_path
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
            _screen_links(project.id, screen)
        ui.space()
        _language_toggle()


def _screen_links(project_id: int, screen: str) -> None:
    """A link per screen, in order; the screens of a group in one menu where the first
    of them stands."""
    done: set[str] = set()
    for item in SCREENS:
        if item.group is None:
            _link(item, project_id, current=item.key == screen)
        elif item.group not in done:
            done.add(item.group)
            members = [other for other in SCREENS if other.group == item.group]
            current = any(member.key == screen for member in members)
            style = "font-bold underline" if current else ""
            button = ui.button(t(f"nav.group.{item.group}"))
            button.props(
                "flat dense no-caps color=white icon-right=arrow_drop_down "
                f"data-testid=nav-group-{item.group}"
            )
            with button.classes(f"text-base {style}"), ui.menu():
                for member in members:
                    with ui.menu_item():
                        _link(member, project_id, current=member.key == screen, dark=True)


def _link(item: Screen, project_id: int, *, current: bool, dark: bool = False) -> None:
    link = ui.link(t(item.label_key), item.path(project_id)).props(f"data-testid=nav-{item.key}")
    colour = "text-black" if dark else "text-white"
    link.classes(f"{colour} " + ("font-bold underline" if current else "no-underline"))


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
