"""The eval.generate stage against the fake server: items of every kind in the ratios
asked, each valid, with its chunk, tag path and provenance; malformed replies fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from easy_dataset.errors import InputError
from easy_dataset.evaluate.kinds import check_item
from easy_dataset.services import App, stages
from easy_dataset.services.evaluation import items, sets
from easy_dataset.services.evaluation.generate_jobs import spread_kinds
from easy_dataset.store.evaluation import EvalItem
from easy_dataset.store.models import JobFailure
from tests.fake_openai import FakeOpenAI
from tests.test_generate_support import chunk_ids, make_project


def _items(app: App) -> list[EvalItem]:
    with app.db.session() as session:
        rows = session.query(EvalItem).order_by(EvalItem.id).all()
        session.expunge_all()
        return rows


def test_kinds_are_spread_in_the_ratios_asked() -> None:
    shares = {"true_false": 0.2, "single_choice": 0.3, "multiple_choice": 0.2,
              "short_answer": 0.15, "open": 0.15}  # fmt: skip
    picked = spread_kinds(shares, 20)  # type: ignore[arg-type]
    assert {kind: picked.count(kind) for kind in shares} == {
        "true_false": 4, "single_choice": 6, "multiple_choice": 4, "short_answer": 3, "open": 3,
    }  # fmt: skip
    only = spread_kinds({"true_false": 0, "open": 1}, 3)  # type: ignore[dict-item]
    assert only == ["open"] * 3


def test_stage_writes_valid_items_into_a_new_set(
    app: App, fake: FakeOpenAI, tmp_path: Path
) -> None:
    make_project(app, tmp_path, fake.base_url)
    chunks = chunk_ids(app, "bees")
    done = stages.run_stage(app, "bees", "eval.generate", eval_set="bees exam", total=10)
    assert (done.status, done.total, done.succeeded) == ("succeeded", 10, 10)
    rows = _items(app)
    assert len(rows) == 10
    kinds = [row.kind for row in rows]
    assert kinds.count("single_choice") == 3 and kinds.count("true_false") == 2
    for row in rows:
        assert check_item(row.kind, list(row.options), row.answer) == row.answer
        assert row.chunk_id in chunks and row.origin == "generated"
        assert row.tag_path  # the heading path: no question of the chunk is tagged
        assert row.provenance["tag_source"] == "heading"
        assert row.provenance["prompt"] == "eval_item" and row.provenance["model"]
        assert row.provenance["job"] == done.job_id
    multi = next(row for row in rows if row.kind == "multiple_choice")
    assert multi.answer == "AC" and len(multi.options) == 4
    view = sets.get_set(app, "bees", "bees exam")
    assert view.items == 10 and view.kinds["open"] == kinds.count("open")
    # Done for this set: a second run plans nothing; another set plans its own.
    assert stages.run_stage(app, "bees", "eval.generate", eval_set="bees exam", total=10).total == 0
    other = stages.run_stage(app, "bees", "eval.generate", eval_set="other", open=1, true_false=0,
                             single_choice=0, multiple_choice=0, short_answer=0)  # fmt: skip
    assert other.total == len(chunks)
    listed, total = items.list_items(app, "bees", "other", kind="open")
    assert total == len(chunks) and all(item.kind == "open" for item in listed)


def test_malformed_items_fail_with_the_reason(app: App, fake: FakeOpenAI, tmp_path: Path) -> None:
    make_project(app, tmp_path, fake.base_url)
    bad = json.dumps({"question": "Pick one", "options": ["only"], "answer": "C"})
    # The first reply and every retry after the validation error are malformed.
    fake.set_faults(
        replies=[
            {"contains": "single choice", "reply": bad},
            {"contains": "Reply again", "reply": bad},
        ]
    )
    done = stages.run_stage(
        app, "bees", "eval.generate", eval_set="s", single_choice=1, true_false=0,
        multiple_choice=0, short_answer=0, open=0, chunk_ids=chunk_ids(app, "bees")[:1],
    )  # fmt: skip
    assert (done.total, done.failed) == (1, 1)
    assert _items(app) == []
    with app.db.session() as session:
        failures = [row.message for row in session.query(JobFailure).filter_by(job_id=done.job_id)]
    assert len(failures) == 1 and "at least 2 items" in failures[0]
    # A letter that names no option is refused by the item check itself.
    wrong = json.dumps({"question": "Pick one", "options": ["a", "b", "c"], "answer": "E"})
    fake.set_faults(
        replies=[
            {"contains": "single choice", "reply": wrong},
            {"contains": "Reply again", "reply": wrong},
        ]
    )
    again = stages.run_stage(
        app, "bees", "eval.generate", eval_set="t", single_choice=1, true_false=0,
        multiple_choice=0, short_answer=0, open=0, chunk_ids=chunk_ids(app, "bees")[:1],
    )  # fmt: skip
    assert again.failed == 1 and _items(app) == []
    with app.db.session() as session:
        message = session.query(JobFailure).filter_by(job_id=again.job_id).one().message
    assert "names options by letter (ABC)" in message


def test_options_are_checked(app: App, fake: FakeOpenAI, tmp_path: Path) -> None:
    make_project(app, tmp_path, fake.base_url)
    zero = dict.fromkeys(
        ("true_false", "single_choice", "multiple_choice", "short_answer", "open"), 0
    )
    with pytest.raises(InputError, match="share"):
        stages.run_stage(app, "bees", "eval.generate", **zero)
    with pytest.raises(InputError):
        stages.run_stage(app, "bees", "eval.generate", eval_set="   ")
