"""Request body limits, enforced while the body arrives, before any route stores a byte.

A JSON (or any other non-multipart) body may have `Settings.max_body_bytes`; a multipart
upload may have `Settings.max_upload_bytes` for all its files together (plus room for the
envelope), and `api/uploads.py` counts each file and the total exactly as it reads them.
A declared `Content-Length` over the limit is refused at once; a body sent without one is
counted and refused the moment it passes the limit.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easy_dataset.config import megabytes
from easy_dataset.server.errors import error_body
from easy_dataset.server.ui.limits import UPLOAD_PATH

ENVELOPE = 1 << 20  # multipart headers and boundaries around the files


class BodyLimitMiddleware:
    """413 for a request body over its limit; the web uploader has its own middleware."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or UPLOAD_PATH.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").lower().startswith("multipart/form-data")
        if multipart:
            limit = self.max_upload_bytes + ENVELOPE
            detail = (
                f"the upload is larger than this server's limit of "
                f"{megabytes(self.max_upload_bytes)} per request; nothing was added. Send the "
                "files in several uploads"
            )
        else:
            limit = self.max_body_bytes
            detail = (
                f"the request body is larger than this server's limit of "
                f"{megabytes(self.max_body_bytes)}; nothing was changed (the server's "
                "EASY_DATASET_MAX_BODY_MB setting raises it)"
            )
        declared = headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            response = JSONResponse(error_body("too_large", detail), status_code=413)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Raised inside the route's body read: FastAPI answers it as it is.
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, counted, send)
