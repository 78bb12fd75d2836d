"""The form that starts a stage on the Jobs screen is built from the stage's `Params`: a
stage registered by a test gets its inputs (bounds, checkbox, a file picker), and what is
filled in becomes the job's parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar

import pytest
from pydantic import Field
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from easy_dataset.errors import InputError
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Picks, Stage, StageParams, Words, registered
from easy_dataset.server.ui.stage_form import split_list, split_pairs
from easy_dataset.services import files, jobs, projects
from tests.browser import Browser, LiveServer
from tests.helpers import GUIDE, write


class ShoutParams(StageParams):
    word: str = Field(default="hello", min_length=1, max_length=20, description="What to say.")
    times: int = Field(default=1, ge=1, le=3, description="How many items.")
    loud: bool = Field(default=False, description="Shout it.")
    file_ids: Annotated[list[int] | None, Field(description="Only these files."), Picks("file")] = (
        None
    )


class Shout(Stage[ShoutParams]):
    """A stage that exists only in this test: one item per repetition."""

    name: ClassVar[str] = "test.shout"
    group = "quality"
    label = Words("Shout (test)", "喊（测试）")
    help = Words("Say a word a few times.", "把一个词说几遍。")
    Params = ShoutParams

    def plan(self, app: Any, project_id: int | None, params: dict[str, Any]) -> list[str]:
        return [f"s{index}" for index in range(self.options(params).times)]

    async def process(self, ctx: JobContext, key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        return {"said": options.word.upper() if options.loud else options.word}


def pick(page: Browser, testid: str, option: str) -> None:
    """Tick `option` in a multiple select, then close its menu."""
    page.click(testid)
    page.click_text(option, menu=True)
    page.field(testid).send_keys(Keys.ESCAPE)
    page.wait(lambda: not page.driver.find_elements(By.CSS_SELECTOR, ".q-menu"), what="closing")


def test_a_registered_stage_gets_its_form_and_starts_with_what_was_filled_in(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project = projects.create_project(server.core, "Form")
    files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    file_id = files.list_files(server.core, project.id)[0].id
    with registered(Shout):
        page.open(f"/projects/{project.id}/jobs")
        page.choose("jobs-stage", "Shout (test)")
        page.wait_text("Say a word a few times.")
        times = page.field("stage-field-times")
        assert (times.get_attribute("min"), times.get_attribute("max")) == ("1", "3")
        assert "What to say." not in page.text()  # descriptions are tooltips
        pick(page, "stage-field-file_ids", "guide.md")
        page.type("stage-field-word", "hey")
        page.type("stage-field-times", "2")
        page.click("stage-field-loud")

        page.click("jobs-start")
        page.wait(lambda: "Items: 2" in page.find("estimate-items").text)
        page.click("confirm-yes")
        page.wait(lambda: page.find("job-status").text == "succeeded", timeout=30)
        job = jobs.list_jobs(server.core, project_ref=project.id, limit=1)[0]
        assert job.type == "test.shout"
        assert job.params == {"word": "hey", "times": 2, "loud": True, "file_ids": [file_id]}

        # A number past its bounds is brought back into them as the field is left.
        page.type("stage-field-times", "5")
        page.field("stage-field-times").send_keys(Keys.TAB)
        page.wait(lambda: page.field("stage-field-times").get_attribute("value") == "3")

        # A value the stage refuses is a notice, and no job is made. (Not the number: whether
        # it was clamped before a quick click arrived was a race.)
        page.type("stage-field-word", "w" * 21)
        page.click("jobs-start")
        page.wait_text("at most 20 characters")
        assert len(jobs.list_jobs(server.core, project_ref=project.id)) == 1


def test_built_in_stages_show_their_options(page: Browser, server: LiveServer) -> None:
    project = projects.create_project(server.core, "Built in")
    page.open(f"/projects/{project.id}/jobs")
    # the default pick: generating questions, with the model select
    assert "(project default)" in page.find("stage-field-model").text
    page.choose("jobs-stage", "Deduplication")
    page.wait(lambda: page.find("stage-field-mode"))
    assert not page.driver.find_elements(By.CSS_SELECTOR, "[data-testid=stage-field-model]")
    page.choose("stage-field-mode", "minhash")
    page.choose("jobs-stage", "LLM judge")
    assert "accuracy=" in (page.field("stage-field-weights").get_attribute("placeholder") or "")


def test_typed_lists_and_pairs_are_read_as_the_stage_expects() -> None:
    assert split_list(" 3, 5,,8 ") == ["3", "5", "8"]
    assert split_pairs("accuracy=2, relevance = 1", "Weights") == {
        "accuracy": "2",
        "relevance": "1",
    }
    with pytest.raises(InputError, match="accuracy2"):
        split_pairs("accuracy2", "Weights")
