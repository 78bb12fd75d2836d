"""Contamination check: planted benchmark questions (copied, reworded around, in another
case, in Chinese) must be found; questions on the same topic in other words must pass."""

from __future__ import annotations

import pytest

from easy_dataset.quality.contamination import BenchmarkIndex, contaminated, ngrams, tokens

BENCHMARK = [
    "Which of the following best describes the role of the queen bee in a honey bee colony "
    "during the spring build-up period?",
    "A beekeeper notices that the brood pattern is spotty and the cappings are sunken and "
    "perforated; what disease is most likely present in the hive?",
    "蜜蜂群体中蜂王的主要职责是什么，工蜂又承担哪些不同的工作？",
    "What is 2 + 2?",  # shorter than n: caught only when copied whole
]


def test_planted_copies_are_found() -> None:
    questions = [
        "How many frames does a hive hold?",  # clean
        # Copied inside a longer question, in another case and punctuation.
        "Quiz: WHICH of the following best describes the role of the queen bee in a honey-bee "
        "colony during the spring build up period? Explain.",
        "请回答：蜜蜂群体中蜂王的主要职责是什么，工蜂又承担哪些不同的工作？",
        "what is 2+2",
        "When should a beekeeper add a super to the hive?",  # clean
    ]
    found = contaminated(questions, BENCHMARK)
    assert [overlap.index for overlap in found] == [1, 2, 3]
    copied = found[0]
    assert copied.shared == copied.total - 2 and 0 < copied.ratio < 1  # "quiz:", "explain"
    assert found[1].example and " " not in found[1].example  # CJK n-grams join without spaces


def test_a_short_question_copied_out_of_a_long_item_is_found() -> None:
    item = (
        "Read the passage, then answer. Which gas do green plants absorb from the air during "
        "photosynthesis? (A) oxygen (B) carbon dioxide (C) nitrogen (D) helium"
    )
    question = "Which gas do green plants absorb from the air during photosynthesis?"  # 11 words
    [found] = contaminated([question], [item])
    assert found.n == 8 and found.shared == found.total == 4
    assert found.example.startswith("do green plants absorb")
    # Under eight words only a whole copy counts: common phrases are no contamination.
    assert contaminated(["Which gas do green plants absorb?"], [item]) == []


@pytest.mark.parametrize(
    "question",
    [
        "What does the queen bee do in a colony in spring?",
        "Why are brood cappings sunken and perforated, and which disease causes it?",
        "蜂王在蜂群中负责什么？",
        "What is 2 + 3?",
    ],
)
def test_same_topic_in_other_words_passes(question: str) -> None:
    assert contaminated([question], BENCHMARK) == []


def test_tokens_and_ngrams() -> None:
    assert tokens("Ｑueen-bee, 蜂王!") == ["queen", "bee", "蜂", "王"]
    assert ngrams(["a", "b", "c"], 2) == {("a", "b"), ("b", "c")}
    assert ngrams(["a"], 13) == {("a",)} and ngrams([], 13) == set()
    index = BenchmarkIndex(BENCHMARK, n=8)
    assert index.items == 4 and index.n == 8
    with pytest.raises(ValueError):
        BenchmarkIndex(BENCHMARK, n=0)
