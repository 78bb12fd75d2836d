"""The personas screen (`/projects/{id}/personas`): each file's genre–audience pairs with
their descriptions and an on/off switch (questions are generated once per active pair);
add and edit by hand, or generate pairs for the files without any as a
`personas.generate` job."""

from __future__ import annotations

from fastapi import Request
from nicegui import ui

from easy_dataset.errors import InputError
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import JobLauncher, dialog
from easy_dataset.server.ui.helpers import guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.services import files, generation
from easy_dataset.services.generation import PersonaView
from easy_dataset.services.views import FileView, ProjectView

ALL = 0
MIN_COUNT, MAX_COUNT, DEFAULT_COUNT = 1, 20, 5


class PersonasScreen:
    def __init__(self, ctx: UiContext, project: ProjectView, file_id: int | None) -> None:
        self.ctx = ctx
        self.project = project
        self.file_id = file_id
        self.files: list[FileView] = []
        self.listing: ui.column | None = None
        self.launcher: JobLauncher | None = None

    def build(self) -> None:
        ui.label(t("personas.title")).classes("text-2xl")
        ui.label(t("personas.help")).classes("text-sm text-gray-600")
        self.files = files.list_files(self.ctx.core, self.project.id)
        names = {view.id: view.name for view in self.files}
        if self.file_id not in names:
            self.file_id = None
        with ui.card().classes("w-full"), ui.row().classes("w-full items-end gap-4"):
            ui.select(
                {ALL: t("gen.all_files")} | names,
                value=self.file_id or ALL,
                label=t("gen.file"),
                on_change=lambda e: self._pick(int(e.value or ALL)),
            ).classes("min-w-[16rem]").props("data-testid=personas-file")
            count = (
                ui.number(
                    t("personas.count"),
                    value=DEFAULT_COUNT,
                    min=MIN_COUNT,
                    max=MAX_COUNT,
                    precision=0,
                )
                .classes("w-40")
                .props("data-testid=personas-count")
            )

            async def generate() -> None:
                if not self.files:
                    raise InputError(t("personas.no_files"))
                value = count.value
                if value is None or not MIN_COUNT <= value <= MAX_COUNT:
                    raise InputError(t("personas.bad_count"))
                assert self.launcher is not None
                file_ids = [self.file_id] if self.file_id else None
                scope = (
                    t("scope.file", name=names.get(self.file_id, ""))
                    if self.file_id
                    else t("estimate.personas.all")
                )
                await self.launcher.start_after_estimate(
                    "personas.generate",
                    t("estimate.title.personas"),
                    scope,
                    count=int(value),
                    file_ids=file_ids,
                )

            ui.button(
                t("personas.generate"), icon="auto_awesome", on_click=guarded(generate)
            ).props("data-testid=personas-generate")
        self.launcher = JobLauncher(self.ctx, self.project, self.reload)
        self.listing = ui.column().classes("w-full gap-4")
        self.show(generation.list_personas(self.ctx.core, self.project.id, file_id=self.file_id))

    async def _pick(self, file_id: int) -> None:
        self.file_id = file_id or None
        await self.reload()

    async def reload(self) -> None:
        self.show(
            await off_loop(
                generation.list_personas, self.ctx.core, self.project.id, file_id=self.file_id
            )
        )

    def show(self, personas: list[PersonaView]) -> None:
        if self.listing is None:
            return
        by_file: dict[int, list[PersonaView]] = {}
        for persona in personas:
            by_file.setdefault(persona.file_id, []).append(persona)
        self.listing.clear()
        with self.listing:
            if not self.files:
                ui.label(t("personas.no_files")).props("data-testid=personas-no-files")
            for file in self.files:
                if self.file_id is None or file.id == self.file_id:
                    self._section(file, by_file.get(file.id, []))

    def _section(self, file: FileView, personas: list[PersonaView]) -> None:
        with ui.card().classes("w-full").props(f"data-testid=personas-file-{file.id}"):
            with ui.row().classes("w-full items-center gap-2"):
                ui.label(file.name).classes("text-lg font-medium break-all")
                ui.label(t("personas.file_count", count=len(personas))).classes(
                    "text-sm text-gray-600"
                ).props(f"data-testid=personas-count-{file.id}")
                ui.space()
                ui.button(
                    t("personas.add"), icon="add", on_click=lambda: self._form(file, None)
                ).props(f"flat dense data-testid=persona-add-{file.id}")
            if not personas:
                ui.label(t("personas.none")).classes("text-sm")
            for persona in personas:
                self._row(file, persona)

    def _row(self, file: FileView, persona: PersonaView) -> None:
        with (
            ui.row()
            .classes("w-full items-start gap-4 no-wrap border-t pt-2")
            .props(f"data-testid=persona-{persona.id}")
        ):
            ui.switch(
                value=persona.active,
                on_change=guarded(lambda e: self._toggle(persona.id, bool(e.value))),
            ).props(f"dense data-testid=persona-active-{persona.id}").tooltip(t("personas.active"))
            for what, name, description in (
                ("genre", persona.genre, persona.genre_description),
                ("audience", persona.audience, persona.audience_description),
            ):
                with ui.column().classes("gap-0 w-1/2"):
                    ui.label(name).classes("font-medium break-words").props(
                        f"data-testid=persona-{what}-{persona.id}"
                    )
                    ui.label(description).classes("text-sm text-gray-600 break-words")
            ui.button(icon="edit", on_click=lambda: self._form(file, persona)).props(
                f"flat dense round data-testid=persona-edit-{persona.id}"
            ).tooltip(t("personas.edit"))

    def _toggle(self, persona_id: int, active: bool) -> None:
        generation.set_personas_active(self.ctx.core, self.project.id, [persona_id], active)
        notify_ok(t("personas.switched_on" if active else "personas.switched_off"))

    def _form(self, file: FileView, persona: PersonaView | None) -> None:
        """The add (persona None) or edit dialog."""
        box, card = dialog("persona-dialog")
        with card:
            title = t("personas.edit_title") if persona else t("personas.add_title", name=file.name)
            ui.label(title).classes("text-lg break-all")
            fields: dict[str, ui.input | ui.textarea] = {}
            for key in ("genre", "genre_description", "audience", "audience_description"):
                value = str(getattr(persona, key)) if persona else ""
                kind = ui.textarea if key.endswith("description") else ui.input
                field = kind(t(f"personas.{key}"), value=value).classes("w-full")
                fields[key] = field.props(f"autogrow data-testid=persona-form-{key}")

            async def save() -> None:
                values = {key: str(field.value or "") for key, field in fields.items()}
                if persona is None:
                    generation.add_persona(self.ctx.core, self.project.id, file.id, **values)
                    notify_ok(t("personas.added"))
                else:
                    generation.edit_persona(self.ctx.core, self.project.id, persona.id, **values)
                    notify_ok(t("common.saved"))
                box.close()
                await self.reload()

            with ui.row():
                ui.button(t("common.save"), on_click=guarded(save)).props(
                    "data-testid=persona-form-save"
                )
                ui.button(t("common.cancel"), on_click=box.close).props("flat")
        box.open()


def register() -> None:
    @ui.page("/projects/{project_id}/personas")
    def personas_page(request: Request, project_id: int, file: int | None = None) -> None:
        opened = project_page(request, project_id, "personas")
        if opened is None:
            return
        with content():
            PersonasScreen(*opened, file_id=file).build()
