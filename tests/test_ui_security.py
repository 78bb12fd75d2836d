"""Hostile text in documents, names and errors shows as text in the browser: no element
is created from it and no script runs."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import chunks, files, models, projects
from tests.browser import Browser, LiveServer
from tests.helpers import write

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
DOCUMENT = f"""# Title {IMG}

Text {SCRIPT} and <b onmouseover=alert(3)>bold</b>.

[link](javascript:alert(4))

```
{IMG} in code
```
"""
NAME = "<img src=x onerror=alert(5)>"


def assert_inert(page: Browser) -> None:
    driver = page.driver
    assert driver.find_elements(By.CSS_SELECTOR, "img[src='x']") == []
    assert driver.find_elements(By.CSS_SELECTOR, "[onerror], [onmouseover]") == []
    scripts = driver.execute_script(
        "return [...document.querySelectorAll('script')].map(s => s.textContent)"
    )
    # The page's initial state is JSON inside a script; a breakout would add a script of its own.
    assert not any(text.strip().startswith("alert(") for text in scripts)
    hrefs = driver.execute_script("return [...document.links].map(a => a.href)")
    assert not any(href.lower().startswith("javascript:") for href in hrefs)
    assert page.alerts() == []


def test_payloads_in_documents_and_names_show_as_text(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project = projects.create_project(server.core, NAME, description=SCRIPT)
    document = write(tmp_path / "upload" / "x<img src=x onerror=alert(6)>.md", DOCUMENT)
    [outcome] = files.add_files(server.core, project.id, [document])
    assert outcome.status == "added", outcome.error
    config = ModelConfig(
        name=SCRIPT, provider="custom", base_url="http://127.0.0.1:9/v1", model=IMG
    )
    models.add_model(server.core, project.id, config)
    [chunk] = chunks.list_chunks(server.core, project.id)[1]

    page.open("/")
    page.wait_text(NAME)
    assert SCRIPT in page.text()
    assert_inert(page)

    page.open(f"/projects/{project.id}/files")
    page.wait_text("x<img src=x onerror=alert(6)>.md")
    assert_inert(page)

    page.open(f"/projects/{project.id}/chunks")
    page.wait(lambda: IMG in page.find(f"chunk-text-{chunk.id}").text)
    assert SCRIPT in page.find(f"chunk-text-{chunk.id}").text
    page.click(f"chunk-view-{chunk.id}")
    rendered = page.find("chunk-markdown")
    heading = rendered.find_element(By.TAG_NAME, "h1")
    assert heading.text == f"Title {IMG}"  # Markdown works, the tag inside it is text
    assert SCRIPT in rendered.text and "<b onmouseover=alert(3)>bold</b>" in rendered.text
    assert f"{IMG} in code" in rendered.find_element(By.TAG_NAME, "pre").text
    assert_inert(page)
    page.click("chunk-raw-tab")
    page.wait(lambda: DOCUMENT.strip() in page.find("chunk-raw").text)
    page.click_text("Close")

    page.open(f"/projects/{project.id}/settings")
    page.wait_text(SCRIPT)
    assert IMG in page.text()
    assert_inert(page)


def test_error_notices_show_payloads_as_text(page: Browser, server: LiveServer) -> None:
    projects.create_project(server.core, NAME)
    page.open("/")
    page.type("project-name", NAME)
    page.click("project-create")
    page.wait_text(f"a project named '{NAME}' already exists")
    assert_inert(page)
