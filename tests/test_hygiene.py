"""Hygiene of generated text: the pure repairs and flags, generation that stores repaired
text and records what it could not repair, export that lets no leaked tag through, and the
`hygiene` check over existing pairs from the CLI and the REST API.

Only chat-template debris is a leaked tag, never in code: an answer about HTML's `<output>`
or XML in a fence goes through generation, the scan and export byte for byte. An edit
re-checks its pair (a fixed flag is gone), and the scan never rewrites a confirmed pair."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from easy_dataset.export import ExportOptions, ExportRecord, shape
from easy_dataset.generate.hygiene import (
    check_pair,
    clean_answer,
    clean_question,
    clean_reasoning,
    strip_leaked_tags,
)
from easy_dataset.llm.types import Completion, Message
from easy_dataset.services import App, generation, quality
from easy_dataset.services.export import ExportFilters, export_stream
from easy_dataset.services.job_support import common
from easy_dataset.services.stages import run_stage
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
        ("What  is   wax?<|im_end|>", "What is wax?"),
        ("<think></think>What is wax?", "What is wax?"),
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
        job = ok(api.post(f"{project}/stages/quality.hygiene", json={}), 202)
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


# An answer about HTML's <output> element (prose, inline code and a fence) and reasoning
# with XML in a fence: content, not debris, whatever tags they name.
OUTPUT_ANSWER = (
    "The `<output>` element holds the result of a calculation; write <output> with a "
    "`for` attribute naming the inputs:\n\n"
    "```html\n"
    '<form oninput="r.value = a.valueAsNumber + b.valueAsNumber">\n'
    '  <input id="a" type="number"> + <input id="b" type="number">\n'
    '  <output name="r" for="a b"></output>\n'
    "</form>\n"
    "```"
)
XML_COT = (
    "The service replies in XML:\n\n"
    "```xml\n"
    "<response>\n"
    "  <question>Sum?</question>\n"
    "  <answer>2</answer>\n"
    "  <think>kept: this is the payload</think>\n"
    "</response>\n"
    "```\n\n"
    "so `<answer>` and `</think>` here are element names, and so is <reasoning>."
)
CONTENT_QUESTION = "What does the HTML `<output>` element hold?"


@pytest.mark.parametrize(
    "text",
    [
        OUTPUT_ANSWER,
        XML_COT,
        "Wrap the result in <output></output> or <response>, not <question>.",
        "Qwen marks reasoning with `<think>` … `</think>` and ends a turn with `<|im_end|>`.",
        "~~~\n</answer>\n<|eot_id|>\n~~~",
        "An open fence keeps what follows:\n```\n<think>",
    ],
)
def test_content_that_names_tags_is_kept_byte_for_byte(text: str) -> None:
    assert strip_leaked_tags(text) == text
    for cleaned in (clean_answer(text), clean_reasoning(text)):
        assert (cleaned.text, cleaned.repairs) == (text, ())
    found = check_pair(CONTENT_QUESTION, text, text)
    assert (found.question, found.answer, found.cot) == (CONTENT_QUESTION, text, text)
    assert not (found.repaired or found.flagged)


@pytest.mark.parametrize(
    ("leaked", "clean"),
    [
        ("The queen.\n</answer>\n</think>", "The queen."),
        ("<think>\nHm.\n</think>\n\n<answer>The queen.</answer>", "Hm.\n\nThe queen."),
        ("The queen.<|im_end|>", "The queen."),
        ("The queen.<|eot_id|><|end_of_text|>", "The queen."),
        ("See `</think>` there.\n</THINK>", "See `</think>` there."),
        ("```xml\n<answer/>\n```\n</answer>", "```xml\n<answer/>\n```"),
    ],
)
def test_chat_template_debris_outside_code_is_removed(leaked: str, clean: str) -> None:
    assert strip_leaked_tags(leaked) == clean
    assert clean_answer(leaked).text == clean
    assert "tags" in clean_answer(leaked).repairs


class ContentClient:
    """A model that answers about HTML `<output>` and reasons over XML in a fence."""

    config: Any = None

    async def chat(self, messages: list[Message], **_: Any) -> Completion:
        prompt = str(messages[-1]["content"])
        if "question" in prompt.lower() and "JSON" in prompt:
            question = f"{CONTENT_QUESTION[:-1]} in example {len(prompt)}?"
            return completion(json.dumps({"questions": [{"question": question}]}))
        return completion(OUTPUT_ANSWER, XML_COT)

    async def aclose(self) -> None:
        pass


def scan(app: App, project: str | int) -> int:
    """Run the hygiene scan to the end; how many pairs it left flagged."""
    assert quality.run_check(app, project, "hygiene").status == "succeeded"
    return generation.count_qa(app, project, flagged=["hygiene"])


def exported(app: App, project: str | int, **options: Any) -> list[dict[str, Any]]:
    stream = export_stream(
        app, project, ExportOptions(file_type="jsonl", **options), ExportFilters()
    )
    return [json.loads(line) for line in b"".join(stream).decode().splitlines()]


def test_content_about_tags_survives_generation_scan_and_export(
    app: App, tmp_path: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_core_project(app, tmp_path, fake.base_url)
    generation.update_generation_settings(app, project, tags_enabled=False)
    client = ContentClient()
    client.config = common.open_project_model(app, 1, {}).config
    monkeypatch.setattr(common, "open_project_model", lambda *_: client)
    assert run_stage(app, project, "questions.generate").status == "succeeded"
    assert run_stage(app, project, "answers.generate").status == "succeeded"
    pairs = generation.list_qa(app, project)
    assert pairs and all((p.answer, p.cot) == (OUTPUT_ANSWER, XML_COT) for p in pairs)
    generation.edit_qa(app, project, pairs[0].id, confirmed=True)  # confirmed ones too

    assert scan(app, project) == 0
    after = generation.list_qa(app, project)
    assert [(p.question, p.answer, p.cot) for p in after] == [
        (p.question, OUTPUT_ANSWER, XML_COT) for p in pairs
    ]
    assert all("edited" not in p.provenance for p in after)

    for record in exported(app, project, format="alpaca", cot="field"):
        assert (record["output"], record["reasoning"]) == (OUTPUT_ANSWER, XML_COT)
    for record in exported(app, project, format="messages", cot="think"):
        reply = record["messages"][-1]["content"]
        assert reply == f"<think>\n{XML_COT}\n</think>\n\n{OUTPUT_ANSWER}"


def test_export_still_drops_leaked_debris_but_keeps_code(
    app: App, tmp_path: Path, fake: FakeOpenAI
) -> None:
    project = make_core_project(app, tmp_path, fake.base_url)
    [qa_id] = seed_qa_pairs(app, project, [(CONTENT_QUESTION, OUTPUT_ANSWER + "\n</answer>")])
    generation.edit_qa(app, project, qa_id, cot=XML_COT + "\n</answer>\n</think>")
    [record] = exported(app, project, format="sharegpt", cot="think")
    reply = record["conversations"][1]["value"]
    assert reply == f"<think>\n{XML_COT}\n</think>\n\n{OUTPUT_ANSWER}"


def hygiene_result(app: App, qa_id: int) -> dict[str, Any] | None:
    found = [r for r in generation_results(app, qa_id) if r["kind"] == "hygiene"]
    return found[0] if found else None


def test_an_edit_that_fixes_a_flagged_pair_clears_its_flag(
    app: App, tmp_path: Path, fake: FakeOpenAI
) -> None:
    project = make_core_project(app, tmp_path, fake.base_url)
    ids = seed_qa_pairs(app, project, JUNK_PAIRS)
    assert scan(app, project) == 1
    flagged = ExportFilters(exclude_flagged=["hygiene"])
    assert [p.id for p in generation.list_qa(app, project, flagged=["hygiene"])] == [ids[1]]
    assert len(exported(app, project, format="alpaca")) == len(JUNK_PAIRS)
    before = len([1 for _ in b"".join(export_stream(app, project, ExportOptions(), flagged))])

    generation.edit_qa(app, project, ids[1], question="What does the queen do?", confirmed=True)
    assert generation.list_qa(app, project, flagged=["hygiene"]) == []
    assert hygiene_result(app, ids[1]) is None
    lines = b"".join(export_stream(app, project, ExportOptions(), flagged)).splitlines()
    assert len(lines) == len(JUNK_PAIRS) and before > 0
    assert any(b"What does the queen do?" in line for line in lines)

    # An edit that makes a clean pair an instruction flags it, as generation would.
    generation.edit_qa(app, project, ids[4], question=INSTRUCTION)
    assert [p.id for p in generation.list_qa(app, project, flagged=["hygiene"])] == [ids[4]]
    result = hygiene_result(app, ids[4])
    assert result is not None and result["detail"]["issues"] == [
        {"field": "question", "reason": "instruction"}
    ]
    # A repaired pair edited keeps the note of what the scan repaired, unflagged.
    generation.edit_qa(app, project, ids[2], answer="Drones mate with queens.")
    result = hygiene_result(app, ids[2])
    assert result is not None and (result["flagged"], result["detail"]["repairs"]) == (
        False,
        {"answer": ["html"]},
    )


def test_an_edit_clears_the_flag_from_the_cli(
    cli: Cli, app: App, tmp_path: Path, fake: FakeOpenAI
) -> None:
    project = make_core_project(app, tmp_path, fake.base_url)
    ids = seed_qa_pairs(app, project, [(INSTRUCTION, "Bees are insects.")])
    assert cli.json("quality", "hygiene", "-p", project)["flagged"] == 1
    cli("qa", "edit", str(ids[0]), "-p", project, "--question", "What are bees?")
    assert cli.json("qa", "list", "-p", project, "--flagged", "hygiene") == []
    assert cli.json("quality", "results", str(ids[0]), "-p", project) == []


def test_an_edit_clears_the_flag_from_the_api(tmp_path: Path, fake: FakeOpenAI) -> None:
    with api_client(tmp_path / "home") as api:
        make_project(api, fake.base_url)
        url = "/api/projects/bees"
        [qa_id] = seed_qa_pairs(core(api), ok(api.get(url))["id"], [(INSTRUCTION, "Insects.")])
        job = ok(api.post(f"{url}/stages/quality.hygiene", json={}), 202)
        assert wait_for_job(api, job["id"])["job"]["status"] == "succeeded"
        assert ok(api.get(f"{url}/qa", params={"flagged": "hygiene"}))["total"] == 1
        ok(api.patch(f"{url}/qa/{qa_id}", json={"question": "What are bees?"}))
        assert ok(api.get(f"{url}/qa", params={"flagged": "hygiene"}))["items"] == []
        kept = api.get(f"{url}/export", params={"exclude_flagged": "hygiene"})
        assert "What are bees?" in kept.text


def pair_row(app: App, qa_id: int) -> QAPair:
    with app.db.session() as session:
        row = session.get(QAPair, qa_id)
        assert row is not None
        session.expunge(row)
        return row


def test_the_scan_flags_confirmed_pairs_instead_of_rewriting_them(
    app: App, tmp_path: Path, fake: FakeOpenAI
) -> None:
    project = make_core_project(app, tmp_path, fake.base_url)
    ids = seed_qa_pairs(app, project, JUNK_PAIRS)
    generation.confirm_qa(app, project, [ids[0], ids[2]])
    before = {qa_id: pair_row(app, qa_id) for qa_id in ids}
    assert scan(app, project) == 3

    # Confirmed: not a byte changed, flagged with the repair the scan would make.
    for qa_id in (ids[0], ids[2]):
        row = pair_row(app, qa_id)
        assert (row.question, row.answer, row.cot, row.provenance) == (
            before[qa_id].question,
            before[qa_id].answer,
            before[qa_id].cot,
            before[qa_id].provenance,
        )
    quoted = hygiene_result(app, ids[0])
    assert quoted is not None and quoted["flagged"] is True
    assert quoted["detail"]["issues"] == [{"field": "question", "reason": "needs_repair"}]
    assert quoted["detail"]["repairs"] == {}
    assert quoted["detail"]["proposed"] == {
        "question": {
            "text": "How long does a worker bee live?",
            "repairs": ["punctuation", "quotes"],
        }
    }
    wrapped = hygiene_result(app, ids[2])
    assert wrapped is not None
    assert wrapped["detail"]["proposed"]["answer"]["text"] == "Drones mate with young queens."
    with app.db.session() as session:  # nor is its question row
        question = session.scalar(select(Question).join(QAPair).where(QAPair.id == ids[0]))
        assert question is not None and question.text == JUNK_PAIRS[0][0]

    # Unconfirmed: repaired, and the provenance says hygiene edited it.
    leaked = pair_row(app, ids[3])
    assert leaked.answer == "The queen."
    assert leaked.provenance["edited_by"] == "hygiene" and leaked.provenance["edited"]
    assert "edited" not in pair_row(app, ids[4]).provenance  # nothing to repair

    # The reviewer makes the repair by hand: the flag is gone, nothing more to hold.
    generation.edit_qa(app, project, ids[0], question="How long does a worker bee live?")
    assert hygiene_result(app, ids[0]) is None
    assert "edited_by" not in pair_row(app, ids[0]).provenance


def add_pair_of(app: App, qa_id: int, answer: str, *, confirmed: bool) -> int:
    """Another pair of the same question (a second answer, as voting or a retry makes)."""
    with app.db.session() as session:
        first = session.get(QAPair, qa_id)
        assert first is not None
        pair = QAPair(
            project_id=first.project_id,
            question_id=first.question_id,
            chunk_id=first.chunk_id,
            question=first.question,
            answer=answer,
            confirmed=confirmed,
        )
        session.add(pair)
        session.flush()
        return pair.id


def test_the_scan_repairs_a_question_everywhere_it_is_asked(
    app: App, tmp_path: Path, fake: FakeOpenAI
) -> None:
    project = make_core_project(app, tmp_path, fake.base_url)
    quoted, held = seed_qa_pairs(
        app,
        project,
        [("How long does a worker bee live?',", "Six weeks."), ("Who lays eggs?,", "The queen.")],
    )
    sibling = add_pair_of(app, quoted, "About six weeks.", confirmed=False)
    confirmed_sibling = add_pair_of(app, held, "Only the queen.", confirmed=True)
    scan(app, project)

    # Every pair of the question and its row ask the repaired text, each stamped.
    for qa_id in (quoted, sibling):
        row = pair_row(app, qa_id)
        assert row.question == "How long does a worker bee live?"
        assert row.provenance["edited_by"] == "hygiene"
    with app.db.session() as session:
        texts = set(session.scalars(select(Question.text)))
    assert "How long does a worker bee live?" in texts

    # A question one confirmed pair asks is not rewritten under it: flagged instead.
    assert pair_row(app, held).question == "Who lays eggs?,"
    assert pair_row(app, confirmed_sibling).question == "Who lays eggs?,"
    assert "Who lays eggs?," in texts
    result = hygiene_result(app, held)
    assert result is not None and result["flagged"] is True
    assert result["detail"]["proposed"]["question"]["text"] == "Who lays eggs?"
