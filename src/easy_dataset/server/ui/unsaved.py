"""Unsaved edits are never lost silently: a page's `UnsavedGuard` (`page_guard()`) watches its
edit fields against what is stored and, while any differs,

- the browser warns before the page is reloaded, closed or left by its own navigation
  (`beforeunload`);
- a click on a link of this site (header, back link) and the language toggle ask first, in
  the page's language: save and go on, discard and go on, or stay (`leave`);
- the page's own moves (previous / next) call `leave(url)` and get the same question;
  "save" runs the save handler of every field that differs (a form's own Save button).

The browser holds one flag, `window.easyDatasetUnsaved`, set from the server whenever the
page turns clean or dirty; the script that reads it is added once per page that has a guard.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import context, ui
from nicegui.elements.mixins.value_element import ValueElement
from nicegui.events import GenericEventArguments

from easy_dataset.errors import EasyDatasetError
from easy_dataset.server.ui.helpers import notify_error
from easy_dataset.server.ui.i18n import t

LEAVE_EVENT = "easy_dataset_leave"
# The flag, the warning on unload, and links of this site asking the server first.
# Idempotent: a guard made after the page loaded (a dialog's) runs it through the socket.
SCRIPT = """
if (!window.easyDatasetLeave) {
window.easyDatasetUnsaved = false;
window.addEventListener('beforeunload', (event) => {
  if (window.easyDatasetUnsaved) { event.preventDefault(); event.returnValue = ''; }
});
window.easyDatasetLeave = (url) => {
  if (window.easyDatasetUnsaved) emitEvent('EVENT', url);
  else window.location.href = url;
};
document.addEventListener('click', (event) => {
  if (!window.easyDatasetUnsaved || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest ? event.target.closest('a[href]') : null;
  if (!link || (link.target && link.target !== '_self') || link.hasAttribute('download')) return;
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  event.preventDefault();
  event.stopPropagation();
  window.easyDatasetLeave(url.pathname + url.search + url.hash);
}, true);
}
""".replace("EVENT", LEAVE_EVENT)

SaveHandler = Callable[[], Awaitable[Any] | Any]


def local_path(url: str) -> str:
    """A path on this server, else `/` (the address comes back from the browser)."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


def page_guard() -> UnsavedGuard:
    """The guard of the page being built or handled (one per page, made on first use)."""
    client = context.client
    guard = _GUARDS.get(client.id)
    if guard is None:
        guard = _GUARDS[client.id] = UnsavedGuard()
        client.on_delete(lambda: _GUARDS.pop(client.id, None))
    return guard


class UnsavedGuard:
    """Edit fields of one page, each with the value last stored and the handler that saves
    it: `watch` a field when it is built (its value then is what is stored), `saved` once
    its value has been stored (or reset), `forget` when it goes away (a closed dialog)."""

    def __init__(self) -> None:
        self._fields: dict[int, tuple[ValueElement[Any], object, SaveHandler]] = {}
        self._dirty = False
        if context.client.has_socket_connection:
            ui.run_javascript(SCRIPT)
        else:
            ui.add_head_html(f"<script>{SCRIPT}</script>")
        ui.on(LEAVE_EVENT, self._asked_to_leave)

    def watch(self, element: ValueElement[Any], save: SaveHandler) -> None:
        self._fields[element.id] = (element, element.value, save)
        element.on_value_change(self.refresh)

    def saved(self, *elements: ValueElement[Any]) -> None:
        """These fields' values are what is stored now."""
        for element in elements:
            if element.id in self._fields:
                _, _, save = self._fields[element.id]
                self._fields[element.id] = (element, element.value, save)
        self.refresh()

    def forget(self, *elements: ValueElement[Any]) -> None:
        for element in elements:
            self._fields.pop(element.id, None)
        self.refresh()

    def unsaved(self) -> list[SaveHandler]:
        """The save handlers of the fields that differ from what is stored, once each."""
        handlers: list[SaveHandler] = []
        for key in [key for key, (element, _, _) in self._fields.items() if element.is_deleted]:
            del self._fields[key]  # its dialog is gone
        for element, stored, save in self._fields.values():
            if not _same(element.value, stored) and save not in handlers:
                handlers.append(save)
        return handlers

    @property
    def dirty(self) -> bool:
        return bool(self.unsaved())

    def refresh(self) -> None:
        """Tell the browser whether leaving now would lose something."""
        dirty = self.dirty
        if dirty != self._dirty:
            self._dirty = dirty
            ui.run_javascript(f"window.easyDatasetUnsaved = {json.dumps(dirty)}")

    async def settle(self) -> bool:
        """Nothing unsaved, or the person chose to save (and it was saved) or to discard:
        True, go on; False: stay (they chose so, or saving failed with a notice)."""
        if not self.dirty:
            return True
        with ui.dialog() as dialog, ui.card().props("data-testid=unsaved-dialog"):
            ui.label(t("unsaved.message")).classes("whitespace-pre-wrap")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(t("unsaved.stay"), on_click=lambda: dialog.submit("stay")).props(
                    "flat data-testid=unsaved-stay"
                )
                ui.button(t("unsaved.discard"), on_click=lambda: dialog.submit("discard")).props(
                    "flat color=negative data-testid=unsaved-discard"
                )
                ui.button(t("unsaved.save"), on_click=lambda: dialog.submit("save")).props(
                    "color=primary data-testid=unsaved-save"
                )
        choice = await dialog
        dialog.clear()
        dialog.delete()
        if choice == "save":
            try:
                for save in self.unsaved():
                    result = save()
                    if inspect.isawaitable(result):
                        await result
            except EasyDatasetError as exc:
                notify_error(exc)
                return False
            self.refresh()
            return not self.dirty
        return bool(choice == "discard")

    async def leave(self, url: str) -> None:
        """Go to `url` (a path of this site) once nothing unsaved stands in the way."""
        if await self.settle():
            self._dirty = False
            target = json.dumps(local_path(url))
            ui.run_javascript(f"window.easyDatasetUnsaved = false; window.location.href = {target}")

    async def _asked_to_leave(self, event: GenericEventArguments) -> None:
        await self.leave(str(event.args))


def _same(value: object, stored: object) -> bool:
    """Numbers by value (a number field gives 400.0 for 400), text without the outer
    whitespace the services strip anyway, and None as empty."""
    numbers = (int, float)
    if isinstance(value, numbers) and isinstance(stored, numbers):
        return float(value) == float(stored)
    return _text(value) == _text(stored)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


_GUARDS: dict[str, UnsavedGuard] = {}
