"""Judge agreement: Spearman with average ranks and Cohen's kappa on a planted case worked
out by hand, the reasons a figure is missing, and the figures the report and the service
compute from ratings, sample verdicts and judge results."""

from __future__ import annotations

import pytest

from easy_dataset.quality.judge_agreement import average_ranks, band_of, cohen_kappa, spearman
from easy_dataset.services import App, projects, quality
from easy_dataset.store.dataset import QAPair, QualityResult
from tests.conftest import Cli

# Ten samples: the reviewer's rating (0–5) and the judge's score (0–5).
RATINGS = [5, 4, 4, 3, 2, 1, 5, 0, 3, 2]
JUDGE = [4.6, 4.2, 3.4, 3.8, 2.4, 1.2, 2.6, 0.8, 3.0, 3.2]
# By hand. Ranks with ties averaged: ratings 9.5 7.5 7.5 5.5 3.5 2 9.5 1 5.5 3.5, judge
# 10 9 7 8 3 2 4 1 5 6; deviations from 5.5 give sum(dx*dy) = 58.5, sum(dx²) = 80.5,
# sum(dy²) = 82.5, so rho = 58.5 / sqrt(80.5 * 82.5) = 0.7178.
# Pass at 3 on both sides: both pass 1-4 and 9 (5), the judge alone passes 10 (3.2 against
# a rating of 2), the reviewer alone 7 (rated 5, judged 2.6), both fail 5, 6, 8 (3).
# Observed 8/10 = 0.8; both pass 6 of 10, so expected 0.6² + 0.4² = 0.52;
# kappa = (0.8 - 0.52) / (1 - 0.52) = 7/12 = 0.5833: moderate.
RHO = 0.7178
KAPPA = 0.5833


def test_average_ranks_share_tied_places() -> None:
    assert average_ranks([5, 4, 4, 3, 2, 1, 5, 0, 3, 2]) == [
        9.5,
        7.5,
        7.5,
        5.5,
        3.5,
        2,
        9.5,
        1,
        5.5,
        3.5,
    ]
    assert average_ranks([]) == []


def test_planted_case() -> None:
    rho = spearman(RATINGS, JUDGE)
    assert (rho.n, rho.rho, rho.missing) == (10, RHO, None)
    kappa = cohen_kappa([s >= 3 for s in JUDGE], [r >= 3 for r in RATINGS])
    counts = (kappa.both_pass, kappa.judge_only, kappa.reviewer_only, kappa.both_fail)
    assert counts == (5, 1, 1, 3)
    assert (kappa.observed, kappa.expected, kappa.kappa) == (0.8, 0.52, KAPPA)
    assert (kappa.band, kappa.advice) == ("moderate", "check")


def test_perfect_and_reversed_orders() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]).rho == 1.0
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]).rho == -1.0
    agreeing = cohen_kappa([True, False, True, False], [True, False, True, False])
    assert (agreeing.kappa, agreeing.band, agreeing.advice) == (1.0, "almost_perfect", "trust")
    opposed = cohen_kappa([True, False, True, False], [False, True, False, True])
    assert (opposed.kappa, opposed.band, opposed.advice) == (-1.0, "poor", "distrust")


def test_missing_figures_say_why() -> None:
    assert spearman([1, 2], [2, 1]).missing == "too_few"
    assert spearman([3, 3, 3], [1, 2, 3]).missing == "constant"
    assert spearman([3, 3, 3], [1, 2, 3]).rho is None
    few = cohen_kappa([True, False], [True, True])
    assert (few.kappa, few.missing, few.both_pass, few.judge_only) == (None, "too_few", 1, 0)
    constant = cohen_kappa([True] * 4, [True] * 4)
    assert (constant.kappa, constant.missing, constant.both_pass) == (None, "constant", 4)
    with pytest.raises(ValueError):
        spearman([1, 2, 3], [1, 2])


@pytest.mark.parametrize(
    ("kappa", "band"),
    [
        (-0.1, "poor"),
        (0.0, "poor"),
        (0.2, "slight"),
        (0.35, "fair"),
        (0.6, "moderate"),
        (0.61, "substantial"),
        (0.81, "almost_perfect"),
    ],
)
def test_landis_koch_bands(kappa: float, band: str) -> None:
    assert band_of(kappa) == band


def _plant(app: App, name: str) -> list[int]:
    """The planted ratings and judge scores on ten QA pairs; their ids."""
    project = projects.create_project(app, name)
    with app.db.session() as session:
        rows = [
            QAPair(project_id=project.id, question=f"q{i}", answer=f"a{i}", score=rating)
            for i, rating in enumerate(RATINGS)
        ]
        session.add_all(rows)
        session.flush()
        session.add_all(
            QualityResult(project_id=project.id, kind="judge", qa_id=row.id, score=score)
            for row, score in zip(rows, JUDGE, strict=True)
        )
        return [row.id for row in rows]


def test_service_and_report_figures(app: App) -> None:
    ids = _plant(app, "planted")
    report = quality.build_report(app, "planted")
    agreement = report.judge_agreement
    assert agreement == quality.judge_agreement(app, "planted")
    assert (agreement.scores.n, agreement.scores.rho) == (10, RHO)
    assert (agreement.pass_fail.kappa, agreement.ratings, agreement.verdicts) == (KAPPA, 10, 0)
    assert (agreement.judge_pass, agreement.reviewer_pass) == (3.0, 3.0)
    # A sample verdict wins over the rating: sample 7 (rated 5, judged 2.6) called an error
    # now agrees with the judge's fail, and kappa rises to (0.9 - 0.5) / 0.5 = 0.8.
    with app.db.session() as session:
        session.add(
            QualityResult(
                project_id=projects.get_project(app, "planted").id,
                kind="sample",
                qa_id=ids[6],
                flagged=True,
            )
        )
    after = quality.judge_agreement(app, "planted")
    assert (after.verdicts, after.ratings) == (1, 9)
    assert (after.pass_fail.reviewer_only, after.pass_fail.both_fail) == (0, 4)
    assert (after.pass_fail.kappa, after.pass_fail.band) == (0.8, "substantial")
    assert after.scores.rho == RHO  # ratings alone give the rank correlation
    # A stricter reviewer bar moves ratings, not verdicts.
    strict = quality.judge_agreement(app, "planted", reviewer_pass=4)
    assert strict.reviewer_pass == 4 and strict.pass_fail.both_pass == 3


def test_nothing_to_compare(app: App) -> None:
    projects.create_project(app, "empty")
    agreement = quality.build_report(app, "empty").judge_agreement
    assert agreement.scores.missing == "too_few" and agreement.pass_fail.n == 0


def test_cli_report_words_the_figures(app: App, cli: Cli) -> None:
    _plant(app, "planted")
    shown = cli("report", "-p", "planted")
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.split())
    assert "Spearman 0.718 over 10 rated samples" in text
    assert "Cohen's kappa 0.583 (moderate: filter by the judge's score, but spot-check" in text
    assert "both pass 5, judge only 1, reviewer only 1, both fail 3" in text
    assert "observed 80.0%, by chance 52.0%" in text
    as_json = cli.json("report", "-p", "planted")
    assert as_json["judge_agreement"]["pass_fail"]["kappa"] == KAPPA
