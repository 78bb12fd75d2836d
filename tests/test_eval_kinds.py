"""Evaluation items: their kinds and the stored form of reference answers."""

from __future__ import annotations

import pytest

from easy_dataset.evaluate.kinds import check_item, normal_letters


def test_letters_are_stored_upper_case_once_in_order() -> None:
    assert normal_letters("c, a, C") == "AC"
    assert check_item("multiple_choice", ["x", "y", "z"], "c a") == "AC"
    assert check_item("single_choice", ["x", "y"], " b ") == "B"
    assert check_item("true_false", [], " TRUE") == "true"
    assert check_item("short_answer", [], " Paris ") == "Paris"


@pytest.mark.parametrize(
    ("kind", "options", "answer", "says"),
    [
        ("essay", [], "x", "the kind is one of"),
        ("single_choice", ["x"], "A", "2 to 10 options"),
        ("single_choice", ["x", "y"], "AB", "one correct letter"),
        ("single_choice", ["x", "y"], "C", "by letter (AB)"),
        ("multiple_choice", ["x", " "], "A", "may not be empty"),
        ("true_false", [], "yes", "'true' or 'false'"),
        ("open", ["x", "y"], "text", "has no options"),
        ("short_answer", [], "  ", "may not be empty"),
    ],
)
def test_bad_items_say_what_is_wrong(kind: str, options: list[str], answer: str, says: str) -> None:
    with pytest.raises(ValueError, match=says.replace("(", r"\(").replace(")", r"\)")):
        check_item(kind, options, answer)
