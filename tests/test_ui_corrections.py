"""The self-correction loop and verified citations in a real browser: the domain rules on the
settings screen, the report's self-correction card and citation figure, the export switch."""

from __future__ import annotations

import json
from pathlib import Path

from easy_dataset.services import generation, projects, stages
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import chunk_ids, make_project, seed_qa_pairs

RULES = "Always say which caste of bee the answer is about."


def test_rules_report_and_export(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    core = server.core
    with FakeOpenAI() as fake:
        project_id = projects.get_project(core, make_project(core, tmp_path, fake.base_url)).id
        page.open(f"/projects/{project_id}/settings")
        page.click("tab-generation")
        page.paste("generation-domain-rules", RULES)
        page.click("generation-save")
        page.wait(
            lambda: generation.get_generation_settings(core, project_id).domain_rules == RULES
        )

        seed_qa_pairs(core, "bees", [("How long do workers live?", "Ten years. [wrong]")])
        generation.add_question(
            core, "bees", "[hallucinate] Who lays the eggs?", chunk_id=chunk_ids(core, "bees")[1]
        )
        stages.run_stage(core, "bees", "answers.refine", max_rounds=1)
        stages.run_stage(core, "bees", "answers.generate", citations=True, synthesize_cot=False)

    page.open(f"/projects/{project_id}/quality?tab=report")
    page.wait(lambda: page.find("quality-refine-improved").text.endswith("1"))
    assert page.find("quality-refine-after").text.endswith("4.40")
    value = "quality-fig-verified_citations-value"
    page.wait(lambda: page.find(value).text == "66.7%")  # 2 of 3 quotes are in the chunk
    assert "2 of 3 quotes" in page.find("quality-fig-verified_citations-note").text

    page.open(f"/projects/{project_id}/export")
    page.click("export-citations")
    page.wait(lambda: "citations" in page.find("export-preview").text, what="citations shown")
    record = json.loads(page.find("export-preview").text)
    assert isinstance(record["citations"], list)
    assert "citations=true" in page.driver.current_url
