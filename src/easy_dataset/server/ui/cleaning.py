"""The review of chunk cleaning (`/projects/{id}/chunks/cleaning`, from the chunks screen):
each pending proposal as a diff (removed text struck through in red, added text green;
every piece a text label, so document text never becomes markup), Accept / Reject per
chunk, Accept all / Reject all, and the cleaned text editable before deciding.

No edit is lost: every edit field is watched by the page's `UnsavedGuard` (leaving the page
or turning to another page of proposals asks first); deciding one proposal stores its edit
in the same transaction; rebuilding the list after a decision keeps the edits typed into
the other cards; Accept all / Reject all take every edit on the page with them."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from nicegui import ui

from easy_dataset.chunking.text_diff import DiffPiece
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.server.ui.nav import project_path
from easy_dataset.server.ui.unsaved import page_guard
from easy_dataset.services import chunk_cleaning
from easy_dataset.services.chunk_cleaning import CleaningOutcome, Decision, ProposalDetail
from easy_dataset.services.chunk_labels import label as chunk_label
from easy_dataset.services.views import ProjectView

PAGE_SIZE = 20
PIECE_STYLE = {
    "equal": "",
    "delete": "bg-red-100 text-red-800 line-through",
    "insert": "bg-green-100 text-green-800",
}


def path(project_id: int) -> str:
    return project_path(project_id, "chunks/cleaning")


def diff_view(pieces: list[DiffPiece], testid: str) -> None:
    """The pieces in a row of inline labels that keeps the text's line breaks."""
    box = ui.element("div").classes(
        "w-full whitespace-pre-wrap break-words font-mono text-sm border rounded p-2"
    )
    with box.props(f"data-testid={testid}"):
        for piece in pieces:
            shown = ui.label(piece.text).classes(f"inline {PIECE_STYLE[piece.op]}")
            if piece.op != "equal":
                shown.props(f"data-op={piece.op}")


@dataclass
class _Editor:
    field: ui.textarea
    fold: ui.expansion
    stored: str  # the proposal's text as stored

    @property
    def dirty(self) -> bool:
        return (self.field.value or "").strip() != self.stored.strip()


class CleaningScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.guard = page_guard()
        self.page = 1
        self.total = 0
        self.editors: dict[int, _Editor] = {}
        self.summary: ui.label | None = None
        self.pager: ui.pagination | None = None
        self.listing: ui.column | None = None

    def build(self) -> None:
        ui.label(t("cleaning.title")).classes("text-2xl")
        ui.link(t("cleaning.back"), project_path(self.project.id, "chunks")).props(
            "data-testid=cleaning-back"
        )
        ui.label(t("cleaning.help")).classes("text-sm text-gray-600")
        with ui.row().classes("w-full items-center gap-2"):
            self.summary = ui.label().props("data-testid=cleaning-total")
            ui.space()
            ui.button(
                t("cleaning.accept_all"),
                icon="done_all",
                on_click=guarded(lambda: self._all("accepted")),
            ).props("flat data-testid=cleaning-accept-all")
            ui.button(
                t("cleaning.reject_all"),
                icon="clear_all",
                on_click=guarded(lambda: self._all("rejected")),
            ).props("flat color=negative data-testid=cleaning-reject-all")
        self.pager = ui.pagination(1, 1, direction_links=True, value=1)
        self.pager.props("max-pages=7 boundary-numbers data-testid=cleaning-pager")
        self.pager.on_value_change(lambda e: self._go(int(e.value or 1)))
        self.listing = ui.column().classes("w-full gap-3")
        self._show(*self._fetch())

    def _fetch(self) -> tuple[int, list[ProposalDetail]]:
        return chunk_cleaning.list_proposal_details(
            self.ctx.core, self.project.id, limit=PAGE_SIZE, offset=(self.page - 1) * PAGE_SIZE
        )

    async def reload(self) -> None:
        """Show the current page again; what is typed into a card that is still there
        stays typed."""
        drafts = {cid: e.field.value for cid, e in self.editors.items() if e.dirty}
        self._show(*await off_loop(self._fetch), drafts=drafts)

    async def _go(self, page: int) -> None:
        if page == self.page:
            return
        if not await self.guard.settle():
            assert self.pager is not None
            self.pager.set_value(self.page)  # stay, with the edits as they are
            return
        self.page = page
        await self.reload()

    def _show(
        self, total: int, rows: list[ProposalDetail], drafts: dict[int, str] | None = None
    ) -> None:
        pages = max(1, -(-total // PAGE_SIZE))
        if self.page > pages:  # the last page emptied by decisions
            self.page = pages
            self._show(*self._fetch(), drafts=drafts)
            return
        self.total = total
        assert self.summary is not None and self.pager is not None and self.listing is not None
        self.summary.set_text(t("cleaning.waiting", count=total))
        self.pager.max = pages
        self.pager.set_value(self.page)
        self.guard.forget(*(editor.field for editor in self.editors.values()))
        self.editors.clear()
        self.listing.clear()
        with self.listing:
            if not rows:
                ui.label(t("cleaning.none")).props("data-testid=cleaning-none")
            for row in rows:
                self._card(row)
        for chunk_id, text in (drafts or {}).items():
            if chunk_id in self.editors:
                self.editors[chunk_id].field.set_value(text)
                self.editors[chunk_id].fold.open()
        self.guard.refresh()

    def _card(self, row: ProposalDetail) -> None:
        cid = row.chunk_id
        with ui.card().classes("w-full").props(f"data-testid=cleaning-{cid}"):
            with ui.row().classes("w-full items-center gap-2"):
                ui.label(chunk_label(row.file_name, row.ordinal)).classes("font-medium")
                ui.label(
                    t(
                        "cleaning.stats",
                        removed=row.stats.lines_removed,
                        added=row.stats.lines_added,
                        chars=row.stats.chars_removed,
                    )
                ).classes("text-sm text-gray-600").props(f"data-testid=cleaning-stats-{cid}")
                if row.edited:
                    ui.badge(t("cleaning.edited")).props("outline")
                ui.space()
                accept = ui.button(
                    t("cleaning.accept"), on_click=guarded(lambda: self._one("accepted", cid))
                ).props(f"dense data-testid=cleaning-accept-{cid}")
                if row.stale:
                    accept.disable()
                ui.button(
                    t("cleaning.reject"), on_click=guarded(lambda: self._one("rejected", cid))
                ).props(f"flat dense color=negative data-testid=cleaning-reject-{cid}")
            if row.stale:
                ui.label(t("cleaning.stale")).classes("text-sm text-orange-800").props(
                    f"data-testid=cleaning-stale-{cid}"
                )
            diff_view(row.pieces, f"cleaning-diff-{cid}")
            fold = ui.expansion(t("cleaning.edit")).classes("w-full")
            with fold.props(f"data-testid=cleaning-edit-{cid}"):
                field = ui.textarea(value=row.proposed).classes("w-full font-mono")
                field.props(f"autogrow data-testid=cleaning-text-{cid}")
                ui.button(t("cleaning.save_edit"), on_click=guarded(lambda: self._save(cid))).props(
                    f"flat dense data-testid=cleaning-save-{cid}"
                )
        self.editors[cid] = _Editor(field, fold, row.proposed)
        self.guard.watch(field, lambda: self._save(cid))

    def _texts(self, chunk_ids: list[int] | None = None) -> dict[int, str]:
        """The edits typed into the cards (of these chunks), to be stored with a decision."""
        return {
            cid: editor.field.value or ""
            for cid, editor in self.editors.items()
            if editor.dirty and (chunk_ids is None or cid in chunk_ids)
        }

    async def _save(self, chunk_id: int) -> None:
        editor = self.editors[chunk_id]
        text = editor.field.value or ""
        await off_loop(chunk_cleaning.edit_proposal, self.ctx.core, self.project.id, chunk_id, text)
        editor.stored = text
        self.guard.saved(editor.field)
        notify_ok(t("common.saved"))
        await self.reload()

    async def _one(self, decision: Decision, chunk_id: int) -> None:
        outcome = await off_loop(
            chunk_cleaning.decide,
            self.ctx.core,
            self.project.id,
            decision,
            [chunk_id],
            texts=self._texts([chunk_id]),
        )
        await self._decided(outcome)

    async def _all(self, decision: Decision) -> None:
        if not self.total:
            ui.notify(t("cleaning.none"))
            return
        key = (
            "cleaning.confirm_accept_all"
            if decision == "accepted"
            else "cleaning.confirm_reject_all"
        )
        action = t("cleaning.accept_all" if decision == "accepted" else "cleaning.reject_all")
        if not await confirm(t(key, count=self.total), action=action):
            return
        outcome = await off_loop(
            chunk_cleaning.decide,
            self.ctx.core,
            self.project.id,
            decision,
            None,
            texts=self._texts(),
        )
        await self._decided(outcome)

    async def _decided(self, outcome: CleaningOutcome) -> None:
        """The decided cards go (their edits were stored with the decision); the rest
        keep what is typed into them."""
        for chunk_id in [*outcome.chunk_ids, *(item.chunk_id for item in outcome.skipped)]:
            editor = self.editors.pop(chunk_id, None)
            if editor is not None:
                self.guard.forget(editor.field)
        done = "cleaning.accepted" if outcome.decision == "accepted" else "cleaning.rejected"
        notify_ok(t(done, count=len(outcome.chunk_ids)))
        if outcome.skipped:
            ui.notify(t("cleaning.skipped", count=len(outcome.skipped)), type="warning")
        await self.reload()


def register() -> None:
    @ui.page("/projects/{project_id}/chunks/cleaning")
    def cleaning_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "chunks")
        if opened is None:
            return
        with content():
            CleaningScreen(*opened).build()
