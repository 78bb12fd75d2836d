"""Evaluation sets as services: sets and items reviewed like samples, a held-out share of
the QA pairs kept out of training export, benchmark files imported and sets exported."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from easy_dataset.errors import ConflictError, InputError, NotFoundError
from easy_dataset.export import ExportOptions
from easy_dataset.samples_shape import dialogue_columns
from easy_dataset.services import App, export, projects
from easy_dataset.services.evaluation import held_out, items, sets, transfer
from easy_dataset.store.dataset import QAPair, Question, Tag
from tests.test_generate_support import make_project, seed_qa_pairs

MMLU_CSV = (
    "question,A,B,C,D,answer\n"
    "Who lays the eggs?,The queen,A worker,A drone,The keeper,A\n"
    '"Which are bees, in a hive?",Workers,Wasps,Drones,Ants,"A,C"\n'
)
JSONL = "\n".join(
    json.dumps(row)
    for row in (
        {"question": "Bees make honey.", "answer": True},
        {"question": "What do bees make?", "choices": ["Wax", "Silk", "Honey"], "answer": 2},
        {"question": "Name the hive's mother.", "answer": "queen", "tag_path": "Bees > Castes"},
        {
            "question": "Why do bees swarm?",
            "answer": "A colony splits in two when it grows "
            "too big for its hive, and the old queen leaves with half of the workers.",
        },
    )
)


@pytest.fixture
def project(app: App, tmp_path: Path) -> str:
    return make_project(app, tmp_path, "http://127.0.0.1:9")


def test_sets_are_created_renamed_listed_and_deleted(app: App, project: str) -> None:
    made = sets.create_set(app, project, " exam ", "first")
    assert (made.name, made.description, made.items) == ("exam", "first", 0)
    with pytest.raises(ConflictError):
        sets.create_set(app, project, "exam")
    with pytest.raises(InputError):
        sets.create_set(app, project, "bad\nname")
    sets.create_set(app, project, "other")
    with pytest.raises(ConflictError):
        sets.update_set(app, project, "other", name="exam")
    renamed = sets.update_set(app, project, made.id, name="final")
    assert renamed.name == "final"
    assert [view.name for view in sets.list_sets(app, project)] == ["final", "other"]
    items.add_item(app, project, "final", kind="open", question="Why?", answer="Because.")
    assert sets.delete_set(app, project, "final").items == 1
    with pytest.raises(NotFoundError):
        sets.get_set(app, project, "final")
    assert [view.name for view in sets.list_sets(app, project)] == ["other"]


def test_items_are_checked_edited_confirmed_and_filtered(app: App, project: str) -> None:
    sets.create_set(app, project, "exam")
    choice = items.add_item(
        app, project, "exam", kind="single_choice", question="Who lays eggs?",
        options=["Queen", "Drone"], answer="a", tag_path=["Bees", "Castes"],
    )  # fmt: skip
    assert choice.answer == "A" and choice.origin == "manual"
    for bad in (
        {"kind": "single_choice", "options": ["Queen"], "answer": "A"},
        {"kind": "single_choice", "options": ["Queen", "Drone"], "answer": "C"},
        {"kind": "single_choice", "options": ["Queen", "Drone"], "answer": "AB"},
        {"kind": "true_false", "options": [], "answer": "maybe"},
        {"kind": "poem", "options": [], "answer": "x"},
    ):
        with pytest.raises(InputError):
            items.add_item(app, project, "exam", question="Q?", **bad)  # type: ignore[arg-type]
    items.add_item(app, project, "exam", kind="true_false", question="Bees sting.", answer="TRUE")
    # An edit is checked whole: new options need an answer that still names one of them.
    with pytest.raises(InputError):
        items.edit_item(app, project, choice.id, options=["Queen", "Drone", "Worker"], answer="D")
    edited = items.edit_item(
        app, project, choice.id, options=["Queen", "Drone", "Worker"], answer="c", note="checked"
    )
    assert (edited.answer, edited.note) == ("C", "checked") and "edited" in edited.provenance
    untouched = items.edit_item(app, project, choice.id, confirmed=True)
    assert untouched.confirmed and untouched.provenance["edited"] == edited.provenance["edited"]
    page, total = items.list_items(app, project, "exam", tag="castes")
    assert total == 1 and page[0].id == choice.id
    assert items.list_items(app, project, "exam", confirmed=False)[1] == 1
    assert items.list_items(app, project, "exam", kind="true_false")[0][0].answer == "true"
    with pytest.raises(InputError):
        items.list_items(app, project, "exam", kind="poem")
    assert sets.get_set(app, project, "exam").kinds["single_choice"] == 1
    with pytest.raises(NotFoundError):
        items.delete_items(app, project, [choice.id, 10**9])
    assert items.get_item(app, project, choice.id).id == choice.id  # nothing deleted
    assert items.delete_items(app, project, [choice.id]) == 1


def _tag_questions(app: App, project: str, ids: list[int], name: str) -> None:
    pid = projects.get_project(app, project).id
    with app.db.session() as session:
        tag = Tag(project_id=pid, name=name)
        session.add(tag)
        session.flush()
        for qa_id in ids:
            pair = session.get(QAPair, qa_id)
            assert pair is not None and pair.question_id is not None
            question = session.get(Question, pair.question_id)
            assert question is not None
            question.tag_id = tag.id


def _exported_ids(app: App, project: str) -> set[int]:
    """The QA pairs a training export writes (known by their unique question texts)."""
    buffer = io.BytesIO()
    export.export_dataset(app, project, buffer, ExportOptions(format="alpaca"))
    questions = {json.loads(line)["instruction"] for line in buffer.getvalue().splitlines()}
    with app.db.session() as session:
        return {row.id for row in session.query(QAPair) if row.question in questions}


def test_held_out_pairs_are_never_exported_until_released(app: App, project: str) -> None:
    ids = seed_qa_pairs(app, project, [(f"Question {n}?", f"Answer {n}.") for n in range(20)])
    _tag_questions(app, project, ids[:10], "Castes")
    pid = projects.get_project(app, project).id
    with app.db.session() as session:
        turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
        session.add(QAPair(project_id=pid, **dialogue_columns(turns)))
    report = held_out.hold_out(app, project, "held", 0.2, seed=7)
    assert report.held_out == 4 and report.dialogues_skipped == 1
    assert report.by_tag == {"": 2, "Castes": 2}  # stratified: two from each group of ten
    again = held_out.hold_out(app, project, "held2", 0.2, seed=7)
    assert again.already_held == 4 and again.candidates == 16
    page, _ = items.list_items(app, project, "held", limit=100)
    chosen = {item.qa_id for item in page}
    assert all(item.kind == "open" and item.origin == "held_out" for item in page)
    first = next(item for item in page if item.qa_id == min(chosen))
    assert first.answer.startswith("Answer") and first.tag_path in ([], ["Castes"])
    exported = _exported_ids(app, project)
    assert not exported & chosen and len(exported & set(ids)) == 20 - 8
    assert export.count_export(app, project) == len(exported)
    # The same seed on the same pairs draws the same share.
    sets.delete_set(app, project, "held2")
    items.delete_items(app, project, [first.id])  # released: exportable again
    assert first.qa_id in _exported_ids(app, project)
    with pytest.raises(InputError):
        held_out.hold_out(app, project, "held", 0)


def test_import_is_all_or_nothing_with_line_numbers(app: App, project: str) -> None:
    report = transfer.import_items(app, project, "mmlu", "mmlu.csv", MMLU_CSV.encode())
    assert report.added == 2 and report.set.kinds["multiple_choice"] == 1
    page, _ = items.list_items(app, project, "mmlu")
    assert [(item.kind, item.answer) for item in page] == [
        ("single_choice", "A"),
        ("multiple_choice", "AC"),
    ]
    assert page[0].provenance == {"file": "mmlu.csv", "line": 2}
    loaded = transfer.import_items(app, project, "mixed", "mixed.jsonl", JSONL.encode())
    kinds = [item.kind for item in items.list_items(app, project, "mixed")[0]]
    assert kinds == ["true_false", "single_choice", "short_answer", "open"] and loaded.added == 4
    assert items.list_items(app, project, "mixed", tag="Castes")[1] == 1
    bad = MMLU_CSV + "What is wax?,Fat,Sugar,,,C\n,Only,Two,,,A\n"
    with pytest.raises(InputError) as refused:
        transfer.import_items(app, project, "bad", "bad.csv", bad.encode())
    message = str(refused.value)
    assert "line 4:" in message and "names options by letter (AB)" in message
    assert "line 5:" in message and "question is empty" in message
    assert "bad" not in [view.name for view in sets.list_sets(app, project)]
    skipped = transfer.import_items(app, project, "bad", "bad.csv", bad.encode(), skip_bad=True)
    assert skipped.added == 2 and [line[:7] for line in skipped.bad_lines] == ["line 4:", "line 5:"]
    for name, data in (
        ("x.txt", b"question,answer\n"),
        ("x.csv", b"\xff\xfe"),
        ("x.jsonl", b'{"question": "Q"}\n[1]\nnot json\n'),
        ("x.csv", b"text,label\nQ,A\n"),
        ("x.jsonl", b"\n\n"),
    ):
        with pytest.raises(InputError):
            transfer.import_items(app, project, "hostile", name, data)
    with pytest.raises(InputError, match="larger than"):
        transfer.import_items(app, project, "big", "big.jsonl", b"x" * 2048, max_bytes=1024)
    assert "hostile" not in [view.name for view in sets.list_sets(app, project)]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_import_round_trips(app: App, project: str, tmp_path: Path, fmt: str) -> None:
    transfer.import_items(app, project, "mixed", "mixed.jsonl", JSONL.encode())
    transfer.import_items(app, project, "mixed", "mmlu.csv", MMLU_CSV.encode())
    out = tmp_path / f"set.{fmt}"
    written = transfer.export_set(app, project, "mixed", fmt, out)
    assert written.items == 6
    with pytest.raises(ConflictError):
        transfer.export_set(app, project, "mixed", fmt, out)
    transfer.import_items(app, project, "copy", out.name, out.read_bytes())

    def shape(name: str) -> list[tuple[object, ...]]:
        found = items.list_items(app, project, name)[0]
        return [(i.kind, i.question, i.options, i.answer, i.tag_path) for i in found]

    assert len(shape("copy")) == 6 and shape("copy") == shape("mixed")
    name, data = transfer.export_bytes(app, project, "mixed", fmt)
    assert name == f"mixed.{fmt}" and data == out.read_bytes()


def test_lm_eval_task_parses_and_names_its_files(app: App, project: str, tmp_path: Path) -> None:
    transfer.import_items(app, project, "Bee exam", "mixed.jsonl", JSONL.encode())
    transfer.import_items(app, project, "Bee exam", "mmlu.csv", MMLU_CSV.encode())
    folder = tmp_path / "task"
    written = transfer.export_set(app, project, "Bee exam", "lm-eval", folder)
    group = yaml.safe_load((folder / "bee_exam.yaml").read_text("utf-8"))
    assert group["group"] == "bee_exam"
    assert group["task"] == ["bee_exam_choice", "bee_exam_generate"]
    rows_seen = 0
    for task_name in group["task"]:
        task = yaml.safe_load((folder / f"{task_name}.yaml").read_text("utf-8"))
        assert task["task"] == task_name and task["dataset_path"] == "json"
        data_file = folder / task["dataset_kwargs"]["data_files"]["test"]
        rows = [json.loads(line) for line in data_file.read_text("utf-8").splitlines()]
        rows_seen += len(rows)
        assert task["test_split"] == "test" and task["doc_to_text"] == "{{question}}\nAnswer:"
        if task["output_type"] == "multiple_choice":
            assert (task["doc_to_choice"], task["doc_to_target"]) == ("{{choices}}", "label")
            assert all(0 <= row["label"] < len(row["choices"]) for row in rows)
            assert {"question": "True or false: Bees make honey.", "choices": ["true", "false"],
                    "label": 0} in rows  # fmt: skip
        else:
            assert task["output_type"] == "generate_until"
            assert task["metric_list"][0]["metric"] == "exact_match"
            assert {row["answer"] for row in rows} >= {"queen", "AC"}
    assert rows_seen == 6 and "README.md" in written.files
    name, data = transfer.export_bytes(app, project, "Bee exam", "lm-eval")
    assert name == "bee_exam.zip" and data[:2] == b"PK"
    with pytest.raises(InputError):
        transfer.export_bytes(app, project, "Bee exam", "xml")
