"""The pure generation functions, against a scripted client: counts, dedup, tags, answers
with their chains of thought, template answers, provenance."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from easy_dataset.errors import InputError, ModelCallError
from easy_dataset.generate import (
    Persona,
    TagDraft,
    TemplateSpec,
    answer_template,
    build_tag_tree,
    distinct_indices,
    generate_answer,
    generate_questions,
    mentions_source,
    near_identical,
    normalise,
    outline_text,
    propose_personas,
    question_count,
    revise_answer,
    revise_tag_tree,
    scrub_source_mentions,
)
from easy_dataset.generate.jsonshape import schema_errors
from easy_dataset.types import GenerationSettings
from tests.test_generate_support import StubClient

T = TypeVar("T")
CHUNK = "Worker bees build comb, feed the brood and guard the hive. The queen lays eggs."


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def questions_reply(*texts: str, tag: str | None = None) -> str:
    return json.dumps({"questions": [{"question": text, "tag": tag} for text in texts]})


def test_question_count_is_density_clamped_or_exact() -> None:
    settings = GenerationSettings(chars_per_question=100, min_questions=2, max_questions=5)
    assert question_count(50, settings) == 2  # the minimum
    assert question_count(350, settings) == 4  # 3.5 rounds half up
    assert question_count(10_000, settings) == 5  # a real cap
    exact = GenerationSettings(exact_questions=7, max_questions=3)
    assert question_count(10, exact) == 7
    assert question_count(0, GenerationSettings(min_questions=0)) == 0


def test_near_identical_questions_are_one_but_numbers_differ() -> None:
    a, b = normalise("What does a worker bee do?"), normalise("what does a worker-bee do ")
    assert a == b
    assert near_identical(
        normalise("What do worker bees do in the hive?"),
        normalise("What do the worker bees do in the hive?"),
    )
    assert not near_identical(
        normalise("What happens in step 2?"), normalise("What happens in step 3?")
    )
    assert not near_identical(normalise("Why do bees swarm?"), normalise("How do bees make honey?"))
    texts = ["Why do bees swarm?", "  ", "why do bees swarm", "Why do the bees swarm?", "How?"]
    assert distinct_indices(texts) == [0, 4]


def test_questions_trimmed_to_count_and_deduplicated() -> None:
    client = StubClient(
        questions_reply(
            "What do worker bees do?",
            "What do the worker bees do?",
            "Who lays the eggs?",
            "What do worker bees do ?",
            "How is comb built?",
            "Why guard the hive?",
        )
    )
    result = run(
        generate_questions(
            client, chunk=CHUNK, heading_path=["Bees", "Workers"], count=3, language="en"
        )
    )
    assert [q.text for q in result.questions] == [
        "What do worker bees do?",
        "Who lays the eggs?",
        "How is comb built?",
    ]
    assert result.dropped == 3
    assert all(q.tag is None for q in result.questions)
    assert (result.provenance.prompt, result.provenance.version) == ("questions", "1")
    assert result.provenance.model == "stub-model"
    prompt = client.prompt_of(0)
    assert "Bees > Workers" in prompt and "Write 3 questions" in prompt


def test_questions_are_labelled_with_offered_tags_only() -> None:
    reply = json.dumps(
        {
            "questions": [
                {"question": "What do workers do?", "tag": "worker  BEES"},
                {"question": "Who lays eggs?", "tag": "Astronomy"},
                "How is comb built?",
            ]
        }
    )
    client = StubClient(reply)
    result = run(
        generate_questions(
            client, chunk=CHUNK, count=5, language="en", tags=["Worker bees", "Queens"]
        )
    )
    assert [(q.text, q.tag) for q in result.questions] == [
        ("What do workers do?", "Worker bees"),
        ("Who lays eggs?", None),
        ("How is comb built?", None),
    ]
    assert "- Queens" in client.prompt_of(0)


def test_questions_with_persona_and_chinese_prompt() -> None:
    client = StubClient(questions_reply("工蜂做什么？"))
    persona = Persona(genre="FAQ", audience="beekeeper", audience_description="a hobbyist")
    result = run(
        generate_questions(client, chunk="工蜂筑巢。", count=1, language="zh", persona=persona)
    )
    assert result.provenance.language == "zh"
    assert "beekeeper" in client.prompt_of(0)
    with pytest.raises(ValueError):
        run(generate_questions(client, chunk=CHUNK, count=0, language="en"))


def test_a_reply_that_never_validates_fails_with_the_raw_output() -> None:
    client = StubClient("no json here", "still none")
    with pytest.raises(ModelCallError) as caught:
        run(generate_questions(client, chunk=CHUNK, count=2, language="en"))
    assert caught.value.kind == "parse" and caught.value.raw_output == "still none"


def test_tag_tree_built_and_tidied_to_its_levels() -> None:
    reply = json.dumps(
        [
            {"name": "Colony life", "children": [{"name": "Workers"}, {"name": " workers "}]},
            {"name": "colony  LIFE", "children": [{"name": "Queens"}]},
            {"name": "Honey", "children": []},
        ]
    )
    client = StubClient(reply)
    outlines = [
        outline_text(
            "bees.md",
            [
                {
                    "level": 1,
                    "title": "Bees",
                    "children": [{"level": 2, "title": "Workers", "children": []}],
                }
            ],
        )
    ]
    assert outlines == ["# Bees\n## Workers"]
    result = run(build_tag_tree(client, outlines, language="en", levels=2))
    assert [node.to_dict() for node in result.tags] == [
        {
            "name": "Colony life",
            "children": [{"name": "Workers", "children": []}, {"name": "Queens", "children": []}],
        },
        {"name": "Honey", "children": []},
    ]
    assert result.provenance.prompt == "tag_tree"
    assert "# Bees\n## Workers" in client.prompt_of(0)


def test_tag_tree_revision_sends_the_tree_and_the_changes() -> None:
    client = StubClient(
        json.dumps({"tags": [{"name": "Honey", "children": [{"name": "Harvest"}]}]})
    )
    tree = [TagDraft("Honey", (TagDraft("Storage"),))]
    result = run(
        revise_tag_tree(client, tree, added=["# Harvesting"], removed=["# Storage"], language="en")
    )
    assert result.tags == [TagDraft("Honey", (TagDraft("Harvest"),))]
    prompt = client.prompt_of(0)
    assert (
        '"Storage"' in prompt
        and "# Harvesting" in prompt
        and result.provenance.prompt == "tag_revise"
    )


def test_personas_count_and_shape() -> None:
    pairs = [
        {
            "genre": f"Genre {i}",
            "genre_description": "d",
            "audience": f"Reader {i}",
            "audience_description": "a",
        }
        for i in range(6)
    ]
    client = StubClient(json.dumps(pairs))
    result = run(
        propose_personas(
            client, title="Bees", outline="# Bees", excerpt=CHUNK, count=5, language="en"
        )
    )
    assert len(result.personas) == 5
    assert result.personas[0].label == "Genre 0 / Reader 0"
    assert result.provenance.prompt == "ga_pairs"


def test_answer_takes_the_models_own_reasoning() -> None:
    client = StubClient(
        ("Workers build comb.", "The question asks about workers. They build comb.")
    )
    result = run(
        generate_answer(client, question="What do workers do?", chunk=CHUNK, language="en")
    )
    assert (result.answer, result.cot_source, result.cot_rewrite) == (
        "Workers build comb.",
        "reasoning",
        "none",
    )
    assert result.cot.startswith("The question asks")
    assert len(client.calls) == 1  # no synthesis, no rewrite
    assert [step.prompt for step in result.steps] == ["answer"]


def test_answer_synthesizes_a_chain_of_thought_when_asked() -> None:
    client = StubClient("Workers build comb.", "Workers are the builders, so they build comb.")
    result = run(
        generate_answer(client, question="What do workers do?", chunk=CHUNK, language="en")
    )
    assert result.cot_source == "synthesized" and result.cot.startswith("Workers are")
    assert [step.prompt for step in result.steps] == ["answer", "cot_synthesize"]
    none = run(
        generate_answer(
            StubClient("Comb."), question="q?", chunk=CHUNK, language="en", synthesize_cot=False
        )
    )
    assert (none.cot, none.cot_source) == ("", "none")


def test_cot_rewrite_removes_according_to_the_text() -> None:
    client = StubClient(
        "Workers build comb.",
        "According to the text, workers build comb. The passage says that queens lay eggs.",
        "According to the document, workers build comb. Queens lay eggs.",  # the rewrite missed one
    )
    result = run(
        generate_answer(client, question="What do workers do?", chunk=CHUNK, language="en")
    )
    assert result.cot == "Workers build comb. Queens lay eggs."
    assert result.cot_rewrite == "model"
    assert [step.prompt for step in result.steps] == ["answer", "cot_synthesize", "cot_rewrite"]
    assert "According to the text" in client.prompt_of(2)


def test_cot_rewrite_falls_back_to_the_regex_when_the_call_fails() -> None:
    client = StubClient(
        ("Comb.", "根据文本，工蜂负责筑巢。文中提到蜂王产卵。"),
        ModelCallError("http", "HTTP 500"),
    )
    result = run(
        generate_answer(client, question="工蜂做什么？", chunk="工蜂筑巢。", language="zh")
    )
    assert result.cot == "工蜂负责筑巢。蜂王产卵。" and result.cot_rewrite == "regex"
    assert not mentions_source(result.cot)


def test_scrub_source_mentions() -> None:
    assert scrub_source_mentions(
        "Bees sting, according to the text. Based on the passage, wasps too."
    ) == ("Bees sting. Wasps too.")
    assert not mentions_source("I think bees sting.")


def test_revise_answer_follows_advice() -> None:
    client = StubClient("Workers build comb and guard the hive.")
    result = run(
        revise_answer(
            client,
            question="q?",
            answer="Comb.",
            chunk=CHUNK,
            advice="Mention guarding.",
            language="en",
        )
    )
    assert result.answer.endswith("guard the hive.") and result.provenance.prompt == "answer_revise"
    assert "Mention guarding." in client.prompt_of(0)


def test_template_answers_text_label_and_json() -> None:
    text = run(
        answer_template(
            StubClient("They build comb."),
            template=TemplateSpec("What do workers do?"),
            chunk=CHUNK,
            language="en",
        )
    )
    assert (text.answer_type, text.answer) == ("text", "They build comb.")

    labels = TemplateSpec("Who is described?", "label", ["Workers", "Queens"])
    direct = run(
        answer_template(StubClient('"workers".'), template=labels, chunk=CHUNK, language="en")
    )
    assert direct.answer == "Workers"
    # Not a label: one more request, constrained by a schema.
    client = StubClient("Mostly the workers, I think", json.dumps({"label": "Queens"}))
    fallback = run(answer_template(client, template=labels, chunk=CHUNK, language="en"))
    assert fallback.answer == "Queens" and len(client.calls) == 2

    schema = {
        "type": "object",
        "properties": {"eggs": {"type": "integer", "minimum": 0}},
        "required": ["eggs"],
    }
    shaped = TemplateSpec("How many eggs?", "json", json_schema=schema)
    client = StubClient('{"eggs": "many"}', '{"eggs": 2000}')
    answer = run(answer_template(client, template=shaped, chunk=CHUNK, language="en"))
    assert answer.value == {"eggs": 2000} and json.loads(answer.answer) == {"eggs": 2000}
    assert "expected integer" in client.prompt_of(1)

    with pytest.raises(InputError):
        run(
            answer_template(
                StubClient(), template=TemplateSpec("q", "label"), chunk=CHUNK, language="en"
            )
        )


def test_schema_errors_cover_the_common_keywords() -> None:
    schema = {
        "type": "object",
        "properties": {
            "kind": {"$ref": "#/$defs/Kind"},
            "sizes": {"type": "array", "items": {"type": "number", "maximum": 10}, "maxItems": 2},
            "name": {"type": ["string", "null"], "minLength": 2},
        },
        "required": ["kind"],
        "additionalProperties": False,
        "$defs": {"Kind": {"enum": ["a", "b"]}},
    }
    assert schema_errors({"kind": "a", "sizes": [1, 2.5], "name": None}, schema) == []
    errors = schema_errors({"kind": "c", "sizes": [1, 20, True], "name": "x", "extra": 1}, schema)
    assert errors == [
        "$.kind: must be one of ['a', 'b']",
        "$.sizes: at most 2 items",
        "$.sizes[1]: at most 10",
        "$.sizes[2]: expected number",
        "$.name: at least 2 characters",
    ]
    assert schema_errors({}, schema) == ["$.kind: required"]
