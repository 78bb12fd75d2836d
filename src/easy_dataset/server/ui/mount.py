"""Mounting the pages on a FastAPI app, any number of times in one process.

NiceGUI keeps one global app (`nicegui.core.app`) with one page registry. Pages are
registered on it once per process (`_register_once`) and find their server through
the `UiContext` that `ContextMiddleware` puts into each request. `ui.run_with` mounts the
global app into the FastAPI app and wraps its lifespan; before the next `create_app` the
global app's built middleware stack is dropped so `run_with` can add its middleware again.
One server with pages runs at a time per process (NiceGUI keeps its event loop globally).
"""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from nicegui import core, ui
from starlette.exceptions import HTTPException

from easy_dataset.server.executor import JobExecutor
from easy_dataset.server.ui import (
    arena,
    chunks,
    cleaning,
    evalsets,
    evaluations,
    export,
    files,
    jobs,
    personas,
    playground,
    preferences,
    projects,
    qa,
    quality,
    questions,
    settings,
    styles,
    tags,
    training,
    usage,
)
from easy_dataset.server.ui.context import ContextMiddleware, UiContext
from easy_dataset.server.ui.i18n import COOKIE, LANGUAGES
from easy_dataset.server.ui.limits import UploadLimitMiddleware
from easy_dataset.services import App

PAGES = (
    projects,
    files,
    chunks,
    cleaning,
    tags,
    personas,
    questions,
    qa,
    quality,
    export,
    evalsets,
    training,
    evaluations,
    arena,
    preferences,
    playground,
    jobs,
    usage,
    settings,
)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
_registered = False


def _safe_next(target: str) -> str:
    """A path on this server to go back to; anything else (another site) becomes `/`.
    Browsers drop tabs and newlines and read `\\` as `/`, so those are refused too."""
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(char) <= 32 or ord(char) == 127 for char in target)
    ):
        return "/"
    return target


def _choose_language(code: str, next: str = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=LANGUAGE_COOKIE_AGE, samesite="lax")
    return response


def _register_once() -> None:
    global _registered
    if _registered:
        return
    for module in PAGES:
        module.register()
    core.app.add_api_route("/_ui/language/{code}", _choose_language, include_in_schema=False)
    core.app.add_api_route(styles.sheet_path(), styles.sheet_response, include_in_schema=False)
    ui.add_head_html(styles.head_html(), shared=True)
    # Unknown /api/... paths fall through to the mounted pages; answer them as the API does.
    pages_not_found = core.app.exception_handlers[404]

    async def not_found(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if path == "/api" or path.startswith("/api/"):
            detail = exc.detail if isinstance(exc, HTTPException) else "Not Found"
            return JSONResponse({"detail": str(detail), "kind": "not_found"}, status_code=404)
        response = pages_not_found(request, exc)
        return await response if inspect.isawaitable(response) else response

    core.app.add_exception_handler(404, not_found)
    _registered = True


def mount_ui(app: FastAPI, core_app: App, executor: JobExecutor) -> None:
    """Serve the web pages at `/` of `app` (after its API routes, which keep precedence)."""
    _register_once()
    if core.app.middleware_stack is not None:
        # A previous server in this process built NiceGUI's middleware; start afresh.
        core.app.middleware_stack = None
        core.app.user_middleware.clear()
    ui.run_with(
        app,
        title="easy-dataset",
        favicon="📚",
        show_welcome_message=False,
        reconnect_timeout=10.0,
        tailwind=False,  # compiled ahead of time: see styles.py
    )
    context = UiContext(core=core_app, executor=executor, run_jobs=bool(app.state.run_jobs))
    app.add_middleware(ContextMiddleware, context=context)
    app.add_middleware(UploadLimitMiddleware, max_bytes=core_app.settings.max_file_bytes)
