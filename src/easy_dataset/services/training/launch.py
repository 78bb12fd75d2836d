"""Training elsewhere: the project's samples as a LLaMA-Factory dataset, with its training
YAML (the settings of our own runs) and, for several GPUs, the accelerate configuration and
launch script. Written into a folder (CLI, Python) or returned as text (REST)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field

from easy_dataset.errors import ConflictError, InputError
from easy_dataset.export import ExportOptions, dataset_info
from easy_dataset.services.app import App
from easy_dataset.services.export import (
    DATASET_INFO,
    ExportFilters,
    count_export,
    export_dataset,
    replace_atomically,
)
from easy_dataset.train import launch_files
from easy_dataset.train.launch_files import Strategy
from easy_dataset.train.settings import TrainSettings

NAME_PATTERN = r"^[A-Za-z0-9_.-]+$"
# Shell scripts are run by their owner; the YAML files are only read.
EXECUTABLE = 0o755


class TrainingConfigRequest(TrainSettings):
    """The training settings, and the dataset and machine LLaMA-Factory will train with."""

    name: str = Field(
        default="sft",
        min_length=1,
        max_length=100,
        pattern=NAME_PATTERN,
        description="The dataset's name in dataset_info.json, and its file's stem.",
    )
    template: str | None = Field(
        default=None,
        max_length=100,
        pattern=NAME_PATTERN,
        description="LLaMA-Factory's chat template (default: smollm2 for the embedded model, "
        "else the tokenizer's own).",
    )
    gpus: int = Field(
        default=1, ge=1, le=1024, description="GPUs to train on (2 or more: accelerate)."
    )
    strategy: Strategy = Field(default="ddp", description="With several GPUs: ddp or fsdp.")
    confirmed_only: bool = Field(default=False, description="Only reviewed (confirmed) samples.")
    tags: list[Annotated[str, Field(max_length=200)]] = Field(
        default=[], max_length=1000, description="Only samples with one of these tags."
    )

    def settings(self) -> TrainSettings:
        return TrainSettings.model_validate(
            self.model_dump(include=set(TrainSettings.model_fields))
        )

    def filters(self) -> ExportFilters:
        return ExportFilters(confirmed_only=self.confirmed_only, tags=self.tags)

    def export_options(self) -> ExportOptions:
        # OpenAI-style messages hold QA pairs and dialogues alike, system prompt included.
        return ExportOptions(format="messages", file_type="jsonl", system_prompt=self.system_prompt)

    @property
    def data_file(self) -> str:
        return f"{self.name}.jsonl"


class TrainingConfig(BaseModel):
    """The files to train with LLaMA-Factory, as text: nothing is written."""

    examples: int = Field(description="Samples the dataset holds.")
    data_file: str = Field(description="The file name dataset_info.json's entry reads.")
    dataset_info: dict[str, Any] = Field(description="The dataset's entry for dataset_info.json.")
    files: dict[str, str] = Field(description="File name: contents (YAML, launch script).")
    launch: str = Field(description="The command that trains, run in the dataset's folder.")


class TrainingConfigExport(BaseModel):
    """What was written into the folder."""

    examples: int
    folder: str
    data_path: str
    dataset_info_path: str
    files: list[str]
    launch: str


def _files(request: TrainingConfigRequest, examples: int) -> dict[str, str]:
    if examples == 0:
        raise InputError("no samples match; generate or confirm some before training")
    return launch_files.launch_files(
        request.settings(),
        dataset=request.name,
        examples=examples,
        template=request.template,
        gpus=request.gpus,
        strategy=request.strategy,
    )


def _write(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    replace_atomically(path, lambda handle: handle.write(data))


def training_config(
    app: App, project_ref: str | int, request: TrainingConfigRequest
) -> TrainingConfig:
    """The training YAML (and launch files) for the project's samples, and the dataset's
    dataset_info.json entry; the samples themselves come from a messages export."""
    examples = count_export(app, project_ref, request.filters())
    files = _files(request, examples)
    return TrainingConfig(
        examples=examples,
        data_file=request.data_file,
        dataset_info=dataset_info(request.export_options(), request.data_file, request.name),
        files=files,
        launch=launch_files.launch_command(request.gpus),
    )


def export_training_config(
    app: App,
    project_ref: str | int,
    out_dir: str | Path,
    request: TrainingConfigRequest,
    *,
    overwrite: bool = False,
) -> TrainingConfigExport:
    """Write the samples (`<name>.jsonl`), their dataset_info.json entry and the launch files
    into `out_dir`: a folder LLaMA-Factory trains from as it is, here or copied elsewhere."""
    folder = Path(out_dir).expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file; give a folder to write the training files into")
    # Refused before anything is written: the settings (prefix tuning, a GGUF base) and
    # files already there.
    names = _files(request, count_export(app, project_ref, request.filters()))
    for name in names:
        if (folder / name).exists() and not overwrite:
            raise ConflictError(
                f"{folder / name} already exists; allow overwriting to replace it",
                subject="export_exists",
            )
    summary = export_dataset(
        app,
        project_ref,
        folder / request.data_file,
        request.export_options(),
        request.filters(),
        overwrite=overwrite,
        llamafactory=True,
        dataset_name=request.name,
    )
    written = []
    for name, text in _files(request, summary.count).items():
        path = folder / name
        _write(path, text)
        if name == launch_files.LAUNCH_FILE:
            os.chmod(path, EXECUTABLE)
        written.append(str(path))
    return TrainingConfigExport(
        examples=summary.count,
        folder=str(folder),
        data_path=str(folder / request.data_file),
        dataset_info_path=str(folder / DATASET_INFO),
        files=written,
        launch=launch_files.launch_command(request.gpus),
    )
