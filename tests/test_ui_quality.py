"""The quality screen in a real browser: checks started from the page flag exactly the
planted pairs (the QA list filters on them), duplicates are deleted only after a
confirmation, the report shows every figure against an editable target with charts, the
review sample's verdicts move the estimate, and hostile text stays text."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from easy_dataset.export import ExportOptions
from easy_dataset.server.ui.export_form import export_url
from easy_dataset.server.ui.qa_filters import ReviewFilters
from easy_dataset.services import generation, projects, quality
from easy_dataset.services.export import ExportFilters
from easy_dataset.services.quality_results import record
from tests.browser import Browser, LiveServer
from tests.test_generate_support import make_project, seed_qa_pairs
from tests.test_ui_security import assert_inert

GOOD = "A worker bee lives about six weeks in summer and several months in winter."
EMAIL = ("Whom should I e-mail?", "Write to jane.doe@example.com for the hive report.")
PAIRS = [
    ("How long does a worker bee live?", GOOD),
    ("How long does a worker bee live ?", GOOD),  # the planted duplicate
    ("Who lays the eggs?", "The queen lays up to two thousand eggs a day."),
    EMAIL,
    ("Why is honey sealed?", "The ripe honey is sealed under wax and eaten in winter."),
    ("What do drones do?", "Drones mate with young queens and do no work in the hive."),
    ("When do bees swarm?", "Colonies swarm in late spring when the hive gets crowded."),
]
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"


def seed(server: LiveServer, tmp_path: Path, pairs: list[tuple[str, str]]) -> tuple[int, list[int]]:
    """A project (the bee document, a model that is never called) with these QA pairs."""
    name = make_project(server.core, tmp_path, "http://127.0.0.1:9/v1")
    pid = projects.get_project(server.core, name).id
    ids = seed_qa_pairs(server.core, pid, pairs)
    return pid, ids


def plant_duplicates(server: LiveServer, pid: int, keep: int, copy: int) -> None:
    """What an exact deduplication records for two copies (the better one kept)."""
    detail = {"keep": keep, "size": 2, "mode": "exact", "threshold": 1.0}
    with server.core.db.session() as session:
        for qa_id in (keep, copy):
            record(
                session,
                pid,
                "duplicate",
                qa_id=qa_id,
                score=1.0,
                flagged=qa_id == copy,
                detail=detail,
            )


def shown(page: Browser) -> list[int]:
    cards = page.driver.find_elements(By.CSS_SELECTOR, "[data-testid^='qa-row-']")
    return [int(str(card.get_attribute("data-testid")).rsplit("-", 1)[1]) for card in cards]


def run_from_screen(page: Browser, check: str, jobs: int) -> None:
    """Click a check's Run button and wait until all `jobs` started here have succeeded."""
    page.click(f"quality-run-{check}")

    def done() -> bool:
        lines = page.driver.find_elements(By.CSS_SELECTOR, "[data-testid^='job-notice-']")
        return len(lines) == jobs and all("succeeded" in line.text for line in lines)

    page.wait(done, timeout=30, what=f"the {check} job to succeed")


def chart_text(page: Browser, testid: str) -> str:
    return str(page.driver.execute_script("return arguments[0].textContent", page.find(testid)))


def test_checks_from_the_screen_flag_exactly_the_planted_pairs(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    pid, ids = seed(server, tmp_path, PAIRS)
    plant_duplicates(server, pid, keep=ids[1], copy=ids[0])
    page.open(f"/projects/{pid}/quality")
    run_from_screen(page, "pii", 1)

    # The QA list, filtered by a check's flag in the page, shows exactly the planted pair.
    page.open(f"/projects/{pid}/qa")
    page.wait(lambda: shown(page) == ids)
    page.click("qa-flagged")
    page.click_text("Personal data", menu=True)
    page.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    page.wait(lambda: shown(page) == [ids[3]], what="only the pair with an e-mail")
    assert "flag=pii" in page.driver.current_url
    # The other filters from an address: the marked copy, then neither flag.
    page.open(f"/projects/{pid}/qa?flag=duplicate")
    page.wait(lambda: shown(page) == [ids[0]], what="only the marked copy")
    page.open(f"/projects/{pid}/qa?noflag=duplicate,pii")
    page.wait(lambda: shown(page) == [ids[1], ids[2], *ids[4:]])

    # Its detail page says why.
    page.open(f"/projects/{pid}/qa/{ids[3]}")
    page.wait(lambda: "email" in page.find("qa-quality-pii").text)

    # Duplicates: the cluster with its kept member; deleting asks first.
    page.open(f"/projects/{pid}/quality?tab=duplicates")
    page.find(f"dup-cluster-{ids[1]}")
    assert page.find(f"dup-badge-{ids[1]}").text == "kept"
    assert page.find(f"dup-badge-{ids[0]}").text == "duplicate"
    assert str(page.find(f"dup-link-{ids[0]}").get_attribute("href")).endswith(f"/qa/{ids[0]}")
    page.click("dup-delete")
    page.click("confirm-no")
    assert len(generation.list_qa(server.core, pid)) == len(PAIRS)
    page.click("dup-delete")
    page.click("confirm-yes")
    page.find("dup-none")
    assert [qa.id for qa in generation.list_qa(server.core, pid)] == ids[1:]


def test_report_figures_targets_and_charts(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    pid, ids = seed(server, tmp_path, PAIRS)
    plant_duplicates(server, pid, keep=ids[1], copy=ids[0])
    page.open(f"/projects/{pid}/quality?tab=report")
    status = "quality-fig-duplicate_rate-status"
    page.wait(lambda: page.find(status).text == "fail", what="the duplicate rate failing")
    assert page.find("quality-fig-duplicate_rate-value").text == "14.3%"  # 1 of 7 > 5 %
    assert page.find("quality-fig-semantic_consistency-status").text == "not run"
    assert "bg-negative" in str(page.find(status).get_attribute("class"))
    for name in ("domain_term_ratio", "opening_entropy", "sampled_error_rate"):
        page.find(f"quality-fig-{name}")
    assert "7 QA pairs" in page.find("quality-summary").text
    page.wait(lambda: "bees.md" in chart_text(page, "quality-chart-files"), what="a file bar")
    assert "Duplicate" in chart_text(page, "quality-chart-checks")
    page.find("quality-div-distinct_1")

    # A looser target: saved with the project, and the same figure now passes.
    page.type("quality-target-duplicate_rate", "20")
    page.wait(lambda: page.find(status).text == "pass", what="the duplicate rate passing")
    assert "bg-positive" in str(page.find(status).get_attribute("class"))
    assert quality.get_quality_settings(server.core, pid).targets.duplicate_rate == 0.2

    page.click("language-toggle")
    page.wait(lambda: page.find(status).text == "达标", what="the report in Chinese")
    assert "重复率" in page.find("quality-fig-duplicate_rate").text


def test_review_sample_verdicts_and_hostile_text(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    hostile = (f"Why {IMG} and {SCRIPT}?", f"Because {IMG}. Unrelated {SCRIPT} claim.")
    pid, ids = seed(server, tmp_path, [hostile, *PAIRS[2:4]])
    with server.core.db.session() as session:
        record(
            session,
            pid,
            "judge",
            qa_id=ids[0],
            score=2.5,
            flagged=True,
            detail={"scores": {"accuracy": 2}, "verdict": f"Wrong {SCRIPT}"},
        )
        sentences = [
            {"text": f"Because {IMG}.", "support": 0.9, "supported": True},
            {"text": f"Unrelated {SCRIPT} claim.", "support": 0.1, "supported": False},
        ]
        record(
            session,
            pid,
            "grounding",
            qa_id=ids[0],
            score=0.5,
            flagged=True,
            detail={"similarity": 0.8, "sentences": sentences},
        )

    page.open(f"/projects/{pid}/quality")
    page.type("quality-sample-fraction", "100")
    run_from_screen(page, "sample", 1)
    page.open(f"/projects/{pid}/quality?tab=sample")
    page.wait(lambda: page.find("sample-progress").text.startswith("Reviewed 0 / 3"))
    assert page.find("sample-question").text == hostile[0]  # the first sampled pair, as text
    page.click("sample-ok")
    page.wait(lambda: page.find("sample-progress").text.startswith("Reviewed 1 / 3 · 0 errors"))
    assert page.find("sample-estimate").text.startswith("Estimated error rate 0.0%")
    page.wait(lambda: page.find("sample-question").text == PAIRS[2][0], what="the next pair")
    page.type("sample-note", "wrong count")
    page.click("sample-error")
    page.wait(lambda: page.find("sample-progress").text.startswith("Reviewed 2 / 3 · 1 error"))
    assert page.find("sample-estimate").text.startswith("Estimated error rate 50.0% (95%")
    status = quality.sample_status(server.core, pid)
    assert (status.reviewed, status.errors) == (2, 1)
    assert_inert(page)

    # The QA list's sample filter, and the pair's own page with every check's finding.
    page.open(f"/projects/{pid}/qa?sample=yes&jmax=3")
    page.wait(lambda: shown(page) == [ids[0]])
    page.open(f"/projects/{pid}/qa/{ids[0]}")
    page.wait(lambda: "2.50 / 5" in page.find("qa-quality-judge").text)
    assert page.find("qa-quality-verdict").text == f"Wrong {SCRIPT}"
    assert page.find("qa-ground-unsupported").text.strip() == f"Unrelated {SCRIPT} claim."
    assert page.find("qa-sample-verdict").text == "reviewed: correct"
    page.click("qa-sample-error")
    page.wait(lambda: page.find("qa-sample-verdict").text == "reviewed: error")
    assert quality.sample_status(server.core, pid).errors == 2
    assert_inert(page)


def test_quality_filters_in_addresses() -> None:
    filters = ReviewFilters.from_query(
        {
            "jmin": "2.5",
            "jmax": "x",
            "flag": "pii,bogus,judge",
            "noflag": "duplicate",
            "sample": "no",
        }
    )
    assert filters.service() == {
        "min_judge": 2.5,
        "flagged": ["judge", "pii"],
        "not_flagged": ["duplicate"],
        "sampled": False,
    }
    assert ReviewFilters.from_query(dict(parse_qsl(filters.query()))) == filters
    kinds = ReviewFilters.from_query({"kind": "dialogue"})
    assert kinds.service() == {"kind": "dialogue"} and kinds.query() == "kind=dialogue"
    assert ReviewFilters.from_query({"kind": "poem"}).service() == {}
    url = export_url(
        1, ExportOptions(), ExportFilters(min_judge=3, exclude_flagged=["pii", "refs"])
    )
    assert url.endswith("&min_judge=3&exclude_flagged=pii&exclude_flagged=refs")
