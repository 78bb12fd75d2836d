"""One training run from conversations to saved results: the function a job or a script calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from easy_dataset.train import data, models, results
from easy_dataset.train.checkpoint import RunState
from easy_dataset.train.extra import require_train
from easy_dataset.train.gguf_reading import read_once
from easy_dataset.train.loop import Loop, ProgressFn, StopFn
from easy_dataset.train.settings import TrainSettings


@dataclass(frozen=True)
class Prepared:
    """A base model made ready for its method, and the tokenized data."""

    model: Any
    tokenizer: Any
    train: list[data.Tokenized]
    validation: list[data.Tokenized]
    counts: dict[str, int]
    device: str
    # The GGUF file the base was loaded from: the tuned model is written back as GGUF too.
    base_gguf: Path | None = None


@dataclass(frozen=True)
class TrainResult:
    status: Literal["done", "cancelled"]
    run: RunState
    outputs: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)


def prepare(
    conversations: Sequence[data.Conversation],
    settings: TrainSettings,
    *,
    model: Any = None,
    tokenizer: Any = None,
) -> Prepared:
    """Split, mix, tokenize, and load the base model (unless given) wrapped for the method."""
    require_train()
    import torch

    torch.manual_seed(settings.seed)
    device = models.pick_device()
    base_gguf = None
    if tokenizer is None or model is None:
        source = models.resolve_base(settings.base_model)
        with read_once():
            tokenizer = tokenizer or models.load_tokenizer(source)
            model = model or models.load_model(source, settings, device)
        if source.gguf_file:
            base_gguf = Path(source.location) / source.gguf_file
    else:
        data.ensure_chat_template(tokenizer)
        model.to(device)
    splits = data.split(conversations, settings.validation_ratio, settings.seed)
    if settings.general_data and settings.general_ratio > 0:
        general = data.read_jsonl(settings.general_data, general=True)
        splits = data.mix_general(splits, general, settings.general_ratio, settings.seed)
    train, dropped_train = data.tokenize_all(tokenizer, splits.train, settings.max_length)
    validation, dropped_val = data.tokenize_all(tokenizer, splits.validation, settings.max_length)
    counts = {
        "train_examples": len(train),
        "validation_examples": len(validation),
        "general_examples": splits.general,
        "dropped_examples": dropped_train + dropped_val,
    }
    return Prepared(
        models.apply_method(model, settings),
        tokenizer,
        train,
        validation,
        counts,
        device,
        base_gguf,
    )


def train(
    prepared: Prepared,
    settings: TrainSettings,
    workdir: Path,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    on_loop: Callable[[Loop], None] | None = None,
) -> TrainResult:
    """Train from the last checkpoint under `workdir` (if any); on completion save the
    adapter, the merged model and the report there."""
    workdir.mkdir(parents=True, exist_ok=True)
    tokenizer = prepared.tokenizer
    loop = Loop(
        prepared.model,
        prepared.train,
        prepared.validation,
        settings,
        workdir,
        pad_id=int(tokenizer.pad_token_id),
        device=prepared.device,
        dtype=models.autocast_dtype(settings, prepared.device),
    )
    loop.resume()
    if on_loop is not None:
        on_loop(loop)
    outcome = loop.run(on_progress, should_stop)
    if outcome.status == "cancelled":
        return TrainResult("cancelled", outcome.run)
    trainable, total = models.count_parameters(outcome.model)
    figures = results.metrics(outcome.run, trainable, total, prepared.counts)
    outputs = results.save_models(
        outcome.model, tokenizer, settings, workdir, base_gguf=prepared.base_gguf
    )
    outputs.update(results.write_report(workdir, settings, outcome.run, figures))
    outputs["checkpoints"] = str(loop.checkpoints)
    return TrainResult("done", outcome.run, outputs, figures)
