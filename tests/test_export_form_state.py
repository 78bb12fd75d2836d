"""The export form's state in the page's address: every choice survives a round trip, and an
address that cannot mean anything falls back to the defaults instead of failing the page."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from easy_dataset.server.ui.export_form import ExportForm


def test_round_trip_keeps_every_choice() -> None:
    form = ExportForm(
        format="custom",
        file_type="json",
        cot="omit",
        provenance=True,
        system="Be brief & exact?",
        question_as="input",
        instruction="Answer from the manual.",
        fields={"question": "prompt", "answer": "", "cot": "thinking"},
        confirmed=True,
        min_score=2.5,
        tags=["keep", "needs check"],
        ids="3, 5",
        min_judge=4,
        exclude=["pii", "duplicate"],
    )
    again = ExportForm.from_query(QueryParams(form.query().lstrip("?")))
    assert again.model_dump() == {
        **form.model_dump(),
        "fields": {"question": "prompt", "answer": "", "cot": "thinking"},
    }
    assert ExportForm().query() == ""
    assert ExportForm.from_query(QueryParams("")) == ExportForm()


def test_nonsense_falls_back_to_defaults() -> None:
    query = QueryParams(
        "format=zip&file_type=exe&cot=x&question_as=output&min_score=nan&min_judge=9"
        "&exclude_flagged=nothing&exclude_flagged=pii&field=evil=1&tag=&confirmed_only=yes"
    )
    form = ExportForm.from_query(query)
    assert (form.format, form.file_type, form.cot, form.question_as) == (
        "alpaca",
        "jsonl",
        "",
        "instruction",
    )
    assert (form.min_score, form.min_judge, form.confirmed) == (None, None, False)
    assert form.exclude == ["pii"] and form.tags == []
    assert form.fields == {"question": "question", "answer": "answer"}
    # The QA screen's "export selected" link still arrives with its ids.
    assert ExportForm.from_query(QueryParams("ids=4,7")).ids == "4,7"
