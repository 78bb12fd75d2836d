"""Verified citations of generated answers: the quotes checked against the chunk, kept in the
sample's provenance (`citations`) and recorded as a `citations` quality result."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from easy_dataset.quality.citations import QuoteCheck, verified_share, verify_quotes
from easy_dataset.services.quality_results import record
from easy_dataset.store.dataset import QAPair, QualityResult

KIND = "citations"
# Where the unverified quotes are listed in a result, at most this many.
SHOWN_UNVERIFIED = 10


def checked_quotes(quotes: Sequence[str], chunk: str) -> list[dict[str, Any]]:
    """Each quote with `verified`, `ratio` and `match`, as provenance keeps them."""
    return [check.as_dict() for check in verify_quotes(quotes, chunk)]


def record_citations(
    session: Session,
    project_id: int,
    qa_id: int,
    citations: Sequence[dict[str, Any]],
    job_id: int | None,
) -> None:
    """The sample's `citations` result: the share of its quotes verified; flagged when one
    is not, or when the answer quoted nothing although quotes were asked for."""
    checks = [QuoteCheck(**citation) for citation in citations]
    unverified = [check.quote for check in checks if not check.verified]
    record(
        session,
        project_id,
        KIND,
        qa_id=qa_id,
        score=verified_share(checks),
        flagged=bool(unverified) or not checks,
        detail={
            "quotes": len(checks),
            "verified": len(checks) - len(unverified),
            "unverified": unverified[:SHOWN_UNVERIFIED],
        },
        job_id=job_id,
    )


def forget_citations(session: Session, pair: QAPair) -> None:
    """Drop the quotes (provenance and result) of a pair whose answer was replaced: they
    back an answer it no longer has."""
    if "citations" in (pair.provenance or {}):
        pair.provenance = {k: v for k, v in pair.provenance.items() if k != "citations"}
    session.execute(
        delete(QualityResult).where(QualityResult.kind == KIND, QualityResult.qa_id == pair.id)
    )
