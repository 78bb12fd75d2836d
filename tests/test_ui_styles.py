"""The pages' stylesheet is compiled ahead of time: the shipped sheet is what Tailwind makes
of the classes the pages use today, pages link it instead of running Tailwind's compiler,
and its utilities apply."""

from __future__ import annotations

from pathlib import Path

import httpx
from selenium import webdriver

from easy_dataset.server.ui.styles import SHEET, sheet_path
from easy_dataset.services import files, projects
from tests.browser import Browser, LiveServer
from tests.helpers import GUIDE, write
from tests.styles_build import compile_sheet

STYLE_OF = "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]"


def test_the_shipped_sheet_is_what_tailwind_makes_of_the_pages_classes(
    browser: webdriver.Chrome,
) -> None:
    shipped, compiled = SHEET.read_text(encoding="utf-8"), compile_sheet(browser)
    known = set(shipped.splitlines())
    lacking = [line for line in compiled.splitlines() if line not in known]
    assert shipped == compiled, f"out of date: run `make styles`; it lacks {lacking[:20]}"


def test_pages_link_the_sheet_and_its_utilities_apply(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project = projects.create_project(server.core, "styled")
    files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    page.open(f"/projects/{project.id}/chunks")
    linked = page.driver.execute_script(
        "return [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)"
    )
    assert server.url + sheet_path() in linked
    scripts = page.driver.execute_script(
        "return [...document.querySelectorAll('script[src]')].map(s => s.src)"
    )
    assert not [src for src in scripts if "tailwind" in src]  # no compiler in the browser
    # The title (text-2xl) and the chunk count (text-sm text-gray-600), as Tailwind sets them
    assert page.driver.execute_script(STYLE_OF, ".text-2xl", "fontSize") == "24px"
    assert page.driver.execute_script(STYLE_OF, ".text-gray-600", "fontSize") == "14px"
    # Tailwind's gray-600, as this browser writes the colour
    probe = "const p = document.createElement('i'); p.style.color = arguments[0];"
    probe += "document.body.append(p); const c = getComputedStyle(p).color; p.remove(); return c"
    gray = page.driver.execute_script(probe, "oklch(44.6% 0.03 256.802)")
    assert page.driver.execute_script(STYLE_OF, ".text-gray-600", "color") == gray
    # An arbitrary variant, among the sheet's last rules: a chunk's heading is text-lg.
    page.find("chunk-text-1")
    assert page.driver.execute_script(STYLE_OF, "[data-testid=chunk-text-1] h1", "fontSize") == (
        "18px"
    )

    answer = httpx.get(server.url + sheet_path())
    assert answer.status_code == 200 and answer.content == SHEET.read_bytes()
    assert answer.headers["content-type"].startswith("text/css")
    assert "immutable" in answer.headers["cache-control"]
