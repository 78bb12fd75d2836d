"""`instructions.self_instruct`: new tasks bootstrapped from seed tasks (Self-Instruct), each
kept one stored as a QA sample with no chunk.

Items are rounds `r1`…`rN` (N = `max_rounds`). A round shows the model 8 instructions (6
seeds and 2 generated ones once there are some, drawn with a seeded RNG), screens what it
proposes (`generate.instruction_filters`: malformed, duplicate, keyword, ROUGE-L against
every seed and kept instruction), then writes the input and output of each instruction kept.
Rounds depend on each other's kept instructions, so they run one at a time (a lock in the
run's state); each round's result is committed before the next one starts. Once `count`
tasks are kept, the remaining rounds do nothing. A resumed run rebuilds what the finished
rounds kept from their results.
"""

from __future__ import annotations

import asyncio
import random
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, ModelCallError
from easy_dataset.generate.instruction_filters import (
    DEFAULT_KEYWORDS,
    DEFAULT_THRESHOLD,
    EXAMPLES,
    REASONS,
    Dropped,
    pick_examples,
    screen,
)
from easy_dataset.generate.seed_tasks import MAX_SEEDS, SeedTask, seed_values
from easy_dataset.generate.self_instruct import (
    MAX_PROPOSED,
    Instance,
    instance_examples,
    propose_instructions,
    sample_question,
    write_instance,
)
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.runner import DEFAULT_CONCURRENCY
from easy_dataset.jobs.stage import Flag, Lines, Stage, Words, register_stage
from easy_dataset.jobs.summary import StageSummary, SummaryColumn
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.quality.rouge import RougeIndex
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import ModelJob, language_for
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.stage_options import ModelParams
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import Job, JobItem

TYPE = "instructions.self_instruct"
SOURCE = "self-instruct"
PROMPTS = ("self_instruct", "self_instruct_instance")
# Replies that were not the JSON asked for: the instruction is dropped as malformed, the
# round goes on. Other failures (the endpoint, the network) fail the round.
_REPLY_KINDS = ("parse", "validation", "truncated")
DROPPED_SHOWN = 500  # dropped instructions listed in the summary

Keyword = Annotated[str, Field(min_length=1, max_length=100)]


class SelfInstructParams(ModelParams):
    seeds: Annotated[
        list[SeedTask],
        BeforeValidator(seed_values, json_schema_input_type=list[SeedTask | str] | str),
        Field(
            max_length=MAX_SEEDS,
            description="Seed tasks: one instruction per line, or objects with instruction, "
            "input and output.",
        ),
        Lines(),
        Flag("--seed"),
    ] = Field(default_factory=list)
    count: int = Field(
        default=50, ge=1, le=100_000, description="New tasks to keep; the job stops there."
    )
    per_round: int = Field(
        default=8,
        ge=1,
        le=MAX_PROPOSED // 2,
        description="New instructions asked for in each round.",
    )
    max_rounds: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Most rounds (default: three times the rounds the count needs, at least 5).",
    )
    rouge_threshold: float = Field(
        default=DEFAULT_THRESHOLD,
        gt=0,
        le=1,
        description="Drop an instruction whose ROUGE-L against a seed or a kept one is this "
        "or more.",
    )
    keywords: list[Keyword] = Field(
        default_factory=lambda: list(DEFAULT_KEYWORDS),
        max_length=1000,
        description="Drop an instruction that names one of these (default: image, picture, "
        "graph, file, map, draw, plot, go to... as in the paper).",
    )
    random_seed: int = Field(
        default=0, ge=0, le=2**31 - 1, description="Seed of the examples each round shows."
    )

    def rounds(self) -> int:
        if self.max_rounds is not None:
            return self.max_rounds
        return max(5, 3 * -(-self.count // self.per_round))


@register_stage
class SelfInstruct(ModelJob, Stage[SelfInstructParams]):
    """Items `r<round>`; each kept task becomes a QA sample (question: instruction and
    input; answer: output) with provenance source "self-instruct" and its round."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 60
    label = Words("Self-Instruct", "Self-Instruct 自举指令")
    help = Words(
        "Bootstrap new tasks from seed tasks: each round shows the model 8 examples, drops "
        "new instructions too close to kept ones (ROUGE-L) or naming filtered keywords, and "
        "writes an input and output for the rest, up to the count asked for.",
        "从种子任务自举新任务：每轮给模型看 8 个示例，剔除与已保留指令过于相似（ROUGE-L）"
        "或含过滤关键词的新指令，再为其余指令写出输入和输出，直到达到目标数量。",
    )
    Params = SelfInstructParams
    command = ("instructions", "self-instruct")
    summary_keys = ("round", "skipped", "generated", "filtered", "surplus", "kept_count", "dropped")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        options = self.options(params)
        if not options.seeds:
            raise InputError(
                "Self-Instruct needs seed tasks: give at least one instruction (seeds)"
            )
        return [f"r{number}" for number in range(1, options.rounds() + 1)]

    async def setup(self, ctx: JobContext[App]) -> None:
        await super().setup(ctx)
        options = self.options(ctx.params)
        seeds = [seed.instruction for seed in options.seeds]
        pool = RougeIndex(seeds)
        generated: list[str] = []
        kept = 0
        with ctx.app.db.session() as session:
            # This job's finished rounds (a resumed run), then earlier runs' tasks: none of
            # them is proposed again.
            for result in _finished_rounds(session, ctx.job_id):
                for task in result.get("kept", []):
                    generated.append(str(task["instruction"]))
                    kept += 1
            generated += _earlier_tasks(session, self.project_id(ctx), ctx.job_id)
        for text in generated:
            pool.add(text)
        language = language_for(self.settings(ctx), " ".join(seeds[:20]))
        ctx.state.update(
            lock=asyncio.Lock(),
            pool=pool,
            seeds=seeds,
            generated=generated,
            kept=kept,
            language="zh" if language == "zh" else "en",
            examples=instance_examples(options.seeds),
        )

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        number = int(key.removeprefix("r"))
        options = self.options(ctx.params)
        lock: asyncio.Lock = ctx.state["lock"]
        async with lock:
            return await self._round(ctx, options, number)

    async def _round(
        self, ctx: JobContext[App], options: SelfInstructParams, number: int
    ) -> dict[str, Any]:
        state = ctx.state
        remaining = options.count - state["kept"]
        if remaining <= 0:
            return {"round": number, "skipped": True}
        language: str = state["language"]
        rng = random.Random(f"{options.random_seed}:{number}")
        examples = pick_examples(state["seeds"], state["generated"], rng)
        proposal = await propose_instructions(
            self.client(ctx),
            examples=examples,
            count=options.per_round,
            language=language,
            override=self.override(ctx, "self_instruct", language),
        )
        screening = screen(
            proposal.instructions,
            state["pool"],
            threshold=options.rouge_threshold,
            keywords=options.keywords,
        )
        chosen = screening.kept[:remaining]
        written = await self._instances(ctx, options, chosen, language)
        kept = [instance for instance in written if instance is not None and instance.output]
        dropped = list(screening.dropped)
        dropped += [
            Dropped(text, "malformed")
            for text, instance in zip(chosen, written, strict=True)
            if instance is None or not instance.output
        ]
        state["generated"].extend(instance.instruction for instance in kept)
        state["kept"] += len(kept)
        filtered = {reason: sum(d.reason == reason for d in dropped) for reason in REASONS}
        return {
            "round": number,
            "generated": len(proposal.instructions),
            "filtered": filtered,
            "surplus": len(screening.kept) - len(chosen),
            "kept_count": len(kept),
            "kept": [
                {
                    "instruction": instance.instruction,
                    "input": instance.input,
                    "output": instance.output,
                    "step": instance.provenance.as_dict(),
                }
                for instance in kept
            ],
            "dropped": [item.as_dict() for item in dropped],
            "examples": examples,
            "provenance": proposal.provenance.as_dict(),
        }

    async def _instances(
        self, ctx: JobContext[App], options: SelfInstructParams, chosen: list[str], language: str
    ) -> list[Instance | None]:
        """Input and output of each instruction (None: the model never gave valid JSON),
        at most `concurrency` calls at a time."""
        gate = asyncio.Semaphore(options.concurrency or DEFAULT_CONCURRENCY)
        override = self.override(ctx, "self_instruct_instance", language)

        async def one(instruction: str) -> Instance | None:
            async with gate:
                try:
                    return await write_instance(
                        self.client(ctx),
                        instruction=instruction,
                        language=language,
                        examples=ctx.state["examples"],
                        override=override,
                    )
                except ModelCallError as exc:
                    if exc.kind in _REPLY_KINDS:
                        return None
                    raise

        return list(await asyncio.gather(*(one(text) for text in chosen)))

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        main = result.get("provenance", {})
        created = utcnow().isoformat()
        for task in result.get("kept", []):
            step = task["step"]
            session.add(
                QAPair(
                    project_id=job.project_id,
                    question=sample_question(task["instruction"], task["input"]),
                    answer=task["output"],
                    model=step.get("model", ""),
                    provenance={
                        **step,
                        "source": SOURCE,
                        "round": result["round"],
                        "job": job.id,
                        "instruction": task["instruction"],
                        "input": task["input"],
                        "context": "none",
                        "created": created,
                        "steps": [
                            {"prompt": main.get("prompt"), "version": main.get("version")},
                            {"prompt": step.get("prompt"), "version": step.get("version")},
                        ],
                    },
                )
            )

    def summarize(self, results: list[tuple[str, dict[str, Any]]]) -> StageSummary:
        rows: list[dict[str, Any]] = []
        dropped: list[dict[str, Any]] = []
        skipped = 0
        for _key, result in results:
            if result.get("skipped"):
                skipped += 1
                continue
            filtered = result.get("filtered", {})
            rows.append(
                {
                    "round": result.get("round"),
                    "generated": result.get("generated", 0),
                    **{reason: filtered.get(reason, 0) for reason in REASONS},
                    "surplus": result.get("surplus", 0),
                    "kept": result.get("kept_count", 0),
                }
            )
            for item in result.get("dropped", []):
                if len(dropped) < DROPPED_SHOWN:
                    dropped.append({"round": result.get("round"), **item})
        rows.sort(key=lambda row: row["round"] or 0)
        figures = ("generated", *REASONS, "surplus", "kept")
        totals: dict[str, Any] = {"round": "total"}
        totals.update({name: sum(row[name] for row in rows) for name in figures})
        return StageSummary(
            title_en="Self-Instruct rounds: generated → filtered → kept",
            title_zh="Self-Instruct 各轮：生成 → 过滤 → 保留",
            columns=ROUND_COLUMNS,
            rows=rows,
            totals=totals,
            details={"rounds_skipped": skipped, "dropped": dropped},
        )


ROUND_COLUMNS = [
    SummaryColumn(key="round", en="round", zh="轮次"),
    SummaryColumn(key="generated", en="generated", zh="生成"),
    SummaryColumn(key="rouge", en="rouge", zh="ROUGE 相似"),
    SummaryColumn(key="keyword", en="keyword", zh="关键词"),
    SummaryColumn(key="duplicate", en="duplicate", zh="重复"),
    SummaryColumn(key="malformed", en="malformed", zh="格式不当"),
    SummaryColumn(key="surplus", en="surplus", zh="超出"),
    SummaryColumn(key="kept", en="kept", zh="保留"),
]


def _finished_rounds(session: Session, job_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(JobItem.result)
        .where(JobItem.job_id == job_id, JobItem.status == "succeeded")
        .order_by(JobItem.id)
    )
    return [row for row in rows if row]


def _earlier_tasks(session: Session, project_id: int, job_id: int) -> list[str]:
    """The instructions of the project's Self-Instruct samples from other jobs."""
    source = QAPair.provenance["source"].as_string()
    rows = session.execute(
        select(QAPair.provenance["instruction"].as_string(), QAPair.provenance["job"].as_integer())
        .where(QAPair.project_id == project_id, QAPair.chunk_id.is_(None), source == SOURCE)
        .order_by(QAPair.id)
    )
    return [text for text, job in rows if text and job != job_id]


# Typical reply sizes (tokens): an instruction in the list, an input and output.
INSTRUCTION_TOKENS = 30
INSTANCE_TOKENS = 300


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """The rounds `count` needs if every instruction were kept (the least there can be):
    one call each for the instructions, then one per task for its input and output."""
    options = SelfInstructParams.model_validate(given.params)
    rounds = min(len(keys), -(-options.count // options.per_round))
    seeds = [seed.instruction for seed in options.seeds]
    language = given.language(" ".join(seeds[:20]))
    shown = sorted((estimate_tokens(text) for text in seeds), reverse=True)[:EXAMPLES]
    examples = instance_examples(options.seeds)
    shown_examples = sum(estimate_tokens(" ".join(item.values())) for item in examples)
    propose = given.overhead("self_instruct", language, {"examples": [], "count": 1}) + sum(shown)
    instance = (
        given.overhead("self_instruct_instance", language, {"instruction": ""})
        + shown_examples
        + INSTRUCTION_TOKENS
    )
    prompt = rounds * propose + options.count * instance
    completion = rounds * options.per_round * INSTRUCTION_TOKENS + options.count * INSTANCE_TOKENS
    return Figures(rounds + options.count, prompt, completion)
