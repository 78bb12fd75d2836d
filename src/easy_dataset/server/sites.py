"""Which sites may talk to us: known host names only, and changes only from our own pages.

Three rules, checked before anything else sees a request (the token included):

- the `Host` header must name this server (loopback, the bound address, or a name the
  user added), so a DNS-rebinding page under its own name gets nothing;
- a state-changing request (anything but GET/HEAD/OPTIONS), and every socket.io request
  (WebSocket or long-polling), must not come from another origin: a foreign or `null`
  `Origin`, or `Sec-Fetch-Site: cross-site|same-site`, is refused. Requests with neither
  header (curl, the Python client, the CLI, tests) pass: browsers always send one;
- every HTTP response says it may not be framed and must not be sniffed, and never
  carries `Access-Control-Allow-Origin` for a foreign origin (there is no CORS here).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from nicegui import core as nicegui_core
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easy_dataset.config import Settings
from easy_dataset.server.access import is_loopback

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# Listening on every interface says nothing about the names the server is reached by.
WILDCARD_BINDS = ("", "0.0.0.0", "::")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# NiceGUI's socket.io (WebSocket and HTTP long-polling, GET and POST alike).
SOCKET_PREFIX = "/_nicegui_ws/"
DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}
# `Sec-Fetch-Site: same-site` is another port or subdomain of this host: not us either.
FOREIGN_FETCH_SITES = frozenset({"cross-site", "same-site"})
SECURITY_HEADERS = (
    # Only frame-ancestors: other CSP directives would break NiceGUI's inline scripts.
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
CORS_HEADERS = (b"access-control-allow-origin", b"access-control-allow-credentials")
SHOWN_HOST_LENGTH = 100


def split_host(value: str) -> tuple[str, int | None] | None:
    """The lower-case name and the port of a `Host` value (`[::1]:80` too); None if malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:]
    elif value.count(":") == 1:
        name, port_text = value.split(":")
    else:  # a bare name, or an unbracketed IPv6 literal such as `::1`
        name, port_text = value, ""
    name = name.rstrip(".")  # `localhost.` is `localhost`
    if not name:
        return None
    if not port_text:
        return name, None
    if not (port_text.isascii() and port_text.isdigit()) or int(port_text) > 65535:
        return None
    return name, int(port_text)


def _normal_name(value: str) -> str:
    parsed = split_host(value)
    return parsed[0] if parsed is not None else value.strip().lower()


def accepted_hosts(extra: Iterable[str], bind_host: str | None) -> tuple[str, ...]:
    """The host names this server answers to: loopback, the bound address, then `extra`."""
    names = list(LOOPBACK_NAMES)
    if bind_host is not None and bind_host.strip("[] ") not in WILDCARD_BINDS:
        names.append(_normal_name(bind_host))
    names.extend(_normal_name(name) for name in extra)
    return tuple(dict.fromkeys(name for name in names if name))


def is_accepted(name: str, accepted: Iterable[str]) -> bool:
    """Whether the host `name` (from `split_host`) is one of `accepted` or on loopback."""
    # Browsers resolve *.localhost to loopback themselves, never by DNS.
    return name in accepted or name.endswith(".localhost") or is_loopback(name)


def is_own_origin(origin: str, scope: Scope) -> bool:
    """Whether `origin` is this server as the request addressed it: same host, same port."""
    host = Headers(scope=scope).get("host")
    own = split_host(host) if host is not None else None
    if own is None or origin.strip().lower() == "null":
        return False
    try:
        parts = urlsplit(origin.strip())
        origin_port = parts.port
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return False
    origin_port = origin_port or DEFAULT_PORTS[scheme]
    own_port = own[1] or DEFAULT_PORTS.get(str(scope.get("scheme", "http")), 80)
    # The scheme is not compared: behind a TLS proxy the request arrives as http.
    return parts.hostname.rstrip(".") == own[0] and origin_port == own_port


def _foreign_origin(headers: Headers, scope: Scope) -> str | None:
    """The other site a request comes from (as the browser named it), or None if ours."""
    for origin in headers.getlist("origin"):
        if not is_own_origin(origin, scope):
            return origin
    fetch_site = headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site in FOREIGN_FETCH_SITES:
        return f"a {fetch_site} page"
    return None


def _refusal(status: int, kind: str, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail, "kind": kind}, status_code=status)


class SiteMiddleware:
    """Refuse unknown host names and other sites' changes; add the anti-framing headers."""

    def __init__(self, app: ASGIApp, *, hosts: tuple[str, ...]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_http = scope["type"] == "http"
        send = _with_site_headers(send, headers, scope) if is_http else send
        refusal = self._check(headers, scope)
        if refusal is None:
            await self.app(scope, receive, send)
        elif is_http:
            await refusal(scope, receive, send)
        else:  # closing before accepting: the server answers the upgrade with 403
            await send({"type": "websocket.close", "code": 4403})

    def _check(self, headers: Headers, scope: Scope) -> JSONResponse | None:
        """The refusal for this request, or None when it may go on."""
        host = headers.get("host")
        parsed = split_host(host) if host is not None else None
        # Browsers always send Host; a request without one cannot be a rebinding page.
        if host is not None and (parsed is None or not is_accepted(parsed[0], self.hosts)):
            shown = (parsed[0] if parsed else host)[:SHOWN_HOST_LENGTH]
            return _refusal(
                421,
                "unknown_host",
                # The names it does answer to stay unsaid: a rebinding page would read them.
                f"this server does not answer to the host name {shown!r}. If it is a name "
                "of this machine, start the server with --allow-host (or "
                "EASY_DATASET_ALLOWED_HOSTS) naming it",
            )
        checked = (
            scope["type"] == "websocket"
            or scope["method"] not in SAFE_METHODS
            or scope["path"].startswith(SOCKET_PREFIX)
        )
        foreign = _foreign_origin(headers, scope) if checked else None
        if foreign is None:
            return None
        return _refusal(
            403,
            "cross_site",
            f"this server takes changes and live connections only from its own pages, not "
            f"from {foreign[:200]!r}; open it at its own address (or call it without a browser)",
        )


def _with_site_headers(send: Send, request_headers: Headers, scope: Scope) -> Send:
    """`send`, adding the security headers and dropping CORS grants to other origins."""
    origins = request_headers.getlist("origin")
    own_origin = bool(origins) and all(is_own_origin(origin, scope) for origin in origins)

    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            raw: list[tuple[bytes, bytes]] = [
                (name, value)
                for name, value in message.get("headers", [])
                if own_origin or name.lower() not in CORS_HEADERS
            ]
            present = {name.lower() for name, _ in raw}
            # A second CSP header adds a policy (both hold), so framing stays refused even
            # if a response brings its own; the other headers are kept if already set.
            raw.extend(
                (name, value)
                for name, value in SECURITY_HEADERS
                if name == b"content-security-policy" or name not in present
            )
            message = {**message, "headers": raw}
        await send(message)

    return sender


def _socket_origin_allowed(origin: str | None, environ: dict[str, Any]) -> bool:
    """python-engineio's origin check, by the same rule as ours (defence in depth)."""
    return origin is not None and is_own_origin(origin, environ["asgi.scope"])


def install_site_checks(app: FastAPI, settings: Settings, *, bind_host: str | None) -> None:
    """Add `SiteMiddleware` (last, so it runs first) and narrow NiceGUI's socket.io CORS."""
    # NiceGUI creates its AsyncServer with cors_allowed_origins='*', which would echo any
    # Origin with credentials; with a callable, engineio grants and accepts only ours.
    nicegui_core.sio.eio.cors_allowed_origins = _socket_origin_allowed
    app.add_middleware(
        SiteMiddleware, hosts=accepted_hosts(settings.allowed_hosts, bind_host=bind_host)
    )
