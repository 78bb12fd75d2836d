"""The REST API: one router per resource, all under /api, all calling the services."""

from typing import Any

from fastapi import APIRouter

from easy_dataset.jobs.stage import Stage, all_stages
from easy_dataset.server.api import (
    arena,
    chunk_cleaning,
    chunks,
    dialogues,
    eval_runs,
    eval_sets,
    export,
    files,
    jobs,
    models,
    personas,
    playground,
    preferences,
    projects,
    prompts,
    qa,
    quality,
    questions,
    stages,
    system,
    tags,
    templates,
    training,
    usage,
)

RESOURCES = (
    system,
    projects,
    files,
    chunks,
    chunk_cleaning,
    models,
    prompts,
    tags,
    personas,
    questions,
    qa,
    dialogues,
    templates,
    jobs,
    usage,
    export,
    quality,
    playground,
    preferences,
    eval_sets,
    arena,
    eval_runs,
    training,
)


# FastAPI analyses every route's parameters as a router is included: about half a second
# for ours, paid again by every app made in one process (tests make hundreds). A built
# router serves any number of apps, so it is kept per set of registered stages.
_built: dict[tuple[type[Stage[Any]], ...], APIRouter] = {}


def build_api_router() -> APIRouter:
    """Every router under /api; the stages' routes as the stage registry holds them now."""
    registered = tuple(all_stages())
    router = _built.get(registered)
    if router is None:
        router = _built[registered] = _api_router()
    return router


def _api_router() -> APIRouter:
    api_router = APIRouter(prefix="/api")
    for module in RESOURCES:
        api_router.include_router(module.router)
    api_router.include_router(stages.listing)
    api_router.include_router(stages.build_router())
    return api_router


__all__ = ["build_api_router"]
