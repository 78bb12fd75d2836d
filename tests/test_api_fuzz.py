"""The API fuzz run's frame: its shares cover every operation (the run itself is in
tests/test_api_fuzz_share_*.py), the outbound guard works, and the error body the schema
documents is the one the server sends."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from easy_dataset.config import Settings
from easy_dataset.server import create_app
from easy_dataset.server.errors import ErrorBody
from tests import fuzz_support
from tests.fuzz_support import BASE_URL


def test_the_shares_cover_every_operation_once() -> None:
    shares = [fuzz_support.operation_share(index) for index in range(fuzz_support.SHARES)]
    labels = [label for share in shares for label in share]
    assert sorted(labels) == sorted(fuzz_support.operation_labels())
    assert len(set(labels)) == len(labels)
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    # The labels are read from the document without Schemathesis: they must name its operations.
    with tempfile.TemporaryDirectory() as home:
        operations = fuzz_support.load_operations(Path(home))
    assert [operation.label for operation in operations] == list(fuzz_support.operation_labels())
    modules = sorted(Path(__file__).parent.glob("test_api_fuzz_share_*.py"))
    assert [path.stem[-1] for path in modules] == [
        str(index + 1) for index in range(fuzz_support.SHARES)
    ]


def test_the_outbound_guard_refuses_and_records_other_addresses() -> None:
    with fuzz_support.OutboundGuard() as guard:
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1: would go out
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo("api.openai.com", 443)
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.connect(fuzz_support.ALLOWED_PEER)  # allowed, and refused by the system
    assert guard.attempts == ["connect ('192.0.2.1', 80)", "lookup 'api.openai.com'"]


def test_each_operation_starts_from_the_seeded_home(tmp_path: Path) -> None:
    seed = fuzz_support.seed_home(tmp_path / "seed")
    server = fuzz_support.SeededServer(seed, tmp_path / "home")
    project = f"/api/projects/{fuzz_support.SEED_PROJECT}"
    client = TestClient(server.app, base_url=BASE_URL)
    try:
        files = client.get(f"{project}/files").json()["items"]
        assert files
        assert client.delete(project).status_code == 200  # as a fuzzed DELETE may
        assert client.get(project).status_code == 404
        (tmp_path / "home" / "left-behind").write_text("x")

        server.restore()
        assert client.get(f"{project}/files").json()["items"] == files
        assert not (tmp_path / "home" / "left-behind").exists()
    finally:
        client.close()
        server.app.state.core.close()


# -- the documented error body ------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings.load(home=tmp_path), run_jobs=False)
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def _documented(body: dict[str, Any]) -> ErrorBody:
    """`body` read as the documented ErrorBody, with nothing undocumented in it."""
    assert set(body) <= set(ErrorBody.model_fields), body
    return ErrorBody.model_validate(body)


def test_every_error_answer_is_documented_as_error_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["ErrorBody"]["required"] == ["detail", "kind"]
    assert set(schemas["ErrorBody"]["properties"]) == set(ErrorBody.model_fields)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            takes_input = bool(operation.get("parameters")) or "requestBody" in operation
            expected = {"401", "421", "500"} | (
                {"400", "404", "422", "502"} if takes_input else set()
            )
            assert expected <= set(responses), (method, path, sorted(responses))
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)


def test_a_validation_error_matches_the_documented_body(client: TestClient) -> None:
    response = client.post("/api/projects", json={"description": 3, "api_key": "sk-secret"})
    assert response.status_code == 422
    body = _documented(response.json())
    assert body.kind == "invalid_request"
    assert "name" in body.detail
    assert body.errors is not None
    reasons = {tuple(item.loc): item.type for item in body.errors}
    assert reasons[("body", "name")] == "missing"
    assert "sk-secret" not in response.text  # the input is never echoed


def test_our_own_errors_match_the_documented_body(client: TestClient) -> None:
    response = client.get("/api/projects/nothing-here")
    assert response.status_code == 404
    assert _documented(response.json()).kind == "not_found"
