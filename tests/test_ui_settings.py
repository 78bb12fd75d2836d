"""The settings screen in a real browser: model configurations against the fake OpenAI
server (the key never reaches the page), chunking, generation and prompt overrides."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from easy_dataset.services import generation, models, projects, prompts
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI

SECRET = "sk-fake-secret-key-9999"


def add_model(page: Browser, name: str, base_url: str, *, key: str | None = None) -> None:
    page.choose("model-provider", "custom")
    page.type("model-name", name)
    page.type("model-model", "fake-model")
    page.type("model-base-url", base_url)
    if key is not None:
        page.type("model-api-key", key)
    page.click("model-add")


def test_model_configurations(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "Models")
    with FakeOpenAI() as fake:
        page.open(f"/projects/{project.id}/settings")
        page.find("models-none")
        add_model(page, "fake", fake.base_url, key=SECRET)
        page.wait_text("key …9999")
        assert page.field("model-api-key").get_attribute("value") == ""
        assert SECRET not in page.driver.page_source
        [view] = models.list_models(server.core, project.id)
        assert (view.name, view.is_default, view.base_url) == ("fake", True, fake.base_url)
        assert models.resolve_model(server.core, project.id).api_key == SECRET
        page.click_text("Test connection")
        page.wait_text("Connected in")
        page.click_text("List models")
        page.wait_text("fake-model-mini")
        page.click_text("Close")
        add_model(page, "second", fake.base_url)
        page.wait_text("no stored key")
        page.click_text("Make default")
        page.wait(
            lambda: models.resolve_model(server.core, project.id).config.name == "second",
            what="the new default",
        )
        page.click_text("Delete", within=f"model-{view.id}")
        page.click("confirm-yes")
        page.wait(lambda: len(models.list_models(server.core, project.id)) == 1)
        assert SECRET not in page.driver.page_source


def test_chunking_and_generation_settings(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "Settings")
    page.open(f"/projects/{project.id}/settings")
    page.click("tab-chunking")
    page.choose("chunk-strategy", "fixed")
    page.click("chunking-save")
    page.wait(lambda: projects.get_project(server.core, project.id).chunking.strategy == "fixed")
    page.click("tab-generation")
    page.type("generation-density", "500")
    page.choose("generation-language", "中文")
    page.click("generation-save")
    page.wait(
        lambda: (
            generation.get_generation_settings(server.core, project.id).chars_per_question == 500
        )
    )
    assert generation.get_generation_settings(server.core, project.id).language == "zh"


def test_prompt_override_diff_and_reset(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "Prompts")
    page.open(f"/projects/{project.id}/settings")
    page.click("tab-prompts")
    table = page.find("prompts-table")
    table.find_element(By.XPATH, ".//tr[td[normalize-space(.)='questions'] and td='en']").click()
    page.wait(lambda: "questions (en)" in page.find("prompt-title").text)
    default = prompts.show_prompt(server.core, project.id, "questions", "en").default
    changed = default.replace("{% endblock %}", "Keep every question short.\n{% endblock %}", 1)
    page.paste("prompt-editor", changed)
    page.click("prompt-save")
    page.wait(lambda: prompts.show_prompt(server.core, project.id, "questions", "en").overridden)
    page.click("prompt-diff-button")
    page.wait(lambda: "+Keep every question short." in page.find("prompt-diff").text)
    page.click_text("Close")
    page.click("prompt-reset")
    page.click("confirm-yes")
    page.wait(
        lambda: not prompts.show_prompt(server.core, project.id, "questions", "en").overridden
    )
