"""Settings → model configurations: add from a provider preset, edit (every setting slow and
local models need: max tokens, timeout, temperature, top-p, structured-output mode,
continuations, when to pause), test, list the endpoint's models, choose the default,
remove. API keys go in through a password field and come back only as a hint (`…abcd`);
they never reach a page, and an edit keeps the stored key unless a new one is typed."""

from __future__ import annotations

from typing import get_args

from nicegui import ui

from easy_dataset.llm.presets import PRESETS
from easy_dataset.llm.types import ModelConfig, StructuredMode
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import confirm, guarded, notify_error, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.services import models
from easy_dataset.services.views import ProjectView


def _optional(value: float | None) -> str:
    return t("models.unset") if value is None else f"{value:g}"


def settings_line(config: ModelConfig) -> str:
    return t(
        "models.settings_line",
        max_tokens=_optional(config.max_tokens),
        timeout=f"{config.timeout:g}",
        temperature=_optional(config.temperature),
        top_p=_optional(config.top_p),
        structured=config.structured,
    )


class GenerationFields:
    """The inputs for max tokens, timeout, sampling, structured output, continuations and
    when to pause, filled from a configuration, each with a line saying what it does."""

    def __init__(self, config: ModelConfig, prefix: str) -> None:
        with ui.grid(columns=3).classes("w-full gap-x-4 gap-y-10"):
            self.max_tokens = self._number("max_tokens", config.max_tokens, prefix, low=1)
            self.timeout = self._number("timeout", config.timeout, prefix, low=0.1)
            self.temperature = self._number(
                "temperature", config.temperature, prefix, low=0, high=2, step=0.1
            )
            self.top_p = self._number("top_p", config.top_p, prefix, low=0.01, high=1, step=0.05)
            self.continuations = self._number(
                "continuations", config.continuations, prefix, low=0, high=10
            )
            self.unreachable_after = self._number(
                "unreachable_after", config.unreachable_after, prefix, low=1, high=10_000
            )
            self.rpm = self._number("rpm", config.rpm, prefix, low=1)
            self.tpm = self._number("tpm", config.tpm, prefix, low=1)
        modes = {mode: t(f"models.structured.{mode}") for mode in get_args(StructuredMode)}
        self.structured = ui.select(
            modes, value=config.structured, label=t("models.structured")
        ).classes("w-full")
        self.structured.props(f"data-testid={prefix}-structured")
        self.structured.props["hint"] = t("models.structured_help")

    @staticmethod
    def _number(
        key: str,
        value: float | None,
        prefix: str,
        *,
        low: float,
        high: float | None = None,
        step: float = 1,
    ) -> ui.number:
        field = ui.number(t(f"models.{key}"), value=value, min=low, max=high, step=step)
        field.props(f"clearable data-testid={prefix}-{key.replace('_', '-')}")
        field.props["hint"] = t(f"models.{key}_help")
        return field

    def values(self) -> dict[str, object]:
        """The settings as typed; an emptied optional field is None (the server's default)."""

        def whole(field: ui.number) -> int | None:
            return None if field.value is None else int(field.value)

        def real(field: ui.number) -> float | None:
            return None if field.value is None else float(field.value)

        return {
            "max_tokens": whole(self.max_tokens),
            "timeout": real(self.timeout),
            "temperature": real(self.temperature),
            "top_p": real(self.top_p),
            "continuations": whole(self.continuations),
            "unreachable_after": whole(self.unreachable_after),
            "rpm": whole(self.rpm),
            "tpm": whole(self.tpm),
            "structured": self.structured.value,
        }


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
            ui.label(settings_line(config)).classes("text-sm").props(
                f"data-testid=model-settings-{view.id}"
            )
            if view.problem is not None:
                # The service's own words: they name the invalid setting.
                ui.label(t("models.unusable", problem=view.problem)).classes(
                    "text-sm text-negative"
                ).props("data-testid=model-problem")
            with ui.row().classes("gap-2"):
                ui.button(t("models.edit"), on_click=guarded(lambda: self._edit(view))).props(
                    f"data-testid=model-edit-{view.id}"
                )
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

    def _edit(self, view: models.ModelView) -> None:
        config = view.config
        with (
            ui.dialog().props("data-testid=model-edit-dialog") as dialog,
            ui.card().classes("w-[48rem] max-w-full"),
        ):
            ui.label(t("models.edit_title", name=view.name)).classes("text-lg")
            with ui.grid(columns=3).classes("w-full gap-4"):
                name = ui.input(t("models.name"), value=view.name).props("data-testid=edit-name")
                model = ui.input(t("models.model"), value=config.model).props(
                    "data-testid=edit-model"
                )
                concurrency = ui.number(
                    t("models.concurrency"), value=config.concurrency, min=1, max=1024
                ).props("data-testid=edit-concurrency")
            base_url = ui.input(t("models.base_url"), value=config.base_url or "").classes("w-full")
            base_url.props("data-testid=edit-base-url")
            base_url.props["placeholder"] = PRESETS[config.provider].base_url or ""
            with ui.row().classes("w-full items-center gap-4"):
                api_key = ui.input(t("models.api_key_keep"), password=True).classes("grow")
                api_key.props("autocomplete=new-password data-testid=edit-api-key")
                clear_key = ui.checkbox(t("models.clear_key")).props("data-testid=edit-clear-key")
                clear_key.set_visibility(view.has_key)
            fields = GenerationFields(config, "edit")

            def save() -> None:
                key = api_key.value or None
                api_key.value = ""  # the key stays on the server from here on
                changes: dict[str, object] = {
                    "name": (name.value or "").strip(),
                    "model": (model.value or "").strip(),
                    "base_url": (base_url.value or "").strip() or None,
                    "concurrency": int(concurrency.value or config.concurrency),
                    **fields.values(),
                }
                saved = models.update_model(
                    self.ctx.core,
                    self.project.id,
                    view.name,
                    changes,
                    api_key=key,
                    clear_key=bool(clear_key.value),
                )
                notify_ok(t("models.saved", name=saved.name))
                dialog.close()
                self.refresh()

            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                ui.button(t("common.save"), on_click=guarded(save)).props("data-testid=edit-save")
        dialog.open()

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
            with (
                ui.expansion(t("models.advanced"))
                .classes("w-full")
                .props("data-testid=model-advanced")
            ):
                fields = GenerationFields(ModelConfig(name="new", model="new"), "model")

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
                        **{
                            key: value
                            for key, value in fields.values().items()
                            if value is not None
                        },
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
