"""Our errors as HTTP answers: a status and a body `{"detail": message, "kind": kind}`.

Malformed requests get 4xx with what was wrong; anything unexpected is logged and answered
500 with no internals (no traceback, path or secret leaves the server).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from easy_dataset.errors import (
    ConfigError,
    ConflictError,
    EasyDatasetError,
    IngestError,
    InputError,
    ModelCallError,
    NotFoundError,
)

log = logging.getLogger(__name__)

# Most specific first: the first class an error is an instance of decides.
STATUS: tuple[tuple[type[EasyDatasetError], int, str], ...] = (
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (IngestError, 422, "unreadable_document"),
    (InputError, 422, "invalid_input"),
    (ConfigError, 422, "invalid_config"),
    (ModelCallError, 502, "model_error"),
    (EasyDatasetError, 400, "error"),
)


def error_body(kind: str, message: str, **extra: object) -> dict[str, object]:
    return {"detail": message, "kind": kind, **extra}


def status_of(exc: EasyDatasetError) -> tuple[int, str]:
    for cls, status, kind in STATUS:
        if isinstance(exc, cls):
            return status, kind
    return 400, "error"


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error.get("msg", ""))
    return "; ".join(parts) or "the request is malformed"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EasyDatasetError)
    async def ours(_request: Request, exc: EasyDatasetError) -> JSONResponse:
        status, kind = status_of(exc)
        extra: dict[str, object] = {}
        if isinstance(exc, ModelCallError):
            extra = {"model_error": exc.kind, "status": exc.status}
        return JSONResponse(error_body(kind, str(exc), **extra), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            error_body("invalid_request", _validation_message(exc)), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = "not_found" if exc.status_code == 404 else "http_error"
        return JSONResponse(
            error_body(kind, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("internal", "the server hit an unexpected error; see its log"),
            status_code=500,
        )
