"""The questions screen in a real browser: questions generated and answered by jobs started
from the page (against the fake OpenAI server), paged, filtered, added, edited, deleted;
the tree by tag with its counts; question templates added and applied; errors as notices;
hostile text shown as text."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import (
    chunk_labels,
    chunks,
    files,
    generation,
    jobs,
    models,
    projects,
    quality,
    tags,
)
from easy_dataset.services.generation import templates
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.helpers import GUIDE, write

IMG = "<img src=x onerror=alert(1)>"


def make_project(server: LiveServer, tmp_path: Path, base_url: str | None = None) -> int:
    settings = ChunkSettings(strategy="fixed", size=120, overlap=0)
    project = projects.create_project(server.core, "Questions", chunking=settings)
    files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    tags.import_tags(server.core, project.id, "# Bees\n## Workers\n## Queens\n")
    if base_url is not None:
        config = ModelConfig(name="fake", provider="custom", base_url=base_url, model="m")
        models.add_model(server.core, project.id, config)
    return project.id


def tag_id(server: LiveServer, project_id: int, name: str) -> int:
    for root in tags.tag_tree(server.core, project_id):
        for node in [root, *root.children]:
            if node.name == name:
                return node.id
    raise AssertionError(name)


def count(server: LiveServer, project_id: int, **filters: object) -> int:
    return generation.count_questions(server.core, project_id, **filters)


def wait_job(
    page: Browser, server: LiveServer, project_id: int, kind: str, jobs_before: int
) -> int:
    page.wait(lambda: len(jobs.list_jobs(server.core, project_ref=project_id)) > jobs_before)
    job = jobs.list_jobs(server.core, project_ref=project_id, limit=1)[0]
    assert job.type == kind
    page.wait(
        lambda: "succeeded" in page.find(f"job-notice-{job.id}").text,
        timeout=60,
        what=f"the {kind} job",
    )
    return job.id


def questions(count: int, before: str = "") -> str:
    """ "1 question", "3 questions" (with `before` the noun: "1 unanswered question")."""
    return f"{count} {before}question" + ("" if count == 1 else "s")


def total_is(page: Browser, text: str) -> None:
    page.wait(lambda: text in page.find("qs-total").text, what=f"the total {text!r}")


def test_generate_filter_edit_delete_answer_and_tree(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        workers, queens = (
            tag_id(server, project_id, "Workers"),
            tag_id(server, project_id, "Queens"),
        )
        chunk_rows = chunks.list_chunks(server.core, project_id)[1]
        chunk_ids = [row.id for row in chunk_rows]
        page.open(f"/projects/{project_id}/questions")
        total_is(page, "0 questions")
        page.click("qs-generate")
        page.click("confirm-yes")  # after the estimate
        wait_job(page, server, project_id, "questions.generate", 0)
        generated = count(server, project_id)
        assert generated >= len(chunk_ids)
        total_is(page, questions(generated))  # the finished job refreshed the list
        assert count(server, project_id, tag_id=workers) == generated  # the first leaf

        # add one by hand with a chunk and a tag; an empty one is refused, nothing changes
        page.click("qs-add")
        page.type("question-form-text", "  ")
        page.click("question-form-save")
        page.wait_text("a question needs some text")
        assert count(server, project_id) == generated
        page.type("question-form-text", "How do I install it on Linux?")
        # the chunk is picked by file and place in it, never typed as an id
        first = chunk_rows[0]
        page.choose("question-form-chunk-file", first.file_name)
        picks = chunk_labels.chunk_choices(server.core, project_id, first.file_id)
        page.choose("question-form-chunk", picks[first.id])
        page.choose("question-form-tag", "Bees › Queens")
        page.click("question-form-save")
        total_is(page, questions(generated + 1))
        [mine] = generation.list_questions(server.core, project_id, origin="manual")
        assert (mine.chunk_id, mine.tag_id, mine.answered) == (chunk_ids[0], queens, False)
        page.wait(lambda: "Linux" in page.find(f"question-text-{mine.id}").text)

        # filters: origin, text, tag, answered
        page.choose("qs-origin", "manual")
        total_is(page, "1 question ·")
        page.choose("qs-origin", "All")
        page.type("qs-search", "linux")
        total_is(page, "1 question ·")
        page.type("qs-search", "")
        total_is(page, questions(generated + 1))
        page.choose("qs-tag", "Bees › Queens")
        total_is(page, "1 question ·")
        page.choose("qs-tag", "All")
        total_is(page, questions(generated + 1))

        # edit text and tag
        page.click(f"question-edit-{mine.id}")
        page.type("question-form-text", "How do I install the tool on Linux?")
        page.choose("question-form-tag", "(no tag)")
        page.click("question-form-save")
        page.wait(lambda: "the tool" in page.find(f"question-text-{mine.id}").text)
        edited = generation.list_questions(server.core, project_id, origin="manual")[0]
        assert (edited.text, edited.tag_id) == ("How do I install the tool on Linux?", None)

        # delete two generated ones after confirming
        first, second = generation.list_questions(server.core, project_id, limit=2)
        page.click(f"question-select-{first.id}")
        page.click(f"question-select-{second.id}")
        page.click("qs-delete")
        page.click("confirm-yes")
        total_is(page, questions(generated - 1))
        assert count(server, project_id) == generated - 1

        # answer the selected one, then all the rest
        page.wait(lambda: page.find(f"question-select-{mine.id}"))
        page.click(f"question-select-{mine.id}")
        page.click("qs-answer-selected")
        page.wait(lambda: "Items: 1" in page.find("estimate-items").text)
        page.click("confirm-yes")
        job_id = wait_job(page, server, project_id, "answers.generate", 1)
        assert jobs.show_job(server.core, job_id).job.params["question_ids"] == [mine.id]
        [pair] = generation.list_qa(server.core, project_id)
        assert pair.question_id == mine.id and pair.answer
        page.choose("qs-answered", "answered")
        total_is(page, "1 question ·")
        page.choose("qs-answered", "unanswered")
        total_is(page, questions(generated - 2))
        page.click("qs-voting")  # consistency voting: three answers each, kept when they agree
        page.click("qs-answer-all")
        page.wait(lambda: f"Items: {generated - 2}" in page.find("estimate-items").text)
        page.click("confirm-yes")
        voted = wait_job(page, server, project_id, "answers.generate", 2)
        assert jobs.show_job(server.core, voted).job.params["votes"] == 3
        last = generation.list_qa(server.core, project_id, newest_first=True, limit=1)[0]
        kinds = [r.kind for r in quality.item_results(server.core, project_id, last.id)]
        assert kinds == ["votes"]
        total_is(page, "0 questions")  # the unanswered filter, after the job
        assert generation.count_qa(server.core, project_id) == generated - 1
        assert count(server, project_id, answered=False) == 0
        page.choose("qs-answered", "All")

        # the tree by tag: counts per tag and untagged, questions on expanding
        page.click("qs-tab-tree")
        page.wait(lambda: f"Workers ({generated - 2})" in page.find(f"tree-tag-{workers}").text)
        page.wait(lambda: "Queens (0)" in page.find(f"tree-tag-{queens}").text)
        page.wait(lambda: "Untagged (1)" in page.find("tree-untagged").text)
        page.click("tree-untagged")
        page.wait(lambda: "the tool" in page.find(f"tree-question-text-{mine.id}").text)
        page.click(f"tree-tag-{workers}")  # its first page (20) below the untagged one
        rows = "[data-testid^='tree-question-text-']"
        expected = min(generated - 2, 20) + 1
        page.wait(lambda: len(page.driver.find_elements(By.CSS_SELECTOR, rows)) == expected)
        # a filter narrows the tree's counts too
        page.choose("qs-origin", "manual")
        page.wait(lambda: "Workers (0)" in page.find(f"tree-tag-{workers}").text)
        page.wait(lambda: "Untagged (1)" in page.find("tree-untagged").text)
        assert page.alerts() == []


def test_pages_jump_and_keyset(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    project_id = make_project(server, tmp_path)
    workers = tag_id(server, project_id, "Workers")
    ids = [
        generation.add_question(
            server.core, project_id, f"Question number {n:02d}?", tag_id=workers if n < 25 else None
        ).id
        for n in range(45)
    ]
    page.open(f"/projects/{project_id}/questions")
    total_is(page, "45 questions · page 1 of 3")
    page.choose("qs-page-size", "10")
    total_is(page, "45 questions · page 1 of 5")

    def shown() -> list[int]:
        found = page.driver.find_elements(By.CSS_SELECTOR, "[data-testid^='question-text-']")
        return [int(str(e.get_attribute("data-testid")).rsplit("-", 1)[1]) for e in found]

    assert shown() == ids[:10]
    page.click_text("2", within="qs-pager")  # the next: keyset
    total_is(page, "page 2 of 5")
    page.wait(lambda: shown() == ids[10:20])
    page.click_text("5", within="qs-pager")  # a jump: offset
    total_is(page, "page 5 of 5")
    page.wait(lambda: shown() == ids[40:])
    # deleting the whole last page goes back to the one before
    for question_id in ids[40:]:
        page.click(f"question-select-{question_id}")
    page.click("qs-delete")
    page.click("confirm-yes")
    total_is(page, "40 questions · page 4 of 4")
    page.wait(lambda: shown() == ids[30:40])
    # the tree shows a tag's first page; the rest are in the list filtered by that tag
    page.click("qs-tab-tree")
    page.wait(lambda: "Workers (25)" in page.find(f"tree-tag-{workers}").text)
    page.wait(lambda: "Untagged (15)" in page.find("tree-untagged").text)
    page.click(f"tree-tag-{workers}")
    page.wait_text("First 20 of 25")
    page.click(f"tree-show-{workers}")
    total_is(page, "25 questions · page 1 of 3")
    page.wait(lambda: shown() == ids[:10])


def test_templates_added_edited_and_applied(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        chunk_count = len(chunks.list_chunks(server.core, project_id)[1])
        page.open(f"/projects/{project_id}/questions")
        page.click("qs-tab-templates")
        page.find("tpl-none")
        # a label answer needs two labels: refused with the service's message
        page.type("tpl-form-question", "Which part of the guide is this?")
        page.choose("tpl-form-type", "Label")
        page.paste("tpl-form-labels", "install\n")
        page.click("tpl-add")
        page.wait_text("a label answer needs 2 to 200 distinct, non-empty labels")
        assert templates.list_templates(server.core, project_id) == []
        page.paste("tpl-form-labels", "install\nusage\nintro\n")
        page.click("tpl-add")
        page.wait(lambda: templates.list_templates(server.core, project_id), what="the template")
        [template] = templates.list_templates(server.core, project_id)
        assert (template.answer_type, template.labels) == ("label", ["install", "usage", "intro"])
        assert page.find(f"tpl-type-{template.id}").text == "Label: install · usage · intro"
        # a JSON template with a schema that is not JSON: a notice
        page.type("tpl-form-question", "Extract the steps.")
        page.choose("tpl-form-type", "JSON")
        page.paste("tpl-form-schema", "{not json")
        page.click("tpl-add")
        page.wait_text("The JSON schema is not JSON")
        assert len(templates.list_templates(server.core, project_id)) == 1
        # edit the label template
        page.click(f"tpl-edit-{template.id}")
        page.type("tpl-edit-question", "Which section is this?")
        page.click("tpl-edit-save")
        page.wait(lambda: page.find(f"tpl-question-{template.id}").text == "Which section is this?")
        assert templates.list_templates(server.core, project_id)[0].question == (
            "Which section is this?"
        )
        # apply: one templated question and a labelled answer per chunk
        page.click("tpl-apply")
        page.wait(lambda: page.find("estimate-items").text == f"Items: {chunk_count}")
        page.click("confirm-yes")
        wait_job(page, server, project_id, "templates.apply", 0)
        assert count(server, project_id, origin="template") == chunk_count
        pairs = generation.list_qa(server.core, project_id)
        assert len(pairs) == chunk_count
        assert all(pair.answer in {"install", "usage", "intro"} for pair in pairs)
        page.click("qs-tab-list")
        total_is(page, questions(chunk_count))
        page.choose("qs-answered", "answered")
        total_is(page, questions(chunk_count))
        # delete the template; its questions stay
        page.click("qs-tab-templates")
        page.click(f"tpl-delete-{template.id}")
        page.click("confirm-yes")
        page.find("tpl-none")
        assert templates.list_templates(server.core, project_id) == []
        assert count(server, project_id, origin="template") == chunk_count


def test_hostile_question_and_tag_show_as_text(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    project_id = make_project(server, tmp_path)
    tags.add_tag(server.core, project_id, IMG)
    page.open(f"/projects/{project_id}/questions")
    total_is(page, "0 questions")
    page.click("qs-add")
    page.type("question-form-text", IMG)
    page.choose("question-form-tag", IMG)
    page.click("question-form-save")
    total_is(page, questions(1))
    [question] = generation.list_questions(server.core, project_id)
    assert (question.text, question.tag) == (IMG, IMG)
    assert page.find(f"question-text-{question.id}").text == IMG
    assert IMG in page.find(f"question-meta-{question.id}").text
    page.click(f"question-edit-{question.id}")
    page.find("question-form-text")
    page.click_text("Cancel")
    page.click("qs-tab-tree")
    hostile = tag_id(server, project_id, IMG)
    page.wait(lambda: f"{IMG} (1)" in page.find(f"tree-tag-{hostile}").text)
    page.click(f"tree-tag-{hostile}")
    page.wait(lambda: page.find(f"tree-question-text-{question.id}").text == IMG)
    assert page.driver.find_elements(By.CSS_SELECTOR, "img[src='x']") == []
    assert page.alerts() == []
