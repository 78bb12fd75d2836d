"""`eval.run`: a model answers every item of an evaluation set, and each answer is scored
(closed kinds exactly, short answers by normalised match then the judge, open answers by the
judge). The job's run is an `EvalRun` row, made when the job first runs (an estimate plans
too, and must write nothing); each finished item commits its `EvalResult`, so a resumed job
goes on where it stopped."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, cast

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.evaluate.asking import ask_prompt, lettered
from easy_dataset.evaluate.judging import JUDGE_PROMPT, judge_answer
from easy_dataset.evaluate.scoring import score_reply
from easy_dataset.evaluate.stats import Estimate, ScoredItem, breakdown, estimate, top_tag
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Flag, Stage, Words, register_stage
from easy_dataset.jobs.summary import Cell, StageSummary, SummaryColumn
from easy_dataset.llm.continuation import chat_text
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.llm.types import ChatClient, Completion, Message, ModelConfig
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import ModelJob, language_for, parse_key
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.models import open_model, resolve_model
from easy_dataset.services.quality_settings import get_quality_settings
from easy_dataset.services.stage_options import ModelParams
from easy_dataset.store.evaluation import EvalItem, EvalResult, EvalRun, EvalSet
from easy_dataset.store.models import Job, JobItem

TYPE = "eval.run"
JUDGED_KINDS = ("short_answer", "open")
Name = Annotated[str, Field(min_length=1, max_length=200)]


class EvalRunParams(ModelParams):
    eval_set: Annotated[Name, Field(description="The evaluation set's name."), Flag("--set", "-s")]
    model: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=200,
            description="Model configuration to evaluate (default: the project's; "
            "'embedded' for the embedded model).",
        ),
        Flag("--model", "-m"),
    ] = None
    judge_model: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=200,
            description="Judge of short and open answers (default: the project's judge "
            "model, else its default model).",
        ),
        Flag("--judge-model"),
    ] = None
    limit: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Only the first N items."
    )
    temperature: float = Field(
        default=0.0, ge=0.0, le=2.0, description="Sampling temperature of the model under test."
    )


def find_set(session: Session, project_id: int, name: str) -> EvalSet:
    found = session.scalar(
        select(EvalSet).where(EvalSet.project_id == project_id, EvalSet.name == name)
    )
    if found is None:
        raise NotFoundError(f"no evaluation set {name!r} in this project", subject="eval_set")
    return found


def config_name(app: App, project_id: int, name: str | None) -> str:
    """The configuration's name: the one given (checked), else the project's default."""
    return resolve_model(app, project_id, name).config.name


class FixedTemperature:
    """A client whose every call samples at one temperature (the run's)."""

    def __init__(self, inner: ChatClient, temperature: float) -> None:
        self.inner = inner
        self.config: ModelConfig = inner.config
        self.temperature = temperature

    async def chat(
        self,
        messages: list[Message],
        *,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion:
        return await self.inner.chat(
            messages,
            response_format=response_format,
            max_tokens=max_tokens,
            temperature=self.temperature if temperature is None else temperature,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


@register_stage
class RunEvaluation(ModelJob, Stage[EvalRunParams]):
    """Items `i<eval item>`: the set's items in id order (the first `limit`)."""

    name: ClassVar[str] = TYPE
    group = "evaluation"
    order = 300
    label = Words("Evaluate a model", "评测模型")
    help = Words(
        "Have a model answer every item of an evaluation set and score each answer: closed "
        "kinds exactly, short answers by match or the judge, open answers by the judge.",
        "让模型回答评测集中的每道题并逐题打分：客观题精确判分，简答题先规范化比对再由评审"
        "模型判分，开放题由评审模型按评分标准打分。",
    )
    Params = EvalRunParams
    command = ("eval", "run")
    summary_keys = ("kind", "score")

    def resolve(self, app: Any, project_id: int, params: dict[str, Any]) -> dict[str, Any]:
        model = config_name(app, project_id, params.get("model"))
        judge = params.get("judge_model") or get_quality_settings(app, project_id).judge_model
        return {**params, "model": model, "judge_model": config_name(app, project_id, judge)}

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        options = self.options(params)
        with app.db.session() as session:
            eval_set = find_set(session, project_id, options.eval_set)
            query = select(EvalItem.id).where(EvalItem.set_id == eval_set.id).order_by(EvalItem.id)
            if options.limit is not None:
                query = query.limit(options.limit)
            ids = list(session.scalars(query))
        if not ids:
            raise InputError(f"the evaluation set {options.eval_set!r} has no items to evaluate")
        return [f"i{item_id}" for item_id in ids]

    async def setup(self, ctx: JobContext[App]) -> None:
        await super().setup(ctx)
        options = self.options(ctx.params)
        project_id = self.project_id(ctx)
        ctx.state["client"] = FixedTemperature(self.client(ctx), options.temperature)
        with ctx.app.db.session() as session:
            eval_set = find_set(session, project_id, options.eval_set)
            run = session.scalar(select(EvalRun).where(EvalRun.job_id == ctx.job_id))
            if run is None:
                run = EvalRun(
                    project_id=project_id,
                    set_id=eval_set.id,
                    model=options.model or "",
                    judge_model=options.judge_model or "",
                    job_id=ctx.job_id,
                    settings={"temperature": options.temperature, "limit": options.limit},
                )
                session.add(run)
        judge = resolve_model(ctx.app, project_id, options.judge_model)
        ctx.state["judge"] = open_model(ctx.app, judge, use_cache=options.cache)

    async def teardown(self, ctx: JobContext[App]) -> None:
        judge = ctx.state.pop("judge", None)
        if judge is not None:
            await judge.aclose()
        await super().teardown(ctx)

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        item_id = parse_key(key)["i"]
        with ctx.app.db.session() as session:
            item = session.get(EvalItem, item_id)
            if item is None:
                raise NotFoundError(f"evaluation item {item_id} was deleted")
            kind, question, options = item.kind, item.question, list(item.options or [])
            reference, tag_path = item.answer, list(item.tag_path or [])
        language = language_for(self.settings(ctx), question)
        rendered = ask_prompt(
            kind, question, options, language, self.override(ctx, "eval_ask", language)
        )
        completion = await chat_text(self.client(ctx), list(rendered.messages))
        response = completion.text.strip()
        scored = score_reply(kind, options, reference, response)
        score, method, detail = scored.score, scored.method, dict(scored.detail)
        if scored.needs_judge:
            verdict = await judge_answer(
                cast(ChatClient, ctx.state["judge"]),
                kind=kind,
                question=question,
                reference=reference,
                answer=response,
                language=language,
                override=self.override(ctx, JUDGE_PROMPT, language),
            )
            score = verdict.score
            detail.update(rating=verdict.rating, reason=verdict.reason, judge=verdict.model)
        return {
            "item_id": item_id,
            "kind": kind,
            "tag": top_tag(tag_path),
            "response": response,
            "score": score,
            "method": method,
            "detail": {**detail, "model": completion.model, "prompt": rendered.version},
            "latency_ms": completion.latency_ms,
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        run_id = session.scalar(select(EvalRun.id).where(EvalRun.job_id == job.id))
        if run_id is None:
            raise NotFoundError(f"the evaluation run of job {job.id} was deleted")
        session.add(
            EvalResult(
                run_id=run_id,
                item_id=result["item_id"],
                response=result["response"],
                score=result["score"],
                method=result["method"],
                detail=result["detail"],
                latency_ms=result["latency_ms"],
                prompt_tokens=result["prompt_tokens"],
                completion_tokens=result["completion_tokens"],
            )
        )

    def summarize(self, results: list[tuple[str, dict[str, Any]]]) -> StageSummary | None:
        scored = [
            ScoredItem(kind=str(result["kind"]), tag="", score=float(result["score"]))
            for _, result in results
            if result.get("score") is not None
        ]
        rows = [_row(kind, found) for kind, found in breakdown(scored, "kind").items()]
        overall = estimate([item.score for item in scored])
        totals = _row("all", overall) if overall.n else None
        return StageSummary(
            title_en="Accuracy per kind (mean score, 95 % interval)",
            title_zh="各题型准确率（平均分，95% 置信区间）",
            columns=[
                SummaryColumn(key="kind", en="Kind", zh="题型"),
                SummaryColumn(key="n", en="Items", zh="题数"),
                SummaryColumn(key="mean", en="Mean", zh="平均分"),
                SummaryColumn(key="low", en="CI low", zh="区间下限"),
                SummaryColumn(key="high", en="CI high", zh="区间上限"),
            ],
            rows=rows,
            totals=totals,
        )


def _row(kind: str, found: Estimate) -> dict[str, Cell]:
    return {
        "kind": kind,
        "n": found.n,
        "mean": _rounded(found.mean),
        "low": _rounded(found.low),
        "high": _rounded(found.high),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# Typical reply sizes (tokens): letters or a word, a short answer, a full answer, a verdict.
REPLY_TOKENS = {"true_false": 3, "single_choice": 3, "multiple_choice": 6, "short_answer": 15}
OPEN_TOKENS = 250
JUDGE_TOKENS = 80


@token_estimator(TYPE)
def estimate_calls(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per item, and one judge call per open item (short answers that miss the
    reference add theirs on top)."""
    ids = [parse_key(key)["i"] for key in keys]
    with given.app.db.session() as session:
        rows = session.execute(
            select(EvalItem.kind, EvalItem.question, EvalItem.options, EvalItem.answer).where(
                EvalItem.id.in_(ids)
            )
        ).all()
    calls, prompt, completion = 0, 0, 0
    for kind, question, options, answer in rows:
        language = given.language(question)
        values = {"kind": kind, "question": "", "options": []}
        prompt += given.overhead("eval_ask", language, values, kind)
        prompt += estimate_tokens(question + "\n".join(lettered(options or [])))
        reply = REPLY_TOKENS.get(kind, OPEN_TOKENS)
        calls += 1
        completion += reply
        if kind == "open":
            judged = {"kind": kind, "question": "", "reference": "", "answer": ""}
            prompt += given.overhead(JUDGE_PROMPT, language, judged, kind)
            prompt += estimate_tokens(question + answer) + reply
            calls += 1
            completion += JUDGE_TOKENS
    return Figures(calls, prompt, completion)
