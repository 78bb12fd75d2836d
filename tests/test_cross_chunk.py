"""Cross-chunk questions: groups by headings and by embedding, answers whose every part is
credited to a chunk of the group, grounding against the whole group, from the CLI, REST
and Python."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from easy_dataset.api import Workspace
from easy_dataset.config import Settings
from easy_dataset.generate.chunk_groups import (
    ChunkGroup,
    GroupChunk,
    heading_groups,
    related_headings,
    similar_groups,
)
from easy_dataset.generate.cross_chunk import GroupChunkText, generate_cross_chunk
from easy_dataset.quality.embedding import normalise
from easy_dataset.server.app import create_app
from easy_dataset.services import App, projects, quality, stages
from easy_dataset.services import generation as gen
from easy_dataset.services.quality_results import results_for
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.models import Chunk
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import StubClient, add_document, chunk_ids, make_project

# A second document on bees: one passage on the subject of the first's "The queen", one
# on something else entirely.
REARING = """# Queen rearing

## Rearing queens

A colony raises a new queen when the old one fails or dies. Nurse bees feed a few young
larvae only royal jelly in large queen cells, and the first virgin queen to emerge kills
her rivals. After her mating flights she lays up to two thousand eggs a day.

## Filing a tax return

Self-employed people must file a return by the end of January. Late returns cost a fixed
penalty of one hundred pounds, and interest is charged on unpaid tax from the due date.
"""


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- grouping --------------------------------------------------------------------------------


def test_headings_relate_one_section_and_its_siblings_not_cousins() -> None:
    linux, windows = ("Guide", "Install", "Linux"), ("Guide", "Install", "Windows")
    assert related_headings(linux, windows)  # siblings under "Install"
    assert related_headings(("Guide",), linux)  # a section and one inside it
    assert related_headings(linux, linux)
    assert not related_headings(linux, ("Guide", "Use", "Tips"))  # cousins
    assert not related_headings(("Guide",), ("Other",))
    assert related_headings((), ())  # a document without headings: neighbours
    assert not related_headings((), ("Guide",))


def test_heading_groups_are_runs_of_related_neighbours() -> None:
    chunks = [
        GroupChunk(1, 1, 0, ("Guide",)),
        GroupChunk(2, 1, 1, ("Guide", "Install", "Linux")),
        GroupChunk(3, 1, 2, ("Guide", "Install", "Windows")),
        GroupChunk(4, 1, 3, ("Guide", "Use", "Tips")),
        GroupChunk(5, 1, 4, ("Guide", "Use", "Tips")),
        GroupChunk(7, 2, 0, ()),
        GroupChunk(8, 2, 1, ()),
        GroupChunk(9, 3, 0, ("Alone",)),
        GroupChunk(10, 3, 2, ("Alone",)),  # not adjacent: the chunk between is out of scope
    ]
    # "Windows" and "Tips" are cousins: 3 has no partner once 1-2 is taken.
    assert heading_groups(chunks, 2) == [
        ChunkGroup((1, 2)),
        ChunkGroup((4, 5)),
        ChunkGroup((7, 8)),
    ]
    # Three at most, each related to the run's first chunk.
    assert heading_groups(list(reversed(chunks)), 3) == [
        ChunkGroup((1, 2, 3)),
        ChunkGroup((4, 5)),
        ChunkGroup((7, 8)),
    ]
    with pytest.raises(ValueError, match="2 to 3 chunks"):
        heading_groups(chunks, 4)


def test_similar_groups_join_files_best_pair_first() -> None:
    # a and b (file 1) are near-copies; c (file 2) is close to both; d (file 2) to none.
    vectors = normalise(
        np.array([[1, 0, 0], [0.99, 0.141, 0], [0.95, 0, 0.312], [0, 1, 0]], dtype=np.float32)
    )
    chunks = [GroupChunk(11, 1, 0, ()), GroupChunk(12, 1, 1, ()), GroupChunk(21, 2, 0, ())]
    chunks.append(GroupChunk(22, 2, 1, ()))
    pairs = similar_groups(chunks, vectors, 2, 0.9)
    # a-b is the closest pair but within one file; a-c beats b-c, and c is then taken.
    assert [group.chunk_ids for group in pairs] == [(11, 21)]
    assert pairs[0].similarity == pytest.approx(0.95, abs=1e-3)
    # Three: the pair grows by the chunk closest to both, from any file.
    [triple] = similar_groups(chunks, vectors, 3, 0.9)
    assert triple.chunk_ids == (11, 21, 12)
    assert triple.similarity == pytest.approx(float(vectors[1] @ vectors[2]), abs=1e-3)
    assert similar_groups(chunks, vectors, 2, 0.97) == []


# -- one group's questions and answers -------------------------------------------------------


def test_answer_parts_are_credited_to_their_chunks() -> None:
    reply = {
        "questions": [
            {
                "question": "How does the queen differ from the workers in what she can do?",
                "answer": [
                    {"text": "Worker bees are sterile females [1].", "chunk": 1},
                    {"text": "The queen is the only fertile female.", "chunk": "[2]"},
                ],
            },
            # Resting on one chunk: it did not need the group.
            {
                "question": "What do worker bees feed?",
                "answer": [{"text": "They feed the larvae.", "chunk": 1}],
            },
        ]
    }
    client = StubClient(json.dumps(reply))
    chunks = [
        GroupChunkText(10, "Worker bees are sterile females.", "bees.md", ("Bees", "Workers")),
        GroupChunkText(20, "The queen is the only fertile female.", "bees.md", ("Bees",)),
    ]
    result = asyncio.run(generate_cross_chunk(client, chunks=chunks, count=2, language="en"))
    [qa] = result.items
    assert qa.answer == "Worker bees are sterile females. The queen is the only fertile female."
    assert [part.to_dict() for part in qa.support] == [
        {"text": "Worker bees are sterile females.", "chunk_id": 10},
        {"text": "The queen is the only fertile female.", "chunk_id": 20},
    ]
    assert qa.chunk_ids == (10, 20) and result.dropped == 1
    prompt = client.prompt_of(0)
    assert '<chunk label="1">' in prompt and '<chunk label="2">' in prompt
    assert "Section: Bees > Workers" in prompt
    with pytest.raises(ValueError, match="at least two chunks"):
        asyncio.run(generate_cross_chunk(client, chunks=chunks[:1], count=1, language="en"))


# -- the stage --------------------------------------------------------------------------------


def _samples(app: App) -> list[QAPair]:
    with app.db.session() as session:
        rows = list(session.scalars(select(QAPair).order_by(QAPair.id)))
        session.expunge_all()
        return rows


def _contents(app: App) -> dict[int, str]:
    with app.db.session() as session:
        return dict(session.execute(select(Chunk.id, Chunk.content)).all())


def test_cli_asks_and_answers_across_neighbouring_chunks(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    first, second, third = chunk_ids(app, "bees")
    done = cli.json("questions", "cross-chunk", "-p", "bees", "--questions-per-group", "2")
    # "# Honey bees" + "Workers" and "The queen" are one group; "Honey" is left alone.
    assert (done["status"], done["total"], done["succeeded"]) == ("succeeded", 1, 1)
    contents = _contents(app)
    samples = _samples(app)
    assert len(samples) == 2
    with app.db.session() as session:
        questions = list(session.scalars(select(Question).order_by(Question.id)))
    for question, sample in zip(questions, samples, strict=True):
        assert (question.origin, question.chunk_id) == ("cross_chunk", first)
        assert question.provenance["chunk_ids"] == [first, second]
        assert sample.question_id == question.id and sample.chunk_id == first
        source = sample.provenance
        assert source["chunk_ids"] == [first, second] and source["grouping"] == "headings"
        assert source["heading_path"] == ["Honey bees"] and source["file"] == "bees.md"
        # Each part is in the chunk it is credited to, and the answer reads them in order.
        assert {part["chunk_id"] for part in source["support"]} == {first, second}
        for part in source["support"]:
            assert _flat(part["text"]) in _flat(contents[part["chunk_id"]])
        assert _flat(sample.answer) == _flat(" ".join(p["text"] for p in source["support"]))
    # Done until a chunk changes; answers.generate leaves these questions to their stage.
    assert cli.json("questions", "cross-chunk", "-p", "bees")["total"] == 0
    assert stages.estimate_stage(app, "bees", "answers.generate").items == 0
    assert cli.json("questions", "list", "-p", "bees", "--origin", "cross_chunk")
    # Three chunks a group: all three are neighbours under "Honey bees".
    third_run = cli.json("questions", "cross-chunk", "-p", "bees", "--chunks-per-question", "3")
    assert third_run["total"] == 1
    assert _samples(app)[-1].provenance["chunk_ids"] == [first, second, third]
    refused = cli("questions", "cross-chunk", "-p", "bees", "--chunks-per-question", "4")
    assert refused.exit_code == 1 and "--chunks-per-question" in refused.output


def test_grounding_reads_the_whole_group(app: App, fake: FakeOpenAI, tmp_path: Path) -> None:
    make_project(app, tmp_path, fake.base_url)
    first, second, third = chunk_ids(app, "bees")
    pid = projects.get_project(app, "bees").id
    answers = {
        # From the group's second chunk: supported by the group.
        "from_group": "The queen is the only fertile female of the colony.",
        # From the third chunk, outside the group: unsupported.
        "outside": "The ripe honey is sealed under wax and eaten in winter, when no flowers bloom.",
    }
    ids: dict[str, int] = {}
    with app.db.session() as session:
        for name, answer in answers.items():
            for grouped in (True, False):
                pair = QAPair(
                    project_id=pid,
                    chunk_id=first,
                    question="What sets the queen apart from the workers?",
                    answer=answer,
                    provenance={"context": "chunk"}
                    | ({"chunk_ids": [first, second]} if grouped else {}),
                )
                session.add(pair)
                session.flush()
                ids[f"{name}{'' if grouped else '_alone'}"] = pair.id
    quality.run_check(app, "bees", "ground")
    flagged = {qa.id for qa in gen.list_qa(app, "bees", flagged=["grounding"])}
    assert ids["from_group"] not in flagged  # the second chunk backs it
    assert ids["from_group_alone"] in flagged  # the first chunk alone does not
    assert {ids["outside"], ids["outside_alone"]} <= flagged
    with app.db.session() as session:
        [outside] = results_for(session, qa_id=ids["outside"])
    assert outside.detail["unsupported"] == [answers["outside"]]
    # The planted claims are the project's own text: the outside one is the third chunk's.
    contents = _contents(app)
    assert _flat(answers["outside"]) in _flat(contents[third])
    assert _flat(answers["from_group"]) in _flat(contents[second])


def test_similar_chunks_across_files_from_rest_and_python(fake: FakeOpenAI, tmp_path: Path) -> None:
    with Workspace(tmp_path / "home") as workspace:
        app = workspace.app
        make_project(app, tmp_path, fake.base_url)
        add_document(app, "bees", tmp_path, "rearing.md", REARING)
        contents = _contents(app)
        queen = next(i for i, text in contents.items() if "## The queen" in text)
        rearing = next(i for i, text in contents.items() if "## Rearing queens" in text)
        api = TestClient(
            create_app(Settings.load(home=tmp_path / "home"), run_jobs=False),
            base_url="http://127.0.0.1",
        )
        url = "/api/projects/bees/stages/questions.cross_chunk"
        estimate = api.post(f"{url}/estimate", json={"grouping": "similar"})
        assert estimate.status_code == 200, estimate.text
        assert (estimate.json()["items"], estimate.json()["calls"]) == (1, 1)
        assert api.post(url, json={"grouping": "nearby"}).status_code == 422
        assert api.post(url, json={"similarity": 1.5}).status_code == 422

        summary = workspace.project("bees").run_stage(
            "questions.cross_chunk", grouping="similar", questions_per_group=1
        )
        assert (summary.total, summary.succeeded) == (1, 1)
        [sample] = _samples(app)
        source = sample.provenance
        # The same subject told in two documents; same-domain passages on other subjects
        # (workers, honey) and the tax passage stay apart.
        assert source["chunk_ids"] == [queen, rearing]
        assert source["grouping"] == "similar" and source["similarity"] >= 0.88
        assert {part["chunk_id"] for part in source["support"]} == {queen, rearing}
        assert sample.chunk_id == queen
