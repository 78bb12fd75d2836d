"""The quality checks on dialogue samples: the judge and grounding score each assistant turn
against the chunk (a dialogue is as good as its weakest turn), deduplication compares whole
dialogues, and the scans read every message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from easy_dataset.samples_shape import dialogue_columns
from easy_dataset.services import App, projects, quality
from easy_dataset.services import generation as gen
from easy_dataset.services.quality_results import ResultView, results_for
from easy_dataset.store.dataset import QAPair
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import chunk_ids, make_project
from tests.test_generate_support import seed_qa_pairs as seed_pairs

SYSTEM = "Your role: a bee inspector."
# Sentences of the project's first chunk (the workers).
STERILE = "Worker bees are sterile females."
DUTIES = (
    "They clean cells, feed the larvae, build wax comb, guard the entrance and, in the last "
    "weeks of their life, forage for nectar and pollen."
)
LIFE = "A worker lives about six weeks in summer and several months in winter."
INVENTED = "A worker lives for 40 years and spends them in the Sahara."

Turns = list[tuple[str, str] | tuple[str, str, str]]  # (user, assistant[, reasoning])


@pytest.fixture
def project(app: App, tmp_path: Path, fake: FakeOpenAI) -> str:
    name = make_project(app, tmp_path, fake.base_url)
    gen.update_generation_settings(app, name, tags_enabled=False)
    return name


def seed(app: App, project: str, turns: Turns, *, confirmed: bool = False) -> int:
    """A dialogue on the project's first chunk, as dialogues.generate stores one; its id."""
    messages: list[dict[str, str]] = [{"role": "system", "content": SYSTEM}]
    for user, reply, *reasoning in turns:
        messages.append({"role": "user", "content": user})
        messages.append({"role": "assistant", "content": reply, "reasoning": "".join(reasoning)})
    found = projects.get_project(app, project)
    chunk = chunk_ids(app, found.name)[0]
    with app.db.session() as session:
        pair = QAPair(
            project_id=found.id,
            chunk_id=chunk,
            model="m",
            provenance={"chunk": chunk},
            confirmed=confirmed,
            **dialogue_columns(messages),
        )
        session.add(pair)
        session.flush()
        return pair.id


def result(app: App, qa_id: int, kind: str) -> ResultView:
    with app.db.session() as session:
        return next(found for found in results_for(session, qa_id=qa_id) if found.kind == kind)


def stored(app: App, qa_id: int) -> QAPair:
    with app.db.session() as session:
        pair = session.get(QAPair, qa_id)
        assert pair is not None
        session.expunge(pair)
        return pair


def flagged(app: App, project: str, kind: str) -> list[int]:
    return [qa.id for qa in gen.list_qa(app, project, flagged=[kind])]


MIXED: Turns = [
    ("What are worker bees?", STERILE),
    ("How long does a worker live?", INVENTED),
    ("What do they do all day?", DUTIES),
]
GROUNDED: Turns = [("What are worker bees?", STERILE), ("How long do they live?", LIFE)]


def test_grounding_names_the_unsupported_turn(app: App, project: str) -> None:
    mixed, grounded = seed(app, project, MIXED), seed(app, project, GROUNDED)
    assert quality.run_check(app, project, "ground").failed == 0
    assert flagged(app, project, "grounding") == [mixed]

    found = result(app, mixed, "grounding")
    turns = found.detail["turns"]
    assert [(t["turn"], t["message"], t["flagged"]) for t in turns] == [
        (0, 2, False),
        (1, 4, True),
        (2, 6, False),
    ]
    assert turns[1]["unsupported"] == [INVENTED] and found.detail["unsupported"] == [INVENTED]
    assert found.score == min(t["score"] for t in turns) == turns[1]["score"]
    assert {s["turn"] for s in found.detail["sentences"]} == {0, 1, 2}
    assert 0 < found.detail["similarity"] <= 1

    clean = result(app, grounded, "grounding")
    assert clean.flagged is False and [t["flagged"] for t in clean.detail["turns"]] == [
        False,
        False,
    ]


def test_the_judge_scores_each_turn_and_the_weakest_counts(
    app: App, project: str, fake: FakeOpenAI
) -> None:
    mixed, grounded = seed(app, project, MIXED), seed(app, project, GROUNDED)
    [pair] = seed_pairs(app, project, [("What are worker bees?", STERILE)])
    # One call per assistant turn of a dialogue, one per pair.
    assert quality.estimate_check(app, project, "judge").calls == 3 + 2 + 1
    assert quality.run_check(app, project, "judge").failed == 0
    assert fake.stats().total == 6

    found = result(app, mixed, "judge")
    turns = found.detail["turns"]
    assert [t["turn"] for t in turns] == [0, 1, 2]
    assert [t["scores"]["accuracy"] for t in turns] == [5, 1, 5]  # the invented turn
    assert [t["score"] for t in turns] == [4.4, 2.8, 4.4]  # accuracy counts double
    assert found.score == 2.8 and found.flagged is True
    assert turns[1]["verdict"] == "Claims a fact not given."
    assert found.detail["scores"] == turns[1]["scores"]  # the weakest turn's stand for it
    notes = stored(app, mixed).judge_notes
    assert notes.startswith("Weakest: turn 2 of 3") and "Claims a fact not given." in notes
    assert found.detail["verdict"] == notes

    good = result(app, grounded, "judge")
    assert (good.score, good.flagged, len(good.detail["turns"])) == (4.4, False, 2)
    assert "turns" not in result(app, pair, "judge").detail  # a pair's result is as before
    assert flagged(app, project, "judge") == [mixed]


def test_dedup_compares_whole_dialogues(app: App, project: str) -> None:
    base: Turns = [
        ("What are worker bees?", STERILE),
        ("What do they do?", DUTIES),
        ("How long do they live?", LIFE),
    ]
    first = seed(app, project, base)
    spaced = seed(app, project, [(f"  {u}  ", " \n".join(a.split(" "))) for u, a in base])
    same_opening = seed(app, project, [base[0], ("Who lays the eggs?", "The queen does.")])
    # The same first question and last answer (the columns a pair would be compared by),
    # but another conversation between them.
    same_ends = seed(app, project, [base[0], ("Are they all female?", "Yes."), base[2]])
    quality.run_check(app, project, "dedup", mode="exact")
    clusters, total = quality.list_clusters(app, project)
    assert total == 1 and {m.id for m in clusters[0].members} == {first, spaced}
    assert same_opening not in flagged(app, project, "duplicate")
    assert same_ends not in flagged(app, project, "duplicate")
    assert len(flagged(app, project, "duplicate")) == 1

    # MinHash reads the whole dialogue too: the shared opening alone is not enough.
    quality.run_check(app, project, "dedup", mode="minhash")
    clusters, total = quality.list_clusters(app, project)
    members = {m.id for cluster in clusters for m in cluster.members}
    assert {first, spaced} <= members and same_opening not in members


def test_pii_scans_every_message_and_masks_in_place(app: App, project: str) -> None:
    turns: Turns = [
        ("What are worker bees?", STERILE),
        ("Whom can I ask?", "Our inspector can help.", "Call +86 138 0013 8000 first."),
        ("How do I reach them?", "Write to jane.doe@example.com for a visit."),
    ]
    qa_id = seed(app, project, turns)
    quality.run_check(app, project, "pii")
    assert flagged(app, project, "pii") == [qa_id]
    found = result(app, qa_id, "pii")
    assert {(f["field"], f["kind"]) for f in found.detail["findings"]} == {
        ("messages[4].reasoning", "phone"),
        ("messages[6].content", "email"),
    }
    assert "jane.doe" not in json.dumps(found.detail)

    quality.run_check(app, project, "pii", action="mask")
    pair = stored(app, qa_id)
    assert pair.messages is not None
    assert pair.messages[6]["content"] == "Write to [EMAIL] for a visit."
    assert pair.answer == pair.messages[6]["content"]  # the mirrored last answer follows
    assert "138" not in pair.messages[4]["reasoning"]
    assert pair.messages[1:4] == [
        {"role": "user", "content": "What are worker bees?", "reasoning": ""},
        {"role": "assistant", "content": STERILE, "reasoning": ""},
        {"role": "user", "content": "Whom can I ask?", "reasoning": ""},
    ]
    quality.run_check(app, project, "pii")
    assert flagged(app, project, "pii") == []


def test_refs_and_contamination_read_every_turn(app: App, project: str) -> None:
    qa_id = seed(
        app,
        project,
        [
            ("What are worker bees?", STERILE),
            ("Who lays the eggs?", "According to the text, the queen lays the eggs."),
            ("What do they do?", DUTIES),
        ],
    )
    quality.run_check(app, project, "refs")
    assert result(app, qa_id, "refs").detail["fields"] == ["messages[4].content"]

    bench = json.dumps({"question": "Name the duties. " + DUTIES})
    quality.add_benchmark(app, project, "eval.jsonl", bench.encode())
    quality.run_check(app, project, "contamination", n=5)
    assert list(result(app, qa_id, "contamination").detail["fields"]) == ["messages[6].content"]


def test_hygiene_repairs_unconfirmed_turns_and_flags_confirmed_ones(app: App, project: str) -> None:
    turns: Turns = [
        ("What are worker bees?", STERILE),
        ("What do they do?", DUTIES + "</think>"),
    ]
    open_one = seed(app, project, turns)
    confirmed = seed(app, project, turns, confirmed=True)
    quality.run_check(app, project, "hygiene")

    repaired = stored(app, open_one)
    assert repaired.messages is not None and repaired.messages[4]["content"] == DUTIES
    assert repaired.answer == DUTIES and repaired.provenance["edited_by"] == "hygiene"
    done = result(app, open_one, "hygiene")
    assert done.flagged is False and done.detail["repairs"] == {"messages[4].content": ["tags"]}

    held = stored(app, confirmed)
    assert held.messages is not None and held.messages[4]["content"].endswith("</think>")
    flag = result(app, confirmed, "hygiene")
    assert flag.flagged is True
    assert flag.detail["issues"] == [{"field": "messages[4].content", "reason": "needs_repair"}]
    assert flag.detail["proposed"]["messages[4].content"]["text"] == DUTIES
