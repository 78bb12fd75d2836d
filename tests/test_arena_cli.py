"""`easy-dataset arena ...`: run the battles, vote one by one (typed keys) or by id, list
the battles blind, and print the results."""

from __future__ import annotations

from pathlib import Path

from easy_dataset.services import App
from easy_dataset.store.evaluation import ArenaBattle
from tests.arena_support import QUESTIONS, battles, two_models
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI, Faults
from tests.test_arena import REPLIES, cast_votes
from tests.test_generate_support import seed_qa_pairs


def _votes(app: App) -> list[str | None]:
    with app.db.session() as session:
        return [row.vote for row in session.query(ArenaBattle).order_by(ArenaBattle.id)]


def _prompts(app: App) -> list[str]:
    with app.db.session() as session:
        return [row.prompt for row in session.query(ArenaBattle).order_by(ArenaBattle.id)]


def test_run_then_vote_interactively(app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.set_faults(Faults(replies=REPLIES))
    two_models(app, tmp_path, fake.base_url)
    seed_qa_pairs(app, "bees", [(text, "-") for text in QUESTIONS])
    done = cli.json("arena", "run", "-p", "bees", "--model-a", "alpha", "--model-b", "beta")
    assert (done["status"], done["succeeded"]) == ("succeeded", 3)
    # A wrong key asks again; s skips the second battle; q stops before the end.
    voted = cli("arena", "vote", "-p", "bees", input="z\na\ns\nt\n")
    assert voted.exit_code == 0, voted.output
    out = voted.output
    first, second, _ = _prompts(app)
    assert first in out and "0 of 3 voted" in out and "1 of 3 voted" in out
    assert "one of A, B, tie or both_bad (not 'z')" in out
    assert "alpha" not in out and "beta" not in out
    assert "2 of 3 battles voted; nothing more to vote on" in out
    votes = _votes(app)
    assert votes[1] is None and votes[2] == "tie" and votes[0] in ("a", "b")
    again = cli("arena", "vote", "-p", "bees", input="q\n")
    assert again.exit_code == 0 and second in again.output
    assert _votes(app)[1] is None


def test_vote_by_id_list_and_results(app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path) -> None:
    two_models(app, tmp_path, fake.base_url)
    (swapped,) = battles(app, "bees", [("Who stings?", "worker", True)], ("alpha", "beta"))
    shown = cli.json("arena", "vote", str(swapped), "-p", "bees", "--choice", "A")
    assert (shown["answer_a"], shown["vote"]) == ("worker (b)", "A")
    assert "alpha" not in str(shown) and "swapped" not in shown
    assert _votes(app) == ["b"]
    listed = cli("arena", "battles", "-p", "bees")
    assert listed.exit_code == 0 and "Who stings?" in listed.output and "alpha" not in listed.output
    revealed = cli.json("arena", "battles", "-p", "bees", "--reveal")
    assert [(row["model_a"], row["vote"]) for row in revealed] == [("alpha", "b")]
    assert cli.json("arena", "vote", str(swapped), "-p", "bees", "--clear")["vote"] is None
    refused = cli("arena", "vote", str(swapped), "-p", "bees", "--choice", "maybe")
    assert refused.exit_code == 1 and "one of A, B, tie or both_bad" in refused.output
    missing = cli("arena", "vote", "999", "-p", "bees", "--choice", "A")
    assert missing.exit_code == 1 and "`easy-dataset arena battles` shows them" in missing.output
    assert cli("arena", "vote", str(swapped), "-p", "bees").exit_code == 1

    cast_votes(app, "bees")
    found = cli.json("arena", "results", "-p", "bees")
    pair = found["pairs"][0]
    assert (pair["model_a"], pair["model_b"], pair["win_rate_a"]) == ("alpha", "beta", 0.7)
    assert (round(pair["low"], 3), round(pair["high"], 3)) == (0.397, 0.892)
    table = cli("arena", "results", "-p", "bees")
    assert table.exit_code == 0
    assert "70.0%" in table.output and "39.7% – 89.2%" in table.output
    assert [row["model"] for row in found["ranking"]] == ["alpha", "gamma", "beta"]
