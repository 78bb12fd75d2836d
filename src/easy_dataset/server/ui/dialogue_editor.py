"""A dialogue's turns on its sample page: each message a card (role, text, the reply's
reasoning folded away), Save per message, delete the last turn, regenerate from a user turn.

Nothing typed is lost: every text is watched by the page's `UnsavedGuard`, and deleting or
regenerating (which rebuild the cards) first stores the messages edited on the page, as
revising a QA pair does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nicegui import ui

from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.unsaved import UnsavedGuard
from easy_dataset.services import generation
from easy_dataset.services.generation import QADetail
from easy_dataset.types import Message

ROLE_COLOUR = {"system": "grey", "user": "primary", "assistant": "positive"}


@dataclass
class _Card:
    """The fields of one message's card and the save handler the guard calls for them."""

    content: ui.textarea
    reasoning: ui.textarea | None
    save: Callable[[], None]


class DialogueEditor:
    """The turns of `detail`; `changed(detail)` hears of every change stored."""

    def __init__(
        self,
        ctx: UiContext,
        project_id: int,
        detail: QADetail,
        guard: UnsavedGuard,
        changed: Callable[[QADetail], None],
    ) -> None:
        self.ctx = ctx
        self.project_id = project_id
        self.detail = detail
        self.guard = guard
        self.changed = changed
        self.cards: dict[int, _Card] = {}
        self.turns: ui.column | None = None
        self.actions: list[ui.button] = []
        self.spinner: ui.spinner | None = None

    @property
    def messages(self) -> list[Message]:
        return self.detail.messages or []

    def build(self) -> None:
        provenance = self.detail.provenance
        roles = provenance.get("roles")
        if isinstance(roles, dict):
            ui.label(
                t(
                    "dialogue.roles",
                    user=roles.get("user", ""),
                    assistant=roles.get("assistant", ""),
                )
            ).classes("text-sm text-gray-600").props("data-testid=dialogue-roles")
        if provenance.get("scenario"):
            ui.label(t("dialogue.scenario", scenario=provenance["scenario"])).classes(
                "text-sm"
            ).props("data-testid=dialogue-scenario")
        self.turns = ui.column().classes("w-full gap-2").props("data-testid=dialogue-turns")
        with ui.row().classes("items-center gap-2"):
            delete = ui.button(t("dialogue.delete_last"), icon="remove")
            delete.props("flat color=negative data-testid=dialogue-delete-last")
            delete.on_click(guarded(self._delete_last))
            self.actions.append(delete)
            self.spinner = ui.spinner().props("data-testid=dialogue-regenerating")
            self.spinner.set_visibility(False)
        self._cards()

    # -- the cards -------------------------------------------------------------------------

    def _cards(self) -> None:
        """The cards built anew from what is stored; the old fields leave the guard."""
        if self.turns is None:
            return
        for card in self.cards.values():
            self.guard.forget(*[f for f in (card.content, card.reasoning) if f is not None])
        self.cards.clear()
        self.actions = self.actions[:1]  # the delete button; the cards' buttons are rebuilt
        self.turns.clear()
        number = 0
        with self.turns:
            for index, message in enumerate(self.messages):
                if message.role == "user":
                    number += 1
                self._card(index, message, number)
        self._may_delete()

    def _may_delete(self) -> None:
        """A dialogue keeps one turn: with one left, its delete button is off."""
        spoken = sum(1 for message in self.messages if message.role == "user")
        self.actions[0].set_enabled(spoken > 1)

    def _card(self, index: int, message: Message, number: int) -> None:
        with ui.card().classes("w-full").props(f"data-testid=dialogue-turn-{index}"):
            with ui.row().classes("w-full items-center gap-2"):
                ui.badge(t(f"dialogue.role.{message.role}"), color=ROLE_COLOUR[message.role])
                if message.role != "system":
                    ui.label(t("dialogue.turn", number=number)).classes("text-sm text-gray-600")
            content = ui.textarea(value=message.content).classes("w-full")
            content.props(f"autogrow outlined data-testid=dialogue-turn-{index}-content")
            reasoning = None
            if message.role == "assistant":
                with ui.expansion(t("dialogue.reasoning"), icon="psychology").classes("w-full"):
                    reasoning = ui.textarea(value=message.reasoning).classes("w-full")
                    reasoning.props(
                        f"autogrow outlined data-testid=dialogue-turn-{index}-reasoning"
                    )

            def save(index: int = index) -> None:
                self._save(index)

            self.cards[index] = _Card(content, reasoning, save)
            for field in (content, reasoning):
                if field is not None:
                    self.guard.watch(field, save)
            with ui.row().classes("gap-2"):

                def save_clicked(index: int = index) -> None:
                    self._save(index)
                    notify_ok(t("dialogue.saved", number=index))

                ui.button(t("common.save"), on_click=guarded(save_clicked)).props(
                    f"flat data-testid=dialogue-turn-{index}-save"
                )
                if message.role == "user":
                    turn = number - 1
                    again = ui.button(t("dialogue.regenerate"), icon="autorenew")
                    again.props(f"flat data-testid=dialogue-turn-{index}-regenerate")
                    again.on_click(guarded(lambda turn=turn: self._regenerate(turn)))
                    self.actions.append(again)

    # -- actions ---------------------------------------------------------------------------

    def _edited(self, index: int) -> bool:
        card, stored = self.cards[index], self.messages[index]
        if (card.content.value or "").strip() != stored.content:
            return True
        return card.reasoning is not None and (card.reasoning.value or "").strip() != (
            stored.reasoning
        )

    def _save(self, index: int) -> None:
        """Store message `index` as its card shows it (a card without changes stores
        nothing); the card then shows what is stored."""
        card = self.cards[index]
        if self._edited(index):
            self._stored(
                generation.edit_turn(
                    self.ctx.core,
                    self.project_id,
                    self.detail.id,
                    index,
                    content=card.content.value or "",
                    reasoning=None if card.reasoning is None else card.reasoning.value or "",
                )
            )
        message = self.messages[index]
        card.content.set_value(message.content)
        if card.reasoning is not None:
            card.reasoning.set_value(message.reasoning)
        self.guard.saved(*[f for f in (card.content, card.reasoning) if f is not None])

    def save_edited(self) -> None:
        """Store every message edited on the page (before an action that rebuilds them)."""
        for index in [index for index in self.cards if self._edited(index)]:
            self._save(index)

    def _stored(self, detail: QADetail) -> None:
        self.detail = detail
        self.changed(detail)

    async def _delete_last(self) -> None:
        if not await confirm(t("dialogue.confirm_delete_last")):
            return
        self.save_edited()
        self._stored(generation.delete_last_turns(self.ctx.core, self.project_id, self.detail.id))
        self._cards()
        notify_ok(t("dialogue.deleted_last"))

    async def _regenerate(self, turn: int) -> None:
        asked = t("dialogue.confirm_regenerate", number=turn + 1)
        if not await confirm(asked, action=t("dialogue.regenerate_go")):
            return
        self.save_edited()  # the model continues from what the page shows
        # Nothing typed while the model writes could be kept: every card is rebuilt.
        fields = [f for card in self.cards.values() for f in (card.content, card.reasoning) if f]
        for element in (*self.actions, *fields):
            element.disable()
        if self.spinner is not None:
            self.spinner.set_visibility(True)
        try:
            detail = await off_loop(
                generation.regenerate_from, self.ctx.core, self.project_id, self.detail.id, turn
            )
        finally:
            for element in (*self.actions, *fields):
                element.enable()
            self._may_delete()
            if self.spinner is not None:
                self.spinner.set_visibility(False)
        self._stored(detail)
        self._cards()
        notify_ok(t("dialogue.regenerated", number=turn + 1))
