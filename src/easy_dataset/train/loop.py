"""The training loop: plain PyTorch, so that every step can be reported, cancelled,
checkpointed and resumed to the same continued run.

The order of examples is a function of the seed and the epoch, and the random states go into
each checkpoint, so a run resumed from step k takes the same batches and the same dropout
as the run that was never stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from easy_dataset.errors import InputError
from easy_dataset.train import checkpoint
from easy_dataset.train.checkpoint import RunState
from easy_dataset.train.data import IGNORE, Tokenized
from easy_dataset.train.settings import TrainSettings

BEST_FILE = "best.pt"
Phase = Literal["step", "eval", "checkpoint"]


@dataclass(frozen=True)
class StepReport:
    """A progress event: after each optimiser step, evaluation and checkpoint."""

    phase: Phase
    step: int
    total_steps: int
    train_loss: float | None
    val_loss: float | None
    learning_rate: float
    eta_seconds: float | None
    run: RunState


@dataclass(frozen=True)
class Outcome:
    """How the loop ended; `model` holds the final weights (the best evaluated, else EMA)."""

    status: Literal["done", "cancelled"]
    run: RunState
    model: Any


ProgressFn = Callable[[StepReport], None]
StopFn = Callable[[], bool]


def total_steps(settings: TrainSettings, examples: int) -> int:
    """Optimiser steps of the run: `max_steps`, else the epochs' worth of micro-batches."""
    if settings.max_steps is not None:
        return settings.max_steps
    micro = math.ceil(examples / settings.batch_size)
    return max(1, math.ceil(settings.epochs * micro / settings.grad_accumulation))


def lr_factor(step: int, settings: TrainSettings, total: int) -> float:
    """The learning rate at `step` as a share of the peak: linear warm-up, then the schedule
    down to `min_learning_rate` at the last step."""
    warmup = round(total * settings.warmup_ratio)
    if step < warmup:
        return (step + 1) / (warmup + 1)
    peak = settings.peak_learning_rate
    floor = min(settings.min_learning_rate, peak) / peak
    if settings.schedule == "constant":
        return 1.0
    progress = (step - warmup) / max(1, total - warmup)
    if settings.schedule == "linear":
        return floor + (1 - floor) * (1 - progress)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def _collate(examples: list[Tokenized], pad_id: int, device: str) -> dict[str, Any]:
    import torch

    width = max(len(example.input_ids) for example in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, example in enumerate(examples):
        size = len(example.input_ids)
        ids[row, :size] = torch.tensor(example.input_ids)
        labels[row, :size] = torch.tensor(example.labels)
        mask[row, :size] = 1
    return {"input_ids": ids.to(device), "labels": labels.to(device), "mask": mask.to(device)}


def _loss_sum(model: Any, batch: dict[str, Any], dtype: Any, device: str) -> Any:
    """The summed cross-entropy over the batch's labelled tokens (next-token prediction)."""
    import torch
    import torch.nn.functional as functional

    with torch.autocast(device_type=device, dtype=dtype, enabled=dtype is not None):
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["mask"]).logits
    shifted = logits[:, :-1, :].float()
    targets = batch["labels"][:, 1:]
    return functional.cross_entropy(
        shifted.reshape(-1, shifted.size(-1)),
        targets.reshape(-1),
        ignore_index=IGNORE,
        reduction="sum",
    )


def _labelled(examples: list[Tokenized]) -> int:
    # Labels are shifted by one: a label on the first token predicts nothing.
    return sum(sum(1 for label in e.labels[1:] if label != IGNORE) for e in examples)


class Loop:
    """One run of training over tokenized examples; `run()` goes from the last checkpoint
    under `workdir` (if any) to the end, a cancel, or early stopping."""

    def __init__(
        self,
        model: Any,
        train: list[Tokenized],
        validation: list[Tokenized],
        settings: TrainSettings,
        workdir: Path,
        *,
        pad_id: int,
        device: str,
        dtype: Any = None,
    ) -> None:
        import torch

        if not train:
            raise InputError("no training examples: every sample was empty or cut off")
        self.model = model
        self.train_set = train
        self.val_set = validation
        self.settings = settings
        self.workdir = workdir
        self.checkpoints = workdir / "checkpoints"
        self.pad_id = pad_id
        self.device = device
        self.dtype = dtype
        self.total = total_steps(settings, len(train))
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(
            [
                {
                    "params": [p for _, p in named if p.ndim >= 2],
                    "weight_decay": settings.weight_decay,
                },
                {"params": [p for _, p in named if p.ndim < 2], "weight_decay": 0.0},
            ],
            lr=settings.peak_learning_rate,
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda step: lr_factor(step, settings, self.total)
        )
        self.scaler = torch.amp.GradScaler(device, enabled=dtype == torch.float16)
        self.ema: dict[str, Any] | None = (
            {n: p.detach().clone().float() for n, p in named} if settings.ema_decay else None
        )
        self.state = RunState(total_steps=self.total)
        self._orders: dict[int, list[int]] = {}

    # -- data order -------------------------------------------------------------------------

    def _micro_batch(self, index: int) -> list[Tokenized]:
        """The `index`-th micro-batch of the run, epochs laid end to end."""
        import torch

        size = self.settings.batch_size
        per_epoch = math.ceil(len(self.train_set) / size)
        epoch, position = divmod(index, per_epoch)
        if epoch not in self._orders:
            generator = torch.Generator().manual_seed(self.settings.seed + epoch)
            self._orders = {
                epoch: torch.randperm(len(self.train_set), generator=generator).tolist()
            }
        order = self._orders[epoch]
        return [self.train_set[i] for i in order[position * size : (position + 1) * size]]

    # -- checkpoints ------------------------------------------------------------------------

    def resume(self) -> bool:
        """Load the newest checkpoint, if there is one; True when the run goes on from it."""
        found = checkpoint.latest(self.checkpoints)
        if found is None:
            return False
        state, parts = checkpoint.load(found)
        checkpoint.load_trainable(self.model, parts["trainable"])
        self.optimizer.load_state_dict(parts["optimizer"])
        self.scheduler.load_state_dict(parts["scheduler"])
        self.scaler.load_state_dict(parts["scaler"])
        self.ema = parts["ema"]
        checkpoint.restore_rng(parts["rng"])
        state.resumed_from.append(state.step)
        state.total_steps = self.total
        self.state = state
        return True

    def save_checkpoint(self) -> Path:
        return checkpoint.save(
            self.checkpoints,
            self.state,
            {
                "trainable": checkpoint.trainable_state(self.model),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(),
                "scaler": self.scaler.state_dict(),
                "ema": self.ema,
                "rng": checkpoint.rng_state(),
            },
        )

    # -- steps ------------------------------------------------------------------------------

    def step(self) -> float:
        """One optimiser step over `grad_accumulation` micro-batches; the mean token loss."""
        import torch

        accumulation = self.settings.grad_accumulation
        first = self.state.step * accumulation
        batches = [self._micro_batch(first + i) for i in range(accumulation)]
        # Every labelled token weighs the same, however the tokens fall into micro-batches.
        tokens = max(1, sum(_labelled(batch) for batch in batches))
        self.model.train()
        total = 0.0
        for examples in batches:
            batch = _collate(examples, self.pad_id, self.device)
            loss = _loss_sum(self.model, batch, self.dtype, self.device) / tokens
            self.scaler.scale(loss).backward()
            total += float(loss.detach())
        self.scaler.unscale_(self.optimizer)
        params = [p for group in self.optimizer.param_groups for p in group["params"]]
        torch.nn.utils.clip_grad_norm_(params, self.settings.max_grad_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        self.scheduler.step()
        self._update_ema()
        self.state.step += 1
        self.state.tokens += tokens
        return total

    def _update_ema(self) -> None:
        import torch

        if self.ema is None or self.settings.ema_decay is None:
            return
        decay = self.settings.ema_decay
        with torch.no_grad():
            for name, param in self.model.named_parameters():
                if name in self.ema:
                    self.ema[name].mul_(decay).add_(param.detach().float(), alpha=1 - decay)

    def _swap_ema(self) -> dict[str, Any] | None:
        """Put the EMA weights in the model; the live ones are returned to put back."""
        if self.ema is None:
            return None
        live = checkpoint.trainable_state(self.model)
        checkpoint.load_trainable(self.model, self.ema)
        return live

    def evaluate(self) -> float | None:
        """The mean token loss on the validation set (with the EMA weights when kept)."""
        import torch

        if not self.val_set:
            return None
        live = self._swap_ema()
        self.model.eval()
        total, tokens = 0.0, 0
        size = self.settings.batch_size
        with torch.no_grad():
            for start in range(0, len(self.val_set), size):
                examples = self.val_set[start : start + size]
                batch = _collate(examples, self.pad_id, self.device)
                total += float(_loss_sum(self.model, batch, self.dtype, self.device))
                tokens += _labelled(examples)
        if self._improved(total / max(1, tokens)):
            torch.save(checkpoint.trainable_state(self.model), self.workdir / BEST_FILE)
        if live is not None:
            checkpoint.load_trainable(self.model, live)
        return total / max(1, tokens)

    def _improved(self, loss: float) -> bool:
        state = self.state
        state.val_curve.append((state.step, loss))
        if state.best_val is None or loss < state.best_val:
            state.best_val, state.best_step, state.bad_evals = loss, state.step, 0
            return True
        state.bad_evals += 1
        patience = self.settings.early_stopping_patience
        if patience is not None and state.bad_evals >= patience:
            state.stopped_early = True
        return False

    # -- the run ----------------------------------------------------------------------------

    def run(
        self, on_progress: ProgressFn | None = None, should_stop: StopFn | None = None
    ) -> Outcome:
        import torch

        state = self.state
        started, start_step = time.monotonic(), state.step
        saved_at = state.step
        last_tick = started
        while state.step < self.total and not state.stopped_early:
            if should_stop is not None and should_stop():
                if state.step > saved_at:
                    self.save_checkpoint()
                return Outcome("cancelled", state, self.model)
            loss = self.step()
            now = time.monotonic()
            state.elapsed += now - last_tick
            last_tick = now
            rate = (state.step - start_step) / max(now - started, 1e-9)
            eta = (self.total - state.step) / rate if rate > 0 else None
            learning_rate = float(self.scheduler.get_last_lr()[0])
            state.train_curve.append((state.step, loss))
            state.lr_curve.append((state.step, learning_rate))
            self._emit(on_progress, "step", loss, None, learning_rate, eta)
            if state.step % self.settings.eval_every == 0 or state.step == self.total:
                val = self.evaluate()
                if val is not None:
                    self._emit(on_progress, "eval", loss, val, learning_rate, eta)
            if state.step % self.settings.checkpoint_every == 0:
                self.save_checkpoint()
                saved_at = state.step
                self._emit(on_progress, "checkpoint", loss, None, learning_rate, eta)
        best = self.workdir / BEST_FILE
        if best.is_file():
            checkpoint.load_trainable(self.model, torch.load(best, map_location="cpu"))
        elif self.ema is not None:
            checkpoint.load_trainable(self.model, self.ema)
        return Outcome("done", state, self.model)

    def _emit(
        self,
        on_progress: ProgressFn | None,
        phase: Phase,
        loss: float | None,
        val: float | None,
        learning_rate: float,
        eta: float | None,
    ) -> None:
        if on_progress is not None:
            on_progress(
                StepReport(
                    phase, self.state.step, self.total, loss, val, learning_rate, eta, self.state
                )
            )
