"""Small pieces every screen uses: error notices, confirmation, work off the event loop."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from nicegui import ui

from easy_dataset.errors import EasyDatasetError
from easy_dataset.server.ui.i18n import t

P = ParamSpec("P")
R = TypeVar("R")


def notify_error(exc: Exception) -> None:
    """One line for the person at the page (notifications render text, never HTML)."""
    ui.notify(str(exc), type="negative", multi_line=True)


def notify_ok(message: str) -> None:
    ui.notify(message, type="positive")


def guarded(handler: Callable[P, Any]) -> Callable[P, Awaitable[None]]:
    """Run an event handler; our errors become a notice instead of a server log entry."""

    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            result = handler(*args, **kwargs)
            if inspect.isawaitable(result):
                await result
        except EasyDatasetError as exc:
            notify_error(exc)

    return run


async def off_loop(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run blocking work (ingest, model calls, big deletes) in a thread, not on the loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


async def confirm(message: str, *, action: str | None = None) -> bool:
    """Ask before something that cannot be undone; True when the person confirms."""
    with ui.dialog() as dialog, ui.card():
        ui.label(message).classes("whitespace-pre-wrap")
        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=lambda: dialog.submit(False)).props(
                "flat data-testid=confirm-no"
            )
            ui.button(
                action or t("common.delete"),
                color="negative",
                on_click=lambda: dialog.submit(True),
            ).props("data-testid=confirm-yes")
    answer = await dialog
    dialog.clear()
    dialog.delete()
    return answer is True


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else ""
