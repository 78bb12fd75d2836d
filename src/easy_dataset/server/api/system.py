"""Health and version: what a script checks before it starts work."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from easy_dataset import __version__

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/health")
def health() -> Health:
    return Health(status="ok", version=__version__)
