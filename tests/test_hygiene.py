"""Hygiene of generated text: the pure repairs and flags, generation that stores repaired
text and records what it could not repair, export that lets no leaked tag through, and the
`hygiene` check over existing pairs from the CLI and the REST API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from easy_dataset.export import ExportOptions, ExportRecord, shape
from easy_dataset.generate.hygiene import check_pair, clean_answer, clean_question
from easy_dataset.llm.types import Completion, Message
from easy_dataset.services import App, generation
from easy_dataset.services.generation import common, run_stage
from easy_dataset.store.dataset import QAPair, QualityResult, Question
from tests.api_support import api_client, core, make_project, ok, wait_for_job
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import completion, seed_qa_pairs
from tests.test_generate_support import make_project as make_core_project

INSTRUCTION = "This question requires a detailed answer based on the given information."
JUNK_PAIRS = [
    ("How long does a worker bee live?',", "About six weeks in summer."),
    (INSTRUCTION, "Bees are insects."),
    ("What do drones do?", "<pre><code>Drones mate with young queens.</code></pre>"),
    ("Who lays the eggs?", "The queen.\n</answer>\n</think>"),
    ("Why is honey sealed?", "The ripe honey is sealed under wax."),
]


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        ("How long does a bee live?',", "How long does a bee live?"),
        ("What is a drone?,", "What is a drone?"),
        ('"What does \\"ripe\\" mean?"', 'What does \\"ripe\\" mean?'),
        ("1. Who lays the eggs?", "Who lays the eggs?"),
        ("What  is   wax?</question>", "What is wax?"),
    ],
)
def test_questions_repaired(raw: str, repaired: str) -> None:
    cleaned = clean_question(raw)
    assert (cleaned.text, cleaned.issues) == (repaired, ())
    assert cleaned.repairs
    assert clean_question(repaired).repairs == ()  # repaired text stays as it is


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (INSTRUCTION, "instruction"),
        ("Please generate 3 questions about bees.", "instruction"),
        ("本问题需要根据给定信息详细回答。", "instruction"),
        ("The queen lays eggs.", "not_a_question"),
        ("',", "empty"),
    ],
)
def test_questions_flagged(text: str, reason: str) -> None:
    assert clean_question(text).issues == (reason,)


@pytest.mark.parametrize(
    "text",
    ["Explain how bees make honey.", "什么是蜂王？", "蜂王每天产多少卵", "Is wax edible?"],
)
def test_real_questions_pass(text: str) -> None:
    assert clean_question(text).issues == ()


def test_answers_and_reasoning_repaired() -> None:
    assert clean_answer("<pre><code>Drones mate &amp; die.</code></pre>").text == (
        "Drones mate & die."
    )
    assert clean_answer("<p>One.</p><p>Two.</p>").text == "One.\n\nTwo."
    code = clean_answer('Run:\n<pre><code class="language-bash">apt  install\n  x</code></pre>')
    assert code.text == "Run:\n\n```bash\napt  install\n  x\n```"  # code keeps its spaces
    assert clean_answer("Wax.\n</answer>\n</think>").text == "Wax."
    assert clean_answer("<answer></answer>").issues == ("empty",)
    found = check_pair("Who?,", "The queen.</answer>", "I recall.\n</answer>\n</think>")
    assert (found.question, found.answer, found.cot) == ("Who?", "The queen.", "I recall.")
    assert not found.flagged and found.repaired


def test_export_lets_no_leaked_tag_through() -> None:
    record = ExportRecord(id=1, question="Who?", answer="The queen.</answer>", cot="Hm.\n</think>")
    for fmt in ("alpaca", "sharegpt", "messages"):
        for mode in ("think", "field", "omit"):
            options = ExportOptions(format=fmt, cot=mode)  # type: ignore[arg-type]
            text = json.dumps(shape(record, options))
            assert "</answer>" not in text
            assert text.count("</think>") == (1 if mode == "think" else 0)
    reasoning = shape(record, ExportOptions(format="reasoning"))
    assert (reasoning["answer"], reasoning["reasoning"]) == ("The queen.", "Hm.")


class JunkClient:
    """A model that writes what small models write: questions with stray quotes and an
    instruction among them, answers in HTML, reasoning with leaked tags."""

    config: Any = None

    async def chat(self, messages: list[Message], **_: Any) -> Completion:
        prompt = str(messages[-1]["content"])
        if "question" in prompt.lower() and "JSON" in prompt:
            if "only fertile female" in prompt:  # the queen's chunk
                question = INSTRUCTION
            elif "Foragers carry" in prompt:
                question = '"What do foragers carry home?",'
            else:
                question = "How long does a worker bee live?',"
            body = {"questions": [{"question": question}]}
            return completion(json.dumps(body))
        return completion("<pre><code>Six weeks.</code></pre>", "Bees age.\n</answer>\n</think>")

    async def aclose(self) -> None:
        pass


def test_generation_stores_repaired_text_and_flags_the_rest(
    app: App, tmp_path: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_core_project(app, tmp_path, fake.base_url)
    generation.update_generation_settings(app, project, tags_enabled=False)
    client = JunkClient()
    client.config = common.open_project_model(app, 1, {}).config
    monkeypatch.setattr(common, "open_project_model", lambda *_: client)
    assert run_stage(app, project, "questions.generate").status == "succeeded"
    with app.db.session() as session:
        texts = set(session.scalars(select(Question.text)))
        flagged = session.scalars(
            select(Question.text)
            .join(QualityResult, QualityResult.question_id == Question.id)
            .where(QualityResult.kind == "hygiene", QualityResult.flagged.is_(True))
        ).all()
    assert texts == {
        "How long does a worker bee live?",
        "What do foragers carry home?",
        INSTRUCTION,
    }
    assert set(flagged) == {INSTRUCTION}

    assert run_stage(app, project, "answers.generate").status == "succeeded"
    pairs = generation.list_qa(app, project)
    assert pairs and all(p.answer == "Six weeks." and p.cot == "Bees age." for p in pairs)
    marked = generation.list_qa(app, project, flagged=["hygiene"])
    assert {p.question for p in marked} == {INSTRUCTION}
    [result] = generation_results(app, marked[0].id)
    assert result["detail"]["issues"] == [{"field": "question", "reason": "instruction"}]


def generation_results(app: App, qa_id: int) -> list[dict[str, Any]]:
    with app.db.session() as session:
        rows = session.scalars(select(QualityResult).where(QualityResult.qa_id == qa_id))
        return [{"kind": r.kind, "flagged": r.flagged, "detail": r.detail} for r in rows]


def test_hygiene_check_from_the_cli(cli: Cli, app: App, tmp_path: Path, fake: FakeOpenAI) -> None:
    project = make_core_project(app, tmp_path, fake.base_url)
    ids = seed_qa_pairs(app, project, JUNK_PAIRS)
    ran = cli.json("quality", "hygiene", "-p", project)
    assert (ran["status"], ran["flagged"]) == ("succeeded", 1)
    listed = [p["id"] for p in cli.json("qa", "list", "-p", project, "--flagged", "hygiene")]
    assert listed == [ids[1]]
    shown = cli("quality", "results", str(ids[1]), "-p", project)
    assert "question: instruction" in shown.stdout
    assert cli.json("qa", "show", str(ids[0]), "-p", project)["question"] == (
        "How long does a worker bee live?"
    )
    assert cli.json("qa", "show", str(ids[2]), "-p", project)["answer"] == (
        "Drones mate with young queens."
    )
    assert cli.json("qa", "show", str(ids[3]), "-p", project)["answer"] == "The queen."
    with app.db.session() as session:  # the question of the pair is repaired with it
        question = session.scalar(select(Question).join(QAPair).where(QAPair.id == ids[0]))
        assert question is not None and question.text == "How long does a worker bee live?"


def test_hygiene_check_from_the_api(tmp_path: Path, fake: FakeOpenAI) -> None:
    with api_client(tmp_path / "home") as api:
        make_project(api, fake.base_url)
        project = "/api/projects/bees"
        ids = seed_qa_pairs(core(api), ok(api.get(project))["id"], JUNK_PAIRS)
        job = ok(api.post(f"{project}/quality/hygiene", json={}), 202)
        assert wait_for_job(api, job["id"])["job"]["status"] == "succeeded"
        page = ok(api.get(f"{project}/qa", params={"flagged": "hygiene"}))
        assert [item["id"] for item in page["items"]] == [ids[1]]
        results = ok(api.get(f"{project}/quality/results/{ids[2]}"))["results"]
        assert [(r["kind"], r["flagged"]) for r in results] == [("hygiene", False)]
        assert results[0]["detail"]["repairs"] == {"answer": ["html"]}
        exported = api.get(f"{project}/export", params={"exclude_flagged": "hygiene"})
        lines = [json.loads(line) for line in exported.text.splitlines()]
        assert len(lines) == len(JUNK_PAIRS) - 1
        assert INSTRUCTION not in exported.text and "<pre>" not in exported.text
