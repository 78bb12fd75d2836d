"""The REST API: one router per resource, all under /api, all calling the services."""

from fastapi import APIRouter

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


def build_api_router() -> APIRouter:
    """Every router under /api; the stages' routes as the stage registry holds them now."""
    api_router = APIRouter(prefix="/api")
    for module in RESOURCES:
        api_router.include_router(module.router)
    api_router.include_router(stages.listing)
    api_router.include_router(stages.build_router())
    return api_router


__all__ = ["build_api_router"]
