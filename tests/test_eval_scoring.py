"""Scoring a model's reply to an evaluation item: letters and true/false read from free
text (English and Chinese), short answers normalised, partial credit, and the intervals."""

from __future__ import annotations

import pytest

from easy_dataset.evaluate.scoring import (
    judge_fraction,
    normalise_answer,
    parse_letters,
    parse_true_false,
    partial_credit,
    score_reply,
)
from easy_dataset.evaluate.stats import ScoredItem, breakdown, estimate, wilson


@pytest.mark.parametrize(
    ("reply", "letters"),
    [
        ("B", "B"),
        ("(b)", "B"),
        ("b", "B"),
        ("Ｂ", "B"),
        ("**C**", "C"),
        ("`D`", "D"),
        ("Answer: B and D", "BD"),
        ("B, D", "BD"),
        ("A, B, and D", "ABD"),
        ("ACD", "ACD"),
        ("b and d", "BD"),
        ("[A] [C]", "AC"),
        ("The correct options are A and C.", "AC"),
        ("Options A and C are correct.", "AC"),
        ("The correct answer is option B because it is 30 days.", "B"),
        ("I think A is wrong; the answer is C.", "C"),
        ("Answer: B, a classic mistake is A", "B"),
        ("the answer is (c)", "C"),
        ("Final answer: D", "D"),
        ("I'd go with B.", "B"),
        ("B. About six weeks", "B"),
        ("C) Paris", "C"),
        ("答案：C", "C"),
        ("答案是 A、C", "AC"),
        ("正确答案是A和C", "AC"),
        ("选 B", "B"),
        ("选B项", "B"),
        ("我选择 D", "D"),
        ("正确选项为：B，D", "BD"),
    ],
)
def test_letters_are_read_from_many_phrasings(reply: str, letters: str) -> None:
    assert parse_letters(reply, 4) == letters


@pytest.mark.parametrize(
    "reply",
    [
        "A bee is an insect that lives in a colony.",
        "The answer is a bee",
        "None of them.",
        "It is not clear.",
        "",
        "E",  # not one of four options
        "Answer: E",
        "AAB",  # a letter twice is a word, not a list
    ],
)
def test_no_letters_where_none_is_chosen(reply: str) -> None:
    assert parse_letters(reply, 4) is None


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("True.", True),
        ("true", True),
        ("**False**", False),
        ("The statement is false.", False),
        ("Yes", True),
        ("no", False),
        ("Incorrect", False),
        ("That is correct.", True),
        ("This is not true.", False),
        ("Wrong.", False),
        ("正确", True),
        ("错误", False),
        ("不正确", False),
        ("对", True),
        ("错", False),
        ("答案：对", True),
        ("对于这个问题，答案是错误", False),
    ],
)
def test_true_false_is_read_in_both_languages(reply: str, value: bool) -> None:
    assert parse_true_false(reply) is value


@pytest.mark.parametrize("reply", ["It depends.", "", "Maybe, maybe not"])
def test_true_false_undecided(reply: str) -> None:
    assert parse_true_false(reply) is None


def test_short_answers_match_once_normalised() -> None:
    assert normalise_answer("The Paris!") == normalise_answer("paris") == "paris"
    assert normalise_answer("Ｐａｒｉｓ") == "paris"
    assert normalise_answer("Answer: 21 days") == normalise_answer("21 Days.")
    assert normalise_answer("答案：二十一天") == "二十一天"
    assert score_reply("short_answer", [], "21 days", "21 Days.").score == 1.0
    # Containment is no match: the judge decides "not 30 days".
    judged = score_reply("short_answer", [], "30 days", "not 30 days")
    assert judged.score is None and judged.needs_judge and judged.method == "judge"
    assert score_reply("open", [], "Because.", "Because.").needs_judge
    assert score_reply("open", [], "Because.", "  ").score == 0.0


def test_closed_kinds_score_exactly_with_partial_credit() -> None:
    options = ["w", "x", "y", "z"]
    assert score_reply("true_false", [], "true", "True.").score == 1.0
    assert score_reply("true_false", [], "false", "True.").score == 0.0
    assert score_reply("true_false", [], "false", "Hmm").method == "none"
    assert score_reply("single_choice", options, "B", "Answer: B").score == 1.0
    # Two letters for a single-choice item is wrong, not half right.
    assert score_reply("single_choice", options, "B", "B, C").score == 0.0
    exact = score_reply("multiple_choice", options, "ACD", "A, C, D")
    assert (exact.score, exact.method) == (1.0, "exact")
    part = score_reply("multiple_choice", options, "ACD", "A and C")
    assert part.method == "partial" and part.score == pytest.approx(2 / 3)
    assert part.detail == {"parsed": "AC"}
    assert partial_credit("AB", "AC") == 0.0
    assert partial_credit("ABC", "AC") == 0.5
    assert partial_credit("ABCD", "AC") == 0.0  # every letter earns nothing
    assert partial_credit("AC", "AC") == 1.0
    none = score_reply("multiple_choice", options, "AC", "I do not know.")
    assert (none.score, none.method) == (0.0, "none")
    assert [judge_fraction(score) for score in (1, 2, 3, 4, 5)] == [0, 0.25, 0.5, 0.75, 1]


def test_intervals() -> None:
    # Wilson for 0/1 scores: 3 of 4.
    low, high = wilson(3, 4)
    assert (round(low, 4), round(high, 4)) == (0.3006, 0.9544)
    assert wilson(0, 1) == (0.0, pytest.approx(0.7934506856))
    found = estimate([1, 1, 1, 0])
    assert (found.n, found.mean, found.method) == (4, 0.75, "wilson")
    assert (found.low, found.high) == wilson(3, 4)
    # Partial scores: the Wilson interval of their mean, the sum as the successes; two equal
    # scores do not shrink it to a point.
    partial = estimate([1.0, 0.5, 0.5, 0.25])
    assert partial.method == "wilson" and partial.mean == 0.5625
    assert (partial.low, partial.high) == wilson(2.25, 4)
    halves = estimate([0.5, 0.5])
    assert halves.low is not None and halves.high is not None
    assert (round(halves.low, 4), round(halves.high, 4)) == (0.0945, 0.9055)
    assert estimate([0.5]).low == pytest.approx(0.0546, abs=1e-4)
    assert estimate([]).mean is None
    groups = breakdown([ScoredItem("true_false", "Bees", 1), ScoredItem("open", "", 0.5)], "tag")
    assert list(groups) == ["", "Bees"] and groups["Bees"].n == 1
