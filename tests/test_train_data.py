"""Training data: the loss falls on the assistant's tokens only, splits are seeded and keep
each tag, general data is mixed in at the ratio asked, exported files are read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from easy_dataset.errors import InputError
from easy_dataset.export.records import ExportRecord
from easy_dataset.train import data
from easy_dataset.train.data import IGNORE, Conversation
from easy_dataset.types import Message
from tests.train_support import char_tokenizer, conversations


def _labelled_text(tokenizer: object, example: data.Tokenized) -> str:
    ids = [label for label in example.labels if label != IGNORE]
    return str(tokenizer.decode(ids))  # type: ignore[attr-defined]


def test_loss_only_on_assistant_tokens_with_their_end_of_turn() -> None:
    tokenizer = char_tokenizer()
    talk = Conversation(
        (
            ("system", "Be brief."),
            ("user", "hi"),
            ("assistant", "yo"),
            ("user", "ok?"),
            ("assistant", "sure"),
        ),
    )
    example = data.tokenize(tokenizer, talk, 512)
    assert example is not None
    text = tokenizer.decode(example.input_ids)
    assert text == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
        "<|im_start|>assistant\nyo<|im_end|>\n<|im_start|>user\nok?<|im_end|>\n"
        "<|im_start|>assistant\nsure<|im_end|>\n"
    )
    # Exactly the replies and the end-of-turn after each: nothing of the prompt.
    labelled = [tokenizer.decode([t]) for t in example.labels if t != IGNORE]
    assert labelled == ["y", "o", "<|im_end|>", "\n", "s", "u", "r", "e", "<|im_end|>", "\n"]
    assert example.trained_tokens == 10
    # Labels are the ids themselves where set (shifting happens in the loss).
    for token, label in zip(example.input_ids, example.labels, strict=True):
        assert label in (IGNORE, token)


def test_truncation_that_leaves_no_reply_drops_the_example() -> None:
    tokenizer = char_tokenizer()
    long_question = Conversation((("user", "x" * 200), ("assistant", "y")))
    assert data.tokenize(tokenizer, long_question, 64) is None
    kept, dropped = data.tokenize_all(tokenizer, [long_question, *conversations(2)], 64)
    assert (len(kept), dropped) == (2, 1)


def test_split_is_seeded_and_stratified_by_tag() -> None:
    items = conversations(40)
    first = data.split(items, 0.25, seed=7)
    again = data.split(items, 0.25, seed=7)
    other = data.split(items, 0.25, seed=8)
    assert first.train == again.train and first.validation == again.validation
    assert first.validation != other.validation
    assert first.by_tag == {"bees": (15, 5), "honey": (15, 5)}
    assert sorted(c.tag for c in first.validation) == ["bees"] * 5 + ["honey"] * 5
    assert set(first.train).isdisjoint(first.validation)


def test_a_small_tag_still_gets_one_held_out() -> None:
    items = [
        *conversations(20),
        Conversation((("user", "q"), ("assistant", "a")), "rare"),
        Conversation((("user", "q2"), ("assistant", "a2")), "rare"),
    ]
    splits = data.split(items, 0.1, seed=1)
    assert splits.by_tag["rare"] == (1, 1)


def test_general_data_is_mixed_in_at_the_ratio() -> None:
    splits = data.split(conversations(40), 0.25, seed=1)
    general = [
        Conversation((("user", f"g{i}"), ("assistant", "ok")), general=True) for i in range(100)
    ]
    mixed = data.mix_general(splits, general, 0.25, seed=1)
    share = sum(c.general for c in mixed.train) / len(mixed.train)
    assert mixed.general == 10 and share == pytest.approx(0.25)
    assert mixed.validation == splits.validation  # measured on the project's data only


def test_samples_become_conversations_with_reasoning_and_tags() -> None:
    qa = ExportRecord(id=1, question="Q?", answer="A.", cot="because", provenance={"tag": "t"})
    dialogue = ExportRecord(
        id=2,
        question="hi",
        answer="bye",
        kind="dialogue",
        messages=(
            Message(role="user", content="hi"),
            Message(role="assistant", content="hello"),
            Message(role="user", content="again"),
            Message(role="assistant", content="bye"),
        ),
    )
    found = data.from_records([qa, dialogue], system="Sys")
    assert found[0].turns == (
        ("system", "Sys"),
        ("user", "Q?"),
        ("assistant", "<think>\nbecause\n</think>\nA."),
    )
    assert found[0].tag == "t" and found[1].tag == ""
    assert [role for role, _ in found[1].turns] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
    ]


def test_jsonl_exports_of_each_shape_are_read(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    rows = [
        {
            "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}],
            "tag": "x",
        },
        {"conversations": [{"from": "human", "value": "c"}, {"from": "gpt", "value": "d"}]},
        {"instruction": "e", "input": "f", "output": "g", "metadata": {"tag": "y"}},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n\n", encoding="utf-8")
    found = data.read_jsonl(path)
    assert [c.turns for c in found] == [
        (("user", "a"), ("assistant", "b")),
        (("user", "c"), ("assistant", "d")),
        (("user", "e\n\nf"), ("assistant", "g")),
    ]
    assert [c.tag for c in found] == ["x", "", "y"]


def test_a_bad_line_names_its_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "a"}]}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: .*assistant reply"):
        data.read_jsonl(path)
    with pytest.raises(InputError, match="no training data file"):
        data.read_jsonl(tmp_path / "missing.jsonl")
