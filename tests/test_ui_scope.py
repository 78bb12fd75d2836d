"""Narrowed generation jobs in a real browser (issue 13, #3 and #11): questions for the
selected chunks from the Chunks screen, the Questions screen's generate and "answer all"
within the File and Tag filters, an estimate (items, calls, tokens, time) before each of
them starts, and a question added without a chunk answered without context, its grounding
"not applicable"."""

from __future__ import annotations

from pathlib import Path

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import chunks, files, generation, jobs, models, projects, quality
from easy_dataset.services import tags as tag_service
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.helpers import GUIDE, write

NOTES = """# Notes

Short notes about the release process and who signs off each version.

Another paragraph on how the changelog is written before a release.
"""


def make_project(server: LiveServer, tmp_path: Path, base_url: str) -> tuple[int, int, int]:
    """A project with two files and the fake model; (project, guide file, notes file)."""
    settings = ChunkSettings(strategy="fixed", size=120, overlap=0)
    project = projects.create_project(server.core, "Scope", chunking=settings)
    guide = files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    notes = files.add_files(server.core, project.id, [write(tmp_path / "notes.md", NOTES)])
    config = ModelConfig(name="fake", provider="custom", base_url=base_url, model="m")
    models.add_model(server.core, project.id, config)
    assert guide[0].file is not None and notes[0].file is not None
    return project.id, guide[0].file.id, notes[0].file.id


def chunks_of(server: LiveServer, project_id: int, file_id: int | None = None) -> list[int]:
    found = chunks.list_chunks(server.core, project_id, file_id=file_id, limit=1000)[1]
    return [row.id for row in found]


def asked_chunks(server: LiveServer, project_id: int) -> set[int | None]:
    found = generation.list_questions(server.core, project_id, origin="generated", limit=1000)
    return {q.chunk_id for q in found}


def closed(page: Browser) -> None:
    """Wait until the estimate dialog is gone (its buttons leave with it)."""
    page.wait(
        lambda: not page.driver.find_elements("css selector", "[data-testid='confirm-no']"),
        what="the dialog to close",
    )


def finished(page: Browser, server: LiveServer, project_id: int, before: int) -> jobs.JobView:
    page.wait(lambda: len(jobs.list_jobs(server.core, project_ref=project_id)) > before)
    job = jobs.list_jobs(server.core, project_ref=project_id, limit=1)[0]
    page.wait(
        lambda: "succeeded" in page.find(f"job-notice-{job.id}").text,
        timeout=60,
        what=f"job {job.id}",
    )
    return jobs.show_job(server.core, job.id, failures=0).job


def test_chunks_screen_generates_for_the_selected_chunks_after_an_estimate(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        project_id, _, _ = make_project(server, tmp_path, fake.base_url)
        first, second = chunks_of(server, project_id)[:2]
        page.open(f"/projects/{project_id}/chunks")
        page.click("chunks-generate")  # nothing selected: a notice, no job
        page.wait_text("Select")
        assert jobs.list_jobs(server.core, project_ref=project_id) == []

        page.click(f"chunk-select-{first}")
        page.click(f"chunk-select-{second}")
        page.click("chunks-generate")
        page.wait(lambda: "2 selected chunks" in page.find("estimate-scope").text)
        assert page.find("estimate-items").text == "Items: 2"
        assert "Model calls: about 2" in page.find("estimate-calls").text
        assert "prompt" in page.find("estimate-tokens").text
        assert "unknown" in page.find("estimate-time").text  # no call of the model yet
        page.wait_text("These figures are estimates")
        page.click("confirm-no")  # cancelled: nothing starts
        closed(page)
        assert jobs.list_jobs(server.core, project_ref=project_id) == []

        page.click("chunks-generate")
        page.click("confirm-yes")
        job = finished(page, server, project_id, 0)
        assert job.type == "questions.generate" and job.total == 2
        assert asked_chunks(server, project_id) == {first, second}

        # The usage log now times the model: the next estimate gives a duration.
        third = chunks_of(server, project_id)[2]
        page.click(f"chunk-select-{third}")
        page.click("chunks-generate")
        page.wait(lambda: "per call" in page.find("estimate-time").text)
        assert "about" in page.find("estimate-time").text
        page.click("confirm-no")
        closed(page)

        # In Chinese too: the same figures, a duration (never a clock time).
        page.click("language-toggle")
        page.wait_text("为所选生成问题")
        page.click(f"chunk-select-{third}")
        page.click("chunks-generate")
        page.wait(lambda: page.find("estimate-items").text == "任务项：1")
        assert "约" in page.find("estimate-time").text and "秒" in page.find("estimate-time").text
        page.wait_text("以上数字是根据文本长度和提示词模板估算的")


def test_questions_screen_generates_and_answers_within_the_file_filter(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        project_id, _, notes = make_project(server, tmp_path, fake.base_url)
        in_notes = chunks_of(server, project_id, notes)
        assert 0 < len(in_notes) < len(chunks_of(server, project_id))
        page.open(f"/projects/{project_id}/questions")
        page.choose("qs-file", "notes.md")
        page.click("qs-generate")
        page.wait(lambda: "notes.md" in page.find("estimate-scope").text)
        assert page.find("estimate-items").text == f"Items: {len(in_notes)}"
        page.click("confirm-yes")
        job = finished(page, server, project_id, 0)
        assert job.total == len(in_notes) and job.params["file_ids"] == [notes]
        assert asked_chunks(server, project_id) == set(in_notes)

        # Answer all: only the filtered file's questions, after the estimate (two calls each:
        # the answer and its chain of thought).
        questions = generation.count_questions(server.core, project_id)
        page.click("qs-answer-all")
        page.wait(lambda: page.find("estimate-items").text == f"Items: {questions}")
        assert f"about {2 * questions}" in page.find("estimate-calls").text
        page.click("confirm-yes")
        finished(page, server, project_id, 1)
        assert generation.count_questions(server.core, project_id, answered=False) == 0

        # Answer selected asks too, and says when there is nothing to do.
        [one] = generation.list_questions(server.core, project_id, limit=1)
        page.open(f"/projects/{project_id}/questions")
        page.click(f"question-select-{one.id}")
        page.click("qs-answer-selected")
        page.find("estimate-nothing")
        page.click("confirm-no")
        assert len(jobs.list_jobs(server.core, project_ref=project_id)) == 2


def test_questions_screen_answers_within_the_tag_filter(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        project_id, _, _ = make_project(server, tmp_path, fake.base_url)
        tag_service.import_tags(server.core, project_id, "# Bees\n## Workers\n# Wasps\n")
        tree = tag_service.tag_tree(server.core, project_id)
        chunk = chunks_of(server, project_id)[0]
        mine = generation.add_question(
            server.core,
            project_id,
            "What do workers do?",
            chunk_id=chunk,
            tag_id=tree[0].children[0].id,
        )
        generation.add_question(
            server.core, project_id, "Who builds nests?", chunk_id=chunk, tag_id=tree[1].id
        )
        page.open(f"/projects/{project_id}/questions")
        page.choose("qs-tag", "Bees")
        page.click("qs-answer-all")
        page.wait(lambda: "tag Bees" in page.find("estimate-scope").text)
        assert page.find("estimate-items").text == "Items: 1"  # Workers is under Bees
        page.click("confirm-yes")
        finished(page, server, project_id, 0)
        [pair] = generation.list_qa(server.core, project_id)
        assert pair.question_id == mine.id


def test_a_question_added_without_a_chunk_is_answered_without_context(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        project_id, _, _ = make_project(server, tmp_path, fake.base_url)
        page.open(f"/projects/{project_id}/questions")
        page.click("qs-add")
        page.type("question-form-text", "Why do release notes matter?")
        page.click("question-form-save")
        page.wait(lambda: "1 question ·" in page.find("qs-total").text)
        [mine] = generation.list_questions(server.core, project_id)
        assert mine.chunk_id is None

        page.click("qs-answer-all")
        page.wait(lambda: page.find("estimate-items").text == "Items: 1")
        assert "answered without context" in page.find("estimate-no-chunk").text
        page.click("confirm-yes")
        job = finished(page, server, project_id, 0)
        assert (job.total, job.succeeded, job.failed) == (1, 1, 0)
        [pair] = generation.list_qa(server.core, project_id)
        assert pair.question_id == mine.id and pair.answer

        # Grounding: not applicable, shown on the pair's page — neither flagged nor clean.
        checked = quality.run_check(server.core, project_id, "ground")
        assert (checked.succeeded, checked.failed) == (1, 0)
        page.open(f"/projects/{project_id}/qa/{pair.id}")
        page.wait(lambda: "Not applicable" in page.find("qa-ground-na").text)
        assert not page.driver.find_elements(
            "css selector", "[data-testid='qa-quality-grounding-flag']"
        )
