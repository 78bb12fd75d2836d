"""Our errors as HTTP answers: a status and an `ErrorBody` `{"detail": message, "kind": kind}`,
with the error's `subject` where the service gave one (the message itself names no CLI command).

Malformed requests get 4xx with what was wrong; anything unexpected is logged and answered
500 with no internals (no traceback, path or secret leaves the server). The OpenAPI schema
documents these answers as they are (`document_errors`), not FastAPI's default
`HTTPValidationError`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
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


# Kinds of the plain HTTP errors routes and middleware raise.
HTTP_KINDS = {404: "not_found", 413: "too_large", 415: "unsupported_media_type"}


class ErrorItem(BaseModel):
    """One reason a request was refused as malformed."""

    loc: list[str | int] = Field(description="Where: `body`, `query`, `path` and the field.")
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="A machine-readable kind, e.g. `missing`, `string_too_long`.")


class ErrorBody(BaseModel):
    """Every error answer: a one-line message and a machine-readable kind."""

    detail: str = Field(description="What went wrong and what to do about it.")
    kind: str = Field(
        description="A machine-readable kind, e.g. not_found, conflict, invalid_request "
        "(malformed), invalid_input, invalid_config, unreadable_document, model_error, "
        "unauthorized, cross_site, unknown_host, too_large, internal."
    )
    subject: str | None = Field(
        default=None,
        description="What the error is about, where the service says: for not_found the kind "
        "of item missing (project, file, chunk, question, qa, tag, template, persona, job, "
        "model, benchmark, prompt, prompt_override, sample_item); otherwise the situation, "
        "e.g. chunks_exist, export_exists, not_interrupted, no_base_url, no_benchmarks, "
        "is_dialogue, not_dialogue.",
    )
    model_error: str | None = Field(
        default=None, description="502 only: how the model call failed (auth, timeout, ...)."
    )
    status: int | None = Field(
        default=None, description="502 only: the HTTP status the model endpoint answered."
    )
    errors: list[ErrorItem] | None = Field(
        default=None, description="Malformed requests (kind invalid_request) only: each reason."
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


def _validation_items(exc: RequestValidationError) -> list[dict[str, object]]:
    """loc, msg and type of each reason; never the input itself (it may be a key)."""
    return [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "invalid")),
            "type": str(error.get("type", "value_error")),
        }
        for error in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    """Answer errors with `ErrorBody`, and say so in the app's OpenAPI schema."""

    @app.exception_handler(EasyDatasetError)
    async def ours(_request: Request, exc: EasyDatasetError) -> JSONResponse:
        status, kind = status_of(exc)
        extra: dict[str, object] = {}
        if exc.subject is not None:
            extra["subject"] = exc.subject
        if isinstance(exc, ModelCallError):
            extra |= {"model_error": exc.kind, "status": exc.status}
        return JSONResponse(error_body(kind, str(exc), **extra), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        body = error_body(
            "invalid_request", _validation_message(exc), errors=_validation_items(exc)
        )
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = HTTP_KINDS.get(exc.status_code, "http_error")
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

    document_errors(app)


# The error answers the OpenAPI schema lists, and which operations can give them.
EVERY = "every"  # any operation
INPUT = "input"  # operations with parameters or a body: what they name may not exist...
CHANGE = "change"  # POST, PUT, PATCH, DELETE
MULTIPART = "multipart"  # uploads
ERROR_ANSWERS: tuple[tuple[str, str, str], ...] = (
    ("400", INPUT, "Refused by the service for another reason."),
    ("401", EVERY, "The server needs its access token (servers bound off loopback)."),
    ("403", CHANGE, "A change sent from another site's page."),
    ("404", INPUT, "The project or item named does not exist."),
    ("409", CHANGE, "The request clashes with what is stored (a duplicate name, a job state)."),
    ("413", EVERY, "The request body or an uploaded file is larger than the server accepts."),
    ("415", MULTIPART, "Files must be sent as multipart/form-data."),
    ("421", EVERY, "The Host header names a site this server does not answer to."),
    ("422", INPUT, "Malformed request (`errors` says where) or invalid input or settings."),
    ("500", EVERY, "Unexpected error; details are only in the server's log."),
    ("502", INPUT, "A model endpoint the operation called failed (`model_error`, `status`)."),
)
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


def _applies(when: str, method: str, operation: dict[str, Any]) -> bool:
    body = operation.get("requestBody")
    if when == EVERY:
        return True
    if when == INPUT:
        return bool(operation.get("parameters")) or body is not None
    if when == CHANGE:
        return method in ("post", "put", "patch", "delete")
    return body is not None and "multipart/form-data" in body.get("content", {})


def document_error_answers(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (an OpenAPI document) with every operation's error answers as `ErrorBody`;
    FastAPI's `HTTPValidationError` is gone."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    documented = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(documented.pop("$defs", {}))
    components["ErrorBody"] = documented
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, when, description in ERROR_ANSWERS:
                if status in responses and status != "422":
                    continue  # the route documented it itself
                if _applies(when, method, operation) or status in responses:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_REF}},
                    }
    return schema


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` document the error answers above (built once, then cached)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_error_answers(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
