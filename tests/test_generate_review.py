"""Questions by hand and the review of QA pairs: list, show, edit, confirm, rate, tag, note,
revise (a real model call to the fake server); generation settings and personas by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.services import App, files, stages
from easy_dataset.services import generation as gen
from easy_dataset.services import tags as tag_service
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import chunk_ids, make_project


@pytest.fixture
def project(app: App, tmp_path: Path, fake: FakeOpenAI) -> str:
    name = make_project(app, tmp_path, fake.base_url)
    gen.update_generation_settings(app, name, tags_enabled=False)
    return name


def test_questions_by_hand(app: App, project: str) -> None:
    chunk = chunk_ids(app, project)[0]
    tag = tag_service.add_tag(app, project, "Castes")
    added = gen.add_question(app, project, "  Who lays\n the eggs? ", chunk_id=chunk, tag_id=tag.id)
    assert (added.text, added.origin, added.tag, added.answered) == (
        "Who lays the eggs?",
        "manual",
        "Castes",
        False,
    )
    loose = gen.add_question(app, project, "What is a drone?")
    with pytest.raises(InputError):
        gen.add_question(app, project, "   ")
    with pytest.raises(NotFoundError):
        gen.add_question(app, project, "q?", chunk_id=9999)

    edited = gen.edit_question(app, project, added.id, text="Who lays eggs in a hive?")
    assert edited.text == "Who lays eggs in a hive?" and edited.tag_id == tag.id
    assert gen.edit_question(app, project, added.id, clear_tag=True).tag is None
    assert [q.id for q in gen.list_questions(app, project, origin="manual")] == [added.id, loose.id]
    assert [q.id for q in gen.list_questions(app, project, chunk_id=chunk)] == [added.id]
    assert [q.id for q in gen.list_questions(app, project, search="DRONE")] == [loose.id]

    # The question with a chunk is answered from it, the other without context.
    answered = stages.run_stage(app, project, "answers.generate")
    assert answered.total == 2
    assert [q.id for q in gen.list_questions(app, project, answered=True)] == [added.id, loose.id]
    assert gen.list_questions(app, project, answered=False) == []

    with pytest.raises(NotFoundError):
        gen.delete_questions(app, project, [loose.id, 9999])
    assert gen.delete_questions(app, project, [added.id, loose.id]) == 2
    assert gen.list_questions(app, project) == []
    # The QA pairs outlive their questions.
    assert sorted(qa.question for qa in gen.list_qa(app, project)) == [
        "What is a drone?",
        "Who lays eggs in a hive?",
    ]


def test_review_operations(app: App, project: str) -> None:
    stages.run_stage(app, project, "questions.generate")
    stages.run_stage(app, project, "answers.generate")
    pairs = gen.list_qa(app, project)
    assert len(pairs) == 3
    first, second, third = (pair.id for pair in pairs)

    detail = gen.get_qa(app, project, first)
    assert detail.chunk is not None and detail.chunk.id == detail.chunk_id
    assert detail.chunk.content

    edited = gen.edit_qa(app, project, first, answer=" Workers forage. ", cot="They fly out.")
    assert (edited.answer, edited.cot) == ("Workers forage.", "They fly out.")
    assert "edited" in edited.provenance and edited.provenance["prompt"] == "answer"
    with pytest.raises(InputError):
        gen.edit_qa(app, project, first, answer="  ")

    assert all(p.confirmed for p in gen.confirm_qa(app, project, [first, second]))
    gen.confirm_qa(app, project, [second], confirmed=False)
    assert [p.id for p in gen.list_qa(app, project, confirmed=True)] == [first]
    with pytest.raises(NotFoundError):
        gen.confirm_qa(app, project, [third, 9999])
    assert not gen.get_qa(app, project, third).confirmed  # all or nothing

    assert gen.rate_qa(app, project, first, 4.5).score == 4.5
    gen.rate_qa(app, project, second, 2)
    for bad in (-1, 5.5):
        with pytest.raises(InputError):
            gen.rate_qa(app, project, first, bad)
    assert [p.id for p in gen.list_qa(app, project, min_score=3)] == [first]

    gen.tag_qa(app, project, first, ["good", " needs  check "])
    assert gen.tag_qa(app, project, first, ["good"]).user_tags == ["good", "needs check"]
    assert gen.tag_qa(app, project, first, ["good"], mode="remove").user_tags == ["needs check"]
    assert gen.tag_qa(app, project, second, ["x", "y"], mode="set").user_tags == ["x", "y"]
    assert [p.id for p in gen.list_qa(app, project, tag="NEEDS CHECK")] == [first]

    assert gen.note_qa(app, project, third, " check the figures ").note == "check the figures"
    assert [p.id for p in gen.list_qa(app, project, limit=1, offset=1)] == [second]


def test_revise_answer_from_advice(app: App, project: str, fake: FakeOpenAI) -> None:
    stages.run_stage(app, project, "questions.generate")
    stages.run_stage(app, project, "answers.generate")
    pair = gen.list_qa(app, project)[0]
    fake.reset()
    revised = gen.revise_qa(app, project, pair.id, "Answer in one short sentence.")
    body = fake.stats().bodies()[0]
    assert "Answer in one short sentence." in body["messages"][-1]["content"]
    assert revised.answer  # the fake's reply
    [revision] = revised.provenance["revisions"]
    assert revision["advice"] == "Answer in one short sentence."
    assert revision["previous"] == pair.answer
    assert (revision["prompt"], revision["model"]) == ("answer_revise", "m")
    with pytest.raises(InputError):
        gen.revise_qa(app, project, pair.id, "  ")


def test_generation_settings_and_personas_by_hand(app: App, project: str) -> None:
    changed = gen.update_generation_settings(app, project, max_questions=3, language="zh")
    assert (changed.max_questions, changed.language) == (3, "zh")
    assert gen.get_generation_settings(app, project).max_questions == 3
    with pytest.raises(InputError, match="min_questions"):
        gen.update_generation_settings(app, project, min_questions=9)

    stages.run_stage(app, project, "personas.generate")
    file_id = files.list_files(app, project)[0].id
    added = gen.add_persona(app, project, file_id, genre="FAQ", audience="beekeeper")
    assert added.active and len(gen.list_personas(app, project, file_id=file_id)) == 6
    edited = gen.edit_persona(app, project, added.id, audience="new beekeeper")
    assert edited.audience == "new beekeeper"
    [off] = gen.set_personas_active(app, project, [added.id], False)
    assert not off.active
    with pytest.raises(InputError):
        gen.add_persona(app, project, file_id, genre=" ", audience="x")


def test_qa_filters_run_in_sql_and_count(app: App, project: str) -> None:
    gen.update_generation_settings(app, project, tags_enabled=True)
    stages.run_stage(app, project, "tags.build")
    stages.run_stage(app, project, "questions.generate")
    stages.run_stage(app, project, "answers.generate", synthesize_cot=False)
    first, second, third = (pair.id for pair in gen.list_qa(app, project))
    assert gen.count_qa(app, project) == 3
    assert [p.id for p in gen.list_qa(app, project, newest_first=True)] == [third, second, first]
    assert [p.id for p in gen.list_qa(app, project, after=first)] == [second, third]
    assert [p.id for p in gen.list_qa(app, project, after=third, newest_first=True)] == [
        second,
        first,
    ]

    gen.rate_qa(app, project, first, 2)
    gen.rate_qa(app, project, second, 4.5)
    gen.edit_qa(app, project, third, cot="Because the chunk says so.")
    assert [p.id for p in gen.list_qa(app, project, min_score=2, max_score=3)] == [first]
    assert [p.id for p in gen.list_qa(app, project, scored=False)] == [third]
    assert [p.id for p in gen.list_qa(app, project, has_cot=True)] == [third]
    assert gen.count_qa(app, project, has_cot=False, scored=True) == 2

    # The domain tag is matched by its current name, in any case.
    domain = gen.get_qa(app, project, second).provenance["tag"]
    tagged = gen.list_qa(app, project, tag=domain.upper())
    assert second in [p.id for p in tagged]
    assert gen.count_qa(app, project, tag=domain) == len(tagged)

    chunk = gen.get_qa(app, project, first).chunk_id
    assert first in [p.id for p in gen.list_qa(app, project, chunk_id=chunk)]
    assert gen.count_qa(app, project, ids=[first, third]) == 2
    assert gen.count_qa(app, project, file_id=9999) == 0
    with pytest.raises(InputError, match="bad QA filter"):
        gen.list_qa(app, project, colour="red")
    with pytest.raises(InputError, match="bad QA filter"):
        gen.count_qa(app, project, min_score=float("nan"))


def test_questions_page_and_count(app: App, project: str) -> None:
    stages.run_stage(app, project, "questions.generate")
    chunk = chunk_ids(app, project)[0]
    gen.add_question(app, project, "Why do drones die in autumn?", chunk_id=chunk)
    assert gen.count_questions(app, project) == 4
    assert gen.count_questions(app, project, origin="manual") == 1
    assert gen.count_questions(app, project, answered=True) == 0
    page = gen.list_questions(app, project, limit=2, offset=2)
    assert [q.id for q in page] == [q.id for q in gen.list_questions(app, project)][2:4]
    assert gen.count_questions(app, project, search="drones die") == 1
    ids = [q.id for q in gen.list_questions(app, project)]
    assert [q.id for q in gen.list_questions(app, project, after=ids[1], limit=1)] == [ids[2]]
    with pytest.raises(InputError):
        gen.count_questions(app, project, origin="dreamt")


def test_questions_by_tag_and_untagged(app: App, project: str) -> None:
    chunk = chunk_ids(app, project)[0]
    bees = tag_service.add_tag(app, project, "Bees")
    hives = tag_service.add_tag(app, project, "Hives")
    for text, tag in (("Q1?", bees.id), ("Q2?", bees.id), ("Q3?", hives.id), ("Q4?", None)):
        gen.add_question(app, project, text, chunk_id=chunk, tag_id=tag)
    assert gen.count_questions_by_tag(app, project) == {bees.id: 2, hives.id: 1, None: 1}
    assert gen.count_questions_by_tag(app, project, search="Q1") == {bees.id: 1}
    assert [q.text for q in gen.list_questions(app, project, untagged=True)] == ["Q4?"]
    assert gen.count_questions(app, project, untagged=False) == 3
