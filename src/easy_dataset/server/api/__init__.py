"""The REST API: one router per resource, all under /api, all calling the services."""

from fastapi import APIRouter

from easy_dataset.server.api import system

api_router = APIRouter(prefix="/api")
api_router.include_router(system.router)

__all__ = ["api_router"]
