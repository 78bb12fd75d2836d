"""What a finished run leaves: the adapter, the merged model, and the training report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from easy_dataset.train.checkpoint import RunState
from easy_dataset.train.gguf_export import export_gguf
from easy_dataset.train.settings import TrainSettings


def save_models(
    model: Any,
    tokenizer: Any,
    settings: TrainSettings,
    workdir: Path,
    *,
    base_gguf: Path | None = None,
) -> dict[str, str]:
    """The adapter (LoRA, prefix) and a standalone model folder (LoRA merged into the base,
    or the fully tuned model), each with the tokenizer, and the standalone model as GGUF
    when the base came from a GGUF file; their paths by kind."""
    outputs: dict[str, str] = {}
    standalone = model
    if settings.method != "full":
        adapter = workdir / "adapter"
        model.save_pretrained(adapter)
        tokenizer.save_pretrained(adapter)
        outputs["adapter"] = str(adapter)
        # Prefix tuning adds virtual tokens to every forward pass: it has no weights to merge.
        if settings.method not in ("lora", "qlora"):
            return outputs
        standalone = model.merge_and_unload()
    merged = workdir / "merged"
    standalone.save_pretrained(merged)
    tokenizer.save_pretrained(merged)
    outputs["merged"] = str(merged)
    if base_gguf is not None and settings.gguf != "none" and settings.method != "qlora":
        target = workdir / "model.gguf"
        export_gguf(
            standalone, base_gguf, target, tensor_type=settings.gguf, name=f"{workdir.name} tuned"
        )
        outputs["gguf"] = str(target)
    return outputs


def metrics(run: RunState, trainable: int, total: int, examples: dict[str, int]) -> dict[str, Any]:
    """The final figures of a run, as stored and reported."""
    last_train = run.train_curve[-1][1] if run.train_curve else None
    return {
        "steps": run.step,
        "total_steps": run.total_steps,
        "final_train_loss": last_train,
        "best_val_loss": run.best_val,
        "best_step": run.best_step,
        "stopped_early": run.stopped_early,
        "resumed_from": run.resumed_from,
        "trained_tokens": run.tokens,
        "seconds": round(run.elapsed, 3),
        "tokens_per_second": round(run.tokens / run.elapsed, 2) if run.elapsed else None,
        "trainable_parameters": trainable,
        "total_parameters": total,
        "trainable_share": round(trainable / total, 6) if total else None,
        **examples,
    }


def write_report(
    workdir: Path, settings: TrainSettings, run: RunState, figures: dict[str, Any]
) -> dict[str, str]:
    """report.json (settings, curves, metrics) and report.md beside it; their paths."""
    report = {
        "settings": settings.model_dump(mode="json"),
        "metrics": figures,
        "curves": curves(run),
    }
    json_path = workdir / "report.json"
    json_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    md_path = workdir / "report.md"
    md_path.write_text(_markdown(settings, run, figures), encoding="utf-8")
    return {"report_json": str(json_path), "report_md": str(md_path)}


def curves(run: RunState) -> dict[str, list[list[float]]]:
    return {
        "train": [[step, loss] for step, loss in run.train_curve],
        "validation": [[step, loss] for step, loss in run.val_curve],
        "learning_rate": [[step, rate] for step, rate in run.lr_curve],
    }


def _number(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _markdown(settings: TrainSettings, run: RunState, figures: dict[str, Any]) -> str:
    lines = [
        f"# Training report: {settings.method} on {settings.base_model}",
        "",
        "## Metrics",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {name} | {_number(value)} |" for name, value in figures.items()),
        "",
        "## Validation loss",
        "",
        "| step | loss |",
        "|---|---|",
        *(f"| {step} | {loss:.4f} |" for step, loss in run.val_curve),
        "",
        "## Settings",
        "",
        "| setting | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in settings.model_dump(mode="json").items()),
        "",
    ]
    return "\n".join(lines)
