"""The dialogue judge over real HTTP against the fake server: one verdict per turn with the
conversation before it as context, the weakest turn's score for the dialogue, retries."""

from __future__ import annotations

import dataclasses

import pytest

from easy_dataset import prompts
from easy_dataset.errors import InputError, ModelCallError
from easy_dataset.generate import Provenance, TurnVerdict, dialogue_score, judge_dialogue
from easy_dataset.types import Message
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_generate_dialogues import CHUNK, FACTS, call, user_messages


def judged() -> list[Message]:
    return [
        Message(role="system", content="Your role: a bee inspector."),
        Message(role="user", content="What do workers do?"),
        Message(role="assistant", content=FACTS[0]),
        Message(role="user", content="And the queen?"),
        Message(role="assistant", content="The queen lives for fifty years.", reasoning="Old."),
        Message(role="user", content="How long does a worker live?"),
        Message(role="assistant", content=FACTS[2]),
    ]


def test_the_judge_scores_each_turn_and_the_weakest_counts(fake: FakeOpenAI) -> None:
    verdicts = call(fake, judge_dialogue, chunk=CHUNK, messages=judged(), language="en")
    assert [v.turn for v in verdicts] == [0, 1, 2]
    assert [v.scores["accuracy"] for v in verdicts] == [5, 1, 5]  # the invented fact
    assert [v.score for v in verdicts] == [4.4, 2.8, 4.4]  # accuracy counts double
    assert dialogue_score(verdicts) == 2.8
    assert verdicts[1].verdict == "Claims a fact not given."
    assert {v.provenance.prompt for v in verdicts} == {"judge_turn"}
    sent = {text.split("The turn to score:")[1]: text for text in user_messages(fake)}
    assert len(sent) == 3  # one call per turn, the system message not judged
    first = next(text for turn, text in sent.items() if "What do workers do?" in turn)
    last = next(text for turn, text in sent.items() if FACTS[2] in turn)
    assert "<conversation>" not in first and "Your role" not in first
    assert "And the queen?" in last and "fifty years" in last  # the turns before, as context
    middle = next(text for turn, text in sent.items() if "fifty" in turn)
    assert "<reasoning>\nOld.\n</reasoning>" in middle


def test_the_judge_retries_a_malformed_reply_and_takes_weights(fake: FakeOpenAI) -> None:
    fake.set_faults(Faults(script=["malformed"]))
    verdicts = call(
        fake,
        judge_dialogue,
        chunk=CHUNK,
        messages=judged()[1:5],
        language="en",
        weights={"accuracy": 1},
    )
    assert [v.score for v in verdicts] == [4.25, 3.25]
    assert fake.stats().by_outcome == {"malformed": 1, "ok": 2}


def test_the_judge_refuses_what_is_not_a_dialogue(fake: FakeOpenAI) -> None:
    with pytest.raises(InputError, match="no user and assistant turn"):
        call(fake, judge_dialogue, chunk=CHUNK, messages=judged()[:1], language="en")
    with pytest.raises(InputError, match="ending with the assistant"):
        call(fake, judge_dialogue, chunk=CHUNK, messages=judged()[:2], language="en")
    with pytest.raises(ValueError, match="above zero"):
        call(
            fake,
            judge_dialogue,
            chunk=CHUNK,
            messages=judged(),
            language="en",
            weights={"question": 0, "accuracy": 0, "relevance": 0, "consistency": 0},
        )
    assert fake.stats().total == 0
    with pytest.raises(ValueError, match="at least one judged turn"):
        dialogue_score([])
    verdict = TurnVerdict(0, {}, 3.5, "", Provenance("judge_turn", "1", "en", "m"))
    assert dialogue_score([verdict, dataclasses.replace(verdict, turn=1, score=4.0)]) == 3.5


def test_a_turn_that_fails_for_good_fails_the_dialogue(fake: FakeOpenAI) -> None:
    fake.set_faults(Faults(p_malformed=1.0))
    with pytest.raises(ModelCallError) as caught:
        call(fake, judge_dialogue, chunk=CHUNK, messages=judged(), language="en")
    assert caught.value.kind == "parse"


def test_the_chinese_judge_prompt(fake: FakeOpenAI) -> None:
    chunk = "工蜂负责筑巢和喂养幼虫。蜂王每天最多产卵两千枚。"
    messages = [
        Message(role="user", content="工蜂做什么？"),
        Message(role="assistant", content="工蜂负责筑巢和喂养幼虫。"),
        Message(role="user", content="蜂王呢？"),
        Message(role="assistant", content="蜂王能活五十年。"),
    ]
    verdicts = call(fake, judge_dialogue, chunk=chunk, messages=messages, language="zh")
    assert [v.scores["accuracy"] for v in verdicts] == [5, 1]
    assert {v.provenance.language for v in verdicts} == {"zh"}
    system, user = (m["content"] for m in fake.stats().bodies()[-1]["messages"])
    assert prompts.detect_language(system) == "zh" and "待打分的这一轮" in user
