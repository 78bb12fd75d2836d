"""The evaluation sets screen (`/projects/{id}/evalsets`): choose or create a set, review
its items (edit the question, options and answer; confirm; delete), hold out QA pairs,
import a benchmark file and download the set. Generating items is a stage, started from
the Jobs screen's form like every other."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from nicegui import events, ui

from easy_dataset.errors import InputError
from easy_dataset.evaluate.kinds import EVAL_KINDS
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import confirm, guarded, human_size, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.services.evaluation import held_out, items, sets, transfer
from easy_dataset.services.evaluation.views import EvalItemView, EvalSetView
from easy_dataset.services.views import ProjectView

PAGE = 100  # items shown; narrow by kind to see others
EXPORTS = (("jsonl", "export_jsonl"), ("csv", "export_csv"), ("lm-eval", "export_lm_eval"))


class EvalSetsScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.current: str | None = None
        self.kind: str | None = None

    def build(self) -> None:
        ui.label(t("evalsets.title")).classes("text-2xl")
        with ui.row().classes("items-center gap-2"):
            ui.label(t("evalsets.generate_hint")).classes("text-sm text-gray-600")
            ui.link(t("evalsets.to_jobs"), project_path(self.project.id, "jobs")).props(
                "data-testid=evalsets-to-jobs"
            )
        with ui.row().classes("w-full items-end gap-4"):
            self.chooser = (
                ui.select({}, label=t("evalsets.set"), on_change=lambda e: self._choose(e.value))
                .classes("min-w-[14rem]")
                .props("data-testid=evalsets-set")
            )
            self.new_name = ui.input(t("evalsets.new_name")).props("data-testid=evalsets-new")
            ui.button(t("evalsets.create"), on_click=guarded(self._create)).props(
                "data-testid=evalsets-create"
            )
            ui.space()
            ui.button(t("evalsets.delete_set"), color="negative", on_click=guarded(self._drop))
        self.counts = ui.label().props("data-testid=evalsets-counts")
        with ui.row().classes("w-full items-end gap-4"):
            kinds = {"": t("evalsets.all_kinds")} | {
                kind: t(f"evalsets.kind.{kind}") for kind in EVAL_KINDS
            }
            ui.select(
                kinds, value="", label=t("evalsets.kind"), on_change=lambda e: self._kind(e.value)
            ).classes("min-w-[12rem]").props("data-testid=evalsets-kind")
            for fmt, key in EXPORTS:
                ui.button(
                    t(f"evalsets.{key}"), icon="download", on_click=lambda f=fmt: self._export(f)
                ).props(f"flat data-testid=evalsets-export-{fmt}")
        self.shown = ui.label().classes("text-sm")
        self.items = ui.column().classes("w-full gap-2")
        self._tools()
        ui.timer(0, self.reload, once=True)

    def _tools(self) -> None:
        hold = ui.expansion(t("evalsets.hold_out")).classes("w-full")
        with hold, ui.row().classes("items-end gap-4"):
            self.fraction = ui.number(t("evalsets.fraction"), value=0.1, min=0.01, max=1)
            self.fraction.props("data-testid=evalsets-fraction")
            self.seed = ui.number(t("evalsets.seed"), value=0, min=0, precision=0)
            self.by_tag = ui.checkbox(t("evalsets.by_tag"), value=True)
            ui.button(t("evalsets.hold_out_run"), on_click=guarded(self._hold_out)).props(
                "data-testid=evalsets-hold-out"
            )
        with ui.expansion(t("evalsets.import")).classes("w-full"):
            self.skip_bad = ui.checkbox(t("evalsets.skip_bad"), value=False)
            upload = ui.upload(
                auto_upload=True,
                max_file_size=self._limit(),
                on_upload=guarded(self._uploaded),
                on_rejected=lambda: ui.notify(
                    t("files.rejected", limit=human_size(self._limit())), type="warning"
                ),
            ).classes("w-full")
            upload.props["accept"] = ".jsonl,.csv"
            upload.props("data-testid=evalsets-upload")

    def _limit(self) -> int:
        return min(self.ctx.core.settings.max_file_bytes, transfer.MAX_IMPORT_BYTES)

    def _need_set(self) -> str:
        if self.current is None:
            raise InputError(t("evalsets.none"))
        return self.current

    async def reload(self) -> None:
        views = await off_loop(sets.list_sets, self.ctx.core, self.project.id)
        names = {view.name: view.name for view in views}
        if self.current not in names:
            self.current = next(iter(names), None)
        self.chooser.options = names
        self.chooser.value = self.current
        self.chooser.update()
        view = next((view for view in views if view.name == self.current), None)
        await self._show(view)

    async def _show(self, view: EvalSetView | None) -> None:
        self.items.clear()
        if view is None:
            self.counts.set_text(t("evalsets.none"))
            self.shown.set_text("")
            return
        kinds = ", ".join(
            f"{t(f'evalsets.kind.{kind}')} {count}" for kind, count in view.kinds.items() if count
        )
        self.counts.set_text(
            t("evalsets.counts", items=view.items, confirmed=view.confirmed, kinds=kinds or "—")
        )
        found, total = await off_loop(
            items.list_items, self.ctx.core, self.project.id, view.id, kind=self.kind, limit=PAGE
        )
        self.shown.set_text(t("evalsets.shown", shown=len(found), total=total))
        with self.items:
            for item in found:
                self._card(item)

    def _card(self, item: EvalItemView) -> None:
        card = ui.card().classes("w-full").props(f"data-testid=evalset-item-{item.id}")
        with card, ui.row().classes("w-full items-center gap-2"):
            ui.badge(t(f"evalsets.kind.{item.kind}"))
            ui.label(item.origin).classes("text-xs text-gray-500")
            if item.chunk_id is not None:
                ui.label(t("evalsets.chunk", id=item.chunk_id)).classes("text-xs")
            if item.confirmed:
                ui.badge(t("evalsets.confirmed"), color="positive")
            ui.space()
            ui.button(t("evalsets.edit"), on_click=lambda i=item: self._edit(i)).props(
                f"flat dense data-testid=evalset-edit-{item.id}"
            )
            label = "evalsets.unconfirm" if item.confirmed else "evalsets.confirm"
            ui.button(t(label), on_click=guarded(lambda i=item: self._confirm(i))).props(
                f"flat dense data-testid=evalset-confirm-{item.id}"
            )
            ui.button(t("evalsets.delete"), on_click=guarded(lambda i=item: self._delete(i)))
        with card:
            ui.label(item.question).classes("whitespace-pre-wrap").props(
                f"data-testid=evalset-question-{item.id}"
            )
            for letter, option in zip("ABCDEFGHIJ", item.options, strict=False):
                ui.label(f"{letter}. {option}").classes("text-sm")
            ui.label(t("evalsets.answer", answer=item.answer)).classes("font-medium").props(
                f"data-testid=evalset-answer-{item.id}"
            )

    def _edit(self, item: EvalItemView) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-[40rem]"):
            question = ui.textarea(t("evalsets.question"), value=item.question).classes("w-full")
            question.props("data-testid=evalset-edit-question")
            options = ui.textarea(t("evalsets.options"), value="\n".join(item.options))
            options.classes("w-full").props("data-testid=evalset-edit-options")
            answer = ui.input(t("evalsets.answer_field"), value=item.answer).classes("w-full")
            answer.props("data-testid=evalset-edit-answer")
            note = ui.input(t("evalsets.note"), value=item.note).classes("w-full")

            async def save() -> None:
                lines = [line for line in str(options.value or "").splitlines() if line.strip()]
                await off_loop(
                    items.edit_item, self.ctx.core, self.project.id, item.id,
                    question=str(question.value or ""), options=lines,
                    answer=str(answer.value or ""), note=str(note.value or ""),
                )  # fmt: skip
                dialog.close()
                notify_ok(t("evalsets.saved"))
                await self.reload()

            with ui.row().classes("w-full justify-end"):
                ui.button(t("evalsets.cancel"), on_click=dialog.close).props("flat")
                ui.button(t("evalsets.save"), on_click=guarded(save)).props(
                    "data-testid=evalset-edit-save"
                )
        dialog.open()

    async def _confirm(self, item: EvalItemView) -> None:
        await off_loop(
            items.confirm_items, self.ctx.core, self.project.id, [item.id], not item.confirmed
        )
        await self.reload()

    async def _delete(self, item: EvalItemView) -> None:
        if await confirm(t("evalsets.delete_confirm")):
            await off_loop(items.delete_items, self.ctx.core, self.project.id, [item.id])
            await self.reload()

    async def _choose(self, name: str | None) -> None:
        if name and name != self.current:
            self.current = name
            await self.reload()

    async def _kind(self, kind: str | None) -> None:
        self.kind = kind or None
        await self.reload()

    async def _create(self) -> None:
        view = await off_loop(
            sets.create_set, self.ctx.core, self.project.id, str(self.new_name.value or "")
        )
        self.current = view.name
        self.new_name.set_value("")
        await self.reload()

    async def _drop(self) -> None:
        name = self._need_set()
        if await confirm(t("evalsets.delete_set_confirm", name=name)):
            await off_loop(sets.delete_set, self.ctx.core, self.project.id, name)
            self.current = None
            await self.reload()

    async def _hold_out(self) -> None:
        name = self.current or "held-out"
        report = await off_loop(
            held_out.hold_out, self.ctx.core, self.project.id, name,
            float(self.fraction.value or 0), int(self.seed.value or 0),
            by_tag=bool(self.by_tag.value),
        )  # fmt: skip
        self.current = report.set.name
        notify_ok(t("evalsets.held", count=report.held_out))
        await self.reload()

    async def _uploaded(self, event: events.UploadEventArguments) -> None:
        limit = self._limit()
        if event.file.size() > limit:  # the browser's check can be bypassed
            raise InputError(t("files.too_large", limit=human_size(limit)))
        data = await event.file.read()
        report = await off_loop(
            transfer.import_items, self.ctx.core, self.project.id,
            self.current or "imported", event.file.name, data,
            skip_bad=bool(self.skip_bad.value), max_bytes=limit,
        )  # fmt: skip
        self.current = report.set.name
        notify_ok(t("evalsets.imported", count=report.added))
        await self.reload()

    def _export(self, fmt: str) -> None:
        if self.current is not None:
            name = quote(self.current, safe="")
            ui.download.from_url(
                f"/api/projects/{self.project.id}/eval-sets/{name}/export?format={fmt}"
            )


def register() -> None:
    @ui.page("/projects/{project_id}/evalsets")
    def evalsets_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "evalsets")
        if opened is None:
            return
        with content():
            EvalSetsScreen(*opened).build()
