"""Consistency voting: a question answered k times, kept only when most answers agree."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.orm import Session

from easy_dataset.errors import DisagreementError, InputError
from easy_dataset.generate import AnswerResult
from easy_dataset.jobs import JobContext
from easy_dataset.quality.agreement import DEFAULT_AGREEMENT, agree
from easy_dataset.services.app import App
from easy_dataset.services.embeddings import CachedEmbedder
from easy_dataset.services.quality_results import record
from easy_dataset.services.quality_settings import get_quality_settings
from easy_dataset.store.models import Job

MAX_VOTES = 9


def check_votes(votes: object, *, cached: bool = False) -> None:
    """None or 1 (no voting), or 2 to MAX_VOTES answers; InputError before any job exists."""
    if votes is None:
        return
    if not isinstance(votes, int) or isinstance(votes, bool) or not 1 <= votes <= MAX_VOTES:
        raise InputError(f"consistency voting takes 2 to {MAX_VOTES} answers, not {votes!r}")
    if votes > 1 and cached:
        # k identical requests share one cached reply: a retry would agree with itself.
        raise InputError("consistency voting needs fresh answers: turn the response cache off")


async def vote(
    ctx: JobContext[App], answer: Callable[[], Coroutine[Any, Any, AnswerResult]], votes: int
) -> tuple[AnswerResult, dict[str, Any]]:
    """The answer most others agree with, and the agreement; DisagreementError without a
    majority. Answers are compared by embedding cosine (the project's vote threshold)."""
    check_votes(votes)
    assert ctx.project_id is not None
    if "vote_threshold" not in ctx.state:
        configured = get_quality_settings(ctx.app, ctx.project_id).vote_threshold
        ctx.state["vote_threshold"] = configured if configured is not None else DEFAULT_AGREEMENT
        ctx.state["embedder"] = CachedEmbedder(ctx.app)
        ctx.state["embed_lock"] = asyncio.Lock()
    # A task group: when one answer fails, the others are cancelled, not left running, and
    # the item fails with that answer's own error.
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(answer()) for _ in range(votes)]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    results = [task.result() for task in tasks]
    async with ctx.state["embed_lock"]:
        vectors = await asyncio.to_thread(
            ctx.state["embedder"].embed, [result.answer for result in results]
        )
    # With the texts, answers stating different numbers never count as agreeing: e5 barely
    # tells "21 days" from "10 days".
    texts = [result.answer for result in results]
    found = agree(vectors, threshold=ctx.state["vote_threshold"], texts=texts)
    if not found.majority:
        raise DisagreementError(
            f"only {found.agreeing} of {found.total} answers agree (cosine ≥ "
            f"{ctx.state['vote_threshold']:.2f}); none kept — retry the item or answer it by hand"
        )
    agreement = {
        "total": found.total,
        "agreeing": found.agreeing,
        "share": round(found.share, 4),
        "threshold": ctx.state["vote_threshold"],
        "similarities": [[round(s, 4) for s in row] for row in found.similarities],
    }
    return results[found.chosen], agreement


def record_votes(session: Session, job: Job, qa_id: int, agreement: dict[str, Any]) -> None:
    """Keep the agreement beside the QA pair it chose (a `votes` quality result)."""
    assert job.project_id is not None
    record(
        session,
        job.project_id,
        "votes",
        qa_id=qa_id,
        score=float(agreement["share"]),
        flagged=False,
        detail=agreement,
        job_id=job.id,
    )
