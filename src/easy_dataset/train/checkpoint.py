"""Checkpoints: everything a run needs to go on exactly where it stopped (trainable weights,
optimizer, schedule, loss scaler, random states, EMA, counters and curves)."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "state.pt"
PROGRESS_FILE = "progress.json"
KEEP = 2  # checkpoints kept on disk: the newest, and one before it in case it is damaged


@dataclass
class RunState:
    """Counters and curves of a run: what a checkpoint and the progress events carry."""

    step: int = 0
    total_steps: int = 0
    tokens: int = 0  # trained (assistant) tokens seen so far
    elapsed: float = 0.0  # seconds of training over every session of the run
    best_val: float | None = None
    best_step: int | None = None
    bad_evals: int = 0
    stopped_early: bool = False
    resumed_from: list[int] = field(default_factory=list)
    train_curve: list[tuple[int, float]] = field(default_factory=list)
    val_curve: list[tuple[int, float]] = field(default_factory=list)
    lr_curve: list[tuple[int, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunState:
        state = cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})
        state.train_curve = [(int(s), float(v)) for s, v in state.train_curve]
        state.val_curve = [(int(s), float(v)) for s, v in state.val_curve]
        state.lr_curve = [(int(s), float(v)) for s, v in state.lr_curve]
        return state


def _name(step: int) -> str:
    return f"step-{step:08d}"


def trainable_state(model: Any) -> dict[str, Any]:
    """The weights that training changes, by name (all of them for full fine-tuning)."""
    return {
        name: param.detach().to("cpu", copy=True)
        for name, param in model.named_parameters()
        if param.requires_grad
    }


def load_trainable(model: Any, weights: dict[str, Any]) -> None:
    import torch

    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, value in weights.items():
            params[name].copy_(value.to(params[name].device))


def rng_state() -> dict[str, Any]:
    import numpy as np
    import torch

    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    import numpy as np
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save(folder: Path, run: RunState, parts: dict[str, Any]) -> Path:
    """Write a checkpoint atomically (a half-written one is never taken for a checkpoint)."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _name(run.step)
    partial = folder / f".partial-{_name(run.step)}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    torch.save(parts, partial / STATE_FILE)
    (partial / PROGRESS_FILE).write_text(json.dumps(run.as_dict()), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    for old in sorted(folder.glob("step-*"))[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def latest(folder: Path) -> Path | None:
    """The newest complete checkpoint under `folder`."""
    found = sorted(p for p in folder.glob("step-*") if (p / PROGRESS_FILE).is_file())
    return found[-1] if found else None


def load(path: Path) -> tuple[RunState, dict[str, Any]]:
    import torch

    run = RunState.from_dict(json.loads((path / PROGRESS_FILE).read_text(encoding="utf-8")))
    # Our own file, holding RNG states (numpy arrays, tuples), so not weights_only.
    parts = torch.load(path / STATE_FILE, map_location="cpu", weights_only=False)
    return run, parts
