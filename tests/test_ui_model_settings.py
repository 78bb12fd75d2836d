"""The model form in a real browser: max tokens, timeout, temperature, top-p and the
structured-output mode (each with a line of help) when adding a configuration, and an
existing configuration edited in place, its stored key kept and never shown."""

from __future__ import annotations

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import models, projects
from tests.browser import Browser, LiveServer

SECRET = "sk-fake-secret-key-7777"
JSON_SCHEMA = "json_schema: constrained decoding, for vLLM, llama.cpp, Ollama, OpenAI"
JSON_OBJECT = "json_object: JSON mode without a schema"


def test_add_a_model_with_generation_settings(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "Models")
    page.open(f"/projects/{project.id}/settings")
    page.choose("model-provider", "custom")
    page.type("model-name", "llama")
    page.type("model-model", "smollm2")
    page.type("model-base-url", "http://127.0.0.1:8080/v1")
    page.click("model-advanced")
    page.type("model-max-tokens", "256")
    page.type("model-timeout", "300")
    page.type("model-temperature", "0.2")
    page.type("model-top-p", "0.9")
    page.type("model-continuations", "1")
    page.choose("model-structured", JSON_SCHEMA)
    # every setting says what it does
    text = page.text()
    assert "raise it for slow or local models" in text
    assert "Longest reply per call" in text
    page.click("model-add")
    page.wait(lambda: len(models.list_models(server.core, project.id)) == 1, what="the model")
    [view] = models.list_models(server.core, project.id)
    config = view.config
    assert (config.max_tokens, config.timeout, config.temperature, config.top_p) == (
        256,
        300,
        0.2,
        0.9,
    )
    assert config.structured == "json_schema" and config.continuations == 1
    page.wait(
        lambda: (
            "Max tokens: 256 · timeout: 300 s · temperature: 0.2 · top-p: 0.9 · "
            "structured output: json_schema" in page.find(f"model-settings-{view.id}").text
        ),
        what="the settings on the card",
    )


def test_edit_a_model_keeps_its_key(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "Models")
    config = ModelConfig(
        name="llama", provider="custom", base_url="http://127.0.0.1:8080/v1", model="m"
    )
    view = models.add_model(server.core, project.id, config, api_key=SECRET)
    page.open(f"/projects/{project.id}/settings")
    assert "timeout: 120 s" in page.find(f"model-settings-{view.id}").text
    page.click(f"model-edit-{view.id}")
    page.find("model-edit-dialog")
    assert page.field("edit-timeout").get_attribute("value") == "120"
    assert page.field("edit-api-key").get_attribute("value") == ""
    page.type("edit-timeout", "600")
    page.type("edit-max-tokens", "512")
    page.type("edit-unreachable-after", "3")
    page.type("edit-rpm", "30")
    page.choose("edit-structured", JSON_OBJECT)
    page.click("edit-save")
    page.wait(
        lambda: models.resolve_model(server.core, project.id).config.timeout == 600,
        what="the edit to be saved",
    )
    resolved = models.resolve_model(server.core, project.id)
    assert resolved.api_key == SECRET  # kept: the key field was left empty
    assert resolved.config.max_tokens == 512 and resolved.config.unreachable_after == 3
    assert resolved.config.structured == "json_object" and resolved.config.rpm == 30
    assert resolved.config.model == "m" and resolved.config.base_url == config.base_url
    page.wait(lambda: "timeout: 600 s" in page.find(f"model-settings-{view.id}").text)
    assert "Max tokens: 512" in page.find(f"model-settings-{view.id}").text
    assert SECRET not in page.driver.page_source
    # a second edit: a new key replaces the stored one
    page.click(f"model-edit-{view.id}")
    page.type("edit-api-key", "sk-another-key-0000")
    page.click("edit-save")
    page.wait(
        lambda: models.resolve_model(server.core, project.id).api_key == "sk-another-key-0000",
        what="the new key",
    )
    assert models.resolve_model(server.core, project.id).config.timeout == 600
    assert page.alerts() == []
