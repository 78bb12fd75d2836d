"""`answers.refine`: the self-correction loop. The judge scores each answer; one scored below
the threshold is rewritten from the judge's critique and the project's domain rules, and
judged again, for up to `max_rounds` rounds.

Every draft (round 0 is the answer as it was) is kept in the sample's provenance `drafts`
with its score and critique; the best rewrite replaces the answer only when it scored higher
than the answer did, so nothing is lost and nothing gets worse. Confirmed pairs are never
refined: a reviewer has accepted their text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, cast

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.generate.refine import Draft, Refinement, refine_answer
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Flag, Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.llm.types import ChatClient
from easy_dataset.services.app import App
from easy_dataset.services.generation.citations import (
    checked_quotes,
    forget_citations,
    record_citations,
)
from easy_dataset.services.hygiene import recheck_pairs
from easy_dataset.services.job_support.common import (
    ModelJob,
    id_filter,
    language_for,
    open_project_model,
    parse_key,
    tag_scope,
    unfinished_keys,
)
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.models import resolve_model
from easy_dataset.services.quality_results import record
from easy_dataset.services.quality_settings import get_quality_settings
from easy_dataset.services.stage_options import FileIds, ModelParams, QAIds, TagIds
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair, QualityResult, Question
from easy_dataset.store.models import Chunk, Job, JobItem

TYPE = "answers.refine"
KIND = "refine"  # the quality result of each refined pair: outcome, score before and after
PROMPTS = ("judge", "answer_refine")
JUDGE_FLAG_BELOW = 3.0  # as quality.judge flags: a pair scored below 3 of 5
MAX_ROUNDS = 5
# Typical reply sizes (tokens) for the estimate: a judge's scores and verdict, an answer.
JUDGE_TOKENS = 120
ANSWER_TOKENS = 250


class RefineParams(ModelParams):
    model: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=200,
            description="Model configuration that rewrites answers (default: the project's).",
        ),
        Flag("--model", "-m"),
    ] = None
    judge_model: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Model configuration that judges (default: the project's judge model, "
        "else the model that rewrites).",
    )
    qa_ids: QAIds = None
    file_ids: FileIds = None
    tag_ids: Annotated[
        TagIds,
        Field(description="Only QA pairs whose question has one of these tags or one under it."),
    ] = None
    threshold: float = Field(
        default=3.0,
        ge=0,
        le=5,
        allow_inf_nan=False,
        description="Answers the judge scores below this (0–5) are rewritten.",
    )
    max_rounds: int = Field(
        default=2, ge=1, le=MAX_ROUNDS, description="Most rewrites of one answer."
    )
    citations: bool = Field(
        default=False,
        description="Rewrites quote the spans of the chunk they rely on; every quote is verified.",
    )
    redo: bool = Field(default=False, description="Refine answers refined before too.")


def refine_scope(app: App, project_id: int, params: dict[str, Any]) -> list[str]:
    """QA pairs with a chunk, not confirmed, in scope (qa_ids, file_ids, tag_ids), not
    refined before unless `redo` (or ids were named), not in an unfinished job."""
    only, files = id_filter(params, "qa_ids"), id_filter(params, "file_ids")
    query = (
        select(QAPair.id)
        .join(Chunk, Chunk.id == QAPair.chunk_id)
        .where(
            QAPair.project_id == project_id,
            QAPair.kind == "qa",
            QAPair.confirmed.is_(False),
        )
        .order_by(QAPair.id)
    )
    if only is not None:
        query = query.where(QAPair.id.in_(sorted(only)))
    elif not params.get("redo"):
        done = select(QualityResult.qa_id).where(
            QualityResult.kind == KIND, QualityResult.qa_id.is_not(None)
        )
        query = query.where(QAPair.id.not_in(done))
    if files is not None:
        query = query.where(Chunk.file_id.in_(sorted(files)))
    with app.db.session() as session:
        tags = tag_scope(session, project_id, params)
        if tags is not None:
            query = query.join(Question, Question.id == QAPair.question_id).where(
                Question.tag_id.in_(sorted(tags))
            )
        keys = [f"a{qa_id}" for qa_id in session.scalars(query)]
        busy = unfinished_keys(session, project_id, TYPE)
    return [key for key in keys if key not in busy]


@dataclass(frozen=True)
class PairText:
    """What the loop reads of a pair: its texts, its chunk and the quotes it already has."""

    question: str
    answer: str
    cot: str
    chunk: str
    citations: list[dict[str, Any]] | None


def load_pair(session: Session, qa_id: int) -> PairText:
    pair = session.get(QAPair, qa_id)
    if pair is None:
        raise NotFoundError(f"QA pair {qa_id} was deleted before it was refined")
    chunk = session.get(Chunk, pair.chunk_id) if pair.chunk_id is not None else None
    if chunk is None:
        raise InputError(f"QA pair {qa_id} has no source chunk to judge it against")
    citations = (pair.provenance or {}).get("citations")
    return PairText(
        pair.question,
        pair.answer,
        pair.cot,
        chunk.content,
        list(citations) if isinstance(citations, list) else None,
    )


def _draft(draft: Draft, chunk: str, earlier: list[dict[str, Any]] | None) -> dict[str, Any]:
    """One draft as provenance keeps it; a rewrite's quotes verified against the chunk."""
    judged = draft.judgement
    kept: dict[str, Any] = {
        "round": draft.round,
        "answer": draft.answer,
        "score": judged.score,
        "scores": judged.scores,
        "critique": judged.verdict,
        "judge_model": judged.provenance.model,
    }
    if draft.revision is not None:
        kept.update(
            prompt=draft.revision.prompt,
            version=draft.revision.version,
            model=draft.revision.model,
        )
        if draft.quotes:
            kept["citations"] = checked_quotes(draft.quotes, chunk)
    elif earlier is not None:
        kept["citations"] = earlier
    return kept


@register_stage
class RefineAnswers(ModelJob, Stage[RefineParams]):
    """Items `a<qa>` for unconfirmed QA pairs with a chunk not refined yet (params: qa_ids,
    file_ids, tag_ids, redo); threshold, max_rounds, citations; model rewrites, judge_model
    judges (default: the project's judge model)."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 42
    label = Words("Refine answers", "答案自我修正")
    help = Words(
        "Have the judge score each answer; rewrite those below the threshold from its "
        "critique and the project's domain rules, judge again, and keep the better answer.",
        "由评审为每个答案打分；低于阈值的答案依据评审意见和项目的领域规则改写后再次评审，保留更好的答案。",
    )
    Params = RefineParams
    command = ("qa", "refine")

    def resolve(self, app: Any, project_id: int, params: dict[str, Any]) -> dict[str, Any]:
        judge_model = get_quality_settings(app, project_id).judge_model
        if not params.get("judge_model") and judge_model:
            return {**params, "judge_model": judge_model}
        return params

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        if params.get("judge_model"):
            resolve_model(app, project_id, params["judge_model"])  # a name that exists, now
        return refine_scope(app, project_id, params)

    async def setup(self, ctx: JobContext[App]) -> None:
        await super().setup(ctx)
        project_id = self.project_id(ctx)
        judge_model = ctx.params.get("judge_model")
        ctx.state["judge"] = (
            open_project_model(
                ctx.app, project_id, {"model": judge_model, "cache": ctx.params.get("cache")}
            )
            if judge_model
            else None
        )
        ctx.state["weights"] = get_quality_settings(ctx.app, project_id).judge_weights

    async def teardown(self, ctx: JobContext[App]) -> None:
        judge = ctx.state.pop("judge", None)
        if judge is not None:
            await judge.aclose()
        await super().teardown(ctx)

    def judge(self, ctx: JobContext[App]) -> ChatClient:
        return cast(ChatClient, ctx.state["judge"] or self.client(ctx))

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        qa_id = parse_key(key)["a"]
        with ctx.app.db.session() as session:
            pair = load_pair(session, qa_id)
        settings = self.settings(ctx)
        language = language_for(settings, pair.chunk)
        overrides = {
            name: text
            for name in PROMPTS
            if (text := self.override(ctx, name, language)) is not None
        }
        earlier = [str(c.get("quote", "")) for c in pair.citations or [] if isinstance(c, dict)]
        refinement = await refine_answer(
            self.client(ctx),
            self.judge(ctx),
            question=pair.question,
            answer=pair.answer,
            chunk=pair.chunk,
            language=language,
            cot=pair.cot,
            quotes=earlier,
            weights=ctx.state["weights"],
            threshold=options.threshold,
            max_rounds=options.max_rounds,
            rules=settings.domain_rules,
            citations=options.citations,
            overrides=overrides,
        )
        return outcome_of(qa_id, pair, refinement, ctx.state["weights"])

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        qa_id = int(result["qa_id"])
        pair = session.get(QAPair, qa_id)
        if pair is None:
            raise NotFoundError(f"QA pair {qa_id} was deleted while it was refined")
        if pair.answer != result["original"] or pair.confirmed:
            raise ConflictError(
                f"QA pair {qa_id} was edited or confirmed while it was refined; its answer "
                "was left as the reviewer made it (retry the item to refine the new text)"
            )
        kept = result["drafts"][result["best"]]
        provenance = {**(pair.provenance or {}), "drafts": result["drafts"]}
        provenance["refine"] = {
            "job": job.id,
            "outcome": result["outcome"],
            "rounds": len(result["drafts"]) - 1,
            "kept": kept["round"],
            "threshold": result["threshold"],
            "before": result["drafts"][0]["score"],
            "after": kept["score"],
            "created": utcnow().isoformat(),
        }
        replaced = result["outcome"] == "improved"
        if replaced:
            pair.answer = kept["answer"]
            provenance.pop("model_answer", None)  # the answer is a model's again
            # The quotes belong to the answer they were given with (round 0's stay in drafts).
            if "citations" in kept:
                provenance["citations"] = kept["citations"]
        pair.provenance = provenance
        pair.judge_notes = kept["critique"]
        session.flush()
        project_id = job.project_id
        # The judge's verdict on the answer the pair now has, as quality.judge records one.
        record(
            session,
            project_id,
            "judge",
            qa_id=qa_id,
            score=kept["score"],
            flagged=kept["score"] < JUDGE_FLAG_BELOW,
            detail={
                "scores": kept["scores"],
                "verdict": kept["critique"],
                "weights": result["weights"],
                "model": kept["judge_model"],
            },
            job_id=job.id,
        )
        record(
            session,
            project_id,
            KIND,
            qa_id=qa_id,
            score=kept["score"],
            flagged=None,
            detail={key: provenance["refine"][key] for key in REFINE_DETAIL},
            job_id=job.id,
        )
        if replaced:
            if "citations" in kept:
                record_citations(session, project_id, qa_id, kept["citations"], job.id)
            else:
                forget_citations(session, pair)
            recheck_pairs(session, project_id, [qa_id])


# What a `refine` result keeps: enough for the report's counts and means.
REFINE_DETAIL = ("outcome", "before", "after", "rounds", "kept", "threshold")


def outcome_of(
    qa_id: int, pair: PairText, refinement: Refinement, weights: dict[str, float]
) -> dict[str, Any]:
    """The item's result: every draft as provenance keeps it, and which one is kept."""
    return {
        "qa_id": qa_id,
        "original": pair.answer,
        "drafts": [_draft(draft, pair.chunk, pair.citations) for draft in refinement.drafts],
        "best": refinement.best,
        "outcome": refinement.outcome,
        "threshold": refinement.threshold,
        "weights": dict(weights),
    }


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One judge call per pair; a pair the judge last scored at or above the threshold is
    counted at that, any other at the most it may take: a rewrite and a judge call per round."""
    options = RefineParams.model_validate(given.params)
    qa_ids = sorted(parse_key(key)["a"] for key in keys)
    with given.app.db.session() as session:
        rows = session.execute(
            select(QAPair.id, QAPair.question, QAPair.answer, QAPair.cot, Chunk.content)
            .join(Chunk, Chunk.id == QAPair.chunk_id)
            .where(QAPair.id.in_(qa_ids))
        ).all()
        judged = dict(
            session.execute(
                select(QualityResult.qa_id, QualityResult.score).where(
                    QualityResult.kind == "judge", QualityResult.qa_id.in_(qa_ids)
                )
            ).all()
        )
    rules = estimate_tokens(given.settings.domain_rules)
    judge_values = {"question": "", "answer": "", "chunk": "", "cot": ""}
    refine_values = {"question": "", "answer": "", "chunk": "", "citations": options.citations}
    figures = Figures(0, 0, 0)
    for qa_id, question, answer, cot, chunk in rows:
        language = given.language(chunk)
        texts = sum(estimate_tokens(text or "") for text in (question, answer, cot, chunk))
        judge = given.overhead("judge", language, judge_values) + texts
        figures.calls += 1
        figures.prompt += judge
        figures.completion += JUDGE_TOKENS
        score = judged.get(qa_id)
        if score is not None and score >= options.threshold:
            continue
        rewrite = given.overhead("answer_refine", language, refine_values) + texts + rules
        rounds = options.max_rounds
        figures.calls += 2 * rounds
        figures.prompt += rounds * (rewrite + ANSWER_TOKENS + judge)
        figures.completion += rounds * (ANSWER_TOKENS + JUDGE_TOKENS)
    return figures
