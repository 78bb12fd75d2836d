"""Review sampling, error-rate intervals against known Wilson values, and domain terms of the
bundled beekeeping guide."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import easy_dataset
from easy_dataset.quality.review_sample import draw_sample, error_rate
from easy_dataset.quality.terms import domain_term_ratio, fold, key_terms, uses_terms

GUIDE = (Path(easy_dataset.__file__).parent / "samples" / "beekeeping.md").read_text()


# Sampling


def test_sample_size_follows_fraction_minimum_and_cap() -> None:
    ids = list(range(1000, 1200))
    assert len(draw_sample(ids, seed=1)) == 10  # 5% of 200
    assert len(draw_sample(ids, 0.07, seed=1)) == 14
    assert len(draw_sample(list(range(100)), 0.07, seed=1)) == 7  # not 8 from 7.000000001
    assert len(draw_sample(ids, 0.001, seed=1)) == 1  # ceil, then the minimum of 1
    assert len(draw_sample(ids, 0.05, seed=1, minimum=30)) == 30
    assert len(draw_sample(ids[:5], 0.05, seed=1, minimum=30)) == 5
    assert draw_sample(ids, 1.0, seed=1) == ids
    assert draw_sample([], 0.5) == []


def test_sample_is_sorted_distinct_members_and_reproducible() -> None:
    ids = [7, 3, 99, 42, 3, 15, 8, 61, 23, 5, 77, 12]
    sample = draw_sample(ids, 0.5, seed=4)
    assert sample == sorted(sample) and len(set(sample)) == len(sample) == 6
    assert set(sample) <= set(ids)
    assert draw_sample(ids, 0.5, seed=4) == sample
    many = {tuple(draw_sample(range(100), 0.1, seed=seed)) for seed in range(10)}
    assert len(many) > 1  # the seed matters


def test_sample_spreads_over_the_ids() -> None:
    hits = [0] * 10
    for seed in range(200):
        for item in draw_sample(range(100), 0.1, seed=seed):
            hits[item // 10] += 1
    assert all(150 <= count <= 250 for count in hits)  # 200 expected per decile


@pytest.mark.parametrize("fraction", [0.0, -0.1, 1.5, math.nan])
def test_sample_rejects_bad_fractions(fraction: float) -> None:
    with pytest.raises(ValueError):
        draw_sample([1, 2, 3], fraction)


# Error rate


def test_wilson_interval_known_values() -> None:
    none = error_rate(0, 100)
    assert (none.rate, none.low) == (0.0, 0.0)
    assert none.high == pytest.approx(0.0370, abs=1e-4)
    five = error_rate(5, 100)
    assert five.rate == 0.05
    assert [five.low, five.high] == pytest.approx([0.0215, 0.1118], abs=1e-4)
    every = error_rate(10, 10)
    assert every.high == 1.0 and every.low == pytest.approx(0.7225, abs=1e-4)
    wider = error_rate(5, 100, confidence=0.99)
    assert wider.low < five.low and wider.high > five.high
    assert wider.confidence == 0.99


def test_population_correction_narrows_the_interval() -> None:
    plain = error_rate(5, 100)
    large = error_rate(5, 100, population=1_000_000)
    assert [large.low, large.high] == pytest.approx([plain.low, plain.high], abs=1e-4)
    half = error_rate(5, 100, population=200)
    assert plain.low < half.low < 0.05 < half.high < plain.high
    everything = error_rate(5, 100, population=100)
    assert everything.low == pytest.approx(0.05) and everything.high == pytest.approx(0.05)
    single = error_rate(0, 1, population=1)  # the whole set of one, reviewed
    assert (single.low, single.high) == (0.0, 0.0)


def test_error_rate_edge_cases() -> None:
    nothing = error_rate(0, 0)
    assert (nothing.reviewed, nothing.rate, nothing.low, nothing.high) == (0, 0.0, 0.0, 1.0)
    for errors, reviewed in [(3, 2), (-1, 5), (0, -1)]:
        with pytest.raises(ValueError):
            error_rate(errors, reviewed)
    with pytest.raises(ValueError):
        error_rate(1, 10, confidence=1.0)
    with pytest.raises(ValueError):
        error_rate(1, 10, population=5)


# Domain terms


def test_key_terms_of_the_beekeeping_guide() -> None:
    terms = key_terms([GUIDE])
    assert len(terms) == 40
    for term in ("queen", "brood", "hive", "colony", "varroa", "swarm", "frame"):
        assert term in terms, term
    assert "蜂蜜" in terms and "巢脾" in terms  # the guide's Chinese section
    for generic in ("the", "and", "time", "first", "make", "guide", "log", "csv"):
        assert generic not in terms, generic  # stop words, everyday words, code
    assert terms.index("queen") < terms.index("varroa")  # frequent and spread first
    assert key_terms([GUIDE], top=5) == terms[:5]


def test_key_terms_fold_plurals_and_spread_over_documents() -> None:
    documents = [
        "Queens lay eggs. The queen is fed royal jelly.",
        "A colony raises a new queen. Colonies swarm when the queen is old.",
        "Royal jelly is rich. Royal jelly feeds larvae.",
    ]
    terms = key_terms(documents, top=5)
    assert terms[0] == "queen"  # four times, in two documents
    assert "colony" in terms and "colonies" not in terms
    assert "royal" in terms and "jelly" in terms
    assert "larvae" not in terms  # said once


def test_key_terms_in_chinese() -> None:
    documents = [
        "蜂王是蜂群里唯一能产卵的雌蜂。蜂王每天可以产下上千粒卵。",
        "工蜂负责采蜜和哺育幼虫，工蜂的寿命在夏天只有六周左右。",
        "分蜂季节要每周检查王台，发现王台就要及时处理。蜂王和工蜂都从受精卵发育而来。",
    ]
    terms = key_terms(documents, top=6)
    assert {"蜂王", "工蜂", "王台"} <= set(terms)
    assert not any(term[0] in "的是了" or term[-1] in "的是了" for term in terms)
    assert key_terms([]) == []


def test_fold_plurals() -> None:
    assert [fold(word) for word in ("colonies", "hives", "boxes", "viruses", "bees")] == [
        "colony",
        "hive",
        "box",
        "virus",
        "bee",
    ]
    assert [fold(word) for word in ("varroa", "glass", "virus", "brood", "houses")] == [
        "varroa",
        "glass",
        "virus",
        "brood",
        "house",
    ]


def test_domain_term_ratio_on_bee_and_generic_answers() -> None:
    terms = key_terms([GUIDE])
    bee = "Check the brood frames weekly for queen cells during swarm season."
    plural = "Strong colonies need more supers."
    chinese = "蜂蜜封盖四分之三后再取。"
    generic = "It depends on many factors; consult an expert and plan carefully."
    unrelated = "The stock market fell after the interest rate announcement."
    assert uses_terms(bee, terms) and uses_terms(plural, terms) and uses_terms(chinese, terms)
    assert not uses_terms(generic, terms) and not uses_terms(unrelated, terms)
    assert not uses_terms("Hivemind thinking.", ["hive"])  # whole words only
    assert uses_terms("Feed Royal Jelly to larvae.", ["royal jelly"])
    assert domain_term_ratio([bee, plural, generic, unrelated], terms) == 0.5
    assert domain_term_ratio([], terms) == 0.0
    assert domain_term_ratio([bee], []) == 0.0
