"""How a page finds the server it belongs to: a `UiContext` put into every request's scope.

NiceGUI's page registry is global to the process, so pages are registered once and never
close over one server's objects; the middleware added to each FastAPI app by `mount_ui`
hands them that app's context instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from easy_dataset.server.executor import JobExecutor
from easy_dataset.services import App

SCOPE_KEY = "easy_dataset.ui"


@dataclass(frozen=True)
class UiContext:
    """What every page works with: the application services' context and the job runner."""

    core: App
    executor: JobExecutor
    run_jobs: bool  # False: started jobs stay queued (tests), like the REST API

    def submit(self, job_id: int, *, resume: bool = False) -> None:
        """Hand a job to the background runner; closing the page never stops it."""
        if self.run_jobs:
            self.executor.submit(job_id, resume=resume)


class ContextMiddleware:
    """Puts the app's `UiContext` into the scope of every HTTP and WebSocket connection."""

    def __init__(self, app: ASGIApp, context: UiContext) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope[SCOPE_KEY] = self.context
        await self.app(scope, receive, send)


def context_of(connection: HTTPConnection) -> UiContext:
    context = connection.scope.get(SCOPE_KEY)
    if not isinstance(context, UiContext):
        raise RuntimeError("the web pages were reached without `mount_ui` on this app")
    return context
