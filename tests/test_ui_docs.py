"""/docs in headless Chromium, which reaches no other site: Swagger UI renders every route."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.browser import Browser


def test_the_api_docs_render_offline(page: Browser) -> None:
    driver = page.driver
    driver.get(page.base + "/docs")  # not page.open: this is no NiceGUI page
    operations = page.wait(
        lambda: driver.find_elements(By.CSS_SELECTOR, ".opblock") or None,
        timeout=30,
        what="the operations of the API",
    )
    assert len(operations) > 50
    assert "easy-dataset" in driver.find_element(By.CSS_SELECTOR, ".info .title").text
    assert "/api/projects" in page.text()
