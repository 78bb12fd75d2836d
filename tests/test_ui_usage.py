"""The usage screen in a real browser: charts per day, per model and per project, and the
error table, from real calls to the fake OpenAI server (two of them failing), over a period
that can be changed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import files, models, projects, stages, usage
from easy_dataset.store.base import utcnow
from easy_dataset.store.models import LLMCall
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI, Faults
from tests.helpers import GUIDE, write

HOSTILE = "<img src=x onerror=alert(1)>"


def project_with_calls(server: LiveServer, tmp_path: Path, name: str, base_url: str) -> int:
    settings = ChunkSettings(strategy="fixed", size=120, overlap=0)
    project = projects.create_project(server.core, name, chunking=settings)
    files.add_files(server.core, project.id, [write(tmp_path / name[:5] / "guide.md", GUIDE)])
    config = ModelConfig(
        name="fake",
        provider="custom",
        base_url=base_url,
        model="fake-model",
        concurrency=1,
        validation_retries=0,
    )
    models.add_model(server.core, project.id, config)
    stages.run_stage(server.core, project.id, "questions.generate")
    return project.id


def chart_text(page: Browser, testid: str) -> str:
    # Drawn as SVG: axis labels and legends are <text> elements inside the chart.
    return str(page.driver.execute_script("return arguments[0].textContent", page.find(testid)))


def error_cells(page: Browser) -> list[list[str]]:
    table = page.find("usage-errors")
    return [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]


def test_charts_and_error_table(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    with FakeOpenAI(Faults(script=["500", "401"])) as fake:
        alpha = project_with_calls(server, tmp_path, "Alpha", fake.base_url)
        fake.set_faults(Faults())
        beta = project_with_calls(server, tmp_path, HOSTILE, fake.base_url)
    # One older call, 20 days back: inside "30 days", outside "7 days".
    with server.core.db.session() as session:
        session.add(
            LLMCall(
                project_id=alpha,
                endpoint="http://old/v1",
                model="old-model",
                prompt_tokens=1000,
                completion_tokens=500,
                status="ok",
                created_at=utcnow() - timedelta(days=20),
            )
        )
    rates = usage.error_rates(server.core, project_ref=alpha, group_by="model")
    assert [(rate.key, rate.errors) for rate in rates] == [("fake-model", 2), ("old-model", 0)]
    overall = usage.error_rates(server.core, project_ref=alpha, group_by=None)[0]
    models_rows = usage.usage_totals(server.core, project_ref=alpha, group_by="model")
    tokens = sum(row.prompt_tokens + row.completion_tokens for row in models_rows)
    page.open(f"/projects/{alpha}/usage")
    page.wait(lambda: page.find("usage-summary").text.startswith(f"{overall.calls} calls"))
    assert f"{tokens} tokens" in page.find("usage-summary").text
    assert f"{overall.errors} errors" in page.find("usage-summary").text
    today = utcnow().date()
    page.wait(lambda: today.isoformat() in chart_text(page, "usage-days"), what="today")
    days = chart_text(page, "usage-days")
    assert (today - timedelta(days=20)).isoformat() in days  # every day of the 30 shown
    assert "prompt tokens" in days and "calls" in days
    by_model = chart_text(page, "usage-models")
    assert "fake-model" in by_model and "old-model" in by_model
    by_project = chart_text(page, "usage-projects")
    assert "Alpha" in by_project and HOSTILE in by_project
    assert beta != alpha
    fake_calls = next(row for row in models_rows if row.key == "fake-model").calls
    page.wait(lambda: len(error_cells(page)) == 2, what="two rows of errors")
    assert error_cells(page) == [
        ["fake-model", str(fake_calls), "2", f"{200 / fake_calls:.1f}%", "auth: 1, http: 1", "0"],
        ["old-model", "1", "0", "0.0%", "—", "0"],
    ]
    # the last 7 days leave the old call out
    page.choose("usage-period", "Last 7 days")
    page.wait(lambda: "old-model" not in chart_text(page, "usage-models"), what="7 days")
    assert (today - timedelta(days=20)).isoformat() not in chart_text(page, "usage-days")
    assert page.find("usage-summary").text.startswith(f"{overall.calls - 1} calls")
    page.wait(lambda: [row[0] for row in error_cells(page)] == ["fake-model"])
    page.choose("usage-period", "All time")
    page.wait(lambda: "old-model" in chart_text(page, "usage-models"), what="all time")
    assert page.alerts() == []
