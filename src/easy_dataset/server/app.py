"""The FastAPI application: REST API under /api (OpenAPI at /docs), web pages at /."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from easy_dataset import __version__
from easy_dataset.config import Settings
from easy_dataset.server.access import TokenMiddleware
from easy_dataset.server.api import build_api_router
from easy_dataset.server.body_limit import BodyLimitMiddleware
from easy_dataset.server.docs import install_docs
from easy_dataset.server.errors import install_error_handlers
from easy_dataset.server.executor import JobExecutor
from easy_dataset.server.follow_ups import queue_follow_ups
from easy_dataset.server.sites import install_site_checks
from easy_dataset.server.ui import mount_ui
from easy_dataset.services import App
from easy_dataset.services import jobs as _jobs  # noqa: F401 (registers the job handlers)


def create_app(
    settings: Settings,
    *,
    token: str | None = None,
    run_jobs: bool = True,
    bind_host: str | None = None,
) -> FastAPI:
    """The whole server for `settings`; with `token`, every request must carry it.

    `bind_host` is the address it listens on: a name it answers to (besides loopback and
    `settings.allowed_hosts`) unless it is every interface (0.0.0.0, ::).
    `run_jobs=False` leaves started jobs queued in the database (for tests that look at
    them before they run); the next server start runs them.
    """
    core = App(settings)
    executor = JobExecutor(core)
    executor.subscribe(queue_follow_ups(core, executor))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_jobs:
            executor.start()
        try:
            yield
        finally:
            executor.stop()
            core.close()

    app = FastAPI(
        title="easy-dataset",
        version=__version__,
        description="Turn your own documents into instruction-tuning datasets.",
        lifespan=lifespan,
        # FastAPI's own pages load their scripts from a CDN: see install_docs.
        docs_url=None,
        redoc_url=None,
    )
    app.state.core = core
    app.state.executor = executor
    app.state.run_jobs = run_jobs
    install_error_handlers(app)
    app.include_router(build_api_router())
    install_docs(app)
    mount_ui(app, core, executor)
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    if token is not None:
        app.add_middleware(TokenMiddleware, token=token)
    # Added last so it runs first: other sites are refused before anything else runs.
    install_site_checks(app, settings, bind_host=bind_host)
    return app
