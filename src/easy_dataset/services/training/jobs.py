"""`train.run`: fine-tune a base model on the project's samples (or an exported file); one
job item is the whole run, checkpointed as it goes, so a killed run resumes where it was."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Flag, Stage, StageParams, Words, register_stage
from easy_dataset.services.app import App
from easy_dataset.services.export import ExportFilters, matching_records
from easy_dataset.services.job_support.common import unfinished_keys
from easy_dataset.services.training import runs
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import Job, JobItem
from easy_dataset.train.settings import TrainSettings

TYPE = "train.run"


class TrainParams(StageParams, TrainSettings):
    """The run's settings (TrainSettings) and which data it trains on."""

    name: str = Field(default="", max_length=200, description="A name for the run.")
    data_file: Annotated[
        str | None,
        Field(
            default=None,
            max_length=4096,
            description="Train on this JSONL export instead of the project's samples.",
        ),
        Flag("--data"),
    ] = None
    confirmed_only: bool = Field(default=False, description="Only reviewed (confirmed) samples.")
    tags: list[Annotated[str, Field(max_length=200)]] = Field(
        default=[], max_length=1000, description="Only samples with one of these tags."
    )
    eval_set: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Then score the base and the tuned model on this evaluation set.",
    )
    eval_base_model: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The model configuration serving the base model in that comparison "
        "(default: embedded, for the embedded base).",
    )


# Options that say what happens after training, not how: they do not make another run.
AFTER_TRAINING = ("eval_set", "eval_base_model")


def _settings(params: TrainParams) -> TrainSettings:
    return TrainSettings.model_validate(params.model_dump(include=set(TrainSettings.model_fields)))


def _fingerprint(app: App, project_id: int, params: dict[str, Any]) -> str:
    """The run's settings and the state of its data: the same settings on unchanged data
    are one run, planned once (a re-run after a stop resumes it instead)."""
    data_file = params.get("data_file")
    if data_file:
        try:
            stat = Path(data_file).expanduser().stat()
            data = [data_file, stat.st_size, stat.st_mtime_ns]
        except (OSError, RuntimeError, ValueError):
            data = [data_file]  # the run reports the missing file when it starts
    else:
        with app.db.session() as session:
            count, changed = session.execute(
                select(func.count(QAPair.id), func.max(QAPair.updated_at)).where(
                    QAPair.project_id == project_id
                )
            ).one()
        data = [count, str(changed)]
    trained = {key: value for key, value in params.items() if key not in AFTER_TRAINING}
    text = json.dumps([trained, data], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@register_stage
class TrainRun(Stage[TrainParams]):
    """One item `run:<fingerprint>`: the run of these settings on the data as it is now."""

    name: ClassVar[str] = TYPE
    group = "training"
    order = 10
    label = Words("Fine-tune a model", "微调模型")
    help = Words(
        "Train a model on the project's samples with LoRA, prefix tuning or full fine-tuning, "
        "checkpointed so a stopped run resumes.",
        "用项目的样本以 LoRA、前缀微调或全量微调训练模型，并保存检查点，中断后可继续。",
    )
    Params = TrainParams
    command = ("train", "run")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        self.options(params)
        key = f"run:{_fingerprint(app, project_id, params)}"
        with app.db.session() as session:
            busy = unfinished_keys(session, project_id, TYPE)
            done = session.scalar(
                select(JobItem.id)
                .join(Job, Job.id == JobItem.job_id)
                .where(
                    Job.project_id == project_id,
                    Job.type == TYPE,
                    JobItem.key == key,
                    JobItem.status == "succeeded",
                )
                .limit(1)
            )
        return [] if key in busy or done is not None else [key]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        project_id = ctx.project_id
        assert project_id is not None
        from easy_dataset.train import pipeline

        options = self.options(ctx.params)
        settings = _settings(options)
        run_id = runs.run_for_job(
            ctx.app, project_id, ctx.job_id, options.name, settings.model_dump(mode="json")
        )
        workdir = ctx.app.folder(project_id).root / "training" / f"run-{run_id}"
        stop = threading.Event()

        def work() -> pipeline.TrainResult:
            # Read here, so a data file that cannot be read fails the run with its reason.
            conversations = _conversations(ctx.app, project_id, options)
            prepared = pipeline.prepare(conversations, settings)
            return pipeline.train(
                prepared,
                settings,
                workdir,
                on_progress=runs.ProgressWriter(ctx.app, run_id),
                should_stop=stop.is_set,
            )

        future = asyncio.get_running_loop().run_in_executor(None, work)
        try:
            result = await asyncio.shield(future)
        except asyncio.CancelledError:
            # Cancelled (a cancel request, the process stopping): the thread saves a
            # checkpoint at the end of its step, and the item stays pending to resume.
            stop.set()
            await asyncio.gather(future, return_exceptions=True)
            runs.set_status(ctx.app, run_id, "cancelled")
            raise
        except Exception as exc:
            runs.set_status(ctx.app, run_id, "failed", str(exc))
            raise
        from easy_dataset.train.results import curves

        return {
            "run_id": run_id,
            "metrics": result.metrics,
            "outputs": result.outputs,
            "curves": curves(result.run),
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        runs.finish_run(session, result["run_id"], result)

    def follow_ups(self, app: App, job_id: int) -> list[int]:
        """The evaluation of base and tuned model the run asked for (`eval_set`)."""
        from easy_dataset.services.training.evaluation import evaluation_after

        found = evaluation_after(app, job_id)
        return found[1] if found else []


def _conversations(app: App, project_id: int, options: TrainParams) -> list[Any]:
    from easy_dataset.train import data

    if options.data_file:
        return data.read_jsonl(options.data_file)
    filters = ExportFilters(confirmed_only=options.confirmed_only, tags=options.tags)
    return data.from_records(matching_records(app, project_id, filters), options.system_prompt)
