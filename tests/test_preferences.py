"""Preference pairs from arena votes, judged drafts and reviewer edits; the filters; the
first edit keeping the model's answer; and the TRL / LLaMA-Factory files, each loaded with
`datasets` as the trainers load them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from easy_dataset.errors import ConflictError
from easy_dataset.evaluate.preferences import (
    Battle,
    DraftedSample,
    EditedSample,
    ScoredDraft,
    arena_pairs,
    edit_pairs,
    judge_pairs,
)
from easy_dataset.services import App, projects
from easy_dataset.services import generation as gen
from easy_dataset.services.evaluation.preferences import (
    PreferenceFilters,
    export_preferences,
    preference_pairs,
    preferences_text,
)
from easy_dataset.store.dataset import QAPair, QualityResult
from easy_dataset.store.evaluation import ArenaBattle
from tests.conftest import Cli
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import chunk_ids, make_project


def battle(vote: str | None, *, id: int = 1, b: str = "Bees sleep.") -> Battle:
    return Battle(id, "Do bees sleep?", "Be brief.", "m-a", "m-b", "Yes, they do.", b, vote)


def test_arena_votes_decide_the_sides() -> None:
    [a] = arena_pairs([battle("a")])
    assert (a.chosen, a.rejected, a.chosen_by, a.rejected_by) == (
        "Yes, they do.",
        "Bees sleep.",
        "m-a",
        "m-b",
    )
    assert (a.source, a.system, a.battle_id, a.confirmed) == ("arena", "Be brief.", 1, True)
    [b] = arena_pairs([battle("b")])
    assert (b.chosen, b.rejected, b.chosen_by) == ("Bees sleep.", "Yes, they do.", "m-b")
    # A tie, both bad, no vote, or two answers that read the same: no pair.
    assert list(arena_pairs([battle("tie"), battle("both_bad"), battle(None)])) == []
    assert list(arena_pairs([battle("a", b=" Yes,  they do. ")])) == []


def drafted(*scores: float, qa_id: int = 7) -> DraftedSample:
    drafts = [ScoredDraft(f"draft {i}", f"answer {i}", score) for i, score in enumerate(scores)]
    return DraftedSample(qa_id, "Why swarm?", drafts, chunk_id=3)


def test_judge_pairs_need_the_margin() -> None:
    [pair] = judge_pairs([drafted(2, 4.5, 3)])
    assert (pair.chosen, pair.rejected, pair.margin) == ("answer 1", "answer 0", 2.5)
    assert (pair.chosen_by, pair.rejected_by, pair.chunk_id) == ("draft 1", "draft 0", 3)
    # A gap of exactly the margin counts; less does not; equal scores never do.
    assert len(list(judge_pairs([drafted(2, 3)]))) == 1
    assert list(judge_pairs([drafted(2, 2.5)])) == []
    assert list(judge_pairs([drafted(3, 3)], margin=0)) == []
    assert len(list(judge_pairs([drafted(2, 2.5)], margin=0.5))) == 1
    assert list(judge_pairs([drafted(4)])) == []  # one draft is nothing to compare


def test_edit_pairs_prefer_the_reviewer() -> None:
    edited = EditedSample(9, "Who stings?", "Every bee stings.", "Workers sting.", model="m")
    [pair] = edit_pairs([edited])
    assert (pair.chosen, pair.rejected, pair.chosen_by, pair.rejected_by) == (
        "Workers sting.",
        "Every bee stings.",
        "reviewer",
        "m",
    )
    undone = EditedSample(9, "Who stings?", "Workers sting.", "Workers sting.")
    assert list(edit_pairs([undone])) == []


def seed(app: App, name: str = "prefs") -> dict[str, int]:
    """A project with one voted battle per vote, a refined pair with three drafts, and a
    generated pair a reviewer will edit; the ids that matter."""
    project_id = projects.create_project(app, name).id
    with app.db.session() as session:
        battles = [
            ArenaBattle(
                project_id=project_id,
                prompt=f"Question {vote}?",
                system="Answer in one sentence." if vote == "a" else "",
                model_a="m-a",
                model_b="m-b",
                answer_a=f"A answers {vote}.",
                answer_b=f"B answers {vote}.",
                swapped=vote == "b",
                vote=vote,
            )
            for vote in ("a", "b", "tie", "both_bad", None)
        ]
        drafts = [
            {"round": 0, "answer": "Bees swarm.", "score": 2},
            {"round": 1, "answer": "Colonies swarm to reproduce.", "score": 4.5},
            {"round": 2, "answer": "Swarming splits a colony.", "score": 3.5},
        ]
        refined = QAPair(
            project_id=project_id,
            question="Why do bees swarm?",
            answer="Colonies swarm to reproduce.",
            model="m",
            confirmed=True,
            provenance={"drafts": drafts},
        )
        generated = QAPair(
            project_id=project_id,
            question="Who stings?",
            answer="Every bee stings.",
            model="m",
        )
        session.add_all([*battles, refined, generated])
        session.flush()
        session.add(
            QualityResult(project_id=project_id, kind="refine", qa_id=refined.id, score=4.5)
        )
        return {"refined": refined.id, "generated": generated.id, "battle_a": battles[0].id}


def test_first_edit_keeps_the_model_answer(app: App) -> None:
    ids = seed(app)
    qa_id = ids["generated"]
    gen.edit_qa(app, "prefs", qa_id, question="Which bees sting?")  # the question alone
    assert "model_answer" not in gen.get_qa(app, "prefs", qa_id).provenance
    gen.edit_qa(app, "prefs", qa_id, answer="Workers sting.")
    gen.edit_qa(app, "prefs", qa_id, answer="Worker bees sting; drones cannot.")
    stored = gen.get_qa(app, "prefs", qa_id)
    assert stored.provenance["model_answer"] == "Every bee stings."  # the first edit's
    [pair] = preference_pairs(app, "prefs", PreferenceFilters(sources=["edit"]))
    assert (pair.prompt, pair.chosen, pair.rejected) == (
        "Which bees sting?",
        "Worker bees sting; drones cannot.",
        "Every bee stings.",
    )
    assert (pair.qa_id, pair.rejected_by, pair.confirmed) == (qa_id, "m", False)


def test_pairs_from_every_source_and_the_filters(app: App) -> None:
    ids = seed(app)
    gen.edit_qa(app, "prefs", ids["generated"], answer="Workers sting.")
    pairs = preference_pairs(app, "prefs")
    assert [pair.source for pair in pairs] == ["arena", "arena", "judge", "edit"]
    arena_a, arena_b, judged, edited = pairs
    assert (arena_a.chosen, arena_a.system, arena_a.battle_id) == (
        "A answers a.",
        "Answer in one sentence.",
        ids["battle_a"],
    )
    assert (arena_b.chosen, arena_b.rejected) == ("B answers b.", "A answers b.")
    assert (judged.chosen, judged.rejected, judged.margin) == (
        "Colonies swarm to reproduce.",
        "Bees swarm.",
        2.5,
    )
    assert (judged.qa_id, judged.confirmed, edited.confirmed) == (ids["refined"], True, False)
    wide = PreferenceFilters(min_margin=3)
    assert [pair.source for pair in preference_pairs(app, "prefs", wide)] == [
        "arena",
        "arena",
        "edit",
    ]
    sure = PreferenceFilters(confirmed_only=True, sources=["judge", "edit"])
    assert [pair.source for pair in preference_pairs(app, "prefs", sure)] == ["judge"]


def test_a_model_rewrite_clears_the_model_answer(
    app: App, tmp_path: Path, fake: FakeOpenAI
) -> None:
    project = make_project(app, tmp_path, fake.base_url)
    chunk = chunk_ids(app, project)[0]
    with app.db.session() as session:
        row = QAPair(
            project_id=projects.get_project(app, project).id,
            chunk_id=chunk,
            question="Who stings?",
            answer="Every bee stings.",
            model="m",
        )
        session.add(row)
        session.flush()
        qa_id = row.id
    gen.edit_qa(app, project, qa_id, answer="Workers sting.")
    assert len(preference_pairs(app, project, PreferenceFilters(sources=["edit"]))) == 1
    # The model rewrites the reviewer's answer: the pair would be the model against itself.
    revised = gen.revise_qa(app, project, qa_id, "Say it in one short sentence.")
    assert "model_answer" not in revised.provenance
    assert preference_pairs(app, project, PreferenceFilters(sources=["edit"])) == []


def load_dataset(*args: Any, **kwargs: Any) -> Any:
    """`datasets.load_dataset`, imported on first use: every xdist worker collects this
    module, and importing datasets costs each of them a second and a half."""
    from datasets import load_dataset as load

    return load(*args, **kwargs)


def _load(path: Path) -> list[dict[str, object]]:
    rows = load_dataset("json", data_files=str(path), split="train")
    return [dict(row) for row in rows]


def test_trl_files_load_with_datasets(app: App, tmp_path: Path) -> None:
    ids = seed(app)
    gen.edit_qa(app, "prefs", ids["generated"], answer="Workers sting.")
    standard = export_preferences(app, "prefs", tmp_path / "trl", "trl")
    assert (standard.count, standard.by_source) == (4, {"arena": 2, "judge": 1, "edit": 1})
    assert standard.dataset_info_path is None
    data = load_dataset("json", data_files=standard.path, split="train")
    assert data.column_names == ["prompt", "chosen", "rejected"] and data.num_rows == 4
    assert data[2] == {
        "prompt": "Why do bees swarm?",
        "chosen": "Colonies swarm to reproduce.",
        "rejected": "Bees swarm.",
    }
    chat = export_preferences(app, "prefs", tmp_path / "chat", "trl-conversational")
    rows = _load(Path(chat.path))
    assert len(rows) == 4 and list(rows[0]) == ["prompt", "chosen", "rejected"]
    assert rows[0]["prompt"] == [
        {"role": "system", "content": "Answer in one sentence."},
        {"role": "user", "content": "Question a?"},
    ]
    assert rows[0]["chosen"] == [{"role": "assistant", "content": "A answers a."}]
    assert rows[1]["prompt"] == [{"role": "user", "content": "Question b?"}]


@pytest.mark.parametrize(
    ("format", "columns"),
    [
        ("llamafactory", ["instruction", "input", "chosen", "rejected", "system"]),
        ("llamafactory-sharegpt", ["conversations", "chosen", "rejected", "system"]),
    ],
)
def test_llamafactory_files_and_registry(
    app: App, tmp_path: Path, format: str, columns: list[str]
) -> None:
    seed(app)
    folder = tmp_path / "lf"
    folder.mkdir()
    (folder / "dataset_info.json").write_text(json.dumps({"sft": {"file_name": "sft.jsonl"}}))
    summary = export_preferences(app, "prefs", folder, format, dataset_name="bees_dpo")  # type: ignore[arg-type]
    assert summary.path == str(folder / "bees_dpo.jsonl") and summary.count == 3
    data = load_dataset("json", data_files=summary.path, split="train")
    assert data.column_names == columns and data.num_rows == 3
    info = json.loads((folder / "dataset_info.json").read_text())
    assert info["sft"] == {"file_name": "sft.jsonl"}  # other datasets stay
    entry = info["bees_dpo"]
    assert entry["file_name"] == "bees_dpo.jsonl" and entry["ranking"] is True
    # Every column the entry names is one the file has.
    assert set(entry["columns"].values()) <= set(data.column_names)
    first = data[0]
    assert first["system"] == "Answer in one sentence." and data[1]["system"] == ""
    if format == "llamafactory":
        assert entry["columns"]["prompt"] == "instruction" and "formatting" not in entry
        assert (first["instruction"], first["chosen"]) == ("Question a?", "A answers a.")
    else:
        assert entry["formatting"] == "sharegpt" and entry["tags"]["assistant_tag"] == "gpt"
        assert first["conversations"] == [{"from": "human", "value": "Question a?"}]
        assert first["chosen"] == {"from": "gpt", "value": "A answers a."}
    with pytest.raises(ConflictError):
        export_preferences(app, "prefs", folder, format, dataset_name="bees_dpo")  # type: ignore[arg-type]


def test_download_text_and_export_system_prompt(app: App) -> None:
    seed(app)
    text, count = preferences_text(
        app, "prefs", "trl-conversational", PreferenceFilters(sources=["arena"]), system="Hi."
    )
    lines = [json.loads(line) for line in text.splitlines()]
    assert count == len(lines) == 2
    # A pair's own system prompt wins; the export's fills in for the others.
    assert lines[0]["prompt"][0]["content"] == "Answer in one sentence."
    assert lines[1]["prompt"][0] == {"role": "system", "content": "Hi."}


def test_cli_lists_and_exports(app: App, cli: Cli, tmp_path: Path) -> None:
    seed(app)
    listed = cli("preferences", "list", "-p", "prefs")
    assert listed.exit_code == 0, listed.output
    assert "3 preference pairs (arena 2, judge 1, edit 0)" in listed.output
    assert "Question a?" in listed.output
    found = cli.json("preferences", "list", "-p", "prefs", "-s", "judge")
    assert found["total"] == 1 and found["pairs"][0]["margin"] == 2.5
    refused = cli("preferences", "list", "-p", "prefs", "-s", "votes")
    assert refused.exit_code != 0 and "--source is one of arena, judge, edit" in refused.output
    written = cli(
        "preferences", "export", "-p", "prefs", "-f", "llamafactory", "-o", str(tmp_path / "lf")
    )
    assert written.exit_code == 0, written.output
    assert "3 pairs (arena 2, judge 1, edit 0)" in written.output
    info = json.loads((tmp_path / "lf" / "dataset_info.json").read_text())
    assert info["preferences"]["ranking"] is True
    dpo = cli.json("preferences", "export", "-p", "prefs", "-o", str(tmp_path / "trl"))
    assert dpo["count"] == 3 and dpo["format"] == "trl"
    first = json.loads(Path(dpo["path"]).read_text().splitlines()[0])
    assert first == {"prompt": "Question a?", "chosen": "A answers a.", "rejected": "B answers a."}
