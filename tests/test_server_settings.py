"""Servers started with settings of their own: the names they answer to (from settings, the
environment and the address they are bound to), an access token, a size limit on uploads.
Each test starts its own server, so these stay out of the modules whose tests share one:
NiceGUI is one per process, and a server started while another lives waits seconds on the
other's tasks when it stops."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.api_support import api_client, ok, refused
from tests.test_api_quality import BENCHMARK, Q
from tests.test_server_sites import TOKEN, assert_refused, client_for


@pytest.fixture(autouse=True)
def _no_hosts_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EASY_DATASET_ALLOWED_HOSTS", raising=False)


def test_a_refusal_does_not_name_the_added_hosts(tmp_path: Path) -> None:
    with client_for(tmp_path / "home", allowed_hosts=["box.lan"]) as named:
        refusal = named.get("/api/projects", headers={"host": "evil.example"})
        assert "box.lan" not in assert_refused(refusal, 421, "unknown_host")


def test_hosts_added_by_setting_or_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with client_for(tmp_path / "a", allowed_hosts=("Data.Example", "box.lan:8080")) as client:
        for host in ("data.example", "data.example:8080", "box.lan", "BOX.LAN:1"):
            assert client.get("/api/projects", headers={"host": host}).status_code == 200, host
        assert_refused(
            client.get("/api/projects", headers={"host": "other.example"}), 421, "unknown_host"
        )
    monkeypatch.setenv("EASY_DATASET_ALLOWED_HOSTS", "one.example, two.example")
    with client_for(tmp_path / "b") as client:
        assert client.get("/api/projects", headers={"host": "two.example:80"}).status_code == 200


def test_the_bound_address_is_accepted_but_not_every_interface(tmp_path: Path) -> None:
    with client_for(tmp_path / "a", bind_host="192.168.7.5") as client:
        assert client.get("/api/projects", headers={"host": "192.168.7.5:1717"}).status_code == 200
        assert_refused(
            client.get("/api/projects", headers={"host": "192.168.7.6"}), 421, "unknown_host"
        )
    with client_for(tmp_path / "b", bind_host="2001:db8::1") as client:
        assert client.get("/api/projects", headers={"host": "[2001:db8::1]:80"}).status_code == 200
    # Bound to every interface, even the machine's own name must be added by the user.
    with client_for(tmp_path / "c", bind_host="0.0.0.0") as client:
        for host in (socket.gethostname(), "0.0.0.0"):
            assert_refused(client.get("/api/projects", headers={"host": host}), 421, "unknown_host")


def test_site_check_runs_before_the_token(tmp_path: Path) -> None:
    with client_for(tmp_path / "home", token=TOKEN) as client:
        bearer = {"authorization": f"Bearer {TOKEN}"}
        refused = client.get("/api/projects", headers={"host": "evil.example", **bearer})
        assert_refused(refused, 421, "unknown_host")
        foreign = {"origin": "http://127.0.0.1:18090", **bearer}
        assert_refused(
            client.post("/api/projects", json={"name": "x"}, headers=foreign), 403, "cross_site"
        )
        assert client.get("/api/projects", headers=bearer).status_code == 200


def test_token_protected_server(tmp_path: Path) -> None:
    with api_client(tmp_path / "home", token="s3cret-token") as client:
        denied = client.get("/api/projects")
        assert denied.status_code == 401 and denied.json()["kind"] == "unauthorized"
        assert (
            client.get("/api/projects", headers={"Authorization": "Bearer nope"}).status_code == 401
        )
        allowed = client.get("/api/projects", headers={"Authorization": "Bearer s3cret-token"})
        assert ok(allowed) == {"items": [], "total": 0}
        assert "s3cret-token" not in json.dumps(denied.json())


def test_benchmark_over_the_size_limit(tmp_path: Path) -> None:
    with api_client(tmp_path / "home", max_file_mb=0.001) as client:
        ok(client.post("/api/projects", json={"name": "bees"}), 201)
        big = BENCHMARK.encode() * 100
        response = client.post(
            f"{Q}/benchmarks", files=[("files", ("eval.jsonl", big, "text/plain"))]
        )
        refused(response, 413)
        assert ok(client.get(f"{Q}/benchmarks")) == []
        assert not list((tmp_path / "home" / "uploads").glob("*"))
