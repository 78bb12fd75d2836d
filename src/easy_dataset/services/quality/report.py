"""The dataset report: counts, diversity, consistency, domain terms, duplicates, scores and
the sampled error rate, each figure beside the target the project holds it to."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from easy_dataset.quality.diversity import distinct_n, entropy_bits, opening_entropy
from easy_dataset.quality.terms import domain_term_ratio, key_terms
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.services.quality.corrections import (
    CitationFigures,
    RefineFigures,
    citation_figures,
    refine_figures,
)
from easy_dataset.services.quality.judge_agreement import JudgeAgreement, agreement_in
from easy_dataset.services.quality.sample import SampleStatus, sample_status
from easy_dataset.services.quality_settings import quality_settings
from easy_dataset.store.dataset import (
    GenreAudience,
    QAPair,
    QualityResult,
    Question,
    QuestionTemplate,
    Tag,
)
from easy_dataset.store.models import Chunk, Job, SourceFile
from easy_dataset.types import QualityTargets

# Text figures read at most this many rows (a seeded random subset beyond), so a report of
# a million pairs takes seconds; counts and check figures always use every row.
TEXT_SAMPLE = 20_000
TERM_CHUNKS = 500
SCORE_BUCKETS = ("0–1", "1–2", "2–3", "3–4", "4–5")


# Group names of the rows a breakdown cannot place.
UNTAGGED = "(untagged)"
NO_SOURCE = "(no source)"
NO_PERSONA = "(no persona)"
QUESTION_DELETED = "(question deleted)"


class Figure(BaseModel):
    """One figure against its target; `value` None means its check has not run yet."""

    name: str
    # The `QualityTargets` field that holds this figure's target.
    target_key: str
    # The check whose results give the value (None: computed from the data itself).
    check: str | None
    value: float | None
    target: float
    # "min": the value must reach the target; "max": it must not exceed it.
    direction: Literal["min", "max"]
    passed: bool | None
    # The counts the value rests on (checked and below, answers, questions, marked of
    # total, errors in reviewed of size), so an interface words them in its own language.
    basis: dict[str, int]
    # domain_term_ratio: the documents' key terms, most characteristic first.
    terms: list[str] = []
    detail: str = ""  # the basis as one English sentence


class Report(BaseModel):
    project: str
    qa_pairs: int
    confirmed: int
    questions: int
    by_tag: dict[str, int]
    by_file: dict[str, int]
    by_persona: dict[str, int]
    by_type: dict[str, int]
    figures: list[Figure]
    diversity: dict[str, float]
    checks: dict[str, dict[str, int]]
    judge_scores: dict[str, int]
    reviewer_scores: dict[str, int]
    sample: SampleStatus
    targets: QualityTargets
    # The self-correction loop's outcomes and the answers' verified citations.
    refine: RefineFigures = RefineFigures()
    citations: CitationFigures = CitationFigures()
    # How well the judge agrees with the reviewers' ratings and sample verdicts.
    judge_agreement: JudgeAgreement = JudgeAgreement()


def _figure(
    name: str,
    value: float | None,
    targets: QualityTargets,
    target_key: str,
    direction: Literal["min", "max"],
    detail: str,
    basis: dict[str, int],
    *,
    check: str | None = None,
    terms: Sequence[str] = (),
) -> Figure:
    target = float(getattr(targets, target_key))
    passed = None if value is None else (value >= target if direction == "min" else value <= target)
    return Figure(
        name=name,
        target_key=target_key,
        check=check,
        value=value,
        target=target,
        direction=direction,
        passed=passed,
        basis=basis,
        terms=list(terms),
        detail=detail,
    )


def _grouped(
    session: Session,
    project_id: int,
    labels: Sequence[InstrumentedAttribute[Any]],
    joins: Sequence[tuple[Any, Any]],
    none: str,
) -> dict[str, int]:
    """QA pairs counted by `labels` (joined by " / "), most first; rows without one: `none`."""
    query = select(*labels, func.count(QAPair.id)).select_from(QAPair)
    for table, on in joins:
        query = query.outerjoin(table, on)
    rows = session.execute(query.where(QAPair.project_id == project_id).group_by(*labels)).all()
    counts: Counter[str] = Counter()
    for row in rows:
        parts = [str(part) for part in row[:-1] if part is not None]
        counts[" / ".join(parts) if parts else none] += int(row[-1])
    return dict(counts.most_common())


def _breakdowns(session: Session, pid: int) -> dict[str, dict[str, int]]:
    to_question = (Question, Question.id == QAPair.question_id)
    return {
        "tag": _grouped(
            session, pid, [Tag.name], [to_question, (Tag, Tag.id == Question.tag_id)], UNTAGGED
        ),
        "file": _grouped(
            session,
            pid,
            [SourceFile.name],
            [(Chunk, Chunk.id == QAPair.chunk_id), (SourceFile, SourceFile.id == Chunk.file_id)],
            NO_SOURCE,
        ),
        "persona": _grouped(
            session,
            pid,
            [GenreAudience.genre, GenreAudience.audience],
            [to_question, (GenreAudience, GenreAudience.id == Question.ga_pair_id)],
            NO_PERSONA,
        ),
        "type": _grouped(
            session,
            pid,
            [Question.origin, QuestionTemplate.answer_type],
            [to_question, (QuestionTemplate, QuestionTemplate.id == Question.template_id)],
            QUESTION_DELETED,
        ),
    }


def _texts(session: Session, project_id: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Questions and answers of up to TEXT_SAMPLE pairs (a seeded random subset beyond):
    ids are cheap to read at a million rows, texts are not."""
    ids = list(session.scalars(select(QAPair.id).where(QAPair.project_id == project_id)))
    if len(ids) > TEXT_SAMPLE:
        ids = sorted(random.Random(seed).sample(ids, TEXT_SAMPLE))
    questions: list[str] = []
    answers: list[str] = []
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(QAPair.question, QAPair.answer).where(QAPair.id.in_(ids[start : start + 500]))
        )
        for question, answer in rows:
            questions.append(question)
            answers.append(answer)
    return questions, answers


def _buckets(scores: list[float]) -> dict[str, int]:
    counts = Counter(min(math.floor(score), 4) for score in scores)
    return {label: counts.get(index, 0) for index, label in enumerate(SCORE_BUCKETS)}


def _checks(session: Session, project_id: int) -> dict[str, dict[str, int]]:
    rows = session.execute(
        select(QualityResult.kind, QualityResult.flagged, func.count())
        .where(QualityResult.project_id == project_id, QualityResult.qa_id.is_not(None))
        .group_by(QualityResult.kind, QualityResult.flagged)
    ).all()
    checks: dict[str, dict[str, int]] = {}
    for kind, flagged, count in rows:
        entry = checks.setdefault(kind, {"results": 0, "flagged": 0, "not_applicable": 0})
        entry["results"] += count
        if flagged:
            entry["flagged"] += count
    # A check with nothing to compare against (grounding of a sample made without a chunk)
    # neither passed nor failed: counted apart, so results less flagged is not "passed".
    not_applicable = session.execute(
        select(QualityResult.kind, func.count())
        .where(
            QualityResult.project_id == project_id,
            QualityResult.qa_id.is_not(None),
            QualityResult.flagged.is_(None),
            QualityResult.detail["applicable"].as_boolean().is_(False),
        )
        .group_by(QualityResult.kind)
    ).all()
    for kind, count in not_applicable:
        checks[kind]["not_applicable"] = count
    return checks


def _consistency(session: Session, project_id: int, target: float) -> tuple[int, float | None, int]:
    """Grounded QA pairs, their mean answer–chunk similarity, and how many fall under target."""
    similarity = QualityResult.detail["similarity"].as_float()
    checked, mean, below = session.execute(
        select(
            func.count(similarity),
            func.avg(similarity),
            func.sum(case((similarity < target, 1), else_=0)),
        ).where(
            QualityResult.project_id == project_id,
            QualityResult.kind == "grounding",
            QualityResult.qa_id.is_not(None),
        )
    ).one()
    return int(checked), None if mean is None else float(mean), int(below or 0)


def _dedup_ran(session: Session, project_id: int) -> bool:
    """Whether QA pairs were ever deduplicated (a clean run leaves no results behind)."""
    runs = session.scalars(
        select(Job.params).where(
            Job.project_id == project_id, Job.type == "quality.dedup", Job.status == "succeeded"
        )
    )
    return any((params or {}).get("target", "qa") == "qa" for params in runs)


def build_report(app: App, project_ref: str | int) -> Report:
    """Every figure of the report, computed from the database as it is now."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        pid, name, settings = project.id, project.name, quality_settings(project)
        targets = settings.targets
        total = (
            session.scalar(select(func.count()).select_from(QAPair).where(QAPair.project_id == pid))
            or 0
        )
        confirmed = (
            session.scalar(
                select(func.count())
                .select_from(QAPair)
                .where(QAPair.project_id == pid, QAPair.confirmed.is_(True))
            )
            or 0
        )
        questions = (
            session.scalar(
                select(func.count()).select_from(Question).where(Question.project_id == pid)
            )
            or 0
        )
        breakdowns = _breakdowns(session, pid)
        question_texts, answers = _texts(session, pid)
        chunk_texts = list(
            session.scalars(
                select(Chunk.content)
                .where(Chunk.project_id == pid)
                .order_by(Chunk.id)
                .limit(TERM_CHUNKS)
            )
        )
        checked, consistency, below = _consistency(session, pid, targets.consistency)
        judge = [
            float(s)
            for s in session.scalars(
                select(QualityResult.score).where(
                    QualityResult.project_id == pid, QualityResult.kind == "judge"
                )
            )
            if s is not None
        ]
        reviewer = [
            float(s)
            for s in session.scalars(select(QAPair.score).where(QAPair.project_id == pid))
            if s is not None
        ]
        checks = _checks(session, pid)
        refined, cited = refine_figures(session, pid), citation_figures(session, pid)
        agreement = agreement_in(session, pid)
        dedup_ran = "duplicate" in checks or _dedup_ran(session, pid)

    terms = key_terms(chunk_texts) if chunk_texts else []
    term_ratio = domain_term_ratio(answers, terms) if answers and terms else None
    openings = opening_entropy(question_texts) if question_texts else None
    marked = checks.get("duplicate", {}).get("flagged", 0)
    duplicate_rate = (marked / total if total else 0.0) if dedup_ran else None
    status = sample_status(app, pid)
    error = status.rate if status.reviewed else None

    figures = [
        _figure(
            "semantic_consistency",
            consistency,
            targets,
            "consistency",
            "min",
            f"{checked} pairs checked, {below} under the target"
            if checked
            else "run: quality ground",
            {"checked": checked, "below": below},
            check="ground",
        ),
        _figure(
            "domain_term_ratio",
            term_ratio,
            targets,
            "domain_terms",
            "min",
            f"key terms: {', '.join(terms[:8])}" if terms else "no chunks to take key terms from",
            {"answers": len(answers)},
            terms=terms[:8],
        ),
        _figure(
            "opening_entropy",
            openings,
            targets,
            "opening_entropy",
            "min",
            f"{len(question_texts)} questions" if question_texts else "no questions",
            {"questions": len(question_texts)},
        ),
        _figure(
            "duplicate_rate",
            duplicate_rate,
            targets,
            "duplicate_rate",
            "max",
            f"{marked} of {total} marked" if dedup_ran else "run: quality dedup",
            {"marked": marked, "total": total},
            check="dedup",
        ),
        _figure(
            "sampled_error_rate",
            error,
            targets,
            "error_rate",
            "max",
            (
                f"{status.errors} errors in {status.reviewed} reviewed; "
                f"95% interval {status.low:.1%}–{status.high:.1%}"
            )
            if status.reviewed
            else ("review the sample" if status.size else "run: quality sample, then review it"),
            {"errors": status.errors, "reviewed": status.reviewed, "size": status.size},
            check="sample",
        ),
        _figure(
            "verified_citations",
            cited.share,
            targets,
            "citations",
            "min",
            (
                f"{cited.verified} of {cited.quotes} quotes verified; "
                f"{cited.unverified_samples} of {cited.samples} answers with an unverified quote"
            )
            if cited.quotes
            else "answer with citations (answers.generate or answers.refine)",
            {
                "quotes": cited.quotes,
                "verified": cited.verified,
                "samples": cited.samples,
                "unverified_samples": cited.unverified_samples,
            },
        ),
    ]
    tag_counts = {k: v for k, v in breakdowns["tag"].items() if k != UNTAGGED}
    diversity = {
        "opening_entropy": round(openings or 0.0, 4),
        "tag_entropy": round(entropy_bits(Counter(tag_counts).elements()), 4),
        "distinct_1": round(distinct_n(question_texts, 1), 4),
        "distinct_2": round(distinct_n(question_texts, 2), 4),
    }
    return Report(
        project=name,
        qa_pairs=total,
        confirmed=confirmed,
        questions=questions,
        by_tag=breakdowns["tag"],
        by_file=breakdowns["file"],
        by_persona=breakdowns["persona"],
        by_type=breakdowns["type"],
        figures=figures,
        diversity=diversity,
        checks=checks,
        judge_scores=_buckets(judge),
        reviewer_scores=_buckets(reviewer),
        sample=status,
        targets=targets,
        refine=refined,
        citations=cited,
        judge_agreement=agreement,
    )
