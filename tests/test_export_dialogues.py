"""Dialogues exported in every format: all their turns, their reasoning as the options say,
loadable by `datasets`, and for QA pairs the same bytes as the fast path."""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from easy_dataset.export import ExportOptions, ExportRecord, dataset_info, shape, write_export
from easy_dataset.export.formats import SHAPERS
from easy_dataset.export.turns import TURN_SHAPERS
from easy_dataset.samples_shape import dialogue_columns, sample_messages
from tests.test_export_formats import RECORDS, _load

SYSTEM = "你是一位养蜂专家。"
TURNS = [
    {"role": "system", "content": "You keep bees."},
    {"role": "user", "content": "Why smoke the hive?"},
    {"role": "assistant", "content": "It calms the bees.", "reasoning": "Smoke masks alarm."},
    # Leaked template debris is stripped from every turn, as from a QA pair.
    {"role": "user", "content": "How much smoke?<|im_end|>"},
    {"role": "assistant", "content": "A few puffs.</answer>", "reasoning": "Brood is fragile."},
]


def _dialogue(id_: int, turns: list[dict[str, Any]], **review: Any) -> ExportRecord:
    columns = dialogue_columns(turns)
    return ExportRecord(
        id=id_,
        question=columns["question"],
        answer=columns["answer"],
        kind="dialogue",
        messages=tuple(sample_messages("dialogue", "", "", "", columns["messages"])),
        **review,
    )


LONG = _dialogue(21, TURNS, tags=["smoke"], score=4.0, confirmed=True)
SHORT = _dialogue(
    22, [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]
)
MIXED = [RECORDS[0], LONG, SHORT]
THINK_1 = "<think>\nSmoke masks alarm.\n</think>\n\nIt calms the bees."
THINK_2 = "<think>\nBrood is fragile.\n</think>\n\nA few puffs."


@pytest.fixture
def hf_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    return tmp_path / "hf-cache"


def _rows(options: ExportOptions, records: list[ExportRecord]) -> list[Any]:
    out = io.StringIO()
    write_export(records, options, out)
    text = out.getvalue()
    return (
        json.loads(text)
        if options.file_type == "json"
        else [json.loads(line) for line in text.splitlines()]
    )


def test_sharegpt_has_every_turn_and_the_system_column() -> None:
    think, field = (
        _rows(ExportOptions(format="sharegpt", cot=cot), [LONG, SHORT])
        for cot in ("think", "field")
    )
    assert think == [
        {
            "conversations": [
                {"from": "human", "value": "Why smoke the hive?"},
                {"from": "gpt", "value": THINK_1},
                {"from": "human", "value": "How much smoke?"},
                {"from": "gpt", "value": THINK_2},
            ],
            "system": "You keep bees.",
        },
        {"conversations": [{"from": "human", "value": "Hi?"}, {"from": "gpt", "value": "Hello."}]},
    ]
    # In its own field, the reasoning is the last reply's, as a QA pair's is its one reply's.
    assert field[0]["conversations"][1]["value"] == "It calms the bees."
    assert field[0]["reasoning"] == "Brood is fragile."
    assert field[1]["reasoning"] == ""
    # The export's system prompt replaces the dialogue's own.
    [row] = _rows(ExportOptions(format="sharegpt", system_prompt=SYSTEM), [LONG])
    assert row["system"] == SYSTEM


def test_messages_keep_each_replys_reasoning() -> None:
    [row] = _rows(ExportOptions(format="messages", cot="field"), [LONG])
    assert row == {
        "messages": [
            {"role": "system", "content": "You keep bees."},
            {"role": "user", "content": "Why smoke the hive?"},
            {
                "role": "assistant",
                "content": "It calms the bees.",
                "reasoning_content": "Smoke masks alarm.",
            },
            {"role": "user", "content": "How much smoke?"},
            {
                "role": "assistant",
                "content": "A few puffs.",
                "reasoning_content": "Brood is fragile.",
            },
        ]
    }
    [row] = _rows(ExportOptions(format="messages", system_prompt=SYSTEM, cot="omit"), [LONG])
    assert [message["content"] for message in row["messages"]] == [
        SYSTEM,
        "Why smoke the hive?",
        "It calms the bees.",
        "How much smoke?",
        "A few puffs.",
    ]
    [row] = _rows(ExportOptions(format="messages"), [LONG])
    assert [m["content"] for m in row["messages"] if m["role"] == "assistant"] == [THINK_1, THINK_2]


def test_alpaca_puts_the_last_exchange_in_front_and_the_rest_in_history() -> None:
    assert _rows(ExportOptions(format="alpaca"), [LONG, SHORT]) == [
        {
            "instruction": "How much smoke?",
            "input": "",
            "output": THINK_2,
            "system": "You keep bees.",
            "history": [["Why smoke the hive?", THINK_1]],
        },
        {"instruction": "Hi?", "input": "", "output": "Hello.", "history": []},
    ]
    [row] = _rows(
        ExportOptions(
            format="alpaca",
            alpaca_question_as="input",
            alpaca_instruction="Answer as a beekeeper.",
            cot="field",
        ),
        [LONG],
    )
    assert row == {
        "instruction": "Answer as a beekeeper.",
        "input": "How much smoke?",
        "output": "A few puffs.",
        "system": "You keep bees.",
        "reasoning": "Brood is fragile.",
        "history": [["Why smoke the hive?", "It calms the bees."]],
    }


def test_reasoning_and_custom_formats() -> None:
    [row] = _rows(ExportOptions(format="reasoning"), [LONG])
    assert row == {
        "question": "How much smoke?",
        "reasoning": "Brood is fragile.",
        "answer": "A few puffs.",
        "system": "You keep bees.",
        "history": [["Why smoke the hive?", "It calms the bees."]],
    }
    field_map = {"question": "prompt", "answer": "completion", "history": "turns", "id": "uid"}
    options = ExportOptions(format="custom", field_map=field_map, cot="omit")
    assert _rows(options, [LONG, RECORDS[1]]) == [
        {
            "prompt": "How much smoke?",
            "completion": "A few puffs.",
            "turns": [["Why smoke the hive?", "It calms the bees."]],
            "uid": 21,
        },
        {"prompt": "Why smoke?", "completion": "It calms bees.", "turns": [], "uid": 9},
    ]


def test_provenance_names_the_kind() -> None:
    rows = _rows(ExportOptions(format="sharegpt", include_provenance=True), MIXED)
    assert [row["metadata"]["kind"] for row in rows] == ["qa", "dialogue", "dialogue"]
    assert rows[1]["metadata"]["score"] == 4.0 and rows[1]["metadata"]["tags"] == ["smoke"]


OPTIONS = [
    {"format": "alpaca", "alpaca_question_as": "input", "alpaca_instruction": "Do it."},
    {"format": "reasoning"},
    {"format": "custom", "field_map": {"question": "q", "answer": "a", "history": "h"}},
    {
        "format": "custom",
        "field_map": {"answer": "a", "question": "q", "cot": "c", "system": "s", "score": "n"},
        "cot": "field",
        "system_prompt": SYSTEM,
    },
    *(
        {"format": format_, "cot": cot, "system_prompt": system}
        for format_, cot, system in itertools.product(
            ("alpaca", "sharegpt", "messages"), ("think", "field", "omit"), (None, SYSTEM)
        )
    ),
]


@pytest.mark.parametrize("settings", OPTIONS)
def test_qa_pairs_fast_path_equals_the_turns_path(settings: dict[str, Any]) -> None:
    options = ExportOptions.model_validate(settings)
    for record in RECORDS:
        turns = sample_messages(
            "qa", record.question, record.answer, record.cot, None, options.system_prompt
        )
        fast = SHAPERS[options.format](record, options)
        slow = TURN_SHAPERS[options.format](record, turns, options)
        # Same keys in the same order, same values: the same bytes in the file.
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(slow, ensure_ascii=False)
        assert shape(record, options) == fast


def test_dataset_info_describes_the_columns_written() -> None:
    alpaca = ExportOptions(format="alpaca")
    assert "history" not in dataset_info(alpaca, "d.jsonl", "d")["d"]["columns"]
    assert dataset_info(alpaca, "d.jsonl", "d", dialogues=True, own_system=True)["d"][
        "columns"
    ] == {
        "prompt": "instruction",
        "query": "input",
        "response": "output",
        "system": "system",
        "history": "history",
    }
    sharegpt = dataset_info(ExportOptions(format="sharegpt"), "d.jsonl", "d", own_system=True)
    assert sharegpt["d"]["columns"] == {"messages": "conversations", "system": "system"}


@pytest.mark.parametrize("file_type", ["json", "jsonl"])
@pytest.mark.parametrize(
    ("settings", "columns"),
    [
        ({"format": "alpaca"}, {"instruction", "input", "output", "system", "history"}),
        ({"format": "sharegpt", "cot": "field"}, {"conversations", "system", "reasoning"}),
        ({"format": "messages", "cot": "field"}, {"messages"}),
        ({"format": "reasoning"}, {"question", "reasoning", "answer", "system", "history"}),
    ],
)
def test_hugging_face_datasets_loads_qa_pairs_and_dialogues_together(
    tmp_path: Path, hf_offline: Path, file_type: str, settings: dict[str, Any], columns: set[str]
) -> None:
    options = ExportOptions.model_validate(settings | {"file_type": file_type})
    path = tmp_path / f"mixed.{file_type}"
    with path.open("wb") as out:
        write_export(MIXED, options, out)
    loaded = _load(path, hf_offline)
    assert set(loaded.column_names) == columns
    assert loaded.num_rows == 3
    dialogue = loaded[1]
    if options.format == "alpaca":
        assert dialogue["history"] == [["Why smoke the hive?", THINK_1]]
        assert loaded[0]["history"] is None and loaded[2]["history"] == []
    elif options.format == "sharegpt":
        assert [turn["from"] for turn in dialogue["conversations"]] == ["human", "gpt"] * 2
        assert dialogue["system"] == "You keep bees." and loaded[0]["system"] is None
    elif options.format == "messages":
        assert [m["role"] for m in dialogue["messages"]] == [
            "system",
            "user",
            "assistant",
            "user",
            "assistant",
        ]
        assert dialogue["messages"][2]["reasoning_content"] == "Smoke masks alarm."
    else:
        assert dialogue["history"] == [["Why smoke the hive?", "It calms the bees."]]
