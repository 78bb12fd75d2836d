"""The judge against the reviewers: on the samples both scored, how well the judge's 0–5
score agrees with people, so users know whether to filter by it.

- Scores: the reviewer's rating (`QAPair.score`, 0–5, from `rate_qa`) against the judge's
  score (`QualityResult` kind "judge"), by Spearman's rank correlation.
- Pass / fail: the judge passes a sample scored at least `PASS_SCORE` (3 of 5, where
  `quality.judge` stops flagging it). A reviewer passes a sample judged "ok" in the review
  sample (a verdict of "error" fails it) or, without a verdict, rated at least
  `reviewer_pass` (default 3, the same point on the same 0–5 scale). Cohen's kappa over
  every sample with a judge score and either.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from easy_dataset.quality.judge_agreement import (
    PassFailAgreement,
    RankCorrelation,
    cohen_kappa,
    spearman,
)
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.services.quality.judge_job import PASS_SCORE
from easy_dataset.store.dataset import QAPair, QualityResult

REVIEWER_PASS = 3.0


class JudgeAgreement(BaseModel):
    """Spearman of ratings against judge scores, and kappa on pass / fail (see the module)."""

    judge_pass: float = PASS_SCORE
    reviewer_pass: float = REVIEWER_PASS
    scores: RankCorrelation = RankCorrelation(n=0, missing="too_few")
    pass_fail: PassFailAgreement = PassFailAgreement(n=0, missing="too_few")
    # Of the pass / fail pairs: how many rest on a sample verdict, how many on a rating.
    verdicts: int = 0
    ratings: int = 0


def agreement_in(
    session: Session, project_id: int, *, reviewer_pass: float = REVIEWER_PASS
) -> JudgeAgreement:
    """The figures over the project's samples as they are now."""
    judge = aliased(QualityResult)
    sample = aliased(QualityResult)
    rows = session.execute(
        select(QAPair.score, judge.score, sample.flagged)
        .join(judge, (judge.qa_id == QAPair.id) & (judge.kind == "judge"))
        .outerjoin(sample, (sample.qa_id == QAPair.id) & (sample.kind == "sample"))
        .where(QAPair.project_id == project_id, judge.score.is_not(None))
        .order_by(QAPair.id)
    ).all()
    rated: list[tuple[float, float]] = []
    judge_passes: list[bool] = []
    reviewer_passes: list[bool] = []
    verdicts = 0
    for rating, judged, flagged in rows:
        assert judged is not None  # the query keeps judge scores only
        if rating is not None:
            rated.append((float(rating), float(judged)))
        if flagged is not None:
            verdicts += 1
            reviewer_passes.append(not flagged)
        elif rating is not None:
            reviewer_passes.append(float(rating) >= reviewer_pass)
        else:
            continue
        judge_passes.append(float(judged) >= PASS_SCORE)
    return JudgeAgreement(
        reviewer_pass=reviewer_pass,
        scores=spearman([r for r, _ in rated], [j for _, j in rated]),
        pass_fail=cohen_kappa(judge_passes, reviewer_passes),
        verdicts=verdicts,
        ratings=len(reviewer_passes) - verdicts,
    )


def judge_agreement(
    app: App, project_ref: str | int, *, reviewer_pass: float = REVIEWER_PASS
) -> JudgeAgreement:
    """How well the project's judge agrees with its reviewers."""
    with app.db.session() as session:
        project_id = find_project(session, project_ref).id
        return agreement_in(session, project_id, reviewer_pass=reviewer_pass)
