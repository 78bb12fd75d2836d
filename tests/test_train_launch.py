"""Training elsewhere: LLaMA-Factory's training YAML carries our settings, the accelerate
configuration for several GPUs loads in accelerate, and the CLI, REST and Python write or
return them beside the dataset and the dataset_info.json entry it is registered under."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from easy_dataset.api import Workspace
from easy_dataset.errors import InputError
from easy_dataset.services import App, projects
from easy_dataset.train import launch_files
from easy_dataset.train.launch_files import (
    ACCELERATE_FILE,
    EMBEDDED_HUB_ID,
    LAUNCH_FILE,
    TRAIN_FILE,
    accelerate_config,
    accelerate_yaml,
    llamafactory_args,
    planned_steps,
    train_yaml,
)
from easy_dataset.train.models import ATTENTION_NAMES
from easy_dataset.train.settings import TrainSettings
from tests.api_support import core, fresh, ok, refused, seed_pairs, shared_server
from tests.conftest import Cli


def _yaml(settings: TrainSettings, **options: Any) -> dict[str, Any]:
    options = {"dataset": "bees", "examples": 100} | options
    text = train_yaml(settings, **options)
    parsed: dict[str, Any] = yaml.safe_load(text)
    # The text and the mapping are one: the mapping is what the text says.
    assert parsed == llamafactory_args(settings, **options)
    return parsed


def test_the_default_lora_settings_become_llamafactory_keys() -> None:
    settings = TrainSettings()
    args = _yaml(settings)
    assert args == {
        "model_name_or_path": EMBEDDED_HUB_ID,
        "disable_gradient_checkpointing": True,
        "stage": "sft",
        "do_train": True,
        "finetuning_type": "lora",
        "lora_rank": 16,
        "lora_alpha": 32,
        "lora_dropout": 0.1,
        "lora_target": "q_proj,k_proj,v_proj,o_proj",
        "dataset": "bees",
        "dataset_dir": ".",
        "template": "smollm2",
        "cutoff_len": 1024,
        "output_dir": "saves/bees-lora",
        "save_steps": 100,
        "logging_steps": 10,
        "plot_loss": True,
        "report_to": "none",
        "per_device_train_batch_size": 1,
        "gradient_accumulation_steps": 8,
        "learning_rate": 2e-4,
        "num_train_epochs": 3.0,
        "lr_scheduler_type": "cosine_with_min_lr",
        "lr_scheduler_kwargs": {"min_lr": 1e-6},
        # 90 examples after the 10 % held out: 90 batches × 3 epochs / 8 = 34 steps; 3 %.
        "warmup_steps": 1,
        "weight_decay": 0.01,
        "max_grad_norm": 1.0,
        "bf16": True,
        "seed": 42,
        "val_size": 0.1,
        "per_device_eval_batch_size": 1,
        "eval_strategy": "steps",
        "eval_steps": 50,
        "load_best_model_at_end": True,
        "metric_for_best_model": "eval_loss",
        "early_stopping_steps": 3,
    }
    assert planned_steps(settings, 100) == 34
    text = train_yaml(settings, dataset="bees", examples=100)
    assert text.index("### model") < text.index("### method") < text.index("### eval")
    assert "# Run from this folder (dataset_dir is .): llamafactory-cli train" in text


def test_full_fine_tuning_with_steps_fp16_and_no_validation() -> None:
    settings = TrainSettings(
        method="full",
        base_model="someone/some-model",
        max_steps=200,
        warmup_ratio=0.1,
        precision="fp16",
        gradient_checkpointing=True,
        schedule="constant",
        validation_ratio=0.0,
        checkpoint_every=25,
        max_length=512,
        seed=7,
    )
    args = _yaml(settings, template="qwen3", output_dir="out/full")
    assert args["model_name_or_path"] == "someone/some-model"
    assert args["finetuning_type"] == "full" and args["template"] == "qwen3"
    assert not any(key.startswith("lora_") for key in args)
    assert args["disable_gradient_checkpointing"] is False
    assert (args["learning_rate"], args["max_steps"], args["warmup_steps"]) == (3e-5, 200, 20)
    assert args["lr_scheduler_type"] == "constant_with_warmup"
    assert "lr_scheduler_kwargs" not in args
    assert args["fp16"] is True and "bf16" not in args
    assert (args["save_steps"], args["cutoff_len"], args["seed"]) == (25, 512, 7)
    assert args["output_dir"] == "out/full"
    for key in ("val_size", "eval_strategy", "early_stopping_steps", "load_best_model_at_end"):
        assert key not in args


def test_qlora_other_models_and_what_is_not_carried_over(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    settings = TrainSettings(
        method="qlora",
        base_model=str(folder),
        precision="fp32",
        ema_decay=0.99,
        schedule="linear",
        checkpoint_every=30,
        eval_every=20,
    )
    args = _yaml(settings)
    assert args["model_name_or_path"] == str(folder.resolve())
    assert (args["quantization_bit"], args["finetuning_type"]) == (4, "lora")
    # The attention names our runs look for: PEFT adapts those the model has.
    assert args["lora_target"] == ",".join(ATTENTION_NAMES)
    assert "template" not in args and "bf16" not in args and "fp16" not in args
    # load_best_model_at_end saves on evaluation steps: 30 is rounded up to 40.
    assert (args["save_steps"], args["eval_steps"]) == (40, 20)
    header = train_yaml(settings, dataset="bees", examples=10).split("\n###")[0]
    for said in ("ema_decay 0.99", "linear decays to zero", "save_steps 40", "chat template"):
        assert said in header
    named = _yaml(TrainSettings(target_modules=["q_proj", "v_proj"]))
    assert named["lora_target"] == "q_proj,v_proj"


def test_what_llamafactory_cannot_train_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no prefix tuning"):
        train_yaml(TrainSettings(method="prefix"), dataset="bees", examples=10)
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(InputError, match="not GGUF"):
        train_yaml(TrainSettings(base_model=str(gguf)), dataset="bees", examples=10)
    with pytest.raises(InputError, match="no commas"):
        train_yaml(TrainSettings(), dataset="bees,wasps", examples=10)


def test_accelerate_configurations_load_in_accelerate(tmp_path: Path) -> None:
    from accelerate.commands.config.config_args import ClusterConfig

    ddp = accelerate_config(TrainSettings(), 4, "ddp")
    assert (ddp["distributed_type"], ddp["num_processes"], ddp["mixed_precision"]) == (
        "MULTI_GPU",
        4,
        "bf16",
    )
    assert "fsdp_config" not in ddp
    fsdp_text = accelerate_yaml(TrainSettings(precision="fp32"), 2, "fsdp")
    fsdp = yaml.safe_load(fsdp_text)
    assert (fsdp["distributed_type"], fsdp["mixed_precision"]) == ("FSDP", "no")
    assert fsdp["fsdp_config"]["fsdp_use_orig_params"] is True
    path = tmp_path / ACCELERATE_FILE
    path.write_text(fsdp_text, encoding="utf-8")
    loaded = ClusterConfig.from_yaml_file(str(path))
    assert (loaded.distributed_type, loaded.num_processes) == ("FSDP", 2)
    assert loaded.fsdp_config["fsdp_sharding_strategy"] == "FULL_SHARD"
    with pytest.raises(InputError):
        accelerate_config(TrainSettings(), 1, "ddp")


def test_launch_files_for_one_and_several_gpus() -> None:
    one = launch_files.launch_files(TrainSettings(), dataset="bees", examples=10)
    assert set(one) == {TRAIN_FILE, LAUNCH_FILE}
    assert f"exec llamafactory-cli train {TRAIN_FILE}" in one[LAUNCH_FILE]
    four = launch_files.launch_files(
        TrainSettings(), dataset="bees", examples=10, gpus=4, strategy="fsdp"
    )
    assert set(four) == {TRAIN_FILE, LAUNCH_FILE, ACCELERATE_FILE}
    command = f"accelerate launch --config_file {ACCELERATE_FILE} -m llamafactory.launcher"
    assert command in four[LAUNCH_FILE] and command in four[TRAIN_FILE]
    assert yaml.safe_load(four[ACCELERATE_FILE])["num_processes"] == 4
    # Four GPUs share the 9 examples left after the split: 3 batches an epoch, 9 in all.
    assert planned_steps(TrainSettings(grad_accumulation=4), 10, gpus=4) == 3


def _seed(app: App) -> int:
    project_id = projects.create_project(app, "bees").id
    seed_pairs(app, project_id, 5)
    seed_pairs(app, project_id, 2, confirmed=True)
    return project_id


def test_cli_writes_the_training_files_beside_the_dataset(
    app: App, cli: Cli, tmp_path: Path
) -> None:
    _seed(app)
    out = tmp_path / "lf"
    written = cli.json(
        "train", "export-config", "-p", "bees", "--out", str(out), "--name", "bees_sft",
        "--lora-r", "8", "--learning-rate", "0.0005", "--max-steps", "40", "--gpus", "2",
        "--strategy", "fsdp",
    )  # fmt: skip
    assert written["examples"] == 7
    info = json.loads((out / "dataset_info.json").read_text("utf-8"))
    args = yaml.safe_load((out / TRAIN_FILE).read_text("utf-8"))
    # The YAML names the dataset dataset_info.json registers, and that entry's file is there.
    assert args["dataset"] == "bees_sft" and args["dataset_dir"] == "."
    entry = info[args["dataset"]]
    assert entry["formatting"] == "sharegpt" and entry["columns"] == {"messages": "messages"}
    rows = (out / entry["file_name"]).read_text("utf-8").splitlines()
    assert len(rows) == 7
    assert json.loads(rows[0])["messages"][-1] == {"role": "assistant", "content": "a0"}
    assert (args["lora_rank"], args["learning_rate"], args["max_steps"]) == (8, 5e-4, 40)
    assert yaml.safe_load((out / ACCELERATE_FILE).read_text("utf-8"))["distributed_type"] == "FSDP"
    assert os.access(out / LAUNCH_FILE, os.X_OK)
    assert sorted(Path(path).name for path in written["files"]) == sorted(
        [TRAIN_FILE, LAUNCH_FILE, ACCELERATE_FILE]
    )

    again = cli("train", "export-config", "-p", "bees", "--out", str(out), "--name", "bees_sft")
    assert again.exit_code == 1 and "already exists" in again.output
    confirmed = cli.json(
        "train", "export-config", "-p", "bees", "--out", str(out), "--name", "bees_sft",
        "--confirmed-only", "--overwrite",
    )  # fmt: skip
    assert confirmed["examples"] == 2
    assert f"exec llamafactory-cli train {TRAIN_FILE}" in (out / LAUNCH_FILE).read_text("utf-8")
    prefix = cli("train", "export-config", "-p", "bees", "--out", str(tmp_path / "p"),
                 "--method", "prefix")  # fmt: skip
    assert prefix.exit_code == 1 and "no prefix tuning" in prefix.output
    assert not (tmp_path / "p").exists()
    bad = cli("train", "export-config", "-p", "bees", "--out", str(tmp_path / "p"),
              "--lora-r", "0")  # fmt: skip
    assert bad.exit_code == 1 and "--lora-r" in bad.output


def test_python_returns_and_writes_the_same_yaml(tmp_path: Path) -> None:
    with Workspace(tmp_path / "home") as workspace:
        project = workspace.project("bees", create=True)
        seed_pairs(workspace.app, project.id, 3)
        config = project.training_config(lora_r=4, name="mine")
        written = project.export_training_config(tmp_path / "out", lora_r=4, name="mine")
    assert config.examples == written.examples == 3
    assert config.dataset_info == {
        "mine": json.loads((tmp_path / "out" / "dataset_info.json").read_text("utf-8"))["mine"]
    }
    assert config.files[TRAIN_FILE] == (tmp_path / "out" / TRAIN_FILE).read_text("utf-8")
    assert config.launch == f"llamafactory-cli train {TRAIN_FILE}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


def test_rest_returns_the_files_as_text_and_writes_nothing(server: TestClient) -> None:
    client = fresh(server)
    app = core(client)
    project_id = _seed(app)
    before = sorted(p.name for p in app.folder(project_id).root.rglob("*"))
    body = {"lora_r": 8, "gpus": 2, "name": "bees", "tags": [], "precision": "fp16"}
    got = ok(client.post("/api/projects/bees/training-config", json=body))
    assert got["examples"] == 7 and got["data_file"] == "bees.jsonl"
    assert got["dataset_info"]["bees"]["file_name"] == "bees.jsonl"
    args = yaml.safe_load(got["files"][TRAIN_FILE])
    assert (args["dataset"], args["lora_rank"], args["fp16"]) == ("bees", 8, True)
    assert yaml.safe_load(got["files"][ACCELERATE_FILE])["mixed_precision"] == "fp16"
    assert got["launch"].startswith("accelerate launch")
    assert sorted(p.name for p in app.folder(project_id).root.rglob("*")) == before
    refused(client.post("/api/projects/bees/training-config", json={"method": "prefix"}), 422)
    refused(client.post("/api/projects/bees/training-config", json={"name": "../x"}), 422)
    refused(client.post("/api/projects/nope/training-config", json={}), 404)
