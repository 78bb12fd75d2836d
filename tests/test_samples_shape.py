"""A sample's turns: read from the stored columns, and a dialogue checked before it is stored."""

from __future__ import annotations

from typing import Any

import pytest

from easy_dataset.errors import InputError
from easy_dataset.samples_shape import check_dialogue, dialogue_columns, sample_messages
from easy_dataset.types import Message

DIALOGUE: list[dict[str, Any]] = [
    {"role": "system", "content": "You keep bees."},
    {"role": "user", "content": "Why smoke the hive?"},
    {"role": "assistant", "content": "It calms the bees.", "reasoning": "Smoke masks alarm."},
    {"role": "user", "content": "How much smoke?"},
    {"role": "assistant", "content": "A few puffs at the entrance."},
]


def test_a_qa_pair_is_one_user_turn_and_one_reply() -> None:
    assert sample_messages("qa", "Why smoke?", "It calms bees.", "Alarm scent.", None) == [
        Message(role="user", content="Why smoke?"),
        Message(role="assistant", content="It calms bees.", reasoning="Alarm scent."),
    ]
    with_system = sample_messages("qa", "q", "a", "", None, system="Be brief.")
    assert [turn.role for turn in with_system] == ["system", "user", "assistant"]
    assert with_system[0].text == "Be brief."


def test_dialogue_columns_mirror_the_first_question_and_last_answer() -> None:
    columns = dialogue_columns(DIALOGUE)
    assert columns == {
        "kind": "dialogue",
        "question": "Why smoke the hive?",
        "answer": "A few puffs at the entrance.",
        "cot": "",
        "messages": [Message.model_validate(turn).model_dump() for turn in DIALOGUE],
    }
    # Written and read back, the turns are the same, in order, reasoning included.
    read = sample_messages(
        columns["kind"], columns["question"], columns["answer"], columns["cot"], columns["messages"]
    )
    assert read == [Message.model_validate(turn) for turn in DIALOGUE]
    assert read[2].reasoning == "Smoke masks alarm."


def test_dialogue_columns_take_messages_too() -> None:
    turns = [Message.model_validate(turn) for turn in DIALOGUE[1:3]]
    assert dialogue_columns(turns)["messages"] == [turn.model_dump() for turn in turns]


def test_an_export_system_prompt_replaces_the_dialogues_own() -> None:
    stored = dialogue_columns(DIALOGUE)["messages"]
    turns = sample_messages("dialogue", "q", "a", "", stored, system="Answer in French.")
    assert [turn.text for turn in turns[:2]] == ["Answer in French.", "Why smoke the hive?"]
    assert len(turns) == len(DIALOGUE)
    # Without an own system message, the export's comes first.
    turns = sample_messages("dialogue", "q", "a", "", stored[1:], system="Answer in French.")
    assert [turn.role for turn in turns] == ["system", "user", "assistant", "user", "assistant"]


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([], "at least one user turn"),
        ([{"role": "system", "content": "s"}], "at least one user turn"),
        ([{"role": "assistant", "content": "hi"}], "message 1 is from the assistant"),
        (
            [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
            "message 2 is from the user, expected the assistant",
        ),
        (
            [
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": "b"},
                {"role": "system", "content": "c"},
            ],
            "message 3 is from the system, expected the user",
        ),
        (
            [
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": "b"},
                {"role": "user", "content": "c"},
            ],
            "ends with the assistant",
        ),
        (
            [{"role": "user", "content": "  "}, {"role": "assistant", "content": "b"}],
            r"message 1 \(user\) is empty",
        ),
        (
            [
                {"role": "user", "content": "a", "reasoning": "r"},
                {"role": "assistant", "content": "b"},
            ],
            "only replies do",
        ),
        ([{"role": "tool", "content": "a"}], "message 1 is not a message"),
        ([{"role": "user"}], r"message 1 is not a message \(content"),
        ([{"role": "user", "content": "a", "extra": 1}], "message 1 is not a message"),
    ],
)
def test_what_is_not_a_dialogue_is_refused(messages: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        dialogue_columns(messages)
    with pytest.raises(InputError, match=message):
        check_dialogue(messages)


def test_unreadable_samples_say_so() -> None:
    with pytest.raises(InputError, match="no stored messages"):
        sample_messages("dialogue", "q", "a", "", None)
    with pytest.raises(InputError, match="unknown sample kind 'preference'"):
        sample_messages("preference", "q", "a", "", None)
