"""The projects screen in a real browser: create, counts, copy model settings, delete."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import files, models, projects
from easy_dataset.store.models import LLMCall
from tests.browser import Browser, LiveServer
from tests.helpers import GUIDE, write


def test_create_project_and_see_its_counts(page: Browser, server: LiveServer, tmp_path) -> None:
    page.open("/")
    page.find("projects-table")
    page.type("project-name", "Manuals")
    page.type("project-description", "Our <b>manuals</b>")
    page.click("project-create")
    page.wait(lambda: "/files" in page.driver.current_url, what="the files screen")
    view = projects.get_project(server.core, "Manuals")
    assert view.description == "Our <b>manuals</b>"
    files.add_files(server.core, view.id, [write(tmp_path / "guide.md", GUIDE)])
    counts = projects.project_counts(server.core)[view.id]
    assert counts.files == 1 and counts.chunks >= 1
    with server.core.db.session() as session:
        session.add(
            LLMCall(
                project_id=view.id,
                endpoint="http://127.0.0.1:9/v1",
                model="m",
                prompt_tokens=1200,
                completion_tokens=34,
                status="ok",
            )
        )
    page.open("/")

    def cells() -> list[str]:
        table = page.find("projects-table")
        row = table.find_element(By.XPATH, ".//tr[td//a[text()='Manuals']]")
        return [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]

    expected = ["Our <b>manuals</b>", "1", str(counts.chunks), "0", "0", "1", "1,200 + 34"]
    page.wait(lambda: cells()[1:8] == expected, what=f"the row {expected}")


def test_copy_model_settings_when_creating(page: Browser, server: LiveServer) -> None:
    source = projects.create_project(server.core, "Source")
    config = ModelConfig(name="remote", provider="custom", base_url="http://x/v1", model="m")
    models.add_model(server.core, source.id, config, api_key="sk-secret-key-1234")
    page.open("/")
    page.type("project-name", "Copy")
    page.choose("project-copy-from", "Source")
    page.click("project-create")
    page.wait(lambda: "/files" in page.driver.current_url, what="the files screen")
    copied = models.list_models(server.core, "Copy")
    assert [(view.name, view.is_default, view.key_hint) for view in copied] == [
        ("remote", True, "…1234")
    ]
    assert models.resolve_model(server.core, "Copy").api_key == "sk-secret-key-1234"


def test_delete_project_asks_first(page: Browser, server: LiveServer) -> None:
    view = projects.create_project(server.core, "Doomed")
    page.open("/")
    page.click(f"delete-project-{view.id}")
    page.click("confirm-no")
    assert [p.name for p in projects.list_projects(server.core)] == ["Doomed"]
    page.click(f"delete-project-{view.id}")
    page.click("confirm-yes")
    page.wait(lambda: not projects.list_projects(server.core), what="the project to go")
    page.wait(lambda: "Doomed" not in page.find("projects-table").text, what="the table")
