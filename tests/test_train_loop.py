"""The training loop on a tiny random model: LoRA, prefix and full runs, early stopping on
a rising validation loss, and a resumed run that continues exactly as an unbroken one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from easy_dataset.train import pipeline
from easy_dataset.train.data import Conversation
from easy_dataset.train.loop import Loop, lr_factor, total_steps
from easy_dataset.train.models import find_target_modules
from easy_dataset.train.settings import TrainSettings
from tests.train_support import char_tokenizer, conversations, tiny_model


def _prepared(settings: TrainSettings, items: list[Conversation] | None = None) -> Any:
    tokenizer = char_tokenizer()
    return pipeline.prepare(
        items or conversations(), settings, model=tiny_model(len(tokenizer)), tokenizer=tokenizer
    )


def _settings(**changes: Any) -> TrainSettings:
    values: dict[str, Any] = {
        "max_steps": 6,
        "grad_accumulation": 2,
        "batch_size": 2,
        "eval_every": 2,
        "checkpoint_every": 3,
        "learning_rate": 1e-2,
        "warmup_ratio": 0.0,
        "max_length": 128,
        "validation_ratio": 0.2,
    }
    return TrainSettings(**(values | changes))


def test_defaults_follow_the_recipe() -> None:
    settings = TrainSettings()
    assert (settings.method, settings.lora_r, settings.lora_alpha, settings.lora_dropout) == (
        "lora",
        16,
        32,
        0.1,
    )
    assert settings.peak_learning_rate == 2e-4
    assert TrainSettings(method="full").peak_learning_rate == 3e-5
    assert (settings.grad_accumulation, settings.weight_decay) == (8, 0.01)
    assert settings.early_stopping_patience == 3 and settings.min_learning_rate == 1e-6
    full = TrainSettings(method="full", warmup_ratio=0.1)
    # Warm-up to the peak, then cosine down to 1e-6 at the last step.
    assert lr_factor(0, full, 100) * 3e-5 == pytest.approx(3e-5 / 11)
    assert lr_factor(10, full, 100) == pytest.approx(1.0)
    assert lr_factor(100, full, 100) * 3e-5 == pytest.approx(1e-6)
    assert total_steps(TrainSettings(epochs=2, batch_size=1, grad_accumulation=8), 20) == 5


def test_lora_targets_the_attention_projections() -> None:
    assert find_target_modules(tiny_model(60)) == ["q_proj", "k_proj", "v_proj", "o_proj"]


def test_lora_run_learns_and_writes_adapter_merged_model_and_report(tmp_path: Path) -> None:
    settings = _settings(max_steps=12, checkpoint_every=4, lora_r=4, lora_alpha=8)
    prepared = _prepared(settings)
    seen: list[tuple[str, int]] = []
    result = pipeline.train(
        prepared, settings, tmp_path, on_progress=lambda r: seen.append((r.phase, r.step))
    )
    assert result.status == "done"
    losses = [loss for _, loss in result.run.train_curve]
    assert len(losses) == 12 and sum(losses[-3:]) < sum(losses[:3])
    assert [step for phase, step in seen if phase == "eval"] == [2, 4, 6, 8, 10, 12]
    assert [step for phase, step in seen if phase == "checkpoint"] == [4, 8, 12]
    metrics = result.metrics
    assert 0 < metrics["trainable_share"] < 0.2 and metrics["train_examples"] > 0
    assert metrics["best_val_loss"] == min(loss for _, loss in result.run.val_curve)
    for name in ("adapter", "merged", "report_json", "report_md"):
        assert Path(result.outputs[name]).exists(), name
    assert (Path(result.outputs["adapter"]) / "adapter_config.json").is_file()
    # The merged model alone answers as the adapter on its base did. (torch is imported here,
    # as the package does, so that collecting this module does not load it in every worker.)
    import torch
    from transformers import AutoModelForCausalLM

    merged = AutoModelForCausalLM.from_pretrained(result.outputs["merged"]).eval()
    ids = torch.tensor([prepared.train[0].input_ids])
    prepared.model.eval()
    with torch.no_grad():
        tuned = prepared.model(input_ids=ids).logits
        alone = merged(input_ids=ids).logits
    assert torch.allclose(tuned, alone, atol=1e-4)
    assert "| best_val_loss |" in Path(result.outputs["report_md"]).read_text()


def test_prefix_tuning_trains_virtual_tokens_only(tmp_path: Path) -> None:
    settings = _settings(method="prefix", prefix_tokens=4, learning_rate=None)
    result = pipeline.train(_prepared(settings), settings, tmp_path)
    assert result.status == "done" and set(result.outputs) >= {"adapter", "report_json"}
    assert "merged" not in result.outputs
    assert result.metrics["trainable_share"] < 0.1


def test_full_fine_tuning_with_ema_and_checkpointing(tmp_path: Path) -> None:
    settings = _settings(
        method="full", ema_decay=0.9, gradient_checkpointing=True, validation_ratio=0.0
    )
    prepared = _prepared(settings)
    result = pipeline.train(prepared, settings, tmp_path)
    assert result.status == "done" and result.metrics["trainable_share"] == 1.0
    assert result.run.val_curve == [] and result.metrics["best_val_loss"] is None
    assert (Path(result.outputs["merged"]) / "config.json").is_file()


def test_early_stopping_on_a_rising_validation_loss(tmp_path: Path) -> None:
    # Validation asks the same questions with other answers: the better the model learns
    # the training answers, the worse it does there.
    train = [
        Conversation((("user", f"say {i % 3}"), ("assistant", "aaaaaaaaaaaa")), "t")
        for i in range(12)
    ]
    held = [
        Conversation((("user", f"say {i % 3}"), ("assistant", "zqzqzqzqzqzq")), "v")
        for i in range(4)
    ]
    settings = _settings(
        method="full",
        max_steps=60,
        eval_every=1,
        early_stopping_patience=3,
        validation_ratio=0.0,
        learning_rate=3e-3,
        grad_accumulation=1,
    )
    prepared = _prepared(settings, train)
    tokenizer = prepared.tokenizer
    from easy_dataset.train.data import tokenize_all

    validation, _ = tokenize_all(tokenizer, held, 128)
    loop = Loop(
        prepared.model,
        prepared.train,
        validation,
        settings,
        tmp_path,
        pad_id=tokenizer.pad_token_id,
        device="cpu",
    )
    outcome = loop.run()
    run = outcome.run
    assert run.stopped_early and run.step < 60
    assert run.step == run.best_step + 3 and run.bad_evals == 3
    vals = [loss for _, loss in run.val_curve]
    assert vals[-4] == run.best_val and all(later > run.best_val for later in vals[-3:])
    assert vals[-1] > vals[0]  # it rose: stopping was earned, not a fluke of noise
    # The model left behind is the best one evaluated, not the last.
    assert loop.evaluate() == pytest.approx(run.best_val, rel=1e-5)


def test_resumed_run_continues_exactly_like_an_unbroken_one(tmp_path: Path) -> None:
    settings = _settings(max_steps=8, checkpoint_every=100, ema_decay=0.5)
    unbroken = pipeline.train(_prepared(settings), settings, tmp_path / "a")

    steps = iter(range(100))
    stopped = pipeline.train(
        _prepared(settings), settings, tmp_path / "b", should_stop=lambda: next(steps) >= 5
    )
    assert stopped.status == "cancelled" and stopped.run.step == 5
    assert (tmp_path / "b" / "checkpoints" / "step-00000005").is_dir()
    resumed = pipeline.train(_prepared(settings), settings, tmp_path / "b")
    assert resumed.status == "done" and resumed.run.resumed_from == [5]
    assert [s for s, _ in resumed.run.train_curve] == list(range(1, 9))
    for (_, a), (_, b) in zip(unbroken.run.train_curve, resumed.run.train_curve, strict=True):
        assert a == pytest.approx(b, rel=1e-5)
    assert [s for s, _ in resumed.run.val_curve] == [s for s, _ in unbroken.run.val_curve]
    assert [v for _, v in resumed.run.val_curve] == pytest.approx(
        [v for _, v in unbroken.run.val_curve], rel=1e-5
    )
