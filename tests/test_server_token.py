"""Odd access tokens, in a header, a cookie or the address, get a plain 401 (a WebSocket is
closed with 4401); the right one opens every door, the page's by a cookie it sets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from easy_dataset.server.access import COOKIE
from tests.api_support import shared_server
from tests.test_server_sites import TOKEN, WEBSOCKET, assert_refused


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One server asking for TOKEN, for the module's tests (none of them changes anything)."""
    yield from shared_server(tmp_path_factory.mktemp("guarded") / "home", token=TOKEN)


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({b"authorization": "Bearer jé".encode()}, ""),
        ({b"authorization": b"Bearer \xff\xfe"}, ""),
        ({b"cookie": f"{COOKIE}=jé".encode()}, ""),
        ({b"cookie": f'{COOKIE}="\\351t\\351"'.encode()}, ""),  # an octal-escaped é
        ({}, "token=j%C3%A9"),
        ({}, "token=%ED%A0%80%FF"),
        ({}, "token=%00"),
    ],
)
def test_odd_tokens_are_a_plain_401(
    guarded: TestClient, headers: dict[bytes, bytes], query: str
) -> None:
    response = guarded.get(f"/api/projects?{query}", headers=headers)
    assert_refused(response, 401, "unauthorized")
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        guarded.websocket_connect(f"{WEBSOCKET}&{query}", headers=headers),
    ):
        pass
    assert closed.value.code == 4401


def test_the_token_still_opens_every_door(guarded: TestClient) -> None:
    bearer = guarded.get("/api/projects", headers={"authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200
    moved = guarded.get(f"/?token={TOKEN}", follow_redirects=False)
    assert moved.status_code == 303 and "samesite=strict" in moved.headers["set-cookie"].lower()
    assert guarded.get("/api/projects").status_code == 200  # the cookie it set
    guarded.cookies.clear()
    assert guarded.get(f"/api/projects?token={TOKEN}").status_code == 200  # via a redirect
    guarded.cookies.clear()
