"""A few LoRA steps on the embedded SmolLM2-135M, loaded from its GGUF by transformers: the
out-of-the-box base model trains and its adapter and merged model are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from easy_dataset.train import pipeline
from easy_dataset.train.settings import TrainSettings
from tests.train_support import conversations

pytestmark = pytest.mark.embedded


def test_lora_steps_on_the_embedded_model(tmp_path: Path) -> None:
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
    assert result.status == "done" and result.run.step == 2
    assert all(loss > 0 for _, loss in result.run.train_curve)
    # LoRA r 16 on the attention projections: well under 3 % of 135M parameters.
    assert 0 < result.metrics["trainable_share"] < 0.03
    assert (Path(result.outputs["merged"]) / "config.json").is_file()
    assert (Path(result.outputs["adapter"]) / "adapter_config.json").is_file()
