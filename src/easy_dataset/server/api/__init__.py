"""The REST API: one router per resource, all under /api, all calling the services."""

from fastapi import APIRouter

from easy_dataset.server.api import (
    chunks,
    export,
    files,
    jobs,
    models,
    personas,
    projects,
    prompts,
    qa,
    quality,
    questions,
    stages,
    system,
    tags,
    templates,
    usage,
)

api_router = APIRouter(prefix="/api")
for module in (
    system,
    projects,
    files,
    chunks,
    models,
    prompts,
    tags,
    personas,
    questions,
    qa,
    templates,
    stages,
    jobs,
    usage,
    export,
    quality,
):
    api_router.include_router(module.router)

__all__ = ["api_router"]
