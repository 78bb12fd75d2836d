"""Training speed of our loop against a plain transformers `Trainer`: LoRA on SmolLM2-135M.

    .venv/bin/python benchmarks/train.py [--steps 20] [--rounds 2] [--device cpu|cuda]

The embedded SmolLM2-135M is loaded once from its GGUF and saved as a Hugging Face folder;
each side then runs in its own process from that folder (so each peak memory is its own),
on the same tokenized chat examples with the same settings: LoRA r 16 / alpha 32 / dropout
0.1 on the attention projections, batch, accumulation, steps, learning rate and cosine
schedule, no evaluation and no checkpoints. Tokens are counted where they enter the model
(non-padding tokens of every training forward pass), the same way for both. The sides take
turns for `--rounds` rounds and the best run of each is compared. Target: our tokens per
second >= 0.95 of the plain script's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TOPICS = [
    ("bees", "pollinate flowers while they collect nectar"),
    ("honey", "keeps for years because it holds little water"),
    ("hives", "hold tens of thousands of workers in summer"),
    ("queens", "lay up to two thousand eggs a day"),
    ("drones", "leave the hive to mate and do no foraging"),
    ("wax", "is secreted by glands under a worker's abdomen"),
    ("propolis", "seals gaps in the hive against draughts and germs"),
    ("swarms", "form when a colony outgrows its home"),
]
ASKS = [
    "What should a beginner know about {topic}?",
    "Explain briefly why {topic} matter to a beekeeper.",
    "Give me one surprising fact about {topic}, with a short reason.",
    "How would you describe {topic} to a child?",
    "In two sentences: what is special about {topic}?",
    "A neighbour asks about {topic}. What do you tell them?",
]


def chat_examples(count: int) -> list[Any]:
    """Short single-turn chats of varied length about bees."""
    from easy_dataset.train.data import Conversation

    found = []
    for index in range(count):
        topic, fact = TOPICS[index % len(TOPICS)]
        ask = ASKS[index % len(ASKS)].format(topic=topic)
        answer = f"In short, {topic} {fact}."
        answer += " " + " ".join(
            f"Point {n + 1}: a careful keeper watches {topic} through the season."
            for n in range(index % 4)
        )
        found.append(Conversation((("user", ask), ("assistant", answer)), topic))
    return found


def count_tokens(model: Any) -> list[int]:
    """A one-item list that counts the non-padding tokens of every training forward pass."""
    counted = [0]

    def hook(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if not module.training:
            return
        mask = kwargs.get("attention_mask")
        ids = kwargs.get("input_ids", args[0] if args else None)
        counted[0] += int(mask.sum()) if mask is not None else int(ids.numel())

    # The decoder under the head: PEFT calls the head's forward directly, hooks on it never run.
    model.get_base_model().model.register_forward_pre_hook(hook, with_kwargs=True)
    return counted


def settings_of(args: argparse.Namespace, base: str) -> Any:
    from easy_dataset.train.settings import TrainSettings

    return TrainSettings(
        method="lora",
        base_model=base,
        max_steps=args.steps,
        batch_size=args.batch_size,
        grad_accumulation=args.grad_accumulation,
        max_length=args.max_length,
        validation_ratio=0.0,
        early_stopping_patience=None,
        eval_every=args.steps + 1,
        checkpoint_every=args.steps + 1,
        gguf="none",
        seed=0,
    )


def memory(device: str) -> dict[str, float | None]:
    import torch

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    cuda = torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None
    return {"peak_rss_mb": rss, "cuda_max_allocated_mb": cuda}


def run_ours(args: argparse.Namespace, base: str) -> dict[str, Any]:
    """Our loop (`train.loop.Loop`), set up as `pipeline.train` sets it up."""
    import torch

    from easy_dataset.train import models, pipeline
    from easy_dataset.train.loop import Loop

    os.environ["EASY_DATASET_TRAIN_DEVICE"] = args.device
    settings = settings_of(args, base)
    prepared = pipeline.prepare(chat_examples(args.examples), settings)
    counted = count_tokens(prepared.model)
    with tempfile.TemporaryDirectory(prefix="easy-dataset-bench-ours-") as workdir:
        loop = Loop(
            prepared.model,
            prepared.train,
            prepared.validation,
            settings,
            Path(workdir),
            pad_id=int(prepared.tokenizer.pad_token_id),
            device=prepared.device,
            dtype=models.autocast_dtype(settings, prepared.device),
        )
        if args.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = loop.run()
        if args.device == "cuda":
            torch.cuda.synchronize()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    figures = {"seconds": seconds, "cpu_seconds": cpu, "tokens": counted[0]}
    losses = [loss for _, loss in outcome.run.train_curve]
    return figures | {"mean_loss": sum(losses) / len(losses)} | memory(args.device)


def run_plain(args: argparse.Namespace, base: str) -> dict[str, Any]:
    """The same run as a plain `Trainer` script: its own model loading, collator and loop."""
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        DataCollatorForSeq2Seq,
        Trainer,
        TrainingArguments,
    )

    from easy_dataset.train import data, models

    settings = settings_of(args, base)
    torch.manual_seed(settings.seed)
    tokenizer = AutoTokenizer.from_pretrained(base)
    # The very token ids and labels our run trains on (loss on the assistant's tokens only).
    examples, _ = data.tokenize_all(tokenizer, chat_examples(args.examples), args.max_length)
    rows = [
        {"input_ids": e.input_ids, "attention_mask": [1] * len(e.input_ids), "labels": e.labels}
        for e in examples
    ]
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32).to(args.device)
    lora = LoraConfig(
        task_type=TaskType.CAUSAL_LM,
        r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=settings.lora_dropout,
        target_modules=models.find_target_modules(model),
    )
    model = get_peft_model(model, lora)
    counted = count_tokens(model)
    bf16 = args.device == "cuda" and torch.cuda.is_bf16_supported()
    with tempfile.TemporaryDirectory(prefix="easy-dataset-bench-plain-") as output:
        training = TrainingArguments(
            output_dir=output,
            per_device_train_batch_size=settings.batch_size,
            gradient_accumulation_steps=settings.grad_accumulation,
            max_steps=args.steps,
            learning_rate=settings.peak_learning_rate,
            lr_scheduler_type="cosine_with_min_lr",
            lr_scheduler_kwargs={"min_lr": settings.min_learning_rate},
            warmup_steps=round(args.steps * settings.warmup_ratio),
            weight_decay=settings.weight_decay,
            max_grad_norm=settings.max_grad_norm,
            seed=settings.seed,
            bf16=bf16,
            use_cpu=args.device == "cpu",
            eval_strategy="no",
            save_strategy="no",
            logging_steps=args.steps,
            report_to="none",
            dataloader_num_workers=0,
            disable_tqdm=True,
        )
        trainer = Trainer(
            model=model,
            args=training,
            train_dataset=rows,
            data_collator=DataCollatorForSeq2Seq(tokenizer, padding=True),
        )
        if args.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = trainer.train()
        if args.device == "cuda":
            torch.cuda.synchronize()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    figures = {"seconds": seconds, "cpu_seconds": cpu, "tokens": counted[0]}
    # The Trainer's training_loss is the mean of its steps' losses.
    return figures | {"mean_loss": result.training_loss} | memory(args.device)


def save_base(folder: Path) -> None:
    """The embedded SmolLM2, loaded from its GGUF once, as a plain Hugging Face folder."""
    from easy_dataset.train import models
    from easy_dataset.train.settings import TrainSettings

    source = models.resolve_base("embedded")
    tokenizer = models.load_tokenizer(source)
    model = models.load_model(source, TrainSettings(), "cpu")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def child(args: argparse.Namespace, which: str, base: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", which, "--base", base, *args.passed]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {which} run failed:\n{done.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def rate(figures: dict[str, Any]) -> float:
    return float(figures["tokens"] / figures["seconds"])


def report(name: str, figures: dict[str, Any]) -> None:
    cpu_rate = figures["tokens"] / figures["cpu_seconds"]
    cuda = figures["cuda_max_allocated_mb"]
    print(
        f"{name:6} {rate(figures):9.1f} tokens/s  ({cpu_rate:5.1f} per CPU second)  "
        f"{figures['tokens']:6d} tokens in {figures['seconds']:6.1f} s  "
        f"peak RSS {figures['peak_rss_mb']:5.0f} MB"
        + (f"  CUDA max allocated {cuda:6.0f} MB" if cuda is not None else "")
        + f"  mean loss {figures['mean_loss']:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--grad-accumulation", type=int, default=2)
    parser.add_argument("--examples", type=int, default=48, help="chat examples in the data")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side, alternated")
    parser.add_argument("--base", help="a Hugging Face model folder (default: the embedded one)")
    parser.add_argument("--child", choices=["ours", "plain"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.passed = [
        f"--steps={args.steps}",
        f"--device={args.device}",
        f"--max-length={args.max_length}",
        f"--batch-size={args.batch_size}",
        f"--grad-accumulation={args.grad_accumulation}",
        f"--examples={args.examples}",
    ]
    if args.child:
        run = run_ours if args.child == "ours" else run_plain
        print(json.dumps(run(args, args.base)))
        return

    print(
        f"LoRA r 16 · {args.steps} steps × {args.grad_accumulation} micro-batches of "
        f"{args.batch_size} · max length {args.max_length} · {args.examples} examples · "
        f"{args.device} · best of {args.rounds} rounds"
    )
    runs: dict[str, list[dict[str, Any]]] = {"plain": [], "ours": []}
    with tempfile.TemporaryDirectory(prefix="easy-dataset-bench-base-") as folder:
        base = args.base
        if base is None:
            started = time.perf_counter()
            save_base(Path(folder))
            base = folder
            print(f"embedded SmolLM2 loaded from GGUF in {time.perf_counter() - started:.0f} s")
        # Each run in a fresh process, the sides alternated: a neighbour's load on a shared
        # machine falls on both, and the best run of each side is compared.
        for number in range(1, args.rounds + 1):
            for side, found in runs.items():
                found.append(child(args, side, base))
                report(f"{side} {number}", found[-1])
    plain, ours = (max(found, key=rate) for found in runs.values())
    print("best:")
    report("plain", plain)
    report("ours", ours)
    ratio = rate(ours) / rate(plain)
    verdict = "PASS" if ratio >= 0.95 else "FAIL"
    print(f"ratio  {ratio:9.3f} ours/plain   target >= 0.95   {verdict}")


if __name__ == "__main__":
    main()
