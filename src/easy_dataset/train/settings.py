"""The settings of one training run, with the practice the project recommends as defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Method = Literal["lora", "qlora", "prefix", "full"]
Precision = Literal["auto", "fp32", "bf16", "fp16"]
Schedule = Literal["cosine", "linear", "constant"]
GgufType = Literal["q8_0", "f16", "none"]

# Full fine-tuning moves every weight, so it takes the gentle rate of the usual recipe
# (cosine from 3e-5 to 1e-6); adapters start from zero and need a larger step to learn in
# the same number of updates (2e-4 is the common LoRA default; prefix tuning likes more).
DEFAULT_LEARNING_RATE: dict[Method, float] = {
    "full": 3e-5,
    "lora": 2e-4,
    "qlora": 2e-4,
    "prefix": 1e-3,
}
MIN_LEARNING_RATE = 1e-6


class TrainSettings(BaseModel):
    """How to train; every field has the recommended default."""

    model_config = ConfigDict(extra="forbid")

    method: Method = Field(default="lora", description="lora, qlora (GPU), prefix or full.")
    base_model: str = Field(
        default="embedded",
        min_length=1,
        max_length=1000,
        description="A local Hugging Face folder, a cached hub id, or `embedded` (SmolLM2-135M).",
    )
    # LoRA
    lora_r: int = Field(default=16, ge=1, le=1024, description="LoRA rank.")
    lora_alpha: int = Field(default=32, ge=1, le=4096, description="LoRA alpha.")
    lora_dropout: float = Field(default=0.1, ge=0, lt=1, description="LoRA dropout.")
    target_modules: list[str] | None = Field(
        default=None,
        max_length=64,
        description="Layers LoRA adapts (default: the attention projections found in the model).",
    )
    # Prefix tuning
    prefix_tokens: int = Field(default=16, ge=1, le=512, description="Virtual prefix tokens.")
    # Optimisation
    learning_rate: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Peak learning rate (default: 3e-5 full, 2e-4 LoRA, 1e-3 prefix).",
    )
    min_learning_rate: float = Field(
        default=MIN_LEARNING_RATE, ge=0, le=1, description="Where the cosine schedule ends."
    )
    schedule: Schedule = "cosine"
    warmup_ratio: float = Field(default=0.03, ge=0, le=0.5, description="Share of warm-up steps.")
    epochs: float = Field(default=3.0, gt=0, le=100)
    max_steps: int | None = Field(
        default=None, ge=1, le=10_000_000, description="Optimiser steps (default: from epochs)."
    )
    batch_size: int = Field(default=1, ge=1, le=1024, description="Sequences per micro-batch.")
    grad_accumulation: int = Field(default=8, ge=1, le=1024)
    weight_decay: float = Field(default=0.01, ge=0, le=1)
    max_grad_norm: float = Field(default=1.0, gt=0, le=1000)
    max_length: int = Field(default=1024, ge=16, le=131_072, description="Tokens per sequence.")
    # Regularisation and stopping
    early_stopping_patience: int | None = Field(
        default=3, ge=1, le=1000, description="Evaluations without a better validation loss."
    )
    eval_every: int = Field(default=50, ge=1, le=1_000_000, description="Steps between evals.")
    ema_decay: float | None = Field(
        default=None, gt=0, lt=1, description="Keep an exponential moving average of the weights."
    )
    gradient_checkpointing: bool = False
    precision: Precision = Field(default="auto", description="auto: bf16/fp16 on a GPU, fp32 CPU.")
    checkpoint_every: int = Field(default=100, ge=1, le=1_000_000, description="Steps.")
    seed: int = Field(default=42, ge=0, le=2**32 - 1)
    gguf: GgufType = Field(
        default="q8_0",
        description="Also write the tuned model as GGUF (for a base loaded from GGUF), which "
        "the embedded runtime serves as a model configuration; none skips it.",
    )
    # Data
    validation_ratio: float = Field(default=0.1, ge=0, lt=1)
    general_data: str | None = Field(
        default=None, max_length=4096, description="A JSONL file of general data to mix in."
    )
    general_ratio: float = Field(
        default=0.0, ge=0, le=0.9, description="Share of general samples in the training set."
    )
    system_prompt: str | None = Field(default=None, max_length=20_000)

    @model_validator(mode="after")
    def _check(self) -> TrainSettings:
        if self.general_ratio > 0 and not self.general_data:
            raise ValueError("general_ratio needs general_data, the file to mix in")
        return self

    @property
    def peak_learning_rate(self) -> float:
        return self.learning_rate or DEFAULT_LEARNING_RATE[self.method]
