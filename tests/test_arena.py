"""The blind arena: the arena.run stage against two scripted models on the fake server,
votes on the order shown stored in the models' terms, blind views that never name a
model, and the results from scripted votes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from easy_dataset.api import Workspace
from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.services import App, jobs, stages
from easy_dataset.services.evaluation import arena
from easy_dataset.services.evaluation.arena_jobs import shown_swapped
from easy_dataset.store.evaluation import ArenaBattle
from tests.arena_support import QUESTIONS, battles, eval_set, two_models
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_generate_support import seed_qa_pairs

REPLIES = [
    {"model": "m-a", "contains": "eggs", "reply": "The queen lays them."},
    {"model": "m-b", "contains": "eggs", "reply": "Drones do."},
    {"model": "m-a", "contains": "worker", "reply": "About six weeks in summer."},
    {"model": "m-b", "contains": "worker", "reply": "A year."},
    {"model": "m-a", "contains": "honey", "reply": "Ripened nectar."},
    {"model": "m-b", "contains": "honey", "reply": "Pollen and water."},
]


def _battles(app: App) -> list[ArenaBattle]:
    """The battles by their prompts' ids (a job's battles are stored as they finish)."""
    with app.db.session() as session:
        order = (ArenaBattle.question_id, ArenaBattle.item_id, ArenaBattle.id)
        rows = list(session.query(ArenaBattle).order_by(*order))
        session.expunge_all()
        return rows


def test_two_models_answer_the_project_questions(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.set_faults(Faults(replies=REPLIES))
    two_models(app, tmp_path, fake.base_url)
    seed_qa_pairs(app, "bees", [(text, "-") for text in QUESTIONS])
    done = stages.run_stage(
        app, "bees", "arena.run", model_a="alpha", model_b="beta", seed=3, system="Be brief."
    )
    assert (done.status, done.total, done.succeeded) == ("succeeded", 3, 3)
    rows = _battles(app)
    assert [row.prompt for row in rows] == QUESTIONS
    assert [(row.answer_a, row.answer_b) for row in rows] == [
        ("The queen lays them.", "Drones do."),
        ("About six weeks in summer.", "A year."),
        ("Ripened nectar.", "Pollen and water."),
    ]
    assert {(row.model_a, row.model_b, row.system, row.job_id) for row in rows} == {
        ("alpha", "beta", "Be brief.", done.job_id)
    }
    # The order shown is drawn per battle from the seed: reproducible, and both ways here.
    assert [row.swapped for row in rows] == [
        shown_swapped(3, f"q{row.question_id}") for row in rows
    ]
    assert {row.swapped for row in rows} == {True, False}
    # The system prompt went to both models.
    sent = [body for body in fake.stats().bodies() if body["model"] in ("m-a", "m-b")]
    assert len(sent) == 6 and all(body["messages"][0]["content"] == "Be brief." for body in sent)
    # Done already, whichever way round the pair is named.
    again = stages.run_stage(
        app, "bees", "arena.run", model_a="beta", model_b="alpha", system="Be brief."
    )
    assert again.total == 0


def test_an_eval_set_is_asked_and_a_limit_draws_from_it(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.set_faults(Faults(replies=REPLIES))
    two_models(app, tmp_path, fake.base_url)
    items = eval_set(app, "bees", QUESTIONS)
    first = stages.run_stage(
        app, "bees", "arena.run", model_a="alpha", model_b="beta", eval_set="holdout", limit=2,
        seed=5,
    )  # fmt: skip
    assert first.succeeded == 2
    drawn = [row.item_id for row in _battles(app)]
    assert len(drawn) == 2 and set(drawn) < set(items)
    assert all(row.question_id is None for row in _battles(app))
    rest = stages.run_stage(
        app, "bees", "arena.run", model_a="alpha", model_b="beta", eval_set="holdout"
    )
    assert rest.succeeded == 1
    assert sorted(row.item_id for row in _battles(app)) == items


def test_a_failed_answer_fails_its_item_with_the_reason(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.set_faults(Faults(replies=[{"model": "m-b", "contains": "eggs", "reply": ""}, *REPLIES]))
    two_models(app, tmp_path, fake.base_url)
    seed_qa_pairs(app, "bees", [(text, "-") for text in QUESTIONS])
    done = stages.run_stage(app, "bees", "arena.run", model_a="alpha", model_b="beta")
    assert (done.total, done.succeeded, done.failed) == (3, 2, 1)
    (failure,) = jobs.show_job(app, done.job_id).failures
    assert failure.kind == "empty" and "model 'beta' gave an empty answer" in failure.message
    assert [row.prompt for row in _battles(app)] == QUESTIONS[1:]


def test_arena_options_are_checked(app: App, fake: FakeOpenAI, tmp_path: Path) -> None:
    two_models(app, tmp_path, fake.base_url)
    with pytest.raises(InputError, match="both 'alpha'"):
        stages.start_stage(app, "bees", "arena.run", model_a="alpha", model_b="alpha")
    with pytest.raises(InputError, match="not both"):
        stages.start_stage(
            app, "bees", "arena.run", model_a="alpha", model_b="beta", eval_set="x",
            question_ids=[1],
        )  # fmt: skip
    with pytest.raises(NotFoundError, match="'gamma'"):
        stages.start_stage(app, "bees", "arena.run", model_a="alpha", model_b="gamma")
    with pytest.raises(NotFoundError, match="no evaluation set 'nope'"):
        stages.start_stage(
            app, "bees", "arena.run", model_a="alpha", model_b="beta", eval_set="nope"
        )


def test_the_blind_view_names_no_model_and_votes_are_stored_unswapped(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    two_models(app, tmp_path, fake.base_url)
    plain, swapped = battles(
        app, "bees", [("Who lays?", "queen", False), ("Who stings?", "worker", True)],
        ("alpha", "beta"),
    )  # fmt: skip
    shown = arena.next_battle(app, "bees")
    assert shown is not None and shown.id == plain
    assert (shown.answer_a, shown.answer_b) == ("queen", "queen (b)")
    other = arena.get_battle(app, "bees", swapped)
    assert (other.answer_a, other.answer_b) == ("worker (b)", "worker")
    for view in (shown, other):
        dumped = json.dumps(view.model_dump(mode="json"))
        assert "alpha" not in dumped and "beta" not in dumped and "swapped" not in dumped
    # "A" is model_a's answer on the plain battle and model_b's on the swapped one.
    assert arena.vote(app, "bees", plain, "A").vote == "A"
    assert arena.vote(app, "bees", swapped, "a").vote == "A"
    assert [row.vote for row in _battles(app)] == ["a", "b"]
    assert arena.next_battle(app, "bees") is None
    assert arena.progress(app, "bees") == arena.ArenaProgress(battles=2, voted=2)
    # Change and clear a vote.
    assert arena.vote(app, "bees", swapped, "B").vote == "B"
    assert _battles(app)[1].vote == "a"
    assert arena.vote(app, "bees", plain, "x").vote == "both_bad"
    cleared = arena.clear_vote(app, "bees", plain)
    assert cleared.vote is None and cleared.voted_at is None
    assert arena.next_battle(app, "bees", after=plain) is not None
    with pytest.raises(InputError, match="one of A, B, tie or both_bad"):
        arena.vote(app, "bees", plain, "C")
    with pytest.raises(NotFoundError):
        arena.vote(app, "bees", 999, "A")
    total, listed = arena.list_battles(app, "bees", voted=True)
    assert total == 1 and [row.id for row in listed] == [swapped]
    total, revealed = arena.revealed_battles(app, "bees")
    assert total == 2 and [(row.model_a, row.vote) for row in revealed] == [
        ("alpha", None),
        ("alpha", "a"),
    ]


def cast_votes(app: App, project: str) -> None:
    """Ten battles of alpha against beta, every other one shown swapped; alpha's answer
    wins seven, beta's three (votes on the order shown); then alpha against gamma: alpha
    wins one, both are bad in the other."""
    ids = battles(
        app, project, [(f"p{n}", f"a{n}", n % 2 == 1) for n in range(10)], ("alpha", "beta")
    )
    for n, battle_id in enumerate(ids):
        alpha_wins = n < 7
        shown_first_is_alpha = n % 2 == 0
        arena.vote(app, project, battle_id, "A" if alpha_wins == shown_first_is_alpha else "B")
    won, bad = battles(app, project, [("g1", "x", False), ("g2", "y", True)], ("gamma", "alpha"))
    arena.vote(app, project, won, "B")  # not swapped: B is model_b, alpha
    arena.vote(app, project, bad, "both_bad")


def test_scripted_votes_give_exact_win_rates(app: App, fake: FakeOpenAI, tmp_path: Path) -> None:
    two_models(app, tmp_path, fake.base_url)
    cast_votes(app, "bees")
    battles(app, "bees", [("unvoted", "z", False)], ("alpha", "beta"))
    found = arena.results(app, "bees")
    assert (found.battles, found.voted) == (13, 12)
    ab, ag = found.pairs
    assert (ab.model_a, ab.model_b, ab.wins_a, ab.wins_b, ab.battles) == ("alpha", "beta", 7, 3, 10)
    assert (ab.win_rate_a, round(ab.low, 3), round(ab.high, 3)) == (0.7, 0.397, 0.892)
    assert (ag.model_a, ag.model_b, ag.wins_a, ag.both_bad) == ("alpha", "gamma", 1, 1)
    assert ag.win_rate_a == 0.75  # both bad counts as a tie: half to each
    alpha = next(row for row in found.models if row.model == "alpha")
    assert (alpha.battles, alpha.wins, alpha.losses, alpha.ties, alpha.both_bad) == (12, 8, 3, 0, 1)
    assert alpha.win_rate == pytest.approx(8.5 / 12)
    assert [row.model for row in found.ranking] == ["alpha", "gamma", "beta"]
    assert sum(row.elo for row in found.ranking) / 3 == pytest.approx(1000)


def test_python_api_runs_votes_and_reads_results(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.set_faults(Faults(replies=REPLIES))
    with Workspace(tmp_path / "home") as workspace:
        two_models(workspace.app, tmp_path, fake.base_url)
        seed_qa_pairs(workspace.app, "bees", [(text, "-") for text in QUESTIONS])
        project = workspace.project("bees")
        assert project.run_stage("arena.run", model_a="alpha", model_b="beta").succeeded == 3
        voted = 0
        while (battle := project.arena_next()) is not None:
            # Always pick m-a's answer, wherever it is shown.
            choice = "A" if battle.answer_a in {entry["reply"] for entry in REPLIES[::2]} else "B"
            assert project.arena_vote(battle.id, choice).vote == choice
            voted, last = voted + 1, battle.id
        assert voted == 3
        found = project.arena_results()
        assert [(row.model, row.wins, row.win_rate) for row in found.models] == [
            ("alpha", 3, 1.0),
            ("beta", 0, 0.0),
        ]
        assert project.arena_vote(last, None).vote is None
        assert project.arena_next() is not None


def test_the_estimate_counts_two_calls_per_prompt(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    two_models(app, tmp_path, fake.base_url)
    seed_qa_pairs(app, "bees", [(text, "-") for text in QUESTIONS])
    plain = stages.estimate_stage(app, "bees", "arena.run", model_a="alpha", model_b="beta")
    assert (plain.items, plain.calls) == (3, 6)
    assert plain.completion_tokens > 0 and plain.prompt_tokens > 0
    system = "Answer as a beekeeper would, in two sentences at most. " * 5
    longer = stages.estimate_stage(
        app, "bees", "arena.run", model_a="alpha", model_b="beta", system=system
    )
    # The system prompt goes with each of the six calls.
    assert longer.prompt_tokens - plain.prompt_tokens >= 6 * len(system) // 8
    assert fake.stats().total == 0  # an estimate calls no model
