"""Export records: every format's shape, streaming, and loading the files the way users do."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from easy_dataset.errors import InputError
from easy_dataset.export import (
    ExportOptions,
    ExportRecord,
    dataset_info,
    file_type_for,
    write_export,
)

SYSTEM = "你是一位养蜂专家。"
RECORDS = [
    ExportRecord(
        id=7,
        question='蜂蜡是什么？ He said "wax"\nand left.',
        answer="Wax made by bees.\n第二行 with a tab\t and \\ backslash",
        cot="First, 蜜蜂 secrete it.\nThen they build comb.",
        tags=["wax", "基础"],
        score=4.5,
        confirmed=True,
        provenance={
            "file": "guide.md",
            "chunk": 3,
            "heading_path": ["Guide", "Wax"],
            "persona": "beginner",
            "tag": "Products",
            "model": "gpt-x",
        },
    ),
    ExportRecord(id=9, question="Why smoke?", answer="It calms bees.", cot=""),
]
THOUGHT = (
    "<think>\nFirst, 蜜蜂 secrete it.\nThen they build comb.\n</think>\n\n"
    "Wax made by bees.\n第二行 with a tab\t and \\ backslash"
)


def _export(options: ExportOptions, records: list[ExportRecord] = RECORDS) -> list[Any]:
    out = io.BytesIO()
    assert write_export(records, options, out) == len(records)
    text = out.getvalue().decode("utf-8")
    if options.file_type == "json":
        data = json.loads(text)
        assert isinstance(data, list)
        return data
    lines = text.splitlines()
    assert text.endswith("\n") and len(lines) == len(records)
    return [json.loads(line) for line in lines]


def _answer(index: int, cot: str) -> str:
    """What the first two records' answer fields hold in each reasoning mode."""
    if index == 0 and cot == "think":
        return THOUGHT
    return RECORDS[index].answer


FILE_TYPES = ["json", "jsonl"]
COT_MODES = ["think", "field", "omit"]


@pytest.mark.parametrize("file_type", FILE_TYPES)
@pytest.mark.parametrize("cot", COT_MODES)
@pytest.mark.parametrize("system", [None, SYSTEM])
def test_alpaca(file_type: str, cot: str, system: str | None) -> None:
    options = ExportOptions.model_validate(
        {"format": "alpaca", "file_type": file_type, "cot": cot, "system_prompt": system}
    )
    rows = _export(options)
    for index, row in enumerate(rows):
        expected: dict[str, Any] = {
            "instruction": RECORDS[index].question,
            "input": "",
            "output": _answer(index, cot),
        }
        if system:
            expected["system"] = system
        if cot == "field":
            expected["reasoning"] = RECORDS[index].cot
        assert row == expected


def test_alpaca_question_as_input() -> None:
    options = ExportOptions(
        format="alpaca", alpaca_question_as="input", alpaca_instruction="Answer as a beekeeper."
    )
    first = _export(options)[0]
    assert first["instruction"] == "Answer as a beekeeper."
    assert first["input"] == RECORDS[0].question
    assert first["output"] == THOUGHT


@pytest.mark.parametrize("file_type", FILE_TYPES)
@pytest.mark.parametrize("cot", COT_MODES)
@pytest.mark.parametrize("system", [None, SYSTEM])
def test_sharegpt(file_type: str, cot: str, system: str | None) -> None:
    options = ExportOptions.model_validate(
        {"format": "sharegpt", "file_type": file_type, "cot": cot, "system_prompt": system}
    )
    for index, row in enumerate(_export(options)):
        expected: dict[str, Any] = {
            "conversations": [
                {"from": "human", "value": RECORDS[index].question},
                {"from": "gpt", "value": _answer(index, cot)},
            ]
        }
        if system:
            expected["system"] = system
        if cot == "field":
            expected["reasoning"] = RECORDS[index].cot
        assert row == expected


@pytest.mark.parametrize("file_type", FILE_TYPES)
@pytest.mark.parametrize("cot", COT_MODES)
@pytest.mark.parametrize("system", [None, SYSTEM])
def test_messages(file_type: str, cot: str, system: str | None) -> None:
    options = ExportOptions.model_validate(
        {"format": "messages", "file_type": file_type, "cot": cot, "system_prompt": system}
    )
    for index, row in enumerate(_export(options)):
        reply: dict[str, str] = {"role": "assistant", "content": _answer(index, cot)}
        if cot == "field":
            reply["reasoning_content"] = RECORDS[index].cot
        messages = [{"role": "system", "content": system}] if system else []
        messages += [{"role": "user", "content": RECORDS[index].question}, reply]
        assert row == {"messages": messages}


@pytest.mark.parametrize("file_type", FILE_TYPES)
@pytest.mark.parametrize("system", [None, SYSTEM])
def test_reasoning(file_type: str, system: str | None) -> None:
    options = ExportOptions.model_validate(
        {"format": "reasoning", "file_type": file_type, "system_prompt": system}
    )
    assert options.cot_mode == "field"
    for index, row in enumerate(_export(options)):
        expected = {
            "question": RECORDS[index].question,
            "reasoning": RECORDS[index].cot,
            "answer": RECORDS[index].answer,
        }
        if system:
            expected["system"] = system
        assert row == expected


@pytest.mark.parametrize("file_type", FILE_TYPES)
@pytest.mark.parametrize("cot", COT_MODES)
def test_custom(file_type: str, cot: str) -> None:
    field_map = {"answer": "completion", "question": "prompt", "id": "uid", "tags": "labels"}
    if cot == "field":
        field_map["cot"] = "thinking"
    options = ExportOptions.model_validate(
        {"format": "custom", "file_type": file_type, "cot": cot, "field_map": field_map}
    )
    rows = _export(options)
    first = {
        "completion": _answer(0, cot),
        "prompt": RECORDS[0].question,
        "uid": 7,
        "labels": ["wax", "基础"],
    }
    if cot == "field":
        first["thinking"] = RECORDS[0].cot
    assert rows[0] == first
    # The map's order is the record's order.
    assert list(rows[0]) == list(field_map.values())
    assert rows[1]["labels"] == []


def test_custom_defaults_to_field_when_cot_is_mapped() -> None:
    options = ExportOptions(
        format="custom",
        field_map={"question": "q", "answer": "a", "cot": "r", "score": "s", "confirmed": "ok"},
        system_prompt=None,
    )
    assert options.cot_mode == "field"
    assert _export(options) == [
        {
            "q": RECORDS[0].question,
            "a": RECORDS[0].answer,
            "r": RECORDS[0].cot,
            "s": 4.5,
            "ok": True,
        },
        {"q": "Why smoke?", "a": "It calms bees.", "r": "", "s": None, "ok": False},
    ]


@pytest.mark.parametrize("format_", ["alpaca", "sharegpt", "messages", "reasoning"])
def test_provenance_adds_metadata(format_: str) -> None:
    rows = _export(ExportOptions.model_validate({"format": format_, "include_provenance": True}))
    assert rows[0]["metadata"] == {
        "id": 7,
        "kind": "qa",
        "file": "guide.md",
        "heading_path": ["Guide", "Wax"],
        "tag": "Products",
        "tags": ["wax", "基础"],
        "persona": "beginner",
        "source": None,
        "tag_path": None,
        "lineage": None,
        "model": "gpt-x",
        "score": 4.5,
        "confirmed": True,
    }
    # Every key is there on every row, so the column types stay the same across rows.
    assert rows[1]["metadata"] == {
        "id": 9,
        "kind": "qa",
        "file": None,
        "heading_path": None,
        "tag": None,
        "tags": [],
        "persona": None,
        "source": None,
        "tag_path": None,
        "lineage": None,
        "model": None,
        "score": None,
        "confirmed": False,
    }


def test_non_finite_score_is_written_as_null() -> None:
    record = ExportRecord(id=1, question="q", answer="a", score=float("nan"))
    rows = _export(ExportOptions(include_provenance=True), [record])
    assert rows[0]["metadata"]["score"] is None


def test_text_that_is_not_json_fails_with_the_pair_id() -> None:
    record = ExportRecord(id=5, question="q", answer="a", provenance={"file": float("inf")})
    with pytest.raises(InputError, match="QA pair 5 cannot be written as JSON"):
        write_export([record], ExportOptions(include_provenance=True), io.BytesIO())


def test_text_streams_and_binary_streams_get_the_same_bytes() -> None:
    options = ExportOptions(format="messages", file_type="json", system_prompt=SYSTEM)
    binary, text = io.BytesIO(), io.StringIO()
    write_export(RECORDS, options, binary)
    write_export(RECORDS, options, text)
    assert binary.getvalue().decode("utf-8") == text.getvalue()
    # Non-ASCII text is written as itself, not as \\u escapes.
    assert SYSTEM in text.getvalue()


@pytest.mark.parametrize(("file_type", "expected"), [("json", "[]\n"), ("jsonl", "")])
def test_no_records(file_type: str, expected: str) -> None:
    out = io.StringIO()
    assert write_export([], ExportOptions.model_validate({"file_type": file_type}), out) == 0
    assert out.getvalue() == expected


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"format": "reasoning", "cot": "think"}, "reasoning format keeps"),
        ({"format": "reasoning", "cot": "omit"}, "reasoning format keeps"),
        ({"alpaca_question_as": "input"}, "needs an instruction text"),
        ({"alpaca_instruction": "Answer."}, "needs the question placed as input"),
        ({"format": "sharegpt", "alpaca_question_as": "input"}, "apply to alpaca only"),
        ({"field_map": {"question": "q"}}, "custom format only"),
        ({"format": "custom"}, "must name fields for question and answer"),
        ({"format": "custom", "field_map": {"question": "q"}}, "question and answer"),
        (
            {"format": "custom", "field_map": {"question": "q", "answer": "a", "x": "y"}},
            "unknown custom field source",
        ),
        ({"format": "custom", "field_map": {"question": "q", "answer": "q"}}, "must differ"),
        ({"format": "custom", "field_map": {"question": " ", "answer": "a"}}, "may not be empty"),
        (
            {"format": "custom", "field_map": {"question": "q", "answer": "a"}, "cot": "field"},
            "map cot=NAME",
        ),
        (
            {
                "format": "custom",
                "field_map": {"question": "q", "answer": "a", "cot": "c"},
                "cot": "think",
            },
            "map cot=NAME",
        ),
        (
            {
                "format": "custom",
                "field_map": {"question": "q", "answer": "a"},
                "system_prompt": "s",
            },
            "map system=NAME",
        ),
        (
            {
                "format": "custom",
                "field_map": {"question": "q", "answer": "metadata"},
                "include_provenance": True,
            },
            "taken by the provenance",
        ),
    ],
)
def test_invalid_combinations_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ExportOptions.model_validate(settings)


def test_blank_system_prompt_is_none() -> None:
    assert ExportOptions(system_prompt="  ").system_prompt is None


def test_file_type_from_suffix() -> None:
    assert file_type_for("out/data.JSON") == "json"
    assert file_type_for(Path("data.jsonl")) == "jsonl"
    with pytest.raises(InputError, match="cannot tell the file type"):
        file_type_for("data.csv")


def test_dataset_info_entries() -> None:
    assert dataset_info(ExportOptions(format="alpaca"), "qa.json", "bees") == {
        "bees": {
            "file_name": "qa.json",
            "formatting": "alpaca",
            "columns": {"prompt": "instruction", "query": "input", "response": "output"},
        }
    }
    assert dataset_info(ExportOptions(format="alpaca", system_prompt="s"), "qa.json", "b")["b"][
        "columns"
    ] == {"prompt": "instruction", "query": "input", "response": "output", "system": "system"}
    assert dataset_info(ExportOptions(format="sharegpt", system_prompt="s"), "qa.jsonl", "b") == {
        "b": {
            "file_name": "qa.jsonl",
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "system": "system"},
            "tags": {
                "role_tag": "from",
                "content_tag": "value",
                "user_tag": "human",
                "assistant_tag": "gpt",
            },
        }
    }
    assert dataset_info(ExportOptions(format="sharegpt"), "qa.jsonl", "b")["b"]["columns"] == {
        "messages": "conversations"
    }
    assert dataset_info(ExportOptions(format="messages"), "m.json", "m") == {
        "m": {
            "file_name": "m.json",
            "formatting": "sharegpt",
            "columns": {"messages": "messages"},
            "tags": {
                "role_tag": "role",
                "content_tag": "content",
                "user_tag": "user",
                "assistant_tag": "assistant",
                "system_tag": "system",
            },
        }
    }
    with pytest.raises(InputError, match="not reasoning"):
        dataset_info(ExportOptions(format="reasoning"), "r.json", "r")
    with pytest.raises(InputError, match="needs a name"):
        dataset_info(ExportOptions(), "r.json", " ")


def _many(count: int) -> Iterator[ExportRecord]:
    for index in range(count):
        yield ExportRecord(id=index, question=f"question {index}", answer=f"answer {index}")


@pytest.mark.slow
def test_memory_stays_flat_however_many_records(tmp_path: Path) -> None:
    # A JSON array is the case that tempts building the list; JSON Lines shares the loop.
    # Streaming peaks near 30 kB whatever the count; holding the file or the records would
    # take well over the 1 MB allowed (tracemalloc slows every allocation: no more rows).
    count = 40_000
    options = ExportOptions(format="alpaca", file_type="json", system_prompt="s")
    path = tmp_path / "big.json"
    with path.open("wb") as out:
        tracemalloc.start()
        try:
            written = write_export(_many(count), options, out)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert written == count
    assert peak < 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert path.stat().st_size > 3 * 1024 * 1024
    data = json.loads(path.read_text("utf-8"))
    assert len(data) == count and data[-1]["output"] == f"answer {count - 1}"


@pytest.fixture
def hf_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    return tmp_path / "hf-cache"


def _load(path: Path, cache: Path) -> Any:
    import datasets

    return datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(cache))


@pytest.mark.parametrize("file_type", FILE_TYPES)
@pytest.mark.parametrize(
    ("settings", "columns"),
    [
        ({"format": "alpaca"}, {"instruction", "input", "output"}),
        (
            {"format": "alpaca", "system_prompt": SYSTEM, "cot": "field"},
            {"instruction", "input", "output", "system", "reasoning"},
        ),
        ({"format": "sharegpt", "system_prompt": SYSTEM}, {"conversations", "system"}),
        ({"format": "sharegpt", "include_provenance": True}, {"conversations", "metadata"}),
        ({"format": "messages", "system_prompt": SYSTEM, "cot": "field"}, {"messages"}),
        ({"format": "messages"}, {"messages"}),
    ],
)
def test_hugging_face_datasets_loads_the_file(
    tmp_path: Path, hf_offline: Path, file_type: str, settings: dict[str, Any], columns: set[str]
) -> None:
    options = ExportOptions.model_validate(settings | {"file_type": file_type})
    path = tmp_path / f"export.{file_type}"
    with path.open("wb") as out:
        write_export(RECORDS, options, out)
    loaded = _load(path, hf_offline)
    assert set(loaded.column_names) == columns
    assert loaded.num_rows == len(RECORDS)
    first = loaded[0]
    if options.format == "alpaca":
        assert first["instruction"] == RECORDS[0].question
    elif options.format == "sharegpt":
        assert [turn["from"] for turn in first["conversations"]] == ["human", "gpt"]
        assert first["conversations"][1]["value"] == THOUGHT
    else:
        roles = [message["role"] for message in first["messages"]]
        assert roles == (
            ["system", "user", "assistant"] if options.system_prompt else ["user", "assistant"]
        )
        if options.cot_mode == "field":
            assert first["messages"][-1]["reasoning_content"] == RECORDS[0].cot
