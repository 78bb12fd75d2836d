"""Distillation from a topic with no documents, against the fake server over real HTTP: the
tag tree's shape and de-duplication, the tree edited between the steps, questions without a
chunk, their answers and dialogues, the judge without source material, grounding not
applicable, exports that keep the provenance — from the services, the CLI, REST and Python."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from easy_dataset.api import Workspace
from easy_dataset.generate import grow_topic_tree
from easy_dataset.generate.dedup import normalise
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, models, projects
from easy_dataset.services import tags as tag_service
from easy_dataset.services.generation import list_qa, list_questions
from easy_dataset.services.quality import build_report, run_check
from easy_dataset.services.quality.items import item_results
from easy_dataset.services.stages import estimate_stage, run_stage
from easy_dataset.services.tags import TagNode
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.models import Job, JobItem
from tests import fake_openai
from tests.api_support import api_client, ok, refused, wait_for_job
from tests.conftest import Cli
from tests.fake_kinds.distill import OVERLAP
from tests.fake_openai import FakeOpenAI

TOPIC = "Beekeeping"


@pytest.fixture
def project(app: App, fake: FakeOpenAI) -> str:
    """A project with no documents, the fake model its default."""
    projects.create_project(app, "topics")
    config = ModelConfig(
        name="fake", provider="custom", base_url=fake.base_url, model="m", max_retries=0
    )
    models.add_model(app, "topics", config)
    return "topics"


def prompts_sent(fake: FakeOpenAI) -> list[str]:
    return [str(body["messages"][-1]["content"]) for body in fake.stats().bodies()]


def topic_tree(app: App, project: str, topic: str = TOPIC) -> TagNode:
    [root] = [node for node in tag_service.tag_tree(app, project) if node.name == topic]
    return root


def leaves(node: TagNode) -> list[TagNode]:
    return [leaf for child in node.children for leaf in leaves(child)] or [node]


def all_names(node: TagNode) -> list[str]:
    return [node.name, *(name for child in node.children for name in all_names(child))]


def stored(app: App, table: type[Question] | type[QAPair]) -> list[Any]:
    with app.db.session() as session:
        rows = list(session.scalars(select(table).order_by(table.id)))
        session.expunge_all()
        return rows


def test_tree_has_the_depth_and_breadth_asked_and_is_grown_once(
    app: App, project: str, fake: FakeOpenAI
) -> None:
    guess = estimate_stage(app, project, "distill.tags", topic=TOPIC, depth=2, breadth=3)
    assert (guess.items, guess.calls) == (1, 1 + 3)
    done = run_stage(app, project, "distill.tags", topic=TOPIC, depth=2, breadth=3)
    assert (done.status, done.total, done.succeeded) == ("succeeded", 1, 1)
    root = topic_tree(app, project)
    assert [child.name for child in root.children] == [f"{TOPIC} aspect {i}" for i in (1, 2, 3)]
    for child in root.children:
        assert [leaf.name for leaf in child.children] == [
            f"{child.name} aspect {i}" for i in (1, 2, 3)
        ]
        assert all(not leaf.children for leaf in child.children)
    # One call per tag that got sub-topics, each naming the path it narrows down.
    sent = prompts_sent(fake)
    assert len(sent) == 4
    assert f"<path>\n{TOPIC} > {TOPIC} aspect 2\n</path>" in "\n".join(sent)
    # The job's item names the root: the next step knows it for a distilled topic.
    with app.db.session() as session:
        [result] = session.scalars(
            select(JobItem.result).join(Job).where(Job.type == "distill.tags")
        ).all()
    assert result["root_id"] == root.id and result["leaves"] == 9
    assert result["provenance"]["prompt"] == "distill_tags"
    # Grown already: nothing to do, whatever the case or spacing of the name.
    assert run_stage(app, project, "distill.tags", topic=" beekeeping ").total == 0


def test_a_name_already_in_the_tree_is_dropped_and_its_node_asked_again(
    app: App, project: str, fake: FakeOpenAI
) -> None:
    run_stage(app, project, "distill.tags", topic="Overlap", depth=2, breadth=2)
    root = topic_tree(app, project, "Overlap")
    names = all_names(root)
    assert len({normalise(name) for name in names}) == len(names) == 1 + 2 + 4
    # The fake offers "Overlap basics" at every node: kept once, under the root.
    assert [child.name for child in root.children] == [OVERLAP, "Overlap aspect 1"]
    basics = root.children[0]
    assert [leaf.name for leaf in basics.children] == [
        f"{OVERLAP} aspect 1",
        f"{OVERLAP} aspect 2",
    ]
    # Asked again once for the missing name, told which names are taken.
    again = [text for text in prompts_sent(fake) if "exactly 1 sub-topic" in text]
    assert len(again) == 1 and f"  - {OVERLAP}\n" in again[0]
    with app.db.session() as session:
        [result] = session.scalars(select(JobItem.result)).all()
    assert (result["calls"], result["duplicates"], result["short"]) == (4, 1, 0)


def test_duplicates_within_a_reply_and_a_short_node(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = [
        json.dumps({"topics": ["Smoke", "smoke!", "Hives"]}),
        json.dumps({"topics": ["Hives"]}),
    ]
    made: Callable[[dict[str, Any]], str] = fake_openai.reply_content
    monkeypatch.setattr(fake_openai, "reply_content", lambda b: queue.pop(0) if queue else made(b))
    config = ModelConfig(name="f", provider="custom", base_url=fake.base_url, model="m")

    async def grow() -> Any:
        client = OpenAIChatClient(config, None)
        try:
            return await grow_topic_tree(client, topic="Bees", depth=1, breadth=3, language="en")
        finally:
            await client.aclose()

    tree = asyncio.run(grow())
    assert [child.name for child in tree.children] == ["Smoke", "Hives"]
    assert (tree.calls, tree.duplicates, tree.short) == (2, 2, 1)
    second = prompts_sent(fake)[1]
    assert "exactly 1 sub-topic" in second
    assert all(f"  - {name}\n" in second for name in ("Smoke", "Hives", "smoke!"))


def test_questions_follow_the_tree_as_edited_between_the_steps(
    app: App, project: str, fake: FakeOpenAI
) -> None:
    run_stage(app, project, "distill.tags", topic=TOPIC, description="Keeping bees.", depth=1)
    first, second, third = topic_tree(app, project).children
    tag_service.rename_tag(app, project, first.id, "Hive inspection")
    tag_service.delete_tag(app, project, second.id)
    guess = estimate_stage(app, project, "distill.questions", per_leaf=2)
    assert (guess.items, guess.calls) == (2, 2)
    done = run_stage(app, project, "distill.questions", per_leaf=2)
    assert (done.status, done.succeeded) == ("succeeded", 2)
    questions = stored(app, Question)
    assert len(questions) == 4
    assert {q.tag_id for q in questions} == {first.id, third.id}
    for question in questions:
        assert question.chunk_id is None and question.origin == "distilled"
        assert question.provenance["source"] == "distilled"
        assert question.provenance["topic"] == TOPIC
        assert question.provenance["prompt"] == "distill_questions"
    renamed = [q for q in questions if q.tag_id == first.id]
    assert renamed[0].provenance["tag_path"] == [TOPIC, "Hive inspection"]
    assert renamed[0].text == "What matters most about Hive inspection, point 1?"
    sent = "\n".join(prompts_sent(fake))
    assert "Hive inspection" in sent and second.name not in sent.split("<path>")[-1]
    assert "What the topic covers: Keeping bees." in sent
    # Every leaf asked: nothing to do; a leaf added by hand is asked next time, alone.
    assert run_stage(app, project, "distill.questions").total == 0
    tag_service.add_tag(app, project, "Swarming", parent_id=topic_tree(app, project).id)
    assert run_stage(app, project, "distill.questions", per_leaf=1).succeeded == 1
    listed = list_questions(app, project, origin="distilled", limit=100)
    assert len(listed) == 5


def test_answers_judge_and_grounding_without_a_chunk(
    app: App, project: str, fake: FakeOpenAI, tmp_path: Path
) -> None:
    run_stage(app, project, "distill.tags", topic=TOPIC, depth=1, breadth=2)
    run_stage(app, project, "distill.questions", per_leaf=1)
    guess = estimate_stage(app, project, "answers.generate")
    assert (guess.items, guess.without_context) == (2, 2)
    answered = run_stage(app, project, "answers.generate")
    assert (answered.status, answered.succeeded) == ("succeeded", 2)
    pairs = stored(app, QAPair)
    for pair in pairs:
        assert pair.chunk_id is None and pair.answer and pair.cot
        assert pair.provenance["context"] == "none"
        assert pair.provenance["source"] == "distilled" and pair.provenance["topic"] == TOPIC
        assert pair.provenance["tag_path"][0] == TOPIC and len(pair.provenance["tag_path"]) == 2
        assert [s["prompt"] for s in pair.provenance["steps"]] == ["answer_open", "cot_open"]
    asked = [text for text in prompts_sent(fake) if "no reference material" in text]
    assert len(asked) == 2 and f"It belongs to this subject: {TOPIC} > {TOPIC} aspect" in asked[0]

    # The judge scores by its own knowledge, told the subject; no <material> in sight.
    guess = estimate_stage(app, project, "quality.judge")
    assert (guess.items, guess.calls) == (2, 2)
    judged = run_check(app, project, "judge")
    assert (judged.status, judged.succeeded, judged.failed) == ("succeeded", 2, 0)
    verdict = next(r for r in item_results(app, project, pairs[0].id) if r.kind == "judge")
    assert verdict.flagged is False and verdict.score == 4.2
    assert verdict.detail["scores"]["relevance"] == 5
    judge_prompts = [t for t in prompts_sent(fake) if "no source material for it" in t]
    assert len(judge_prompts) == 2
    assert all("<material>" not in t and "<subject>" in t for t in judge_prompts)

    # Grounding: not applicable, never a pass: no flag either way, counted apart.
    grounded = run_check(app, project, "ground")
    assert (grounded.status, grounded.failed) == ("succeeded", 0)
    result = next(r for r in item_results(app, project, pairs[0].id) if r.kind == "grounding")
    assert (result.score, result.flagged) == (None, None)
    assert result.detail["applicable"] is False
    assert list_qa(app, project, flagged=["grounding"]) == []
    report = build_report(app, project)
    assert report.checks["grounding"] == {"results": 2, "flagged": 0, "not_applicable": 2}
    assert report.checks["judge"]["not_applicable"] == 0
    consistency = next(f for f in report.figures if f.name == "semantic_consistency")
    assert consistency.value is None and consistency.basis["checked"] == 0


def test_dialogues_open_with_the_distilled_question(
    app: App, project: str, fake: FakeOpenAI
) -> None:
    run_stage(app, project, "distill.tags", topic=TOPIC, depth=1, breadth=2)
    run_stage(app, project, "distill.questions", per_leaf=1)
    done = run_stage(
        app, project, "distill.dialogues", min_turns=2, max_turns=2, user_role="new beekeeper"
    )
    assert (done.status, done.succeeded) == ("succeeded", 2)
    questions = {q.id: q for q in stored(app, Question)}
    dialogues = stored(app, QAPair)
    assert len(dialogues) == 2
    for dialogue in dialogues:
        question = questions[dialogue.question_id]
        roles = [m["role"] for m in dialogue.messages]
        assert roles == ["system", "user", "assistant", "user", "assistant"]
        assert dialogue.messages[1]["content"] == question.text == dialogue.question
        assert dialogue.kind == "dialogue" and dialogue.chunk_id is None
        assert dialogue.provenance["context"] == "none"
        assert dialogue.provenance["source"] == "distilled"
        assert dialogue.provenance["tag_path"] == question.provenance["tag_path"]
        assert dialogue.provenance["roles"]["assistant"] == f"expert in {TOPIC}"
        assert dialogue.provenance["prompt"] == "dialogue_open"
    # A question makes one sample: no answers, and no second dialogue.
    assert run_stage(app, project, "answers.generate").total == 0
    assert run_stage(app, project, "distill.dialogues").total == 0

    judged = run_check(app, project, "judge")
    assert (judged.succeeded, judged.failed) == (2, 0)
    verdict = next(r for r in item_results(app, project, dialogues[0].id) if r.kind == "judge")
    assert len(verdict.detail["turns"]) == 2 and verdict.detail["scores"]["relevance"] == 5
    turn_prompts = [t for t in prompts_sent(fake) if "Score the last turn" in t]
    assert len(turn_prompts) == 4 and all("<material>" not in t for t in turn_prompts)
    run_check(app, project, "ground")
    result = next(r for r in item_results(app, project, dialogues[0].id) if r.kind == "grounding")
    assert (result.flagged, result.detail["applicable"]) == (None, False)


def test_cli_distils_a_topic_and_exports_its_provenance(
    app: App, cli: Cli, project: str, tmp_path: Path
) -> None:
    summary = cli.json(
        "distill", TOPIC, "-p", project, "--depth", "2", "--breadth", "3", "--questions", "2"
    )
    assert [stage["stage"] for stage in summary["stages"]] == [
        "distill.tags",
        "distill.questions",
        "answers.generate",
    ]
    assert (summary["leaves"], summary["questions"], summary["samples"]) == (9, 18, 18)
    out = tmp_path / "distilled.jsonl"
    exported = cli("export", "-p", project, "--out", str(out), "--provenance")
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(rows) == 18
    for row in rows:
        assert row["instruction"] and row["output"]
        meta = row["metadata"]
        assert meta["source"] == "distilled" and meta["file"] is None
        assert meta["tag"] == meta["tag_path"][-1] and len(meta["tag_path"]) == 3
    paths = [tuple(row["metadata"]["tag_path"]) for row in rows]
    assert (TOPIC, f"{TOPIC} aspect 1", f"{TOPIC} aspect 1 aspect 1") in paths
    assert len(set(paths)) == 9 and all(paths.count(path) == 2 for path in paths)
    # Every step's options are checked before anything starts.
    refused = cli("distill", "Wasps", "-p", project, "--questions", "51")
    assert refused.exit_code == 1 and "per_leaf" in refused.output
    assert "Wasps" not in [node.name for node in tag_service.tag_tree(app, project)]
    # Run again: everything is done.
    again = cli.json("distill", TOPIC, "-p", project, "--depth", "2", "--breadth", "3")
    assert [stage["total"] for stage in again["stages"]] == [0, 0, 0]
    listed = cli.json("questions", "list", "-p", project, "--origin", "distilled", "--limit", "5")
    assert len(listed) == 5 and {row["origin"] for row in listed} == {"distilled"}


def test_cli_multi_turn_and_the_steps_one_by_one(
    app: App, cli: Cli, project: str, tmp_path: Path
) -> None:
    missing = cli("tags", "distill", "-p", project)
    assert missing.exit_code != 0 and "--topic" in missing.output
    blank = cli("tags", "distill", "-p", project, "--topic", "  ")
    assert blank.exit_code == 1 and "the topic needs a name" in blank.output
    deep = cli("tags", "distill", "-p", project, "--topic", TOPIC, "--depth", "5")
    assert deep.exit_code == 1 and "--depth" in deep.output
    grown = cli("tags", "distill", "-p", project, "--topic", TOPIC, "--depth", "1")
    assert grown.exit_code == 0, grown.output
    assert f"{TOPIC} aspect 3" in grown.output and "questions distill" in grown.output
    again = cli("tags", "distill", "-p", project, "--topic", TOPIC)
    assert "has its tree already" in again.output
    cli("tags", "delete", str(topic_tree(app, project).children[0].id), "-p", project)
    asked = cli.json("questions", "distill", "-p", project, "-n", "1")
    assert asked["succeeded"] == 2

    summary = cli.json("distill", TOPIC, "-p", project, "--multi-turn")
    assert summary["stages"][-1]["stage"] == "distill.dialogues"
    assert (summary["leaves"], summary["questions"], summary["samples"]) == (2, 2, 2)
    out = tmp_path / "dialogues.jsonl"
    cli("export", "-p", project, "--out", str(out), "--format", "sharegpt", "--provenance")
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    said = [turn["from"] for turn in rows[0]["conversations"]]
    assert said == ["human", "gpt"] * (len(said) // 2) and 2 <= len(said) // 2 <= 4
    assert rows[0]["metadata"]["kind"] == "dialogue"
    assert rows[0]["metadata"]["source"] == "distilled"
    assert sorted(row["metadata"]["tag_path"][-1] for row in rows) == [
        f"{TOPIC} aspect 2",
        f"{TOPIC} aspect 3",
    ]
    assert cli.json("quality", "ground", "-p", project)["succeeded"] == 2
    shown = cli("quality", "results", str(rows[0]["metadata"]["id"]), "-p", project)
    assert "n/a" in shown.output and "not applicable" in shown.output
    report = cli("report", "-p", project)
    assert report.exit_code == 0 and "n/a" in report.output


def test_rest_starts_each_step_and_the_tree_is_edited_in_between(
    home: Path, fake: FakeOpenAI
) -> None:
    with api_client(home) as api:
        ok(api.post("/api/projects", json={"name": "topics"}), 201)
        model = {"name": "fake", "provider": "custom", "base_url": fake.base_url, "model": "m"}
        ok(api.post("/api/projects/topics/models", json={**model, "max_retries": 0}), 201)
        url = "/api/projects/topics/stages"
        refused(api.post(f"{url}/distill.tags", json={}), 422)
        refused(api.post(f"{url}/distill.tags", json={"topic": TOPIC, "breadth": 11}), 422)
        guess = ok(api.post(f"{url}/distill.tags/estimate", json={"topic": TOPIC, "depth": 1}))
        assert (guess["items"], guess["calls"]) == (1, 1)
        job = ok(api.post(f"{url}/distill.tags", json={"topic": TOPIC, "depth": 1}), 202)
        assert wait_for_job(api, job["id"])["job"]["status"] == "succeeded"
        [root] = ok(api.get("/api/projects/topics/tags"))["tree"]
        assert root["name"] == TOPIC and len(root["children"]) == 3
        leaf = root["children"][0]
        ok(api.patch(f"/api/projects/topics/tags/{leaf['id']}", json={"name": "Queens"}))
        job = ok(api.post(f"{url}/distill.questions", json={"per_leaf": 1}), 202)
        assert wait_for_job(api, job["id"])["job"]["succeeded"] == 3
        page = ok(api.get("/api/projects/topics/questions", params={"origin": "distilled"}))
        assert page["total"] == 3 and any("Queens" in q["text"] for q in page["items"])
        job = ok(api.post(f"{url}/answers.generate", json={}), 202)
        assert wait_for_job(api, job["id"])["job"]["succeeded"] == 3
        stages = {info["name"]: info for info in ok(api.get("/api/stages"))}
        assert "topic" in stages["distill.tags"]["params"]["required"]
        assert {"distill.questions", "distill.dialogues"} <= set(stages)


def test_python_api_distils_a_topic(home: Path, fake: FakeOpenAI) -> None:
    with Workspace(home) as workspace:
        docs = workspace.project("topics", create=True)
        docs.add_model(
            ModelConfig(name="fake", provider="custom", base_url=fake.base_url, model="m")
        )
        summary = docs.distill(TOPIC, depth=1, breadth=2, questions=2, multi_turn=True)
        assert (summary.leaves, summary.questions, summary.samples) == (2, 4, 4)
        assert {pair.kind for pair in docs.qa_pairs()} == {"dialogue"}
        step = docs.run_stage("distill.tags", topic="Honey", depth=1, breadth=1)
        assert step.succeeded == 1
        assert docs.estimate("distill.questions", per_leaf=3).calls == 1
