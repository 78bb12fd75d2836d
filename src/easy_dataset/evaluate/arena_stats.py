"""What the arena's votes say: win rates per pair of models and per model with 95 % Wilson
intervals, and a Bradley–Terry ranking with Elo-style scores.

Counting: a win counts 1 for the winner, a tie half for each side, and "both bad" is a tie
as well (neither answer was better), though it is counted apart so a reviewer sees how
often both models failed. A win rate is (wins + half the ties) / battles.

Bradley–Terry: model i beats j with probability p_i / (p_i + p_j); the strengths are fitted
by Hunter's MM algorithm (2004) with every tie split into half a win each way. A pair that
met gets a pseudo-count `prior` (half a win each way by default) so that a model that never
won keeps a finite strength and a clean sweep does not run off to infinity. Strengths are
only comparable inside a connected part of the comparison graph (models that met, directly
or through others): each part is fitted on its own and numbered (`component`).

Elo-style scores: 400·log10(p_i), shifted so that the scores of each part average 1000; a
difference of 400 points means ten-to-one odds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["a", "b", "tie", "both_bad"]
OUTCOMES: tuple[Outcome, ...] = ("a", "b", "tie", "both_bad")

Z95 = 1.959963984540054
ELO_SCALE = 400.0
ELO_MEAN = 1000.0
DEFAULT_PRIOR = 0.5
MAX_ITERATIONS = 10_000
TOLERANCE = 1e-10


@dataclass(frozen=True)
class Vote:
    """One voted battle: `outcome` in terms of `model_a` / `model_b`."""

    model_a: str
    model_b: str
    outcome: Outcome


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class PairStats:
    """Two models' battles, from the side of `model_a` (the first name alphabetically)."""

    model_a: str
    model_b: str
    battles: int
    wins_a: int
    wins_b: int
    ties: int
    both_bad: int
    win_rate_a: float
    interval_a: Interval


@dataclass(frozen=True)
class ModelStats:
    """One model's battles against every other."""

    model: str
    battles: int
    wins: int
    losses: int
    ties: int
    both_bad: int
    win_rate: float
    interval: Interval


@dataclass(frozen=True)
class Ranked:
    """A model's place: Bradley–Terry strength (geometric mean 1 in its part), Elo-style
    score, and the connected part of the comparison graph it was fitted in."""

    rank: int
    model: str
    strength: float
    elo: float
    component: int


@dataclass(frozen=True)
class ArenaStats:
    votes: int
    pairs: list[PairStats]
    models: list[ModelStats]
    ranking: list[Ranked]


def wilson_interval(successes: float, trials: int, z: float = Z95) -> Interval:
    """The Wilson score interval of a proportion (successes may be fractional: half ties);
    (0, 1) when there were no trials."""
    if trials <= 0:
        return Interval(0.0, 1.0)
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def _rate(wins: int, ties: int, battles: int) -> float:
    return (wins + ties / 2) / battles if battles else 0.0


def pair_stats(votes: Iterable[Vote]) -> list[PairStats]:
    """Per pair of models (names in alphabetical order), sorted by the names."""
    counts: dict[tuple[str, str], list[int]] = {}  # wins first, wins second, ties, both bad
    for vote in votes:
        first, second = sorted((vote.model_a, vote.model_b))
        row = counts.setdefault((first, second), [0, 0, 0, 0])
        if vote.outcome in ("tie", "both_bad"):
            row[2 if vote.outcome == "tie" else 3] += 1
        else:
            winner = vote.model_a if vote.outcome == "a" else vote.model_b
            row[0 if winner == first else 1] += 1
    found = []
    for (first, second), (wins_a, wins_b, ties, both_bad) in sorted(counts.items()):
        battles = wins_a + wins_b + ties + both_bad
        even = ties + both_bad
        found.append(
            PairStats(
                model_a=first,
                model_b=second,
                battles=battles,
                wins_a=wins_a,
                wins_b=wins_b,
                ties=ties,
                both_bad=both_bad,
                win_rate_a=_rate(wins_a, even, battles),
                interval_a=wilson_interval(wins_a + even / 2, battles),
            )
        )
    return found


def model_stats(pairs: Sequence[PairStats]) -> list[ModelStats]:
    """Per model over all its pairs, by win rate (then name)."""
    counts: dict[str, list[int]] = {}  # wins, losses, ties, both bad
    for pair in pairs:
        for model, wins, losses in (
            (pair.model_a, pair.wins_a, pair.wins_b),
            (pair.model_b, pair.wins_b, pair.wins_a),
        ):
            row = counts.setdefault(model, [0, 0, 0, 0])
            row[0] += wins
            row[1] += losses
            row[2] += pair.ties
            row[3] += pair.both_bad
    found = []
    for model, (wins, losses, ties, both_bad) in counts.items():
        battles = wins + losses + ties + both_bad
        even = ties + both_bad
        found.append(
            ModelStats(
                model=model,
                battles=battles,
                wins=wins,
                losses=losses,
                ties=ties,
                both_bad=both_bad,
                win_rate=_rate(wins, even, battles),
                interval=wilson_interval(wins + even / 2, battles),
            )
        )
    return sorted(found, key=lambda row: (-row.win_rate, row.model))


def _components(models: Sequence[str], pairs: Sequence[PairStats]) -> list[list[str]]:
    """The connected parts of the comparison graph, each in name order, ordered by their
    first name."""
    parent = {model: model for model in models}

    def root(model: str) -> str:
        while parent[model] != model:
            parent[model] = parent[parent[model]]
            model = parent[model]
        return model

    for pair in pairs:
        parent[root(pair.model_a)] = root(pair.model_b)
    groups: dict[str, list[str]] = {}
    for model in sorted(models):
        groups.setdefault(root(model), []).append(model)
    return sorted(groups.values(), key=lambda group: group[0])


def bradley_terry(pairs: Sequence[PairStats], prior: float = DEFAULT_PRIOR) -> dict[str, float]:
    """Strengths by the MM algorithm, ties split in half; each connected part of the graph
    is scaled to a geometric mean of 1."""
    if prior < 0:
        raise ValueError(f"the prior must not be negative (not {prior})")
    models = sorted({name for pair in pairs for name in (pair.model_a, pair.model_b)})
    wins = {model: 0.0 for model in models}
    meetings: dict[str, dict[str, float]] = {model: {} for model in models}
    for pair in pairs:
        even = (pair.ties + pair.both_bad) / 2
        wins[pair.model_a] += pair.wins_a + even + prior
        wins[pair.model_b] += pair.wins_b + even + prior
        total = pair.battles + 2 * prior
        meetings[pair.model_a][pair.model_b] = total
        meetings[pair.model_b][pair.model_a] = total
    strengths: dict[str, float] = {}
    for group in _components(models, pairs):
        strengths.update(_fit(group, wins, meetings))
    return strengths


def _fit(
    group: list[str], wins: dict[str, float], meetings: dict[str, dict[str, float]]
) -> dict[str, float]:
    # A model with no (pseudo-)wins has strength 0: it stays 0 and the rest are fitted
    # among themselves, which is the limit the likelihood runs to.
    strength = {model: 1.0 if wins[model] > 0 else 0.0 for model in group}
    for _ in range(MAX_ITERATIONS):
        new = {}
        for model in group:
            if wins[model] <= 0:
                new[model] = 0.0
                continue
            rate = sum(
                games / (strength[model] + strength[other])
                for other, games in meetings[model].items()
                if strength[model] + strength[other] > 0
            )
            new[model] = wins[model] / rate if rate > 0 else strength[model]
        new = _normalised(new)
        change = max(abs(new[model] - strength[model]) for model in group)
        strength = new
        if change < TOLERANCE:
            break
    return strength


def _normalised(strength: dict[str, float]) -> dict[str, float]:
    positive = [value for value in strength.values() if value > 0]
    if not positive:
        return strength
    mean = math.exp(sum(math.log(value) for value in positive) / len(positive))
    return {model: value / mean for model, value in strength.items()}


def ranking(pairs: Sequence[PairStats], prior: float = DEFAULT_PRIOR) -> list[Ranked]:
    """Models by Bradley–Terry strength with Elo-style scores (mean 1000 in each part)."""
    strengths = bradley_terry(pairs, prior)
    models = sorted(strengths)
    scored: list[tuple[str, float, float, int]] = []
    for number, group in enumerate(_components(models, pairs), start=1):
        # A strength of 0 (no wins and no prior) has no finite score: it is placed 400
        # points under the weakest scored model of its part.
        logs = {m: ELO_SCALE * math.log10(strengths[m]) for m in group if strengths[m] > 0}
        shift = ELO_MEAN - (sum(logs.values()) / len(logs) if logs else 0.0)
        floor = min(logs.values(), default=0.0) - ELO_SCALE
        for model in group:
            elo = logs.get(model, floor) + shift
            scored.append((model, strengths[model], elo, number))
    scored.sort(key=lambda row: (-row[2], row[0]))
    return [
        Ranked(rank=index, model=model, strength=strength, elo=elo, component=component)
        for index, (model, strength, elo, component) in enumerate(scored, start=1)
    ]


def arena_stats(votes: Sequence[Vote], prior: float = DEFAULT_PRIOR) -> ArenaStats:
    """Everything the results show, from the voted battles."""
    pairs = pair_stats(votes)
    return ArenaStats(
        votes=len(votes),
        pairs=pairs,
        models=model_stats(pairs),
        ranking=ranking(pairs, prior),
    )
