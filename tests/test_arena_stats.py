"""The arena's statistics: win rates with Wilson intervals, ties counted half, and the
Bradley–Terry ranking with Elo-style scores, against numbers worked out by hand."""

from __future__ import annotations

import math

import pytest

from easy_dataset.evaluate.arena_stats import (
    Interval,
    Vote,
    arena_stats,
    bradley_terry,
    pair_stats,
    ranking,
    wilson_interval,
)


def votes(
    model_a: str, model_b: str, a: int = 0, b: int = 0, tie: int = 0, bad: int = 0
) -> list[Vote]:
    return (
        [Vote(model_a, model_b, "a")] * a
        + [Vote(model_a, model_b, "b")] * b
        + [Vote(model_a, model_b, "tie")] * tie
        + [Vote(model_a, model_b, "both_bad")] * bad
    )


def test_wilson_interval_of_seven_in_ten() -> None:
    # p = 0.7, z² / n = 0.38415: centre 0.64449, half-width 0.24771
    interval = wilson_interval(7, 10)
    assert interval.low == pytest.approx(0.3968, abs=1e-4)
    assert interval.high == pytest.approx(0.8922, abs=1e-4)
    assert wilson_interval(0, 0) == Interval(0.0, 1.0)
    nothing = wilson_interval(0, 5)
    assert nothing.low == 0.0 and nothing.high == pytest.approx(0.4345, abs=1e-4)


def test_a_beating_b_seven_of_ten() -> None:
    (pair,) = pair_stats(votes("A", "B", a=7, b=3))
    assert (pair.model_a, pair.model_b, pair.battles, pair.wins_a, pair.wins_b) == (
        "A",
        "B",
        10,
        7,
        3,
    )
    assert pair.win_rate_a == pytest.approx(0.7)
    assert (round(pair.interval_a.low, 3), round(pair.interval_a.high, 3)) == (0.397, 0.892)


def test_pairs_are_named_in_order_whichever_side_each_model_was() -> None:
    # B as model_a winning twice is the same as A losing twice.
    (pair,) = pair_stats(votes("A", "B", a=3) + votes("B", "A", a=2, tie=1, bad=2))
    assert (pair.wins_a, pair.wins_b, pair.ties, pair.both_bad, pair.battles) == (3, 2, 1, 2, 8)
    # ties and both-bad count half: (3 + 1.5) / 8
    assert pair.win_rate_a == pytest.approx(4.5 / 8)


def test_model_rates_cover_all_their_pairs() -> None:
    stats = arena_stats(votes("A", "B", a=7, b=3) + votes("A", "C", a=1, b=1, tie=2))
    by_model = {row.model: row for row in stats.models}
    a = by_model["A"]
    assert (a.battles, a.wins, a.losses, a.ties, a.both_bad) == (14, 8, 4, 2, 0)
    assert a.win_rate == pytest.approx(9 / 14)
    expected = wilson_interval(9, 14)
    assert (a.interval.low, a.interval.high) == (expected.low, expected.high)
    assert by_model["C"].win_rate == pytest.approx(0.5)
    assert by_model["B"].win_rate == pytest.approx(0.3)
    assert [row.model for row in stats.models] == ["A", "C", "B"]
    assert stats.votes == 14


def test_two_models_strengths_follow_the_odds() -> None:
    pairs = pair_stats(votes("A", "B", a=7, b=3))
    # without a prior p_A / p_B = 7 / 3; with half a win each way 7.5 / 3.5
    plain = bradley_terry(pairs, prior=0)
    assert plain["A"] / plain["B"] == pytest.approx(7 / 3)
    assert plain["A"] * plain["B"] == pytest.approx(1.0)
    top, bottom = ranking(pairs)
    assert (top.model, bottom.model, top.rank, bottom.rank) == ("A", "B", 1, 2)
    assert top.elo - bottom.elo == pytest.approx(400 * math.log10(7.5 / 3.5))
    assert (top.elo + bottom.elo) / 2 == pytest.approx(1000)


def test_a_planted_strength_order_is_recovered() -> None:
    planted = {"m1": 8.0, "m2": 4.0, "m3": 2.0, "m4": 1.0, "m5": 0.5}
    names = list(planted)
    cast: list[Vote] = []
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            share = planted[first] / (planted[first] + planted[second])
            wins = round(200 * share)
            cast += votes(first, second, a=wins, b=200 - wins)
    ranked = ranking(pair_stats(cast), prior=0)
    assert [row.model for row in ranked] == names
    # Expected counts: the fitted ratios are the planted ones (within rounding).
    strength = {row.model: row.strength for row in ranked}
    assert strength["m1"] / strength["m5"] == pytest.approx(16, rel=0.05)
    assert sum(row.elo for row in ranked) / 5 == pytest.approx(1000)


def test_a_model_that_never_won_keeps_a_finite_score() -> None:
    ranked = ranking(pair_stats(votes("A", "B", a=5)))
    assert [row.model for row in ranked] == ["A", "B"]
    # half a pseudo-win each way: odds 5.5 to 0.5
    assert ranked[0].elo - ranked[1].elo == pytest.approx(400 * math.log10(11))
    assert all(math.isfinite(row.elo) for row in ranked)
    # With no prior the loser has strength 0 and is put 400 points under the rest.
    bare = ranking(pair_stats(votes("A", "B", a=5)), prior=0)
    assert bare[1].strength == 0 and bare[0].elo - bare[1].elo == pytest.approx(400)


def test_disconnected_models_are_ranked_within_their_own_part() -> None:
    cast = votes("A", "B", a=7, b=3) + votes("C", "D", a=3, b=7)
    ranked = {row.model: row for row in ranking(pair_stats(cast))}
    assert ranked["A"].component == ranked["B"].component == 1
    assert ranked["C"].component == ranked["D"].component == 2
    assert (ranked["A"].elo + ranked["B"].elo) / 2 == pytest.approx(1000)
    assert (ranked["C"].elo + ranked["D"].elo) / 2 == pytest.approx(1000)
    assert ranked["A"].elo == pytest.approx(ranked["D"].elo)


def test_ties_and_both_bad_split_evenly_in_the_ranking() -> None:
    ranked = ranking(pair_stats(votes("A", "B", tie=3, bad=3)))
    assert ranked[0].elo == pytest.approx(1000) and ranked[1].elo == pytest.approx(1000)
    with pytest.raises(ValueError, match="prior"):
        bradley_terry(pair_stats(votes("A", "B", a=1)), prior=-1)
