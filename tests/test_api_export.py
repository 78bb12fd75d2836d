"""REST API: the export downloaded (GET with query parameters, POST with JSON) in every format,
file type and filter, byte for byte what the file export writes, streamed in flat memory."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from easy_dataset.export import ExportOptions
from easy_dataset.services import App
from easy_dataset.services.export import ExportFilters, export_dataset, export_stream
from easy_dataset.services.projects import create_project
from tests.api_support import Answer, core, fresh, refused, seed_pairs, shared_server
from tests.test_export_service import PROJECT, _seed

URL = f"/api/projects/{PROJECT}/export"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


@pytest.fixture
def api(server: TestClient) -> TestClient:
    return fresh(server)


@pytest.fixture
def ids(api: TestClient) -> dict[str, int]:
    return _seed(core(api))


def _lines(response: Answer) -> list[Any]:
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def _array(response: Answer) -> list[Any]:
    assert response.status_code == 200, response.text
    data = json.loads(response.text)
    assert isinstance(data, list)
    return data


def _file_export(app: App, tmp_path: Path, options: ExportOptions, **filters: Any) -> bytes:
    out = tmp_path / f"file.{options.file_type}"
    export_dataset(app, PROJECT, out, options, ExportFilters(**filters), overwrite=True)
    return out.read_bytes()


def test_jsonl_and_json_downloads_match_the_file_export(
    api: TestClient, ids: dict[str, int], tmp_path: Path
) -> None:
    response = api.get(URL)
    rows = _lines(response)
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"bees-alpaca.jsonl\"; filename*=UTF-8''bees-alpaca.jsonl"
    )
    assert [row["instruction"] for row in rows][:2] == ["蜂蜡是什么？", "Why smoke?"]
    assert len(rows) == len(ids) and set(rows[0]) == {"instruction", "input", "output"}
    assert response.content == _file_export(core(api), tmp_path, ExportOptions())

    query = "format=sharegpt&file_type=json&system=Be brief.&cot=field&provenance=true"
    response = api.get(f"{URL}?{query}")
    rows = _array(response)
    assert response.headers["content-type"] == "application/json"
    assert set(rows[0]) == {"conversations", "system", "reasoning", "metadata"}
    assert rows[0]["metadata"]["tag"] == "养蜂" and rows[0]["system"] == "Be brief."
    options = ExportOptions(
        format="sharegpt",
        file_type="json",
        system_prompt="Be brief.",
        cot="field",
        include_provenance=True,
    )
    assert response.content == _file_export(core(api), tmp_path, options)


def test_filters_by_query_and_by_body(api: TestClient, ids: dict[str, int]) -> None:
    def exported(query: str) -> list[str]:
        return [row["instruction"] for row in _lines(api.get(f"{URL}?{query}"))]

    assert exported("confirmed_only=true") == ["蜂蜡是什么？", "Why smoke?"]
    assert len(exported("min_score=5")) == 3
    assert exported("tag=safety&tag=wax") == ["蜂蜡是什么？", "Why smoke?"]
    assert exported(f"id={ids['open_high']}&id={ids['confirmed_low']}") == [
        "Why smoke?",
        "When to harvest?",
    ]
    assert exported("tag=nothing") == []

    body = {
        "options": {"format": "messages", "file_type": "json", "system_prompt": "S", "cot": "omit"},
        "filters": {"confirmed_only": True, "min_score": 5},
        "filename": "../../my set 蜂.json",
    }
    response = api.post(URL, json=body)
    [row] = _array(response)
    assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
    assert row["messages"][2]["content"] == 'Wax, "made" by bees.\nMore.'  # no think block
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="my_set_.json"; filename*=UTF-8')
    assert "my%20set%20%E8%9C%82.json" in disposition and ".." not in disposition
    assert _lines(api.post(URL, json={})) == _lines(api.get(URL))


def test_every_format_and_cot_mode(api: TestClient, ids: dict[str, int]) -> None:
    think = _lines(api.get(f"{URL}?id={ids['confirmed_high']}"))[0]
    assert think["output"].startswith("<think>\nThey secrete it.\n</think>\n\n")
    omitted = _lines(api.get(f"{URL}?id={ids['confirmed_high']}&cot=omit"))[0]
    assert omitted["output"] == 'Wax, "made" by bees.\nMore.'
    as_input = _lines(api.get(f"{URL}?question_as=input&instruction=Answer it.&cot=omit"))[0]
    assert as_input["instruction"] == "Answer it." and as_input["input"] == "蜂蜡是什么？"
    reasoning = _lines(api.get(f"{URL}?format=reasoning&file_type=jsonl"))[0]
    assert reasoning == {
        "question": "蜂蜡是什么？",
        "reasoning": "They secrete it.",
        "answer": ('Wax, "made" by bees.\nMore.'),
    }
    custom = _lines(
        api.get(f"{URL}?format=custom&field=question=prompt&field=answer=completion&cot=omit")
    )
    assert list(custom[0]) == ["prompt", "completion"] and len(custom) == len(ids)
    sharegpt = _lines(api.get(f"{URL}?format=sharegpt&system=S"))[0]
    assert sharegpt["system"] == "S" and sharegpt["conversations"][0]["from"] == "human"


@pytest.mark.parametrize(
    "query",
    [
        "format=xml",
        "file_type=csv",
        "format=reasoning&cot=think",
        "format=custom&field=question",
        "format=custom&field=question=prompt",
        "field=question=prompt",
        "instruction=Only with input",
        "min_score=nan",
        "min_score=high",
        "id=abc",
        f"id={2**70}",
        "colour=red",
    ],
)
def test_bad_query_exports(api: TestClient, ids: dict[str, int], query: str) -> None:
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"options": {"format": "reasoning", "cot": "think"}},
        {"options": {"format": "alpaca", "field_map": {"question": "q"}}},
        {"options": {"colour": "red"}},
        {"filters": {"ids": [2**70]}},
        {"filters": {"min_score": "high"}},
        {"format": "alpaca"},
        [],
    ],
)
def test_bad_body_exports(api: TestClient, ids: dict[str, int], body: Any) -> None:
    refused(api.post(URL, json=body), 422)


def test_unknown_project_and_malformed_json(api: TestClient) -> None:
    refused(api.get("/api/projects/nope/export"), 404, "not_found")
    refused(api.post("/api/projects/nope/export", json={}), 404, "not_found")
    malformed = api.post(
        "/api/projects/nope/export", content=b"{", headers={"content-type": "application/json"}
    )
    refused(malformed, 422, "invalid_request")


def test_many_rows_stream_as_one_valid_file(api: TestClient, tmp_path: Path) -> None:
    app = core(api)
    project_id = create_project(app, PROJECT).id
    assert api.get(f"{URL}?file_type=json").text == "[]\n"
    assert api.get(URL).text == ""
    seed_pairs(app, project_id, 2_500)  # more than two database batches
    rows = _array(api.get(f"{URL}?file_type=json&system=S"))
    assert len(rows) == 2_500 and rows[-1]["output"] == "a2499"
    options = ExportOptions(file_type="json", system_prompt="S")
    assert api.get(f"{URL}?file_type=json&system=S").content == _file_export(app, tmp_path, options)


def _streamed(app: App, project: str) -> tuple[int, int, int]:
    """Bytes, largest chunk and peak traced memory of streaming a project's export."""
    stream = export_stream(app, project, ExportOptions(file_type="json", system_prompt="S"))
    size, largest = 0, 0
    tracemalloc.start()
    try:
        for chunk in stream:
            size += len(chunk)
            largest = max(largest, len(chunk))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stream.encoder.bytes == size
    return size, largest, peak


@pytest.mark.slow
def test_stream_memory_stays_flat_and_nothing_is_written(api: TestClient) -> None:
    app = core(api)
    answer = "an answer of a few words " * 10
    seed_pairs(app, create_project(app, "small").id, 4_000, answer=answer)
    seed_pairs(app, create_project(app, "large").id, 20_000, answer=answer)
    before = sorted(app.settings.home.rglob("*"))
    small_size, _, small_peak = _streamed(app, "small")
    size, largest, peak = _streamed(app, "large")
    # Five times the rows (about 6 MB out) in the same memory: one batch at a time.
    assert size > 4 * small_size and size > 5_000_000 and largest < 100_000
    assert peak < 1.5 * small_peak and peak < size / 2, (small_peak, peak)
    assert sorted(app.settings.home.rglob("*")) == before
