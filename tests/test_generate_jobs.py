"""The generation jobs over real HTTP against the fake server: tags, personas, questions,
answers and template answers; provenance, idempotent re-runs, recorded failures."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from easy_dataset.errors import NotFoundError
from easy_dataset.jobs import check_counts
from easy_dataset.services import App, projects
from easy_dataset.services import tags as tag_service
from easy_dataset.services.chunks import edit_chunk
from easy_dataset.services.generation import (
    list_personas,
    set_personas_active,
)
from easy_dataset.services.jobs import show_job
from easy_dataset.services.stages import run_stage
from easy_dataset.services.stages import start_stage as start_job
from easy_dataset.store.dataset import GenreAudience, QAPair, Question, QuestionTemplate, Tag
from easy_dataset.store.models import Job, JobItem, LLMCall
from tests.fake_openai import MALFORMED_TEXT, REASONING_TEXT, FakeOpenAI, Faults
from tests.test_generate_support import add_document, chunk_ids, make_project, settings

QA_PROVENANCE = {"file", "chunk", "heading_path", "persona", "tag", "model", "prompt", "version"}
QA_PROVENANCE |= {"job", "created", "language", "cot_source", "steps"}


@pytest.fixture
def project(app: App, tmp_path: Path, fake: FakeOpenAI) -> str:
    return make_project(app, tmp_path, fake.base_url)


def rows(app: App, model: type[Any]) -> list[Any]:
    with app.db.session() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def test_tags_built_questions_labelled_and_reruns_plan_nothing(app: App, project: str) -> None:
    built = run_stage(app, project, "tags.build")
    assert (built.status, built.total, built.succeeded) == ("succeeded", 1, 1)
    tree = tag_service.tag_tree(app, project)
    assert tree and tree[0].children  # two levels by default
    tag_ids = {tag.id for tag in rows(app, Tag)}

    asked = run_stage(app, project, "questions.generate")
    assert (asked.status, asked.total) == ("succeeded", 3)
    questions = rows(app, Question)
    assert {q.chunk_id for q in questions} == set(chunk_ids(app, project))
    assert all(q.tag_id in tag_ids for q in questions)
    leaf = tree[0].children[0].id
    assert {q.tag_id for q in questions} == {leaf}  # the most specific tag of that name
    for question in questions:
        assert question.origin == "generated" and question.ga_pair_id is None
        assert question.provenance == {
            "prompt": "questions",
            "version": "1",
            "language": "en",
            "model": "m",
            "job": asked.job_id,
        }

    # Nothing changed: a second run of each stage plans no items and writes nothing.
    assert run_stage(app, project, "tags.build").total == 0
    assert run_stage(app, project, "questions.generate").total == 0
    assert len(rows(app, Question)) == len(questions)

    # Deleting a tag never deletes its questions.
    tag_service.delete_tag(app, project, tree[0].id)
    kept = rows(app, Question)
    assert len(kept) == len(questions) and all(q.tag_id is None for q in kept)


def test_tag_tree_left_alone_when_locked_disabled_or_hand_made(
    app: App, project: str, tmp_path: Path
) -> None:
    tag_service.set_tag_options(app, project, locked=True)
    assert run_stage(app, project, "tags.build").total == 0
    tag_service.set_tag_options(app, project, locked=False, enabled=False)
    assert run_stage(app, project, "tags.build").total == 0
    tag_service.set_tag_options(app, project, enabled=True)
    tag_service.add_tag(app, project, "Beekeeping")
    assert run_stage(app, project, "tags.build").total == 0  # the user's own tree
    rebuilt = run_stage(app, project, "tags.build", rebuild=True)
    assert rebuilt.succeeded == 1
    # Unused hand-made tags give way to the model's tree.
    assert "Beekeeping" not in {tag.name for tag in rows(app, Tag)}


def test_tag_tree_revised_when_files_change_and_used_tags_kept(
    app: App, project: str, tmp_path: Path
) -> None:
    run_stage(app, project, "tags.build")
    run_stage(app, project, "questions.generate")
    before = {(tag.id, tag.name) for tag in rows(app, Tag)}
    add_document(app, project, tmp_path, "wasps.md", "# Wasps\n\nWasps hunt insects.\n")
    revised = run_stage(app, project, "tags.build")
    assert revised.total == 1 and revised.succeeded == 1
    with app.db.session() as session:
        result = session.scalar(select(JobItem.result).where(JobItem.job_id == revised.job_id))
    assert result is not None and result["mode"] == "revise"
    assert set(result["files"].values()) == {"bees.md", "wasps.md"}
    # The fake proposes the same names: every tag keeps its id (and questions their tags).
    assert {(tag.id, tag.name) for tag in rows(app, Tag)} == before
    assert all(q.tag_id is not None for q in rows(app, Question))


def test_personas_five_per_file_and_questions_once_per_active_pair(app: App, project: str) -> None:
    settings(app, project, tags_enabled=False)
    made = run_stage(app, project, "personas.generate")
    assert (made.status, made.total) == ("succeeded", 1)
    personas = list_personas(app, project)
    assert len(personas) == 5 and all(p.active for p in personas)
    assert run_stage(app, project, "personas.generate").total == 0

    off = [p.id for p in personas[3:]]
    set_personas_active(app, project, off, False)
    active = {p.id for p in personas[:3]}
    asked = run_stage(app, project, "questions.generate")
    chunks = chunk_ids(app, project)
    assert asked.total == len(chunks) * len(active)
    pairs = Counter((q.chunk_id, q.ga_pair_id) for q in rows(app, Question))
    assert set(pairs) == {(chunk, ga) for chunk in chunks for ga in active}
    with app.db.session() as session:
        keys = set(session.scalars(select(JobItem.key).where(JobItem.job_id == asked.job_id)))
    assert keys == {f"c{chunk}:g{ga}" for chunk in chunks for ga in active}

    # Switching a persona on plans only its own questions.
    set_personas_active(app, project, off[:1], True)
    again = run_stage(app, project, "questions.generate")
    assert again.total == len(chunks)
    assert run_stage(app, project, "questions.generate").total == 0


def test_answers_take_the_reasoning_content_as_chain_of_thought(
    app: App, project: str, fake: FakeOpenAI
) -> None:
    fake.set_faults(Faults(reasoning_field="reasoning_content"))
    run_stage(app, project, "questions.generate")
    fake.reset()
    answered = run_stage(app, project, "answers.generate")
    assert answered.status == "succeeded" and answered.total == len(rows(app, Question))
    pairs = rows(app, QAPair)
    assert len(pairs) == answered.total
    assert all(pair.cot == REASONING_TEXT for pair in pairs)
    assert all(pair.provenance["cot_source"] == "reasoning" for pair in pairs)
    assert fake.stats().total == answered.total  # one call per answer: nothing synthesised


def test_answers_synthesise_cot_with_complete_provenance(
    app: App, project: str, fake: FakeOpenAI
) -> None:
    run_stage(app, project, "tags.build")
    run_stage(app, project, "personas.generate")
    run_stage(app, project, "questions.generate")
    fake.reset()
    answered = run_stage(app, project, "answers.generate")
    questions = {q.id: q for q in rows(app, Question)}
    pairs = rows(app, QAPair)
    assert answered.succeeded == len(questions) == len(pairs)
    assert fake.stats().total == 2 * len(pairs)  # the answer, then its synthesised reasoning
    tags = {tag.id: tag.name for tag in rows(app, Tag)}
    personas = {p.id: p for p in list_personas(app, project)}
    for pair in pairs:
        question = questions[pair.question_id]
        source = pair.provenance
        assert set(source) >= QA_PROVENANCE
        assert pair.answer and pair.cot and pair.model == "m"
        assert pair.question == question.text and pair.chunk_id == question.chunk_id
        assert source["file"] == "bees.md" and source["chunk"] == question.chunk_id
        assert source["heading_path"] and source["heading_path"][0] == "Honey bees"
        assert source["tag"] == tags[question.tag_id] and source["tag_id"] == question.tag_id
        persona = personas[question.ga_pair_id]
        assert source["persona"] == f"{persona.genre} / {persona.audience}"
        assert (source["prompt"], source["version"], source["model"]) == ("answer", "1", "m")
        assert source["job"] == answered.job_id and source["cot_source"] == "synthesized"
        assert [step["prompt"] for step in source["steps"]] == ["answer", "cot_synthesize"]
    assert run_stage(app, project, "answers.generate").total == 0
    assert len(rows(app, QAPair)) == len(pairs)

    # Every call was logged for the project, the job and the model configuration.
    calls = [c for c in rows(app, LLMCall) if c.job_id == answered.job_id]
    assert len(calls) == 2 * len(pairs)
    assert {(c.project_id, c.model_config_id) for c in calls} == {(1, 1)}


def test_failures_keep_the_raw_output_and_the_next_run_retries_them(
    app: App, tmp_path: Path, fake: FakeOpenAI
) -> None:
    project = make_project(app, tmp_path, fake.base_url, validation_retries=0)
    fake.set_faults(Faults(p_malformed=1.0))
    failed = run_stage(app, project, "questions.generate")
    assert (failed.status, failed.failed, failed.succeeded) == ("failed", 3, 0)
    assert check_counts(app, failed.job_id) == []
    failures = show_job(app, failed.job_id).failures
    assert len(failures) == 3
    assert {(f.kind, f.raw_output) for f in failures} == {("parse", MALFORMED_TEXT)}
    assert not rows(app, Question)

    fake.set_faults(Faults())
    retried = run_stage(app, project, "questions.generate")
    assert (retried.status, retried.total, retried.succeeded) == ("succeeded", 3, 3)


def test_question_count_from_settings_reaches_the_model(
    app: App, project: str, fake: FakeOpenAI
) -> None:
    settings(app, project, tags_enabled=False, exact_questions=2)
    run_stage(app, project, "questions.generate")
    prompts = [body["messages"][-1]["content"] for body in fake.stats().bodies()]
    assert len(prompts) == 3 and all("Write 2 questions" in p for p in prompts)
    per_chunk = Counter(q.chunk_id for q in rows(app, Question))
    assert set(per_chunk) == set(chunk_ids(app, project))
    assert max(per_chunk.values()) <= 2


def test_run_stage_resumes_a_planned_job_instead_of_planning_it_twice(
    app: App, project: str
) -> None:
    planned = start_job(app, project, "questions.generate")
    # Planned but not run: a new plan leaves its items to it.
    assert start_job(app, project, "questions.generate") != planned
    summary = run_stage(app, project, "questions.generate")
    assert summary.total == 0
    assert Counter(q.chunk_id for q in rows(app, Question)) == Counter(
        {chunk: 1 for chunk in chunk_ids(app, project)}
    )


def test_an_unknown_model_is_refused_before_any_job_exists(app: App, project: str) -> None:
    with pytest.raises(NotFoundError, match="nobody"):
        start_job(app, project, "questions.generate", model="nobody")
    with pytest.raises(NotFoundError, match="nobody"):
        run_stage(app, project, "answers.generate", model="nobody")
    assert rows(app, Job) == []
    assert start_job(app, project, "questions.generate", model="fake") > 0


def test_question_templates_answered_in_their_types(app: App, project: str) -> None:
    pid = projects.get_project(app, project).id
    with app.db.session() as session:
        session.add_all(
            [
                QuestionTemplate(project_id=pid, question="Summarise this part."),
                QuestionTemplate(
                    project_id=pid,
                    question="Which caste is described?",
                    answer_type="label",
                    labels=["workers", "queen", "drones"],
                ),
                QuestionTemplate(
                    project_id=pid,
                    question="Extract the numbers.",
                    answer_type="json",
                    json_schema={
                        "type": "object",
                        "properties": {"days": {"type": "integer", "minimum": 0}},
                        "required": ["days"],
                    },
                ),
            ]
        )
    applied = run_stage(app, project, "templates.apply")
    assert (applied.status, applied.total) == ("succeeded", 9)
    by_type = Counter(p.provenance["answer_type"] for p in rows(app, QAPair))
    assert by_type == {"text": 3, "label": 3, "json": 3}
    for pair in rows(app, QAPair):
        if pair.provenance["answer_type"] == "label":
            assert pair.answer in {"workers", "queen", "drones"}
        if pair.provenance["answer_type"] == "json":
            assert pair.answer == '{"days": 4}'
    assert {q.origin for q in rows(app, Question)} == {"template"}
    assert run_stage(app, project, "templates.apply").total == 0
    # Template questions carry their answers already: nothing for answers.generate.
    assert run_stage(app, project, "answers.generate").total == 0


def test_a_persona_deleted_after_planning_fails_its_item_visibly(app: App, project: str) -> None:
    settings(app, project, tags_enabled=False)
    run_stage(app, project, "personas.generate")
    first_chunk = chunk_ids(app, project)[:1]
    job_id = start_job(app, project, "questions.generate", chunk_ids=first_chunk)
    with app.db.session() as session:
        first = session.scalar(select(GenreAudience).order_by(GenreAudience.id).limit(1))
        session.delete(first)
    summary = run_stage(app, project, "questions.generate", chunk_ids=first_chunk)
    assert summary.total == 0  # the planned job ran first and did the rest
    detail = show_job(app, job_id)
    assert (detail.job.succeeded, detail.job.failed) == (4, 1)
    assert detail.failures[0].kind == "NotFoundError"
    assert "was deleted" in detail.failures[0].message


def test_a_finished_chunk_is_asked_again_only_once_it_changes(app: App, project: str) -> None:
    settings(app, project, tags_enabled=False)
    run_stage(app, project, "questions.generate")
    first = chunk_ids(app, project)[0]
    with app.db.session() as session:
        for question in session.scalars(select(Question).where(Question.chunk_id == first)):
            session.delete(question)
    # Its item finished: deleting the questions is a reviewer's choice, not lost work.
    assert run_stage(app, project, "questions.generate").total == 0
    edit_chunk(app, first, "Drones are male bees. They do not sting and do not forage.")
    again = run_stage(app, project, "questions.generate")
    assert again.total == 1
    assert {q.chunk_id for q in rows(app, Question) if q.provenance["job"] == again.job_id} == {
        first
    }
