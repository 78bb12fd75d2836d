"""ROUGE-L (F-measure of the longest common subsequence of tokens), English and Chinese."""

from __future__ import annotations

import random

import pytest

from easy_dataset.quality.rouge import RougeIndex, lcs_length, rouge_l, tokens


def _lcs_by_table(a: list[str], b: list[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = (
                table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
            )
    return table[-1][-1]


def test_tokens_are_lowercased_words_and_single_cjk_characters() -> None:
    assert tokens("The Cat's 2 hats!") == ["the", "cat", "s", "2", "hats"]
    assert tokens("蜜蜂采蜜 GPT-4") == ["蜜", "蜂", "采", "蜜", "gpt", "4"]
    assert tokens("snake_case") == ["snake", "case"]
    assert tokens("  …—  ") == []


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # LCS "the cat on the mat" = 5 of 6 tokens each: P = R = 5/6.
        ("The cat sat on the mat.", "the cat lay on the mat", 5 / 6),
        # Word order matters: the LCS is "police killed" (or "the gunman"), 2 of 4 each.
        ("police killed the gunman", "the gunman police killed", 0.5),
        # Different lengths: LCS 3 of 3 and 6: P = 3/3, R = 3/6 (or the other way) -> 2/3.
        ("write a poem", "please write a short funny poem", 2 / 3),
        ("identical text here", "Identical  TEXT here", 1.0),
        ("nothing shared", "完全不同", 0.0),
        ("", "anything", 0.0),
        # Chinese by character: 今天天气很好 / 今天天气不好 share 今天天气好 (5 of 6).
        ("今天天气很好", "今天天气不好", 5 / 6),
        # 蜜蜂酿造蜂蜜 (6) / 工蜂酿蜜 (4): LCS 蜂酿蜜 = 3 -> 2*3/10.
        ("蜜蜂酿造蜂蜜", "工蜂酿蜜", 0.6),
        # Mixed: 解 释 photosynthesis (3) inside 请 解 释 photosynthesis (4): 2*3/7.
        ("解释 photosynthesis", "请解释 photosynthesis", 6 / 7),
    ],
)
def test_known_values(first: str, second: str, expected: float) -> None:
    assert rouge_l(first, second) == pytest.approx(expected)
    assert rouge_l(second, first) == pytest.approx(expected)


def test_bit_parallel_lcs_agrees_with_the_table() -> None:
    rng = random.Random(7)
    for _ in range(500):
        a = [rng.choice("abcdef") for _ in range(rng.randint(0, 40))]
        b = [rng.choice("abcdef") for _ in range(rng.randint(0, 40))]
        assert lcs_length(a, b) == _lcs_by_table(a, b)
    # Longer than one machine word: the row is one big integer.
    a = [rng.choice("abc") for _ in range(300)]
    b = [rng.choice("abc") for _ in range(200)]
    assert lcs_length(a, b) == _lcs_by_table(a, b)


def test_index_finds_the_closest_text_at_or_above_the_threshold() -> None:
    index = RougeIndex(
        ["Explain why bees swarm in spring.", "Write a poem about honey.", "列出三种蜂蜜。"]
    )
    found = index.closest("explain why honey bees swarm in spring", 0.7)
    assert found is not None and found.text == "Explain why bees swarm in spring."
    # 6 shared of 6 and 7 tokens: 2*6/13.
    assert found.score == pytest.approx(12 / 13)
    assert index.closest("Compose a limerick about wax moths.", 0.7) is None
    chinese = index.closest("列出三种常见的蜂蜜。", 0.7)
    assert chinese is not None and chinese.text == "列出三种蜂蜜。"
    assert len(index) == 3


def test_the_threshold_is_inclusive() -> None:
    # 7 tokens shared by texts of 7 and 13: 2 * 7 / 20 = 0.7, dropped as the paper drops >= 0.7.
    seven = RougeIndex(["a b c d e f g"])
    longer = "a b c d e f g h i j k l m"
    assert rouge_l("a b c d e f g", longer) == 0.7
    found = seven.closest(longer, 0.7)
    assert found is not None and found.score == 0.7
    assert seven.closest(longer + " n", 0.7) is None  # 14 / 21
