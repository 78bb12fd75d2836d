"""Revising on the QA pair page: nothing typed while the model works is lost, and a pair
answered without a source chunk offers no revision, shows the judge's verdict (scored by its
own knowledge) and grounding as not applicable."""

from __future__ import annotations

from pathlib import Path

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import generation, models, projects, stages
from easy_dataset.services.quality import run_check
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_ui_qa import ids, seed


def test_the_texts_cannot_be_typed_in_while_the_model_revises(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI(Faults(latency=2.0)) as fake:
        project_id = seed(server, tmp_path, fake.base_url)
        qa_id = ids(server, project_id)[0]
        page.open(f"/projects/{project_id}/qa/{qa_id}")
        page.type("qa-advice", "Shorter, please.")
        page.click("qa-revise")
        page.wait(lambda: page.find("qa-revising").is_displayed(), what="the model at work")
        for field in ("qa-edit-question", "qa-edit-answer", "qa-edit-cot"):
            assert not page.field(field).is_enabled(), field
        page.find("qa-revised", timeout=30)
        page.wait(lambda: page.field("qa-edit-question").is_enabled(), what="editable again")
        stored = generation.get_qa(server.core, project_id, qa_id)
        assert page.field("qa-edit-answer").get_attribute("value") == stored.answer


def test_a_pair_answered_without_a_chunk_offers_no_revision(
    page: Browser, server: LiveServer
) -> None:
    with FakeOpenAI() as fake:
        core = server.core
        project = projects.create_project(core, "open")
        config = ModelConfig(name="fake", provider="custom", base_url=fake.base_url, model="m")
        models.add_model(core, project.id, config)
        generation.add_question(core, project.id, "Why do bees dance?")
        assert stages.run_stage(core, project.id, "answers.generate").succeeded == 1
        assert run_check(core, project.id, "judge").failed == 0
        assert run_check(core, project.id, "ground").failed == 0
        [pair] = generation.list_qa(core, project.id)
        page.open(f"/projects/{project.id}/qa/{pair.id}")
        page.find("qa-quality-verdict")  # judged without a chunk, by its own knowledge
        page.find("qa-ground-na")  # nothing to ground it in: neither a pass nor a fail
        assert page.find("qa-quality-grounding-na").text == "n/a"
        assert not page.driver.find_elements(
            "css selector", "[data-testid=qa-quality-grounding-flag]"
        )
        page.find("qa-edit-answer")
        assert page.driver.find_elements("css selector", "[data-testid=qa-revise-panel]") == []
