"""The frame of every page in a real browser: navigation, project switcher, language."""

from __future__ import annotations

from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

from easy_dataset.services import projects
from tests.browser import Browser, LiveServer


def test_navigation_and_project_switcher(page: Browser, server: LiveServer) -> None:
    first = projects.create_project(server.core, "First")
    second = projects.create_project(server.core, "Second")
    page.open(f"/projects/{first.id}/files")
    for key in ("chunks", "jobs", "settings", "files"):
        page.click(f"nav-{key}")
        page.wait(lambda key=key: page.driver.current_url.endswith(f"/{key}"))
        page.find("project-switcher")
    # The evaluation screens share one menu, so the header stays one line.
    for key in ("evalsets", "arena", "playground"):
        page.click("nav-group-evaluate")
        page.click(f"nav-{key}")
        page.wait(lambda key=key: page.driver.current_url.endswith(f"/{key}"))
    header = page.driver.find_element(By.CSS_SELECTOR, ".q-header")
    assert header.size["height"] < 80, header.size
    page.click("nav-files")
    page.wait(lambda: page.driver.current_url.endswith("/files"))
    page.choose("project-switcher", "Second")
    page.wait(lambda: page.driver.current_url.endswith(f"/projects/{second.id}/files"))
    page.click("nav-projects")
    page.wait(lambda: page.driver.current_url == server.url + "/")
    page.open("/projects/999/chunks")
    page.wait_text("There is no project 999.")


def test_language_toggle_is_remembered(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "Bilingual")
    page.open(f"/projects/{project.id}/chunks")
    page.wait_text("Search text")
    page.click("language-toggle")
    page.wait(lambda: page.driver.current_url.endswith(f"/projects/{project.id}/chunks"))
    page.wait_text("搜索文本")
    page.open(f"/projects/{project.id}/settings")
    page.wait_text("添加模型配置")
    page.open("/")
    page.wait_text("创建项目")
    page.click("language-toggle")
    page.wait_text("Copy model settings from")


def test_pages_behind_the_access_token(browser: webdriver.Chrome, tmp_path: Path) -> None:
    with LiveServer(tmp_path / "home", token="secret-token-1234") as server:
        projects.create_project(server.core, "Guarded")
        page = Browser(browser, server.url)
        browser.get(server.url + "/")
        assert "access token" in page.text()
        page.open("/?token=secret-token-1234")  # moved into a cookie, then the page connects
        assert browser.current_url == server.url + "/"
        page.wait_text("Guarded")
        page.click("language-toggle")
        page.wait_text("创建项目")
