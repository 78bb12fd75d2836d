"""Diversity figures on hand-made sets whose values are known."""

from __future__ import annotations

import math

import pytest

from easy_dataset.quality.diversity import distinct_n, entropy_bits, opening, opening_entropy


def test_entropy_of_known_distributions() -> None:
    assert entropy_bits([]) == 0.0
    assert entropy_bits(["a"] * 5) == 0.0
    assert entropy_bits(["a", "b"]) == pytest.approx(1.0)
    assert entropy_bits(["a", "b", "c", "d"] * 3) == pytest.approx(2.0)
    assert entropy_bits(["a", "a", "a", "b"]) == pytest.approx(
        -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))
    )


def test_openings_in_english_and_chinese() -> None:
    assert opening("What is the role of drones?") == "what is"
    assert opening("  HOW do bees make wax") == "how do"
    assert opening("什么是蜂王浆？") == "什么是"
    assert opening("") == ""
    same = ["What is a queen?", "What is a drone?", "What is propolis?", "What is wax?"]
    assert opening_entropy(same) == 0.0
    varied = ["What is a queen?", "How do drones mate?", "Why swarm?", "When to split?"]
    assert opening_entropy(varied) == pytest.approx(2.0)


def test_distinct_n() -> None:
    assert distinct_n([], 2) == 0.0
    assert distinct_n(["a b c d"], 2) == 1.0
    # Words: 4 distinct of 6; word pairs: "what is" twice, so 3 distinct of 4.
    assert distinct_n(["what is wax", "what is honey"], 1) == pytest.approx(4 / 6)
    assert distinct_n(["what is wax", "what is honey"], 2) == pytest.approx(3 / 4)
    assert distinct_n(["bee bee bee bee"], 1) == pytest.approx(1 / 4)
