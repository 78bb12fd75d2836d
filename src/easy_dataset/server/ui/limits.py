"""The upload size limit, enforced on the server while the body arrives.

The browser's uploader refuses files over the limit before sending them, but a client can
send anything; this middleware refuses upload requests whose body is larger than the limit
(plus room for the multipart envelope) before they are written anywhere.
"""

from __future__ import annotations

import re

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# NiceGUI's upload endpoints: /_nicegui/client/<client id>/upload/<element id>
UPLOAD_PATH = re.compile(r"^/_nicegui/client/[^/]+/upload/\d+$")
ENVELOPE = 1 << 20  # multipart headers and boundaries around one file


class UploadLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_body = max_bytes + ENVELOPE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not UPLOAD_PATH.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    # Reads as a client that went away: the form parser stops, nothing stays.
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit_mb = (self.max_body - ENVELOPE) / (1024 * 1024)
        response = JSONResponse(
            {
                "detail": f"the file is larger than the limit of {limit_mb:g} MB",
                "kind": "too_large",
            },
            status_code=413,
        )
        await response(scope, receive, send)
