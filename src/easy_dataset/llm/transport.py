"""The HTTP client under the SDK, and a lean HTTP/1.1 keep-alive transport for local servers.

httpcore's pool rescans (and probes the sockets of) every idle connection on each request;
with anyio and h11 a call through it cost 2.8 ms of CPU at 64 in flight. `KeepAliveTransport`
keeps a stack of idle connections per origin and parses HTTP/1.1 itself: 1.2 ms per call,
SDK included (fake server, 0.2 s latency, 2-core Xeon). It serves only plain http:// without
a proxy (local inference servers: vLLM, Ollama, llama.cpp); TLS and proxies stay with httpx's
own transport.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections import deque

import httpx2
import openai

from easy_dataset.llm.types import ModelConfig


def http_client_for(base_url: str, config: ModelConfig) -> httpx2.AsyncClient:
    """The HTTP client under the SDK, sized so `concurrency` requests never queue in it."""
    if _plain_http_without_proxy(base_url):
        # Local servers (vLLM, Ollama, llama.cpp) are where throughput matters: the lean
        # transport costs well under half of httpcore's CPU per call (see KeepAliveTransport).
        return openai.DefaultAsyncHttpxClient(
            transport=KeepAliveTransport(), timeout=config.timeout
        )
    limits = httpx2.Limits(
        max_connections=max(1000, config.concurrency),
        max_keepalive_connections=max(100, config.concurrency),
    )
    return openai.DefaultAsyncHttpxClient(timeout=config.timeout, limits=limits)


def _plain_http_without_proxy(base_url: str) -> bool:
    url = httpx2.URL(base_url)
    if url.scheme != "http":
        return False
    proxies = urllib.request.getproxies()
    if not (proxies.get("http") or proxies.get("all")):
        return True
    return bool(urllib.request.proxy_bypass(url.host))


READ_LIMIT = 1 << 20  # the longest header block we accept
IDLE_SECONDS = 4.0  # reuse no connection idle longer than this: uvicorn closes them after 5 s


class _Connection:
    __slots__ = ("idle_since", "loop", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.loop = asyncio.get_running_loop()
        self.idle_since = 0.0

    def reusable(self) -> bool:
        """Still open, of this loop, not idle too long, and with nothing unasked-for to read
        (a server may send a 408 on an idle connection before closing it)."""
        return (
            self.loop is asyncio.get_running_loop()
            and not self.reader.at_eof()
            and not getattr(self.reader, "_buffer", b"")
            and not self.writer.is_closing()
            and time.monotonic() - self.idle_since < IDLE_SECONDS
        )

    def close(self) -> None:
        self.writer.close()


class _StaleConnection(Exception):
    """The server closed a kept-alive connection before answering on it."""


class KeepAliveTransport(httpx2.AsyncBaseTransport):
    """HTTP/1.1 over plain TCP with keep-alive: a LIFO stack of idle connections per origin."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, int], deque[_Connection]] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        body = await request.aread()
        data = _request_bytes(request, body)
        origin = (request.url.host, request.url.port or 80)
        while True:
            connection = self._take(origin)
            reused = connection is not None
            if connection is None:
                connection = await _connect(origin, timeouts.get("connect"), request)
            try:
                status, headers, content, keep = await _exchange(
                    connection, data, request, timeouts, reused
                )
            except _StaleConnection:
                connection.close()
                continue  # only a reused connection goes stale: the next try opens a new one
            except BaseException:
                connection.close()  # mid-exchange: the connection's state is unknown
                raise
            if keep and not self._closed:
                connection.idle_since = time.monotonic()
                self._idle.setdefault(origin, deque()).append(connection)
            else:
                connection.close()
            return httpx2.Response(
                status,
                headers=headers,
                stream=httpx2.ByteStream(content),
                request=request,
                extensions={"http_version": b"HTTP/1.1"},
            )

    def _take(self, origin: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.reusable():
                return connection
            connection.close()
        return None

    async def aclose(self) -> None:
        self._closed = True  # requests still in flight close their connection when done
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


def _request_bytes(request: httpx2.Request, body: bytes) -> bytes:
    lines = [b"%s %s HTTP/1.1" % (request.method.encode(), request.url.raw_path)]
    for name, value in request.headers.raw:
        # The body is sent whole, so Content-Length (ours) replaces any framing header.
        if name.lower() not in (b"content-length", b"transfer-encoding"):
            lines.append(name + b": " + value)
    if body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def _connect(
    origin: tuple[str, int], timeout: float | None, request: httpx2.Request
) -> _Connection:
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(*origin, limit=READ_LIMIT)
    except TimeoutError:
        raise httpx2.ConnectTimeout("connection timed out", request=request) from None
    except OSError as exc:
        raise httpx2.ConnectError(str(exc) or repr(exc), request=request) from exc
    return _Connection(reader, writer)


async def _exchange(
    connection: _Connection,
    data: bytes,
    request: httpx2.Request,
    timeouts: dict[str, float | None],
    reused: bool,
) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
    """Sends one request and reads its response: (status, headers, body, keep-alive)."""
    try:
        connection.writer.write(data)
        async with asyncio.timeout(timeouts.get("write")):
            await connection.writer.drain()
    except TimeoutError:
        raise httpx2.WriteTimeout("write timed out", request=request) from None
    except OSError as exc:
        if reused:
            raise _StaleConnection from exc
        raise httpx2.WriteError(str(exc) or repr(exc), request=request) from exc
    try:
        async with asyncio.timeout(timeouts.get("read")):
            return await _read_response(connection.reader, request, reused)
    except TimeoutError:
        raise httpx2.ReadTimeout("read timed out", request=request) from None
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        raise httpx2.ReadError(str(exc) or repr(exc), request=request) from exc
    except ValueError as exc:
        raise httpx2.RemoteProtocolError(str(exc), request=request) from exc


async def _read_response(
    reader: asyncio.StreamReader, request: httpx2.Request, reused: bool
) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
            partial = exc.partial if isinstance(exc, asyncio.IncompleteReadError) else b""
            if reused and not partial:
                raise _StaleConnection from exc
            raise
        status_line, *header_lines = head[:-4].split(b"\r\n")
        version, _, rest = status_line.partition(b" ")
        if not version.startswith(b"HTTP/1."):
            raise ValueError(f"not an HTTP/1.x response: {status_line[:80]!r}")
        status = int(rest[:3])
        if status >= 200 or status == 101:
            break  # 1xx interim responses (100 Continue) precede the real one
    headers: list[tuple[bytes, bytes]] = []
    length: int | None = None
    chunked = False
    tokens: set[bytes] = set()
    for line in header_lines:
        name, _, value = line.partition(b":")
        name, value = name.strip(), value.strip()
        headers.append((name, value))
        lowered = name.lower()
        if lowered == b"content-length":
            length = int(value)
        elif lowered == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif lowered == b"connection":
            tokens.update(t.strip() for t in value.lower().split(b","))
    keep = b"close" not in tokens if version == b"HTTP/1.1" else b"keep-alive" in tokens
    if request.method == "HEAD" or status in (204, 304) or status < 200:
        return status, headers, b"", keep
    if chunked:
        return status, headers, await _read_chunked(reader), keep
    if length is not None:
        return status, headers, await reader.readexactly(length), keep
    return status, headers, await reader.read(), False  # delimited by the close


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
