"""The playground screen in a real browser: two models answer side by side, the text shows
before the answer is complete, tokens and latency follow, and Stop ends a run."""

from __future__ import annotations

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import models, projects
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_playground import REPLIES


def test_two_models_answer_side_by_side(page: Browser, server: LiveServer) -> None:
    with FakeOpenAI(Faults(replies=REPLIES, stream_delay=0.3)) as fake:
        project = projects.create_project(server.core, "bees")
        for name, model in (("a", "m-a"), ("b", "m-b")):
            config = ModelConfig(name=name, provider="custom", base_url=fake.base_url, model=model)
            models.add_model(server.core, project.id, config)
        page.open(f"/projects/{project.id}/playground")
        page.type("playground-prompt", "What do bees make?")
        page.type("playground-system", "Be brief.")
        page.choose("playground-select-1", "b")
        page.click("playground-run")

        # Part of the answer is on the page while the rest is still coming.
        def partial() -> bool:
            shown = page.find("playground-answer-0").text
            return bool(shown) and shown != REPLIES[0]["reply"]

        page.wait(partial, what="part of model a's answer")
        assert REPLIES[0]["reply"].startswith(page.find("playground-answer-0").text)
        for index, entry in enumerate(REPLIES):
            page.wait(
                lambda index=index: "tokens" in page.find(f"playground-stats-{index}").text,
                what=f"model {index}'s figures",
            )
            assert page.find(f"playground-answer-{index}").text == entry["reply"]
            assert " ms" in page.find(f"playground-stats-{index}").text
        assert page.find("playground-model-1").text == "b"
        bodies = fake.stats().bodies()
        assert sorted(b["model"] for b in bodies) == ["m-a", "m-b"]
        assert all(b["messages"][0]["content"] == "Be brief." for b in bodies)

        # A slow answer stopped half way.
        fake.set_faults(replies=REPLIES, stream_delay=2.0)
        page.click("playground-run")
        page.wait(
            lambda: page.find("playground-stop").is_enabled(), what="the Stop button to enable"
        )
        page.click("playground-stop")
        page.wait(lambda: page.find("playground-stats-0").text == "Stopped", what="the run to stop")
        page.wait(lambda: page.find("playground-run").is_enabled(), what="Run to enable again")
