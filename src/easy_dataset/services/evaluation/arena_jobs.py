"""`arena.run`: two models answer the same prompts, each pair of answers stored as a blind
battle (`ArenaBattle`) for reviewers to vote on.

The prompts are an evaluation set's questions or the project's own questions (by id, by tag,
or all), at most `limit` of them drawn with `seed`. Which answer is shown first is drawn per
battle from the seed and the prompt, so a run is reproducible and about half the battles
are swapped.
"""

from __future__ import annotations

import asyncio
import random
from typing import Annotated, Any, ClassVar, cast

from pydantic import Field, model_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from easy_dataset.errors import ModelCallError, NotFoundError
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Flag, Stage, StageParams, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.llm.types import ChatClient, Message
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import (
    open_project_model,
    parse_key,
    tag_scope,
)
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.models import resolve_model
from easy_dataset.services.projects import find_project
from easy_dataset.services.stage_options import QuestionIds, TagIds
from easy_dataset.store.dataset import Question
from easy_dataset.store.evaluation import ArenaBattle, EvalItem, EvalSet
from easy_dataset.store.models import Job, JobItem

TYPE = "arena.run"
MAX_PROMPTS = 10_000

ModelName = Annotated[str, Field(min_length=1, max_length=200)]


class ArenaParams(StageParams):
    model_a: Annotated[ModelName, Field(description="The first model configuration's name.")]
    model_b: Annotated[
        ModelName, Field(description="The second model configuration's name (another one).")
    ]
    eval_set: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=200,
            description="Ask an evaluation set's questions (default: the project's questions).",
        ),
        Flag("--set"),
    ] = None
    question_ids: QuestionIds = None
    tag_ids: Annotated[
        TagIds, Field(description="Only questions with one of these tags or a tag under it.")
    ] = None
    limit: int | None = Field(
        default=None, ge=1, le=MAX_PROMPTS, description="At most this many prompts, drawn."
    )
    system: str = Field(
        default="", max_length=20_000, description="System prompt sent to both models."
    )
    temperature: float | None = Field(
        default=None, ge=0, le=2, description="Sampling temperature (default: the model's)."
    )
    seed: int = Field(
        default=0, ge=0, le=2**31 - 1, description="Draws the prompts and the order shown."
    )
    concurrency: int | None = Field(default=None, ge=1, le=1024, description="Prompts in flight.")
    cache: bool = Field(default=False, description="Reuse stored replies to identical requests.")

    @model_validator(mode="after")
    def _check(self) -> ArenaParams:
        if self.model_a == self.model_b:
            raise ValueError(f"model_a and model_b are both {self.model_a!r}: name two models")
        if self.eval_set is not None and (self.question_ids or self.tag_ids):
            raise ValueError("ask either an evaluation set or the project's questions, not both")
        return self


def shown_swapped(seed: int, key: str) -> bool:
    """Whether model B's answer is shown first, drawn from the run's seed and the prompt
    (a string seed is hashed with SHA-512, the same in every process)."""
    return random.Random(f"{seed}:{key}").random() < 0.5


def _candidates(session: Session, project_id: int, options: ArenaParams) -> list[str]:
    if options.eval_set is not None:
        found = session.scalar(
            select(EvalSet.id).where(
                EvalSet.project_id == project_id, EvalSet.name == options.eval_set
            )
        )
        if found is None:
            raise NotFoundError(f"no evaluation set {options.eval_set!r} in this project")
        items = session.scalars(
            select(EvalItem.id).where(EvalItem.set_id == found).order_by(EvalItem.id)
        )
        return [f"i{item_id}" for item_id in items]
    query = select(Question.id).where(Question.project_id == project_id).order_by(Question.id)
    if options.question_ids is not None:
        query = query.where(Question.id.in_(sorted(set(options.question_ids))))
    tags = tag_scope(session, project_id, options.model_dump())
    if tags is not None:
        query = query.where(Question.tag_id.in_(sorted(tags)))
    return [f"q{question_id}" for question_id in session.scalars(query)]


def _battled(session: Session, project_id: int, options: ArenaParams) -> set[str]:
    """Prompts these two models already answered (either way round) with this system prompt."""
    pair = or_(
        (ArenaBattle.model_a == options.model_a) & (ArenaBattle.model_b == options.model_b),
        (ArenaBattle.model_a == options.model_b) & (ArenaBattle.model_b == options.model_a),
    )
    rows = session.execute(
        select(ArenaBattle.item_id, ArenaBattle.question_id).where(
            ArenaBattle.project_id == project_id, ArenaBattle.system == options.system, pair
        )
    )
    done: set[str] = set()
    for item_id, question_id in rows:
        if item_id is not None:
            done.add(f"i{item_id}")
        if question_id is not None:
            done.add(f"q{question_id}")
    return done


def _prompt(session: Session, key: str) -> str:
    parts = parse_key(key)
    if "i" in parts:
        item = session.get(EvalItem, parts["i"])
        if item is None:
            raise NotFoundError(f"evaluation item {parts['i']} is gone")
        return _with_options(item.question, item.options)
    question = session.get(Question, parts["q"])
    if question is None:
        raise NotFoundError(f"question {parts['q']} is gone")
    return question.text


def _with_options(question: str, options: list[Any]) -> str:
    """A choice item's question with its lettered options under it, as a reader sees it."""
    if not options:
        return question
    lines = [f"{chr(ord('A') + index)}. {option}" for index, option in enumerate(options)]
    return "\n".join([question, "", *lines])


async def ask(
    client: ChatClient, name: str, prompt: str, system: str, temperature: float | None
) -> str:
    """One model's answer to the prompt; an empty reply fails like a failed call."""
    messages: list[Message] = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    reply = await client.chat(messages, temperature=temperature)
    text = reply.text.strip()
    if not text:
        raise ModelCallError("empty", f"model {name!r} gave an empty answer", raw_output=reply.raw)
    return text


@register_stage
class ArenaRun(Stage[ArenaParams]):
    """Items `i<eval item>` or `q<question>`: the prompts these two models have not yet
    answered side by side with this system prompt."""

    name: ClassVar[str] = TYPE
    group = "evaluation"
    order = 300
    label = Words("Arena battles", "竞技场对战")
    help = Words(
        "Two models answer the same questions; reviewers then vote blind on which answer is "
        "better (easy-dataset arena vote).",
        "两个模型回答相同的问题；随后评审在不知模型名称的情况下投票选出更好的回答"
        "（easy-dataset arena vote）。",
    )
    Params = ArenaParams
    command = ("arena", "run")

    def resolve(self, app: Any, project_id: int, params: dict[str, Any]) -> dict[str, Any]:
        # Both configurations must exist before a job is planned, not fail item by item.
        for name in (params.get("model_a"), params.get("model_b")):
            if name is not None:
                resolve_model(app, project_id, str(name))
        return params

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        options = self.options(params)
        with app.db.session() as session:
            find_project(session, project_id)
            candidates = _candidates(session, project_id, options)
            done = _battled(session, project_id, options)
        keys = [key for key in candidates if key not in done]
        if options.limit is not None and len(keys) > options.limit:
            drawn = set(random.Random(options.seed).sample(keys, options.limit))
            keys = [key for key in keys if key in drawn]
        return keys

    async def setup(self, ctx: JobContext[App]) -> None:
        if ctx.project_id is None:
            raise ValueError(f"a {self.type} job belongs to a project")
        options = self.options(ctx.params)
        ctx.state["clients"] = [
            open_project_model(ctx.app, ctx.project_id, {"model": name, "cache": options.cache})
            for name in (options.model_a, options.model_b)
        ]

    async def teardown(self, ctx: JobContext[App]) -> None:
        for client in ctx.state.pop("clients", []):
            await client.aclose()

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        with ctx.app.db.session() as session:
            prompt = _prompt(session, key)
        first, second = cast(list[ChatClient], ctx.state["clients"])
        answer_a, answer_b = await asyncio.gather(
            ask(first, options.model_a, prompt, options.system, options.temperature),
            ask(second, options.model_b, prompt, options.system, options.temperature),
        )
        return {"prompt": prompt, "answer_a": answer_a, "answer_b": answer_b}

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        options = self.options(job.params)
        parts = parse_key(item.key)
        session.add(
            ArenaBattle(
                project_id=job.project_id,
                item_id=parts.get("i"),
                question_id=parts.get("q"),
                prompt=result["prompt"],
                system=options.system,
                model_a=options.model_a,
                model_b=options.model_b,
                answer_a=result["answer_a"],
                answer_b=result["answer_b"],
                swapped=shown_swapped(options.seed, item.key),
                job_id=job.id,
            )
        )


ANSWER_TOKENS = 300  # a typical free answer; the arena asks for no particular length
MESSAGE_OVERHEAD = 8  # role markers and separators per message


@token_estimator(TYPE)
def estimate_calls(given: EstimateInput, keys: list[str]) -> Figures:
    """Two calls per prompt, one per model, each with the prompt (and the system prompt)."""
    system = str(given.params.get("system") or "")
    per_call = MESSAGE_OVERHEAD + (estimate_tokens(system) + MESSAGE_OVERHEAD if system else 0)
    prompt = 0
    with given.app.db.session() as session:
        for key in keys:
            prompt += 2 * (per_call + estimate_tokens(_prompt(session, key)))
    return Figures(calls=2 * len(keys), prompt=prompt, completion=2 * ANSWER_TOKENS * len(keys))
