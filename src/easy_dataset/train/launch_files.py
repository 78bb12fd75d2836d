"""Files for training elsewhere: LLaMA-Factory's training YAML with the settings of our own
runs, and for several GPUs an accelerate configuration (DDP or FSDP) with the command that
runs LLaMA-Factory under it.

Our own loop (`train run`) is one process on one device, so several GPUs go through
LLaMA-Factory: `accelerate launch -m llamafactory.launcher` runs its trainer in every process.
Everything here is a pure function of the settings; the files are written by the service.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import yaml

from easy_dataset.errors import InputError
from easy_dataset.llm.local import is_embedded_name
from easy_dataset.train.models import ATTENTION_NAMES
from easy_dataset.train.settings import TrainSettings

Strategy = Literal["ddp", "fsdp"]

TRAIN_FILE = "llamafactory_train.yaml"
ACCELERATE_FILE = "accelerate_config.yaml"
LAUNCH_FILE = "train.sh"

# The embedded model is the GGUF of this hub model; LLaMA-Factory loads the original.
EMBEDDED_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
EMBEDDED_TEMPLATE = "smollm2"
# SmolLM2 is a Llama: its attention projections, the layers our LoRA adapts.
LLAMA_ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
# Our cosine ends at min_learning_rate; HF's plain cosine would end at zero.
SCHEDULES = {"cosine": "cosine_with_min_lr", "linear": "linear", "constant": "constant_with_warmup"}
MIXED_PRECISION = {"auto": "bf16", "bf16": "bf16", "fp16": "fp16", "fp32": "no"}

Section = tuple[str, dict[str, Any]]


def _base_model(name: str) -> tuple[str, list[str]]:
    """The model LLaMA-Factory loads, and what to say about it."""
    if is_embedded_name(name):
        return EMBEDDED_HUB_ID, [
            f"base model: the embedded SmolLM2 is the GGUF of {EMBEDDED_HUB_ID}, "
            "downloaded from the hub on first use"
        ]
    if name.lower().endswith(".gguf"):
        raise InputError(
            "LLaMA-Factory loads Hugging Face models, not GGUF files; give the base model as "
            "its hub id or a model folder"
        )
    try:
        path = Path(name).expanduser()
        folder = path.is_dir()
    except (OSError, RuntimeError, ValueError):
        folder = False  # no name a folder could have (too long, a NUL, an unknown ~user)
    if folder:
        return str(path.resolve()), [
            "base model: a folder on this machine; change the path where you train"
        ]
    return name, []


def _lora_target(settings: TrainSettings) -> tuple[str, list[str]]:
    if settings.target_modules:
        return ",".join(settings.target_modules), []
    if is_embedded_name(settings.base_model):
        return ",".join(LLAMA_ATTENTION), []
    # Our runs adapt whichever of these the model has; PEFT does the same with the list.
    return ",".join(ATTENTION_NAMES), [
        "lora_target: the attention projections of the common architectures; PEFT adapts "
        "those this model has, as easy-dataset's own runs do"
    ]


def planned_steps(settings: TrainSettings, examples: int, gpus: int = 1) -> int:
    """Optimiser steps LLaMA-Factory will take: `max_steps`, else the epochs' worth of
    batches over the examples left after its validation split, across `gpus` devices."""
    if settings.max_steps is not None:
        return settings.max_steps
    held = math.ceil(examples * settings.validation_ratio) if settings.validation_ratio else 0
    batches = math.ceil(max(1, examples - held) / (settings.batch_size * gpus))
    return max(1, math.ceil(settings.epochs * batches / settings.grad_accumulation))


def _check_dataset(dataset: str) -> None:
    # LLaMA-Factory splits `dataset` at commas: a comma would name two datasets.
    if not dataset.strip() or "," in dataset:
        raise InputError(
            f"a LLaMA-Factory dataset name has no commas and is not blank: {dataset!r}"
        )


def _sections(
    settings: TrainSettings,
    *,
    dataset: str,
    examples: int,
    template: str | None,
    gpus: int,
    output_dir: str | None,
) -> tuple[list[Section], list[str]]:
    """The YAML's sections in LLaMA-Factory's order, and the notes for its header."""
    if settings.method == "prefix":
        raise InputError(
            "LLaMA-Factory has no prefix tuning (its methods are lora, oft, freeze and full); "
            "choose lora or full for LLaMA-Factory, or train with prefix tuning here "
            "(`easy-dataset train run --method prefix`)"
        )
    _check_dataset(dataset)
    model_name, notes = _base_model(settings.base_model)
    model: dict[str, Any] = {"model_name_or_path": model_name}
    if settings.method == "qlora":
        model |= {"quantization_bit": 4, "quantization_type": "nf4"}
    # LLaMA-Factory checkpoints activations unless told not to; our default is not to.
    model["disable_gradient_checkpointing"] = not settings.gradient_checkpointing

    method: dict[str, Any] = {
        "stage": "sft",
        "do_train": True,
        "finetuning_type": "full" if settings.method == "full" else "lora",
    }
    if settings.method != "full":
        target, target_notes = _lora_target(settings)
        notes += target_notes
        method |= {
            "lora_rank": settings.lora_r,
            "lora_alpha": settings.lora_alpha,
            "lora_dropout": settings.lora_dropout,
            "lora_target": target,
        }

    data: dict[str, Any] = {"dataset": dataset, "dataset_dir": "."}
    if template is None and is_embedded_name(settings.base_model):
        template = EMBEDDED_TEMPLATE
    if template:
        data["template"] = template
    else:
        notes.append(
            "template: none given, so LLaMA-Factory reads the tokenizer's own chat template, "
            "as easy-dataset's own runs do"
        )
    data["cutoff_len"] = settings.max_length

    steps = planned_steps(settings, examples, gpus)
    train: dict[str, Any] = {
        "per_device_train_batch_size": settings.batch_size,
        "gradient_accumulation_steps": settings.grad_accumulation,
        "learning_rate": settings.peak_learning_rate,
        "num_train_epochs": settings.epochs,
    }
    if settings.max_steps is not None:
        train["max_steps"] = settings.max_steps
    train["lr_scheduler_type"] = SCHEDULES[settings.schedule]
    if settings.schedule == "cosine":
        train["lr_scheduler_kwargs"] = {"min_lr": settings.min_learning_rate}
    elif settings.schedule == "linear":
        notes.append("lr_scheduler_type linear decays to zero, not to min_learning_rate")
    # In steps: warmup_ratio is gone from transformers 5.2, a fractional warmup_steps is
    # unknown before 5.0, and LLaMA-Factory accepts both lines.
    train["warmup_steps"] = round(steps * settings.warmup_ratio)
    train["weight_decay"] = settings.weight_decay
    train["max_grad_norm"] = settings.max_grad_norm
    precision = {"auto": {"bf16": True}, "bf16": {"bf16": True}, "fp16": {"fp16": True}}
    train |= precision.get(settings.precision, {})
    if settings.precision == "auto":
        notes.append("precision auto: bf16; write fp16: true instead on a GPU without bf16")
    train["seed"] = settings.seed
    if gpus > 1:
        notes.append(
            f"{gpus} GPUs: each step takes per_device_train_batch_size × "
            f"gradient_accumulation_steps × {gpus} sequences"
        )

    checkpoint_every = settings.checkpoint_every
    evaluation: dict[str, Any] = {}
    if settings.validation_ratio > 0:
        evaluation = {
            "val_size": settings.validation_ratio,
            "per_device_eval_batch_size": settings.batch_size,
            "eval_strategy": "steps",
            "eval_steps": settings.eval_every,
            # The best evaluated weights are the result, as in our runs.
            "load_best_model_at_end": True,
            "metric_for_best_model": "eval_loss",
        }
        if settings.early_stopping_patience is not None:
            evaluation["early_stopping_steps"] = settings.early_stopping_patience
        notes.append(
            "val_size splits at random; easy-dataset's own runs keep each tag's share in both parts"
        )
        # Keeping the best weights needs checkpoints on evaluation steps.
        if checkpoint_every % settings.eval_every:
            checkpoint_every = (
                math.ceil(checkpoint_every / settings.eval_every) * settings.eval_every
            )
            notes.append(
                f"save_steps {checkpoint_every}: checkpoint_every {settings.checkpoint_every} "
                f"rounded up to a multiple of eval_steps, which load_best_model_at_end needs"
            )
    output: dict[str, Any] = {
        "output_dir": output_dir or f"saves/{dataset}-{settings.method}",
        "save_steps": checkpoint_every,
        "logging_steps": min(10, settings.eval_every),
        "plot_loss": True,
        "report_to": "none",
    }

    if settings.ema_decay is not None:
        notes.append(f"ema_decay {settings.ema_decay}: LLaMA-Factory keeps no EMA of the weights")
    if settings.general_data and settings.general_ratio > 0:
        notes.append(
            "general data: register the file in dataset_info.json, add its name to dataset "
            f"and set mix_strategy: interleave_under with interleave_probs (ratio "
            f"{settings.general_ratio})"
        )
    sections: list[Section] = [
        ("model", model),
        ("method", method),
        ("dataset", data),
        ("output", output),
        ("train", train),
    ]
    if evaluation:
        sections.append(("eval", evaluation))
    return sections, notes


def llamafactory_args(
    settings: TrainSettings,
    *,
    dataset: str,
    examples: int,
    template: str | None = None,
    gpus: int = 1,
    output_dir: str | None = None,
) -> dict[str, Any]:
    """LLaMA-Factory's training arguments for these settings, as one mapping.

    `dataset`: its name in dataset_info.json (in the folder the YAML is run from);
    `examples`: how many samples it holds (for the warm-up in steps); `template`:
    LLaMA-Factory's chat template (default: smollm2 for the embedded model, else the
    tokenizer's own)."""
    sections, _ = _sections(
        settings,
        dataset=dataset,
        examples=examples,
        template=template,
        gpus=gpus,
        output_dir=output_dir,
    )
    return {key: value for _, values in sections for key, value in values.items()}


def _dump(values: dict[str, Any]) -> str:
    return str(
        yaml.safe_dump(values, sort_keys=False, allow_unicode=True, default_flow_style=False)
    )


def _comment(lines: list[str]) -> str:
    return "".join(f"# {line}\n" for line in lines)


def launch_command(gpus: int) -> str:
    """The command that trains, run from the folder holding the files."""
    if gpus > 1:
        return (
            f"accelerate launch --config_file {ACCELERATE_FILE} -m llamafactory.launcher "
            f"{TRAIN_FILE}"
        )
    return f"llamafactory-cli train {TRAIN_FILE}"


def train_yaml(
    settings: TrainSettings,
    *,
    dataset: str,
    examples: int,
    template: str | None = None,
    gpus: int = 1,
    output_dir: str | None = None,
) -> str:
    """LLaMA-Factory's training YAML: the arguments in its sections, with a header that
    says how to run it and what was not carried over."""
    sections, notes = _sections(
        settings,
        dataset=dataset,
        examples=examples,
        template=template,
        gpus=gpus,
        output_dir=output_dir,
    )
    header = [
        f"LLaMA-Factory supervised fine-tuning ({settings.method}), written by easy-dataset.",
        f"Run from this folder (dataset_dir is .): {launch_command(gpus)}",
        *notes,
    ]
    parts = [_comment(header)]
    parts += [f"\n### {title}\n{_dump(values)}" for title, values in sections]
    return "".join(parts)


def accelerate_config(settings: TrainSettings, gpus: int, strategy: Strategy) -> dict[str, Any]:
    """accelerate's configuration for `gpus` processes on this machine: DDP, or FSDP with
    every transformer block sharded."""
    if gpus < 2:
        raise InputError("an accelerate configuration is for 2 GPUs or more")
    config: dict[str, Any] = {
        "compute_environment": "LOCAL_MACHINE",
        "debug": False,
        "distributed_type": "FSDP" if strategy == "fsdp" else "MULTI_GPU",
        "downcast_bf16": "no",
    }
    if strategy == "fsdp":
        config["fsdp_config"] = {
            "fsdp_auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
            "fsdp_backward_prefetch": "BACKWARD_PRE",
            "fsdp_cpu_ram_efficient_loading": True,
            "fsdp_forward_prefetch": False,
            "fsdp_offload_params": False,
            "fsdp_sharding_strategy": "FULL_SHARD",
            "fsdp_state_dict_type": "FULL_STATE_DICT",
            "fsdp_sync_module_states": True,
            # LoRA leaves most weights frozen: FSDP must keep the original parameters.
            "fsdp_use_orig_params": True,
        }
    config |= {
        "gpu_ids": "all",
        "machine_rank": 0,
        "main_training_function": "main",
        "mixed_precision": MIXED_PRECISION[settings.precision],
        "num_machines": 1,
        "num_processes": gpus,
        "rdzv_backend": "static",
        "same_network": True,
        "use_cpu": False,
    }
    return config


def accelerate_yaml(settings: TrainSettings, gpus: int, strategy: Strategy) -> str:
    header = [
        f"accelerate: {gpus} processes on this machine, {strategy.upper()}; easy-dataset wrote it.",
        f"Used by: {launch_command(gpus)}",
    ]
    return _comment(header) + _dump(accelerate_config(settings, gpus, strategy))


def launch_script(gpus: int, strategy: Strategy) -> str:
    """A shell script that trains from its own folder."""
    lines = [
        "#!/bin/sh",
        "# Fine-tune with LLaMA-Factory on the dataset beside this script (easy-dataset).",
        "# Needs LLaMA-Factory where you train: pip install llamafactory",
    ]
    if gpus > 1:
        lines.append(
            f"# {gpus} GPUs, {strategy.upper()}, through accelerate "
            "(easy-dataset's own `train run` is one process on one device)."
        )
        if strategy == "ddp":
            lines.append(
                f"# LLaMA-Factory's own way to DDP: FORCE_TORCHRUN=1 NPROC_PER_NODE={gpus} "
                f"llamafactory-cli train {TRAIN_FILE}"
            )
    lines += ["set -e", 'cd "$(dirname "$0")"', f'exec {launch_command(gpus)} "$@"', ""]
    return "\n".join(lines)


def launch_files(
    settings: TrainSettings,
    *,
    dataset: str,
    examples: int,
    template: str | None = None,
    gpus: int = 1,
    strategy: Strategy = "ddp",
) -> dict[str, str]:
    """Every file to write beside the dataset and its dataset_info.json, by file name."""
    files = {
        TRAIN_FILE: train_yaml(
            settings, dataset=dataset, examples=examples, template=template, gpus=gpus
        ),
        LAUNCH_FILE: launch_script(gpus, strategy),
    }
    if gpus > 1:
        files[ACCELERATE_FILE] = accelerate_yaml(settings, gpus, strategy)
    return files
