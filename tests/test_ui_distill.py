"""Distillation from the web app: the Jobs screen starts `distill.tags` with a topic (its one
required option), the tree shows on the Tags screen to edit, and the questions step asks
about the leaves as edited there."""

from __future__ import annotations

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import generation, jobs, models, projects, tags
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI


def test_a_topic_tree_is_grown_edited_and_asked_about(page: Browser, server: LiveServer) -> None:
    with FakeOpenAI() as fake:
        project = projects.create_project(server.core, "Topics")
        config = ModelConfig(name="fake", provider="custom", base_url=fake.base_url, model="m")
        models.add_model(server.core, project.id, config)
        page.open(f"/projects/{project.id}/jobs")
        page.choose("jobs-stage", "Distil: topic tree")
        page.wait_text("Grow a tag tree for a topic")
        # Without its topic the stage refuses to start, and says which option is missing.
        page.click("jobs-start")
        page.wait_text("topic: Field required")
        assert jobs.list_jobs(server.core, project_ref=project.id) == []
        page.type("stage-field-topic", "Beekeeping")
        page.type("stage-field-depth", "1")
        page.type("stage-field-breadth", "2")
        page.click("jobs-start")
        page.wait(lambda: "Model calls: about 1" in page.find("estimate-calls").text)
        page.click("confirm-yes")
        page.wait(lambda: page.find("job-status").text == "succeeded", timeout=30)
        assert "Distil: topic tree" in page.text()  # the job named by its stage's label

        [root] = tags.tag_tree(server.core, project.id)
        first, second = root.children
        page.open(f"/projects/{project.id}/tags")
        page.wait(lambda: page.find(f"tag-name-{second.id}").text == "Beekeeping aspect 2")
        tags.delete_tag(server.core, project.id, first.id)

        page.open(f"/projects/{project.id}/jobs")
        page.choose("jobs-stage", "Distil: questions")
        page.type("stage-field-per_leaf", "1")
        page.click("jobs-start")
        page.wait(lambda: "Items: 1" in page.find("estimate-items").text)
        page.click("confirm-yes")
        page.wait(lambda: page.find("job-status").text == "succeeded", timeout=30)
        [question] = generation.list_questions(server.core, project.id, origin="distilled")
        assert question.chunk_id is None and "Beekeeping aspect 2" in question.text
