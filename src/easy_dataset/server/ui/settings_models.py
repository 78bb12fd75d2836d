"""Settings → model configurations: add from a provider preset, test, list the endpoint's
models, choose the default, remove. API keys go in through a password field and come back
only as a hint (`…abcd`); they never reach a page."""

from __future__ import annotations

from nicegui import ui

from easy_dataset.llm.presets import PRESETS
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import confirm, guarded, notify_error, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.services import models
from easy_dataset.services.views import ProjectView


class ModelsSection:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.listing: ui.column | None = None

    def build(self) -> None:
        self.listing = ui.column().classes("w-full gap-2")
        with self.listing:
            self._render_list()
        self._add_form()

    def refresh(self) -> None:
        if self.listing is None:
            return
        self.listing.clear()
        with self.listing:
            self._render_list()

    def _render_list(self) -> None:
        views = models.list_models(self.ctx.core, self.project.id)
        if not views:
            ui.label(t("models.none")).classes("text-gray-600").props("data-testid=models-none")
        for view in views:
            self._render_one(view)

    def _render_one(self, view: models.ModelView) -> None:
        config = view.config
        with ui.card().classes("w-full").props(f"data-testid=model-{view.id}"):
            with ui.row().classes("items-center gap-2"):
                ui.label(view.name).classes("text-lg font-medium")
                if view.is_default:
                    ui.badge(t("models.default")).props("data-testid=model-default")
            key = t("models.key_hint", hint=view.key_hint) if view.has_key else t("models.no_key")
            details = f"{config.provider} · {config.model} · {view.base_url or '—'} · {key}"
            ui.label(details).classes("text-sm text-gray-700 break-all")
            ui.label(t("models.concurrency_is", n=config.concurrency)).classes("text-sm")
            if view.problem is not None:
                # The service's own words: they name the invalid setting.
                ui.label(t("models.unusable", problem=view.problem)).classes(
                    "text-sm text-negative"
                ).props("data-testid=model-problem")
            with ui.row().classes("gap-2"):
                ui.button(t("models.test"), on_click=guarded(lambda: self._test(view.name)))
                ui.button(t("models.list"), on_click=guarded(lambda: self._list(view.name)))
                if not view.is_default:
                    ui.button(
                        t("models.make_default"),
                        on_click=guarded(lambda: self._make_default(view.name)),
                    ).props("flat")
                ui.button(
                    t("common.delete"), on_click=guarded(lambda: self._remove(view.name))
                ).props("flat color=negative")

    async def _test(self, name: str) -> None:
        ui.notify(t("models.testing", name=name))
        report = await off_loop(models.test_model, self.ctx.core, self.project.id, name)
        if report.ok:
            notify_ok(t("models.test_ok", ms=report.latency_ms, reply=report.reply or ""))
        else:
            notify_error(RuntimeError(t("models.test_failed", error=report.error or "")))

    async def _list(self, name: str) -> None:
        names = await off_loop(models.endpoint_models, self.ctx.core, self.project.id, name)
        with ui.dialog() as dialog, ui.card().classes("min-w-[20rem]"):
            ui.label(t("models.endpoint_models", name=name)).classes("text-lg")
            for model_name in names or [t("models.none_listed")]:
                ui.label(model_name).classes("font-mono")
            ui.button(t("common.close"), on_click=dialog.close)
        dialog.open()

    def _make_default(self, name: str) -> None:
        models.set_default(self.ctx.core, self.project.id, name)
        self.refresh()

    async def _remove(self, name: str) -> None:
        if await confirm(t("models.confirm_remove", name=name)):
            models.remove_model(self.ctx.core, self.project.id, name)
            self.refresh()

    def _add_form(self) -> None:
        providers = sorted(PRESETS)
        with ui.card().classes("w-full"):
            ui.label(t("models.add")).classes("text-lg")
            with ui.row().classes("w-full gap-4 items-end"):
                provider = ui.select(providers, value="openai", label=t("models.provider"))
                provider.props("data-testid=model-provider").classes("min-w-[10rem]")
                name = ui.input(t("models.name")).props("data-testid=model-name")
                model = ui.input(t("models.model")).props("data-testid=model-model")
                base_url = ui.input(t("models.base_url")).classes("grow min-w-[16rem]")
                base_url.props("data-testid=model-base-url")
                api_key = ui.input(t("models.api_key"), password=True).props(
                    "autocomplete=new-password data-testid=model-api-key"
                )
                concurrency = ui.number(t("models.concurrency"), value=4, min=1, max=1024)
                concurrency.props("data-testid=model-concurrency").classes("min-w-[8rem]")
                make_default = ui.checkbox(t("models.make_default"))

            def show_preset() -> None:
                preset = PRESETS[provider.value]
                base_url.props["placeholder"] = preset.base_url or ""
                hint = t("models.key_env", env=preset.api_key_env) if preset.api_key_env else ""
                api_key.props["hint"] = hint

            provider.on_value_change(show_preset)
            show_preset()

            def add() -> None:
                key = api_key.value or None
                api_key.value = ""  # the key stays on the server from here on
                config = models.parse_config(
                    {
                        "name": (name.value or "").strip(),
                        "provider": provider.value,
                        "model": (model.value or "").strip(),
                        "base_url": (base_url.value or "").strip() or None,
                        "concurrency": int(concurrency.value or 4),
                    }
                )
                models.add_model(
                    self.ctx.core,
                    self.project.id,
                    config,
                    api_key=key,
                    make_default=bool(make_default.value),
                )
                notify_ok(t("models.added", name=config.name))
                name.value = ""
                self.refresh()

            ui.button(t("models.add_button"), on_click=guarded(add)).props("data-testid=model-add")
