"""The lean keep-alive transport against a raw asyncio server: framing, reuse, failures."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable
from functools import partial

import httpx2
import pytest

from easy_dataset.llm import transport
from easy_dataset.llm.transport import KeepAliveTransport

Reply = Callable[[asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    """Answers each request with the next scripted raw reply; counts connections."""

    def __init__(self, *replies: bytes | Reply) -> None:
        self.replies = list(replies)
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while self.replies:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                self.requests.append(head + await reader.readexactly(length))
                reply = self.replies.pop(0)
                if isinstance(reply, bytes):
                    writer.write(reply)
                    await writer.drain()
                else:
                    await reply(writer)
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def ok(body: bytes = b"hello", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def close_after(reply: bytes, writer: asyncio.StreamWriter) -> None:
    writer.write(reply)
    await writer.drain()
    writer.close()


def fetch(*replies: bytes | Reply, times: int = 1, **kwargs: object) -> tuple[list[str], RawServer]:
    server = RawServer(*replies)

    async def run() -> list[str]:
        async with server as url, httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
            texts = []
            for _ in range(times):
                response = await client.post(f"{url}/v1/x?q=1", content=b"{}", **kwargs)  # type: ignore[arg-type]
                texts.append(f"{response.status_code} {response.text}")
            return texts

    return asyncio.run(run()), server


def test_keep_alive_reuses_one_connection() -> None:
    texts, server = fetch(ok(b"one"), ok(b"two"), times=2)
    assert texts == ["200 one", "200 two"]
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /v1/x?q=1 HTTP/1.1\r\n")
    assert b"\r\nContent-Length: 2\r\n" in first and first.endswith(b"\r\n\r\n{}")
    assert b"\r\nHost: 127.0.0.1:" in first


def test_chunked_body_with_trailers() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    texts, server = fetch(chunked, ok(b"again"), times=2)
    assert texts == ["200 hello world", "200 again"]
    assert server.connections == 1


def test_connection_close_is_respected() -> None:
    closing = partial(close_after, ok(b"bye", b"Connection: close\r\n"))
    texts, server = fetch(closing, ok(b"new"), times=2)
    assert texts == ["200 bye", "200 new"]
    assert server.connections == 2


def test_body_delimited_by_close() -> None:
    legacy = partial(close_after, b"HTTP/1.0 200 OK\r\n\r\nuntil the end")
    texts, server = fetch(legacy, ok(b"next"), times=2)
    assert texts == ["200 until the end", "200 next"]
    assert server.connections == 2


def test_a_stale_kept_alive_connection_is_replaced_silently() -> None:
    # The server closes without saying so (as after a keep-alive timeout).
    silent = partial(close_after, ok(b"first"))
    texts, server = fetch(silent, ok(b"second"), times=2)
    assert texts == ["200 first", "200 second"]
    assert server.connections == 2


def test_a_connection_closed_after_the_liveness_check_is_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The close can land between the check and the write: the read then sees EOF at once.
    monkeypatch.setattr(transport._Connection, "reusable", lambda self: True)
    silent = partial(close_after, ok(b"first"))
    texts, server = fetch(silent, ok(b"second"), times=2)
    assert texts == ["200 first", "200 second"]
    assert server.connections == 2


def test_unsolicited_bytes_on_an_idle_connection_retire_it() -> None:
    # Some servers send a 408 on an idle connection before closing it; here it arrives in
    # the same segment as the reply, so it is buffered before the next request.
    timeout_notice = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"
    texts, server = fetch(ok(b"first") + timeout_notice, ok(b"second"), times=2)
    assert texts == ["200 first", "200 second"]
    assert server.connections == 2


def test_interim_100_continue_is_skipped() -> None:
    texts, _ = fetch(b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"real"))
    assert texts == ["200 real"]


def test_no_body_for_204() -> None:
    texts, server = fetch(b"HTTP/1.1 204 No Content\r\n\r\n", ok(b"after"), times=2)
    assert texts == ["204 ", "200 after"]
    assert server.connections == 1


def test_gzip_is_decoded() -> None:
    body = gzip.compress(b"squeezed")
    texts, _ = fetch(ok(body, b"Content-Encoding: gzip\r\n"))
    assert texts == ["200 squeezed"]


def test_idle_connections_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "IDLE_SECONDS", 0.0)
    _, server = fetch(ok(b"a"), ok(b"b"), times=2)
    assert server.connections == 2


def test_read_timeout() -> None:
    async def never(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    with pytest.raises(httpx2.ReadTimeout):
        fetch(never, timeout=httpx2.Timeout(0.2))


def test_garbage_is_a_protocol_error() -> None:
    garbage = partial(close_after, b"SSH-2.0-OpenSSH\r\n\r\n")
    with pytest.raises(httpx2.RemoteProtocolError):
        fetch(garbage)


def test_server_hanging_up_mid_reply_is_a_read_error() -> None:
    cut = partial(close_after, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
    with pytest.raises(httpx2.ReadError):
        fetch(cut)


def test_connection_refused() -> None:
    async def run() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        async with httpx2.AsyncClient(transport=KeepAliveTransport()) as client:
            await client.get(f"http://127.0.0.1:{port}/")

    with pytest.raises(httpx2.ConnectError):
        asyncio.run(run())
