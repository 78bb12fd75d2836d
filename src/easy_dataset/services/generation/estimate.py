"""What a long generation job would cost before it starts: items, model calls, tokens and
time. Every figure is an estimate: the items are planned exactly as the job would plan them
(nothing is created), tokens come from the chunk and question sizes put into the project's
prompt templates, and time from the model's recent latency in the usage log."""

from __future__ import annotations

import math
import statistics
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from easy_dataset.errors import InputError
from easy_dataset.generate import question_count
from easy_dataset.generate.questions import heading_text
from easy_dataset.jobs import get_handler
from easy_dataset.llm.tokens import estimate_messages, estimate_tokens
from easy_dataset.prompts import render
from easy_dataset.services.app import App
from easy_dataset.services.generation import answer_jobs, question_jobs
from easy_dataset.services.generation.common import language_for, load_settings, parse_key
from easy_dataset.services.generation.voting import check_votes
from easy_dataset.services.models import resolve_model
from easy_dataset.services.prompts import effective_template
from easy_dataset.store.dataset import Question
from easy_dataset.store.models import Chunk, LLMCall, SourceFile
from easy_dataset.types import GenerationSettings

ESTIMATED = ("questions.generate", "answers.generate")
# Completion sizes when the usage log has nothing to go by: a question in the JSON list, an
# answer, a chain of thought (tokens).
QUESTION_TOKENS = 30
LIST_OVERHEAD = 10
ANSWER_TOKENS = 250
COT_TOKENS = 250
RECENT_CALLS = 50  # the latency is the median of this model's last calls


class Estimate(BaseModel):
    """What a job would do; `seconds` is None when the usage log has no recent call of the
    model to time it by."""

    stage: str
    estimated: Literal[True] = Field(default=True, description="Always true: an estimate.")
    items: int = Field(description="Work items the job would plan (exact).")
    calls: int = Field(description="Model calls, at least (retries come on top).")
    prompt_tokens: int
    completion_tokens: int
    seconds: float | None = Field(description="Wall time; None: unknown (no recent calls).")
    latency_ms: int | None = Field(description="Median latency of the model's recent calls.")
    latency_calls: int = Field(description="How many recent calls the latency rests on.")
    concurrency: int
    model: str
    without_context: int = Field(
        default=0, description="answers: questions with no chunk, answered without context."
    )
    skipped_no_chunk: int = Field(
        default=0,
        description="answers: generated questions whose chunk was deleted; never answered.",
    )

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def _overhead(app: App, project_id: int, name: str, language: str, values: dict[str, Any]) -> int:
    """Prompt tokens of a template rendered with its texts left empty (they are added)."""
    override = effective_template(app, project_id, name, language)
    return estimate_messages(render(name, language, values, override=override).messages)


class _Overheads:
    """Template overheads per (prompt, language), rendered once each."""

    def __init__(self, app: App, project_id: int) -> None:
        self.app, self.project_id = app, project_id
        self.cache: dict[tuple[str, str], int] = {}

    def get(self, name: str, language: str, values: dict[str, Any]) -> int:
        key = (name, language)
        if key not in self.cache:
            self.cache[key] = _overhead(self.app, self.project_id, name, language, values)
        return self.cache[key]


def _questions(
    app: App, project_id: int, keys: list[str], settings: GenerationSettings
) -> tuple[int, int, int]:
    """Calls, prompt and completion tokens of a questions.generate job with these items."""
    chunk_ids = sorted({parse_key(key)["c"] for key in keys})
    with app.db.session() as session:
        rows = {
            chunk_id: (content, headings, title)
            for chunk_id, content, headings, title in session.execute(
                select(Chunk.id, Chunk.content, Chunk.heading_path, SourceFile.name)
                .join(SourceFile, SourceFile.id == Chunk.file_id)
                .where(Chunk.id.in_(chunk_ids))
            )
        }
    overheads = _Overheads(app, project_id)
    prompt = completion = 0
    for key in keys:
        content, headings, title = rows.get(parse_key(key)["c"], ("", [], ""))
        language = language_for(settings, content)
        base = overheads.get("questions", language, {"chunk": "", "count": 1})
        prompt += base + estimate_tokens(content)
        prompt += estimate_tokens(heading_text([str(h) for h in headings]) + (title or ""))
        completion += LIST_OVERHEAD + QUESTION_TOKENS * question_count(len(content), settings)
    return len(keys), prompt, completion


def _answers(
    app: App, project_id: int, keys: list[str], settings: GenerationSettings, params: dict[str, Any]
) -> tuple[int, int, int]:
    """Calls, prompt and completion tokens of an answers.generate job with these items: k
    drafts (consistency voting) and one chain of thought each (when the model gives none)."""
    question_ids = sorted(parse_key(key)["q"] for key in keys)
    with app.db.session() as session:
        rows = {
            question_id: (text, content or "")
            for question_id, text, content in session.execute(
                select(Question.id, Question.text, Chunk.content)
                .outerjoin(Chunk, Chunk.id == Question.chunk_id)
                .where(Question.id.in_(question_ids))
            )
        }
    drafts = int(params.get("votes") or 1)
    cot = bool(params.get("synthesize_cot", True))
    overheads = _Overheads(app, project_id)
    calls = prompt = completion = 0
    for question_id in question_ids:
        text, content = rows.get(question_id, ("", ""))
        language = language_for(settings, content or text)
        asked = estimate_tokens(text) + estimate_tokens(content)
        if content:
            answer = overheads.get("answer", language, {"question": "", "chunk": ""})
            reason = overheads.get(
                "cot_synthesize", language, {"question": "", "answer": "", "chunk": ""}
            )
        else:
            answer = overheads.get("answer_open", language, {"question": ""})
            reason = overheads.get("cot_open", language, {"question": "", "answer": ""})
        calls += drafts
        prompt += drafts * (answer + asked)
        completion += drafts * ANSWER_TOKENS
        if cot:
            calls += 1
            prompt += reason + asked + ANSWER_TOKENS
            completion += COT_TOKENS
    return calls, prompt, completion


def recent_latency(app: App, model_config_id: int | None, model: str) -> tuple[int | None, int]:
    """The median latency (ms) of the model's last successful, uncached calls, and how
    many calls that is; (None, 0) when the usage log has none."""
    query = (
        select(LLMCall.latency_ms)
        .where(LLMCall.status == "ok", LLMCall.cached.is_(False), LLMCall.model == model)
        .order_by(LLMCall.id.desc())
        .limit(RECENT_CALLS)
    )
    if model_config_id is not None:
        query = query.where(LLMCall.model_config_id == model_config_id)
    else:
        query = query.where(LLMCall.model_config_id.is_(None))
    with app.db.session() as session:
        found = [int(ms) for ms in session.scalars(query)]
    if not found:
        return None, 0
    return int(statistics.median(found)), len(found)


def estimate_job(app: App, project_id: int, kind: str, params: dict[str, Any]) -> Estimate:
    """The estimate of a questions.generate or answers.generate job with these options
    (the same options `start_job` takes); nothing is created."""
    if kind not in ESTIMATED:
        raise InputError(f"estimates are made for {' and '.join(ESTIMATED)}, not {kind!r}")
    resolved = resolve_model(app, project_id, params.get("model"))
    settings = load_settings(app, project_id)
    without = skipped = 0
    if kind == question_jobs.TYPE:
        keys = get_handler(kind).plan(app, project_id, params)
        calls, prompt, completion = _questions(app, project_id, keys, settings)
    else:
        check_votes(params.get("votes"), cached=bool(params.get("cache")))
        scope = answer_jobs.answer_scope(app, project_id, params)
        keys, without, skipped = scope.keys, scope.without_context, scope.skipped_no_chunk
        calls, prompt, completion = _answers(app, project_id, keys, settings, params)
    concurrency = int(params.get("concurrency") or resolved.config.concurrency)
    latency, timed = recent_latency(app, resolved.model_config_id, resolved.config.model)
    seconds = None
    if latency is not None:
        seconds = 0.0 if not calls else math.ceil(calls / concurrency) * latency / 1000
    return Estimate(
        stage=kind,
        items=len(keys),
        calls=calls,
        prompt_tokens=prompt,
        completion_tokens=completion,
        seconds=seconds,
        latency_ms=latency,
        latency_calls=timed,
        concurrency=concurrency,
        model=resolved.config.model,
        without_context=without,
        skipped_no_chunk=skipped,
    )
