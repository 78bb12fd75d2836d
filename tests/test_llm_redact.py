"""A provider that echoes the API key puts it into no text we keep or show: test-connection
replies, model lists, job failures, the usage log and REST answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.redact import MASK, redact, redact_error
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, files, jobs, models, projects, stages
from easy_dataset.store.models import JobFailure, LLMCall
from tests.api_support import api_client, core, ok
from tests.fake_openai import FakeOpenAI, Faults
from tests.helpers import write

KEY = "sk-proj-Zq8vN3xK1tLm9Pr4Ws7Yb2Hd6Fj0Gc5"


def test_redact_masks_the_key_whole_quoted_and_in_long_pieces() -> None:
    assert (
        redact(f"Incorrect API key provided: {KEY}.", KEY) == f"Incorrect API key provided: {MASK}."
    )
    assert KEY[:14] not in redact(f"key {KEY[:20]}… is wrong", KEY)
    assert redact("key%3D" + KEY.replace("-", "%2D"), KEY).count("Zq8vN3xK1t") == 0
    # The provider's own mask (a few characters either side) and unrelated words stay.
    shown = "Incorrect API key provided: sk-proj-****Gc5. See https://platform.example/keys"
    assert redact(shown, KEY) == shown
    assert redact("nothing here", None) == "nothing here"


def test_redact_error_keeps_kind_status_and_class() -> None:
    error = ModelCallError("auth", f"refused {KEY}", status=401, raw_output=f"raw {KEY}")
    clean = redact_error(error, KEY)
    assert type(clean) is ModelCallError and clean.kind == "auth" and clean.status == 401
    assert KEY not in str(clean) and clean.raw_output == f"raw {MASK}"
    assert redact_error(error, None) is error


def echoing_project(app: App, tmp_path: Path, fake: FakeOpenAI) -> int:
    project = projects.create_project(app, "keys")
    files.add_files(app, project.id, [write(tmp_path / "bees.md", "# Bees\n\nBees make honey.")])
    config = ModelConfig(
        name="echo", provider="openai", base_url=fake.base_url, model="fake-model", max_retries=0
    )
    models.add_model(app, project.id, config, api_key=KEY, make_default=True)
    return project.id


def assert_clean(*texts: object) -> None:
    for text in texts:
        assert KEY not in str(text) and KEY[:12] not in str(text), text


def test_no_text_keeps_an_echoed_key(app: App, tmp_path: Path) -> None:
    faults = Faults(status_for_auth=401, api_key="sk-the-right-one", echo_key=True)
    with FakeOpenAI(faults) as fake:
        project_id = echoing_project(app, tmp_path, fake)
        report = models.test_model(app, project_id, "echo")
        with pytest.raises(ModelCallError) as refused:
            models.endpoint_models(app, project_id, "echo")
        listed = str(refused.value)
        summary = stages.run_stage(app, project_id, "questions.generate")
        echoed = [entry for entry in fake.stats().log if entry["path"].startswith("/v1/")]
    assert echoed, "the fake never saw a request"
    assert not report.ok and report.error_kind == "auth"
    assert "Incorrect API key provided" in (report.error or "")
    assert summary.failed == summary.total > 0
    app.usage_recorder.flush()
    with app.db.session() as session:
        failures = session.execute(select(JobFailure.message, JobFailure.raw_output)).all()
        calls = session.scalars(select(LLMCall.error)).all()
    detail = jobs.show_job(app, summary.job_id)
    assert failures and calls
    assert_clean(report, listed, failures, calls, detail.model_dump_json())


def test_rest_answers_keep_no_echoed_key(home: Path, tmp_path: Path) -> None:
    faults = Faults(status_for_auth=401, api_key="sk-the-right-one", echo_key=True)
    with FakeOpenAI(faults) as fake, api_client(home) as client:
        project_id = echoing_project(core(client), tmp_path, fake)
        tested = ok(client.post(f"/api/projects/{project_id}/models/echo/test"))
        listed = client.get(f"/api/projects/{project_id}/models/echo/available")
    assert tested["ok"] is False and "Incorrect API key provided" in tested["error"]
    assert listed.status_code == 502 and "Incorrect API key provided" in listed.text
    assert_clean(tested, listed.text)
