"""Narrowing generation jobs (chunks, files, tags; questions for answers), the estimate shown
before they start, and questions written without a chunk answered without context — from the
services, the CLI, REST and the Python API, against the fake server over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from easy_dataset.api import Workspace
from easy_dataset.server.app import create_app
from easy_dataset.services import App, projects
from easy_dataset.services import tags as tag_service
from easy_dataset.services.chunks import delete_chunks
from easy_dataset.services.generation import (
    add_question,
    list_questions,
)
from easy_dataset.services.jobs import show_job
from easy_dataset.services.quality import run_check
from easy_dataset.services.quality.items import item_results
from easy_dataset.services.stages import estimate_stage as estimate
from easy_dataset.services.stages import run_stage
from easy_dataset.services.stages import start_stage as start_job
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import Job, LLMCall
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import BEES, add_document, chunk_ids, make_project

OTHER = """# Wasps

## Nests

Paper wasps chew wood fibre into a pulp and build open combs under eaves. A nest is
founded in spring by one queen and abandoned in autumn, when only young queens survive.
"""


@pytest.fixture
def project(app: App, tmp_path: Path, fake: FakeOpenAI) -> str:
    return make_project(app, tmp_path, fake.base_url)


def jobs_of(app: App) -> list[Job]:
    with app.db.session() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def pairs(app: App) -> list[QAPair]:
    with app.db.session() as session:
        return list(session.scalars(select(QAPair).order_by(QAPair.id)))


def test_questions_scoped_to_a_file_or_chunks_and_estimated_first(
    app: App, project: str, tmp_path: Path
) -> None:
    first = chunk_ids(app, project)
    wasps = add_document(app, project, tmp_path, "wasps.md", OTHER)
    every = chunk_ids(app, project)
    assert len(every) > len(first)

    # The estimate plans exactly what the job plans, and creates nothing.
    guess = estimate(app, project, "questions.generate", file_ids=[wasps])
    assert guess.estimated and guess.items == len(every) - len(first) == guess.calls
    assert guess.prompt_tokens > 0 and guess.completion_tokens > 0
    assert guess.seconds is None and guess.latency_ms is None  # no call of "m" yet
    assert jobs_of(app) == []

    one_file = run_stage(app, project, "questions.generate", file_ids=[wasps])
    assert one_file.total == guess.items
    asked = {q.chunk_id for q in list_questions(app, project, limit=1000)}
    assert asked == set(every) - set(first)

    # Selected chunks only; the estimate now knows the model's latency from the usage log.
    guess = estimate(app, project, "questions.generate", chunk_ids=first[:1])
    assert (guess.items, guess.calls) == (1, 1)
    with app.db.session() as session:
        timed = len(session.scalars(select(LLMCall.id)).all())
    assert guess.latency_ms is not None and guess.latency_calls == timed
    assert guess.seconds is not None and guess.seconds >= 0
    chosen = run_stage(app, project, "questions.generate", chunk_ids=first[:1])
    assert chosen.total == 1
    asked = {q.chunk_id for q in list_questions(app, project, limit=1000)}
    assert first[0] in asked and not set(first[1:]) & asked


def test_answers_scoped_to_a_tag_and_its_subtree(app: App, project: str) -> None:
    tag_service.import_tags(app, project, "# Bees\n## Workers\n## Queens\n# Wasps\n")
    tree = tag_service.tag_tree(app, project)
    bees, wasps = tree[0], tree[1]
    workers = bees.children[0]
    chunk = chunk_ids(app, project)[0]
    tagged = [
        add_question(app, project, "What do workers do?", chunk_id=chunk, tag_id=workers.id),
        add_question(app, project, "Who builds nests?", chunk_id=chunk, tag_id=wasps.id),
        add_question(app, project, "How long do bees live?", chunk_id=chunk),
    ]
    guess = estimate(app, project, "answers.generate", tag_ids=[bees.id])
    assert guess.items == 1 and guess.calls == 2  # the answer and its chain of thought
    done = run_stage(app, project, "answers.generate", tag_ids=[bees.id])
    assert done.total == 1
    assert [pair.question_id for pair in pairs(app)] == [tagged[0].id]
    # Voting drafts k answers and finishes one.
    assert estimate(app, project, "answers.generate", votes=3).calls == 2 * 4


def test_questions_by_tag_take_the_chunks_whose_questions_carry_it(app: App, project: str) -> None:
    tag_service.import_tags(app, project, "# Bees\n## Workers\n# Wasps\n")
    tree = tag_service.tag_tree(app, project)
    chunks = chunk_ids(app, project)
    add_question(app, project, "What do workers do?", chunk_id=chunks[1], tag_id=tree[0].id)
    # A hand-written question does not make its chunk "asked": generated questions are
    # still to come for it, and only for it when the tag is the scope.
    assert estimate(app, project, "questions.generate", tag_ids=[tree[0].id]).items == 1
    assert estimate(app, project, "questions.generate", tag_ids=[tree[1].id]).items == 0
    job = start_job(app, project, "questions.generate", tag_ids=[tree[0].id])
    assert show_job(app, job, failures=0).job.total == 1


def test_a_question_without_a_chunk_is_answered_without_context(
    app: App, project: str, fake: FakeOpenAI
) -> None:
    mine = add_question(app, project, "Why do bees dance?")
    guess = estimate(app, project, "answers.generate")
    assert (guess.items, guess.without_context) == (1, 1)
    done = run_stage(app, project, "answers.generate")
    assert (done.status, done.total, done.succeeded) == ("succeeded", 1, 1)
    [pair] = pairs(app)
    assert pair.question_id == mine.id and pair.chunk_id is None and pair.answer
    assert pair.provenance["context"] == "none"
    assert pair.provenance["chunk"] is None and pair.provenance["file"] is None
    assert pair.provenance["prompt"] == "answer_open"
    assert [step["prompt"] for step in pair.provenance["steps"]] == ["answer_open", "cot_open"]
    prompts = [str(body["messages"][-1]["content"]) for body in fake.stats().bodies()]
    assert all("<material>" not in text for text in prompts)
    assert any("no reference material" in text for text in prompts)

    # Grounding: not applicable — neither a pass nor a fail.
    checked = run_check(app, project, "ground")
    assert (checked.status, checked.failed) == ("succeeded", 0)
    [result] = item_results(app, project, pair.id)
    assert result.kind == "grounding"
    assert (result.score, result.flagged) == (None, None)
    assert result.detail == {"applicable": False, "reason": "no source chunk"}

    # The judge has no chunk to score against: it scores by its own knowledge instead.
    judged = run_check(app, project, "judge")
    assert (judged.status, judged.total, judged.failed) == ("succeeded", 1, 0)
    verdict = next(r for r in item_results(app, project, pair.id) if r.kind == "judge")
    assert verdict.score is not None and verdict.flagged is False
    assert set(verdict.detail["scores"]) == {"question", "accuracy", "relevance", "consistency"}
    judge_prompt = str(fake.stats().bodies()[-1]["messages"][-1]["content"])
    assert "no source material" in judge_prompt and "<material>" not in judge_prompt
    assert run_check(app, project, "judge").total == 0  # recorded: not asked again


def test_generated_questions_whose_chunk_was_deleted_are_counted_not_answered(
    app: App, project: str
) -> None:
    run_stage(app, project, "questions.generate")
    first = chunk_ids(app, project)[0]
    orphans = len(list_questions(app, project, chunk_id=first, limit=1000))
    assert orphans
    delete_chunks(app, [first], project_ref=project)
    guess = estimate(app, project, "answers.generate")
    assert guess.skipped_no_chunk == orphans and guess.without_context == 0
    done = run_stage(app, project, "answers.generate")
    assert done.total == guess.items and done.failed == 0


def test_cli_answers_a_question_added_without_chunk_and_dry_run_starts_nothing(
    app: App, cli: Cli, project: str, tmp_path: Path
) -> None:
    added = cli.json("questions", "add", "Why do bees dance?", "-p", project)
    assert added["chunk_id"] is None
    guess = cli.json("questions", "answer", "-p", project, "--dry-run")
    assert (guess["items"], guess["without_context"], guess["estimated"]) == (1, 1, True)
    shown = cli("questions", "answer", "-p", project, "--dry-run")
    assert shown.exit_code == 0
    assert "items: 1" in shown.output and "time: unknown" in shown.output
    assert "answered without context" in shown.output
    assert jobs_of(app) == []

    ran = cli("questions", "answer", "-p", project)
    assert ran.exit_code == 0, ran.output
    assert "nothing to do" not in ran.output
    [pair] = pairs(app)
    assert pair.question_id == added["id"] and pair.provenance["context"] == "none"

    # Generating questions for one file only, after a dry run with the same figure.
    bees = set(chunk_ids(app, project))
    wasps = add_document(app, project, tmp_path, "wasps.md", OTHER)
    guess = cli.json("questions", "generate", "-p", project, "--file", str(wasps), "--dry-run")
    dry = cli("questions", "generate", "-p", project, "--file", str(wasps), "--dry-run")
    assert "time: " in dry.output and "ms per call" in dry.output  # timed by now
    result = cli.json("questions", "generate", "-p", project, "--file", str(wasps))
    assert result["total"] == guess["items"] > 0
    generated = list_questions(app, project, origin="generated", limit=1000)
    assert {q.chunk_id for q in generated} == set(chunk_ids(app, project)) - bees


def test_rest_estimate_and_scoped_stages(app: App, project: str, home: Path) -> None:
    pid = projects.get_project(app, project).id
    chunks = chunk_ids(app, project)
    server = create_app(app.settings, run_jobs=False)
    with TestClient(server, base_url="http://127.0.0.1") as client:
        url = f"/api/projects/{pid}/stages"
        guess = client.post(f"{url}/questions.generate/estimate", json={"chunk_ids": chunks[:2]})
        assert guess.status_code == 200, guess.text
        body = guess.json()
        assert (body["items"], body["calls"], body["estimated"]) == (2, 2, True)
        assert body["seconds"] is None and body["prompt_tokens"] > 0
        assert client.post(f"{url}/nope.generate/estimate", json={}).status_code == 404
        started = client.post(f"{url}/questions.generate", json={"chunk_ids": chunks[:2]})
        assert started.status_code == 202 and started.json()["total"] == 2

        add_question(app, project, "Why do bees dance?")
        answers = client.post(f"{url}/answers.generate/estimate", json={}).json()
        assert (answers["items"], answers["without_context"]) == (1, 1)
        bad = client.post(f"{url}/answers.generate/estimate", json={"tag_ids": [0]})
        assert bad.status_code == 422
        # The job plans the same item: the question written without a chunk.
        answering = client.post(f"{url}/answers.generate", json={})
        assert answering.status_code == 202 and answering.json()["total"] == 1


def test_python_api_estimates_and_answers_without_context(
    home: Path, tmp_path: Path, fake: FakeOpenAI
) -> None:
    with Workspace(home) as ws:
        make_project(ws.app, tmp_path, fake.base_url, name="api")
        docs = ws.project("api")
        mine = docs.add_question("Why do bees dance?")
        guess = docs.estimate("answers.generate")
        assert (guess.items, guess.without_context) == (1, 1)
        assert docs.run_stage("answers.generate").succeeded == 1
        assert docs.qa_pairs()[0].question_id == mine.id
        assert BEES  # the document the project was made from
