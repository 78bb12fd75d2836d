"""Splitting a reasoning model's thinking from its answer."""

from __future__ import annotations

import pytest

from easy_dataset.llm.reasoning import combine, message_reasoning, split_reasoning, strip_reasoning


@pytest.mark.parametrize(
    ("content", "text", "reasoning"),
    [
        ("Just an answer.", "Just an answer.", None),
        ("<think>Hmm.</think>\nThe answer.", "The answer.", "Hmm."),
        ("<thinking>\nStep 1.\n</thinking>The answer.", "The answer.", "Step 1."),
        ("<THINK>Loud.</THINK>Answer", "Answer", "Loud."),
        ("<think>a</think>Middle<think>b</think>End", "MiddleEnd", "a\n\nb"),
        ("Hidden start.</think>The answer.", "The answer.", "Hidden start."),
        ("<think>Cut short before the answ", "", "Cut short before the answ"),
        ("<think></think>Answer", "Answer", None),
        ("Use <b>bold</b> sparingly.", "Use <b>bold</b> sparingly.", None),
    ],
)
def test_split_reasoning(content: str, text: str, reasoning: str | None) -> None:
    assert split_reasoning(content) == (text, reasoning)


def test_strip_reasoning_keeps_the_answer() -> None:
    assert strip_reasoning('<think>{"no": 1}</think>{"yes": 2}') == '{"yes": 2}'


def test_message_reasoning_fields() -> None:
    assert message_reasoning({"content": "a", "reasoning_content": " why "}) == "why"
    assert message_reasoning({"content": "a", "reasoning": "because"}) == "because"
    assert message_reasoning({"content": "a", "reasoning": None}) is None
    assert message_reasoning({"content": "a", "reasoning_content": "  "}) is None


def test_combine() -> None:
    assert combine("field", None, "tags") == "field\n\ntags"
    assert combine(None, "") is None
