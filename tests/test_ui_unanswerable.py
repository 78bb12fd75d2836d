"""Samples answering unanswerable questions in a real browser: the review list filters them
like a kind, and the export form keeps, leaves out or exports only them."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from easy_dataset.store.dataset import QAPair
from tests.browser import Browser, LiveServer
from tests.test_ui_qa import PAIRS, seed, shown, total_is


def _mark(server: LiveServer, project_id: int, count: int) -> list[int]:
    """The first `count` pairs marked as answers to unanswerable questions."""
    with server.core.db.session() as session:
        rows = list(
            session.scalars(
                select(QAPair).where(QAPair.project_id == project_id).order_by(QAPair.id)
            )
        )[:count]
        for row in rows:
            row.provenance = {**row.provenance, "unanswerable": True}
        return [row.id for row in rows]


def test_review_list_and_export_form_filter_unanswerable(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = seed(server, tmp_path)
    marked = _mark(server, project_id, 2)
    page.open(f"/projects/{project_id}/qa")
    total_is(page, f"{PAIRS} QA pairs")
    page.choose("qa-unanswerable", "Only unanswerable")
    total_is(page, "2 QA pairs")
    page.wait(lambda: shown(page) == marked, what="the unanswerable samples")
    assert "unans=yes" in page.driver.current_url
    page.choose("qa-unanswerable", "Leave them out")
    total_is(page, f"{PAIRS - 2} QA pairs")

    page.open(f"/projects/{project_id}/export")
    page.wait(lambda: page.find("export-count").text == f"{PAIRS} QA pairs will be exported")
    page.choose("export-unanswerable", "Only these")
    page.wait(lambda: page.find("export-count").text == "2 QA pairs will be exported")
    page.wait(lambda: '"unanswerable": true' in page.find("export-preview").text)
    record = json.loads(page.find("export-preview").text)
    assert record["unanswerable"] is True
    assert "unanswerable=only" in page.find("export-url").text
    # The choice lives in the address: a reload keeps it.
    assert "unanswerable=only" in page.driver.current_url
    page.driver.refresh()
    page.wait(lambda: page.find("export-count").text == "2 QA pairs will be exported")
    page.choose("export-unanswerable", "Leave out")
    page.wait(lambda: page.find("export-count").text == f"{PAIRS - 2} QA pairs will be exported")
