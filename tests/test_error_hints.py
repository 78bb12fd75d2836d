"""Service errors name no interface's commands: REST answers carry the neutral message and a
machine-readable `subject`; the CLI adds its own hint (the command to run, the option to pass)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from easy_dataset.cli.hints import HINTS
from easy_dataset.prompts.specs import TASKS
from tests.api_support import fresh, ok, shared_server, wait_for_job
from tests.conftest import Cli

SRC = Path(__file__).resolve().parents[1] / "src" / "easy_dataset"
P = "/api/projects/p"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient) -> TestClient:
    client = fresh(server)
    ok(client.post("/api/projects", json={"name": "p"}), 201)
    return client


def test_rest_errors_carry_a_subject_and_no_cli_command(api: TestClient) -> None:
    prompt = sorted(TASKS)[0]
    cases = [
        (api.get("/api/projects/nope"), 404, "project", "no project 'nope'"),
        (api.get(f"{P}/files/999"), 404, "file", "no file 999 in this project"),
        (api.get(f"{P}/chunks/999"), 404, "chunk", "no chunk 999"),
        (api.get(f"{P}/qa/999"), 404, "qa", "no QA pair 999 in this project"),
        (api.patch(f"{P}/tags/999", json={"name": "x"}), 404, "tag", "no tag 999"),
        (api.delete(f"{P}/templates/999"), 404, "template", "no question template 999"),
        (api.delete(f"{P}/models/nope"), 404, "model", "no model configuration 'nope'"),
        (api.delete(f"{P}/prompts/{prompt}/en"), 404, "prompt_override", "is not overridden"),
        (api.get("/api/jobs/999"), 404, "job", "no job 999"),
        (api.patch(f"{P}/personas/9", json={"active": False}), 404, "persona", "no persona 9"),
        (api.delete(f"{P}/quality/benchmarks/abc"), 404, "benchmark", "no benchmark 'abc'"),
        (
            api.put(f"{P}/quality/sample/999", json={"verdict": "ok"}),
            404,
            "sample_item",
            "not in the review sample; draw a sample first",
        ),
        (api.post(f"{P}/stages/quality.contamination"), 422, "no_benchmarks", "add one first"),
    ]
    for response, status, subject, message in cases:
        body = response.json()
        assert response.status_code == status, body
        assert body["subject"] == subject, body
        assert message in body["detail"], body
        assert "easy-dataset" not in response.text and "`" not in body["detail"], body

    # A job that finished does not resume: the message says what to do in no one's commands.
    started = ok(api.post(f"{P}/stages/quality.ground"), 202)
    assert wait_for_job(api, started["id"])["job"]["status"] == "succeeded"
    refused = api.post(f"/api/jobs/{started['id']}/resume")
    body = refused.json()
    assert (refused.status_code, body["kind"], body["subject"]) == (
        409,
        "conflict",
        "not_interrupted",
    )
    assert "retrying the job reruns its failed items" in body["detail"]
    assert "easy-dataset" not in refused.text and "retry`" not in refused.text

    # Errors without a subject answer as before: no `subject` key at all.
    plain = api.post("/api/projects", json={"name": "p"})
    assert plain.status_code == 409 and "subject" not in plain.json()


def test_the_cli_adds_its_hint_to_the_neutral_message(cli: Cli, tmp_path: Path) -> None:
    assert cli("project", "create", "p").exit_code == 0
    missing = cli("qa", "show", "999", "-p", "p")
    assert missing.exit_code == 1
    assert "no QA pair 999 in this project; `easy-dataset qa list` shows them" in missing.stderr
    job = cli("jobs", "show", "999")
    assert job.exit_code == 1
    assert "no job 999; `easy-dataset jobs list` shows the jobs there are" in job.stderr

    doc = tmp_path / "doc.md"
    doc.write_text("# Bees\n\n" + "Bees make honey. " * 40, "utf-8")
    assert cli("files", "add", str(doc), "-p", "p").exit_code == 0
    resplit = cli("chunks", "split", "1", "-p", "p")
    assert resplit.exit_code == 1
    assert "already have chunks; replace them to discard them and split again (--replace)" in (
        resplit.stderr
    )
    big = tmp_path / "big.md"
    big.write_text("# Big\n\n" + "words " * 1000, "utf-8")
    refused = cli("files", "add", str(big), "-p", "p", "--max-file-mb", "0.001")
    assert refused.exit_code == 1
    assert "(the max file size setting raises it); --max-file-mb sets the limit" in (refused.stderr)


def test_every_hint_belongs_to_a_subject_some_error_is_raised_with() -> None:
    raised = {
        subject
        for path in SRC.rglob("*.py")
        for subject in re.findall(r'subject="([a-z_]+)"', path.read_text("utf-8"))
    }
    assert set(HINTS) - raised == set()
