"""Access control: on loopback nobody needs a token; bound elsewhere, every request does."""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from starlette.datastructures import URL
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "easy_dataset_token"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


class TokenMiddleware:
    """Accept `Authorization: Bearer T`, the cookie set after opening `/?token=T`, or the
    `token` query parameter; for HTTP and WebSocket connections alike."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    def _matches(self, candidate: str | None) -> bool:
        if not candidate:
            return False
        # compare_digest refuses non-ASCII str (a TypeError, i.e. a 500): compare bytes.
        # surrogatepass encodes any str, lone surrogates from odd query strings included.
        given = candidate.encode("utf-8", "surrogatepass")
        return hmac.compare_digest(given, self.token.encode("utf-8", "surrogatepass"))

    def _allowed(self, connection: HTTPConnection) -> bool:
        bearer = connection.headers.get("authorization", "")
        return (
            (bearer.lower().startswith("bearer ") and self._matches(bearer[7:].strip()))
            or self._matches(connection.cookies.get(COOKIE))
            or self._matches(connection.query_params.get("token"))
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if not self._allowed(connection):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            refusal = JSONResponse(
                {
                    "detail": "this server needs its access token: open the address it "
                    "printed (…/?token=…) or send `Authorization: Bearer <token>`",
                    "kind": "unauthorized",
                },
                status_code=401,
            )
            await refusal(scope, receive, send)
            return
        token_in_query = self._matches(connection.query_params.get("token"))
        if scope["type"] == "http" and token_in_query and scope["method"] == "GET":
            # Move the token from the address bar into an http-only cookie.
            clean = URL(scope=scope).remove_query_params("token")
            response: Response = RedirectResponse(str(clean), status_code=303)
            # SameSite=strict is not bound to the port: a page on another port of this host
            # is "same-site" and its requests carry the cookie. What keeps them out is the
            # Origin / Sec-Fetch-Site check in sites.py, which runs before this middleware.
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
