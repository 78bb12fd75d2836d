"""The export screen in a real browser: format and filters, a live count, a one-record preview,
and a download that the browser fetches from the REST endpoint (the same bytes as a direct
request to the address the page shows)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from selenium.webdriver.common.keys import Keys

from easy_dataset.services import generation
from tests.browser import Browser, LiveServer
from tests.test_ui_qa import seed


def downloads_to(page: Browser, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    page.driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    return folder


def downloaded(page: Browser, folder: Path, name: str) -> bytes:
    target = folder / name

    def done() -> bool:
        partial = list(folder.glob("*.crdownload"))
        return target.exists() and not partial

    page.wait(done, timeout=30, what=f"the download of {name}")
    time.sleep(0.2)  # let Chromium close the file
    return target.read_bytes()


def preview(page: Browser) -> dict[str, object]:
    record: dict[str, object] = json.loads(page.find("export-preview").text)
    return record


def test_choose_format_and_filters_then_download(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    folder = downloads_to(page, tmp_path / "downloads")
    every = generation.list_qa(server.core, project_id, limit=100)
    page.open(f"/projects/{project_id}/export")
    page.wait(lambda: page.find("export-count").text == f"{len(every)} QA pairs will be exported")
    first = preview(page)
    assert first == {
        "instruction": every[0].question,
        "input": "",
        "output": f"<think>\n{every[0].cot}\n</think>\n\n{every[0].answer}",
    }
    # ShareGPT, a JSON array, provenance, reasoning left out; confirmed with a score >= 2.
    page.choose("export-format", "sharegpt")
    page.choose("export-file-type", "json")
    page.choose("export-cot", "Leave out")
    page.click("export-provenance")
    page.click("export-confirmed")
    page.type("export-min-score", "2")
    wanted = [row for row in every if row.confirmed and row.score is not None and row.score >= 2]
    assert len(wanted) >= 2
    count = generation.count_qa(server.core, project_id, confirmed=True, min_score=2)
    assert count == len(wanted)
    page.wait(lambda: page.find("export-count").text == f"{count} QA pairs will be exported")
    page.wait(lambda: "metadata" in preview(page), what="the preview with provenance")
    shown = preview(page)
    assert shown["conversations"] == [
        {"from": "human", "value": wanted[0].question},
        {"from": "gpt", "value": wanted[0].answer},
    ]
    assert isinstance(shown["metadata"], dict) and shown["metadata"]["id"] == wanted[0].id
    url = page.find("export-url").text
    assert "format=sharegpt" in url and "confirmed_only=true" in url and "min_score=2" in url
    page.click("export-download")
    data = downloaded(page, folder, "Review-sharegpt.json")
    records = json.loads(data)
    assert [record["metadata"]["id"] for record in records] == [row.id for row in wanted]
    assert all(record["metadata"]["confirmed"] for record in records)
    assert records[0] == shown
    direct = httpx.get(server.url + url, timeout=30)
    assert direct.status_code == 200 and direct.content == data


def test_custom_fields_alpaca_input_tags_and_ids(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    every = generation.list_qa(server.core, project_id, limit=100)
    page.open(f"/projects/{project_id}/export")
    page.find("export-preview")
    # alpaca with the question as input needs an instruction text
    page.choose("export-question-as", "input")
    page.wait(lambda: "needs an instruction text" in page.find("export-error").text)
    assert not page.find("export-download").is_enabled()
    page.type("export-instruction", "Answer from the manual.")
    page.wait(lambda: preview(page).get("input") == every[0].question, what="alpaca input")
    assert preview(page)["instruction"] == "Answer from the manual."
    assert page.find("export-download").is_enabled()
    # custom field names; a system prompt needs its own field
    page.choose("export-format", "custom")
    page.type("export-field-question", "prompt")
    page.type("export-field-answer", "completion")
    page.type("export-field-cot", "thinking")
    page.wait(lambda: set(preview(page)) == {"prompt", "completion", "thinking"})
    assert preview(page)["thinking"] == every[0].cot
    page.type("export-system", "You are helpful.")
    page.wait(lambda: "system=NAME" in page.find("export-error").text)
    page.type("export-field-system", "sys")
    page.wait(lambda: preview(page).get("sys") == "You are helpful.")
    # a reviewer tag typed in, then only chosen ids
    tag_field = page.field("export-tags")
    tag_field.send_keys("keep")
    tag_field.send_keys(Keys.ENTER)
    tagged = [row.id for row in every if "keep" in row.user_tags]
    page.wait(lambda: page.find("export-count").text == f"{len(tagged)} QA pairs will be exported")
    assert "tag=keep" in page.find("export-url").text
    page.type("export-ids", f"{tagged[1]}, {tagged[2]}, {every[1].id}")
    page.wait(lambda: page.find("export-count").text == "2 QA pairs will be exported")
    page.type("export-ids", "1, x")
    page.wait(lambda: "x is not a QA pair id" in page.find("export-error").text)
    # "Export selected" on the QA screen arrives with the ids filled in
    page.open(f"/projects/{project_id}/qa")
    page.click(f"qa-select-{every[3].id}")
    page.click(f"qa-select-{every[5].id}")
    page.click("qa-export-selected")
    page.wait(lambda: "/export?ids=" in page.driver.current_url)
    page.wait(lambda: page.find("export-count").text == "2 QA pairs will be exported")
    url = page.find("export-url").text
    assert f"id={every[3].id}&id={every[5].id}" in url
    records = [json.loads(line) for line in httpx.get(server.url + url).text.splitlines()]
    assert [record["instruction"] for record in records] == [every[3].question, every[5].question]
