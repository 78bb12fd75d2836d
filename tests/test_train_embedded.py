"""A few LoRA steps on the embedded SmolLM2-135M, loaded from its GGUF by transformers: the
out-of-the-box base model trains, its adapter and merged model are written, and the tuned
model written back as GGUF answers in llama.cpp like the base does."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from easy_dataset.llm.local import GGUF_FILE, LocalChatClient
from easy_dataset.llm.types import Message, ModelConfig
from easy_dataset.train import pipeline
from easy_dataset.train.settings import TrainSettings
from tests.train_support import conversations, count_gguf_reads

pytestmark = pytest.mark.embedded


def test_lora_steps_on_the_embedded_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = count_gguf_reads(monkeypatch)
    settings = TrainSettings(
        base_model="embedded",
        max_steps=2,
        grad_accumulation=1,
        max_length=96,
        validation_ratio=0.0,
        checkpoint_every=1,
    )
    prepared = pipeline.prepare(conversations(6), settings)
    result = pipeline.train(prepared, settings, tmp_path)
    # Its tokenizer, config and weights came from one read, the export's metadata from one.
    assert [path.name for path in reads] == [GGUF_FILE, GGUF_FILE]
    assert result.status == "done" and result.run.step == 2
    assert all(loss > 0 for _, loss in result.run.train_curve)
    # LoRA r 16 on the attention projections: well under 3 % of 135M parameters.
    assert 0 < result.metrics["trainable_share"] < 0.03
    assert (Path(result.outputs["merged"]) / "config.json").is_file()
    assert (Path(result.outputs["adapter"]) / "adapter_config.json").is_file()
    # Two steps barely move the weights: base and tuned model both know the answer, which a
    # wrongly ordered or misnamed tensor would turn into noise.
    tuned = Path(result.outputs["gguf"])
    assert tuned.stat().st_size > 100_000_000  # Q8_0 of 135M parameters
    base, after = (asyncio.run(_ask(model)) for model in ("embedded", str(tuned)))
    assert "Paris" in base and "Paris" in after, (base, after)


async def _ask(model: str) -> str:
    config = ModelConfig(name="m", provider="local", model=model, temperature=0.0, max_tokens=24)
    reply = await LocalChatClient(config).chat(
        [Message(role="user", content="What is the capital of France?")]
    )
    return reply.text
