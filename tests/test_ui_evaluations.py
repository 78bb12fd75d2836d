"""The evaluation runs screen in a real browser: two scored runs listed, both ticked and
compared (the table shows the figures the service computes, the chart one series per
model), a run of another set refused for comparison, and one run's items with the
model's responses, narrowed to those short of full marks."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.services import projects, stages
from easy_dataset.services.evaluation import results
from easy_dataset.services.evaluation.results import Figure
from tests.browser import Browser, LiveServer
from tests.eval_support import Item, bees_project, make_set, scripted
from tests.fake_openai import FakeOpenAI, Faults

SERIES = (
    "return getElement(arguments[0]).chart.getOption().series"
    ".map(s => [s.type, s.name, s.data.length])"
)


def expected(figure: Figure) -> str:
    def pct(value: float | None) -> str:
        return f"{100 * (value or 0):.1f}"

    return f"{pct(figure.mean)} [{pct(figure.low)}, {pct(figure.high)}] n={figure.n}"


def headers(page: Browser) -> list[str]:
    table = page.find("evaluations-compare")
    return [cell.text for cell in table.find_elements(By.TAG_NAME, "th")]


def table_rows(page: Browser) -> dict[str, list[str]]:
    table = page.find("evaluations-compare")
    rows = {}
    for row in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        rows[cells[0]] = cells[1:]
    return rows


def test_compare_two_runs_and_read_their_items(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    app = server.core
    with FakeOpenAI(Faults(replies=scripted())) as fake:
        bees_project(app, tmp_path, fake.base_url)
        for model in ("model-a", "model-b"):
            summary = stages.run_stage(app, "bees", "eval.run", eval_set="quiz", model=model)
            assert summary.succeeded == 6
        make_set(app, "bees", "other", [Item("true_false", "Drones sting.", "false")])
        stages.run_stage(app, "bees", "eval.run", eval_set="other", model="model-a")
    run_ids = [run.id for run in results.list_runs(app, "bees")]
    run_a, run_b, run_other = run_ids
    compared = results.compare_runs(app, "bees", [run_a, run_b])
    project_id = projects.get_project(app, "bees").id

    page.open(f"/projects/{project_id}/evaluations")
    overall_a = results.run_report(app, "bees", run_a).overall
    page.wait(lambda: page.find(f"evaluations-overall-{run_a}").text == expected(overall_a))
    assert page.find(f"evaluations-model-{run_b}").text == "model-b"
    assert page.find(f"evaluations-scored-{run_b}").text == "6 of 6"
    assert page.find("evaluations-compare-note").text.startswith("Tick runs of one set")

    page.click(f"evaluations-pick-{run_a}")
    page.click(f"evaluations-pick-{run_b}")
    columns = ["Scope", f"model-a (run {run_a})", f"model-b (run {run_b})"]
    page.wait(lambda: headers(page) == columns, what="both runs compared")
    shown = table_rows(page)
    assert len(shown) == len(compared.rows)
    labels = {"all": "All", "true_false": "True/false", "multiple_choice": "Multiple choice"}
    for row in compared.rows:
        label = labels.get(row.name, f"Tag: {row.name}" if row.group == "tag" else None)
        if label is not None:
            assert shown[label] == [expected(figure) for figure in row.figures], label
    chart = page.find("evaluations-chart")
    series = page.wait(lambda: page.driver.execute_script(SERIES, chart) or None)
    kinds = len([row for row in compared.rows if row.group == "kind"])
    assert series == [
        ["custom", f"model-a (run {run_a})", kinds],
        ["custom", f"model-b (run {run_b})", kinds],
    ]

    page.click(f"evaluations-pick-{run_other}")  # a run of another set cannot join
    page.wait(lambda: "different sets" in page.find("evaluations-compare-note").text)
    assert "other, quiz" in page.find("evaluations-compare-note").text

    # The items of the latest quiz run (model B): its responses as plain text.
    page.choose("evaluations-run", f"model-b on quiz (run {run_b})")
    items = results.run_results(app, "bees", run_b)
    right = next(item for item in items if item.score == 1)
    wrong = next(item for item in items if item.kind == "open")
    page.wait(lambda: page.find(f"evaluations-response-{wrong.item_id}").text == "Bees like wax.")
    assert page.find(f"evaluations-response-{right.item_id}").text == right.response
    page.click("evaluations-wrong")
    wrong_count = len([item for item in items if (item.score or 0) < 1])
    page.wait(
        lambda: page.find("evaluations-shown").text == f"{wrong_count} of {wrong_count} items"
    )
    assert not page.driver.find_elements(
        By.CSS_SELECTOR, f"[data-testid='evaluations-item-{right.item_id}']"
    )
