"""`quality.judge`: an LLM scores each sample 0–5 against its source chunk (one made without
a chunk — distilled, or a question written by hand — by its own knowledge and the sample's
subject): a QA pair in one call, a dialogue turn by turn (it scores as its weakest turn)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError, validation_reasons
from easy_dataset.generate.dialogue_judge import TurnVerdict, dialogue_score, judge_dialogue
from easy_dataset.generate.judge import judge_pair
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Flag, Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.quality.samples import replies
from easy_dataset.samples_shape import sample_messages
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import (
    ModelJob,
    language_for,
    parse_key,
    unfinished_keys,
)
from easy_dataset.services.job_support.token_registry import (
    EstimateInput,
    Figures,
    token_estimator,
)
from easy_dataset.services.models import resolve_model
from easy_dataset.services.quality.selection import (
    PairSource,
    pair_source,
    qa_ids,
    without_context,
)
from easy_dataset.services.quality_results import record
from easy_dataset.services.quality_settings import get_quality_settings
from easy_dataset.services.stage_options import ModelParams, QAIds
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import Chunk, Job, JobItem
from easy_dataset.types import JudgeCriterion, QualitySettings

TYPE = "quality.judge"
JUDGE_TOKENS = 120  # a judge's reply: a score per criterion and a verdict (estimates)
PASS_SCORE = 3.0  # below this a sample is flagged; export and lists filter on any threshold
# What a result keeps: the weakest turn's scores and verdict stand for a dialogue's, and
# `turns` holds every turn's.
DETAIL = ("scores", "verdict", "weights", "model", "turns")


def weakest_note(weakest: TurnVerdict, turns: int) -> str:
    """A dialogue's verdict: which turn is the weakest (counted from 1) and why."""
    return f"Weakest: turn {weakest.turn + 1} of {turns} ({weakest.score:g}). {weakest.verdict}"


def weights(settings: QualitySettings, params: dict[str, Any]) -> dict[JudgeCriterion, float]:
    """The project's judge weights with this run's (`params["weights"]`, maybe partial) over
    them; InputError when the result is no usable set of weights."""
    merged = {**settings.judge_weights, **(params.get("weights") or {})}
    try:
        return QualitySettings.model_validate({"judge_weights": merged}).judge_weights
    except ValidationError as exc:
        raise InputError(f"invalid judge weights: {validation_reasons(exc)}") from None


def judge_params(app: App, project_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The options with the judge's model filled in when none was named: the project's
    judge model, if it has one (else the job runs on the project's default model)."""
    settings = get_quality_settings(app, project_id)
    if not params.get("model") and settings.judge_model:
        return {**params, "model": settings.judge_model}
    return params


Weight = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class JudgeParams(ModelParams):
    model: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=200,
            description="Judge model configuration (default: the project's judge model, else "
            "its default model).",
        ),
        Flag("--model", "-m"),
    ] = None
    weights: Annotated[
        dict[JudgeCriterion, Weight] | None,
        Field(description="Criteria weights for this run; criteria left out keep theirs."),
        Flag("--weight"),
    ] = None
    qa_ids: QAIds = None
    redo: bool = Field(default=False, description="Judge pairs judged before too.")


@register_stage
class JudgeQA(ModelJob, Stage[JudgeParams]):
    """Items `a<qa>` for samples not judged yet (params: qa_ids, redo); params: model (the
    judge's configuration; default the project's judge model, else its default model),
    weights (partial dicts keep the other criteria's weights)."""

    name: ClassVar[str] = TYPE
    group = "quality"
    order = 110
    label = Words("LLM judge", "LLM 评审")
    help = Words(
        "Have a model score each QA pair 0–5 against its source chunk (by its own knowledge "
        "where there is none), a dialogue turn by turn (below 3 is flagged).",
        "由模型对照来源文本块为每个问答对打分（没有文本块时凭自身知识；0–5，对话逐轮打分，"
        "低于 3 分标记）。",
    )
    Params = JudgeParams
    command = ("quality", "judge")

    def resolve(self, app: Any, project_id: int, params: dict[str, Any]) -> dict[str, Any]:
        return judge_params(app, project_id, params)

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        settings = get_quality_settings(app, project_id)
        weights(settings, params)
        if not params.get("model") and settings.judge_model:
            resolve_model(app, project_id, settings.judge_model)  # removed since: say so now
        with app.db.session() as session:
            keys = [f"a{qa_id}" for qa_id in qa_ids(session, project_id, params, unchecked="judge")]
            busy = unfinished_keys(session, project_id, TYPE)
        return [key for key in keys if key not in busy]

    async def setup(self, ctx: JobContext[App]) -> None:
        assert ctx.project_id is not None
        ctx.params = judge_params(ctx.app, ctx.project_id, ctx.params)
        await super().setup(ctx)
        settings = get_quality_settings(ctx.app, ctx.project_id)
        ctx.state["weights"] = weights(settings, ctx.params)

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        qa_id = parse_key(key)["a"]
        with ctx.app.db.session() as session:
            if without_context(session, qa_id):
                # No chunk (distilled, or written by hand): judged by the model's knowledge.
                source, subject = open_source(session, qa_id)
            else:
                source, subject = pair_source(session, qa_id, "judged"), []
        language = language_for(self.settings(ctx), source.chunk or source.question)
        if source.kind == "dialogue":
            return await self.judge_turns(ctx, qa_id, source, language, subject)
        judgement = await judge_pair(
            self.client(ctx),
            question=source.question,
            answer=source.answer,
            chunk=source.chunk,
            language=language,
            weights=ctx.state["weights"],
            cot=source.cot,
            override=self.override(ctx, "judge" if source.chunk else "judge_open", language),
            tag_path=subject,
        )
        return {
            "qa_id": qa_id,
            "score": judgement.score,
            "scores": judgement.scores,
            "verdict": judgement.verdict,
            "weights": ctx.state["weights"],
            "model": judgement.provenance.model,
        }

    async def judge_turns(
        self,
        ctx: JobContext[App],
        qa_id: int,
        source: PairSource,
        language: str,
        subject: list[str],
    ) -> dict[str, Any]:
        """A dialogue's result: each turn's verdict, and the weakest turn's for the whole."""
        prompt = "judge_turn" if source.chunk else "judge_turn_open"
        verdicts = await judge_dialogue(
            self.client(ctx),
            chunk=source.chunk,
            messages=source.messages,
            language=language,
            weights=ctx.state["weights"],
            override=self.override(ctx, prompt, language),
            tag_path=subject,
        )
        weakest = min(verdicts, key=lambda verdict: verdict.score)  # the first of equals
        return {
            "qa_id": qa_id,
            "score": dialogue_score(verdicts),
            "scores": weakest.scores,
            "verdict": weakest_note(weakest, len(verdicts)),
            "weights": ctx.state["weights"],
            "model": weakest.provenance.model,
            "turns": [
                {"turn": v.turn, "score": v.score, "scores": v.scores, "verdict": v.verdict}
                for v in verdicts
            ],
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        pair = session.get(QAPair, int(result["qa_id"]))
        if pair is None:
            raise NotFoundError(f"QA pair {result['qa_id']} was deleted while it was judged")
        pair.judge_notes = str(result["verdict"])
        score = float(result["score"])
        record(
            session,
            job.project_id,
            "judge",
            qa_id=pair.id,
            score=score,
            flagged=score < PASS_SCORE,
            detail={k: result[k] for k in DETAIL if k in result},
            job_id=job.id,
        )


def open_source(session: Session, qa_id: int) -> tuple[PairSource, list[str]]:
    """A sample made without a chunk (distilled, or a question written by hand): its texts,
    no chunk, and the subject its provenance names (the tag path, else the tag)."""
    pair = session.get(QAPair, qa_id)
    if pair is None:
        raise NotFoundError(f"QA pair {qa_id} was deleted before it was judged")
    turns = sample_messages(pair.kind, pair.question, pair.answer, pair.cot, pair.messages)
    subject = [str(name) for name in pair.provenance.get("tag_path") or []]
    if not subject and pair.provenance.get("tag"):
        subject = [str(pair.provenance["tag"])]
    source = PairSource(pair.kind, pair.question, pair.answer, pair.cot, "", tuple(turns))
    return source, subject


@token_estimator(TYPE)
def estimate_judging(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per QA pair (its question, answer, reasoning and chunk in) and one per
    assistant turn of a dialogue (the chunk, the turn and the turns before it in); a score
    per criterion and a verdict out. A sample made without a chunk (its provenance says
    so) is judged without one, by the `_open` prompts; one whose chunk was deleted fails
    before any call."""
    qa_ids = sorted(parse_key(key)["a"] for key in keys)
    with given.app.db.session() as session:
        rows = session.execute(
            select(
                QAPair.kind,
                QAPair.question,
                QAPair.answer,
                QAPair.cot,
                QAPair.messages,
                QAPair.provenance,
                Chunk.content,
            )
            .outerjoin(Chunk, Chunk.id == QAPair.chunk_id)
            .where(QAPair.id.in_(qa_ids))
        ).all()
    pair_values = {"question": "", "answer": "", "chunk": "", "cot": ""}
    turn_values = {"chunk": "", "message": "", "reply": "", "history": [], "reasoning": ""}
    calls = prompt = 0
    for kind, question, answer, cot, messages, provenance, chunk in rows:
        open_ = (provenance or {}).get("context") == "none"
        if chunk is None and not open_:
            continue
        chunk = "" if open_ else chunk
        suffix = "_open" if open_ else ""
        language = given.language(chunk or question)
        if kind != "dialogue":
            calls += 1
            prompt += given.overhead(f"judge{suffix}", language, _values(pair_values, open_))
            prompt += sum(estimate_tokens(text or "") for text in (question, answer, cot, chunk))
            continue
        said = 0  # tokens of the turns before the one judged: each call carries them
        for reply in replies(sample_messages(kind, question, answer, cot, messages)):
            turn = estimate_tokens(reply.user.text) + estimate_tokens(reply.reply.text)
            calls += 1
            prompt += given.overhead(f"judge_turn{suffix}", language, _values(turn_values, open_))
            prompt += estimate_tokens(chunk) + estimate_tokens(reply.reply.reasoning)
            prompt += turn + said
            said += turn
    return Figures(calls, prompt, calls * JUDGE_TOKENS)


def _values(values: dict[str, Any], open_: bool) -> dict[str, Any]:
    """A judge prompt's empty values; the `_open` prompts take no chunk."""
    return {name: value for name, value in values.items() if not (open_ and name == "chunk")}
