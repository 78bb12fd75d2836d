"""Grounding of answers in their chunk and consistency voting, on planted cases: invented
numbers and off-topic claims must be flagged, faithful paraphrases must pass."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import easy_dataset
from easy_dataset.quality.agreement import DEFAULT_AGREEMENT, agree
from easy_dataset.quality.embedding import E5Embedder, Vectors, normalise
from easy_dataset.quality.grounding import (
    Grounding,
    ground,
    lexical_support,
    numbers,
    split_sentences,
)

GUIDE = (Path(easy_dataset.__file__).parent / "samples" / "beekeeping.md").read_text()


def section(title: str) -> str:
    """The body of one section of the bundled guide."""
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#)", GUIDE, re.S | re.M)
    assert match, title
    return match.group(1).strip()


CASTES = section("The Three Castes")
HARVEST = section("蜂蜜采收")


@pytest.fixture(scope="module")
def embedder() -> E5Embedder:
    return E5Embedder()


class CountingEmbedder:
    """Deterministic stand-in for an embedder that records every call."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        rows = [np.random.default_rng(sum(map(ord, text))).normal(size=8) for text in texts]
        return normalise(np.array(rows, dtype=np.float32).reshape(len(texts), 8))


def by_text(result: Grounding) -> dict[str, bool]:
    return {sentence.text: sentence.supported for sentence in result.sentences}


# Sentence splitting


def test_split_english_sentences_keeps_abbreviations_and_decimals() -> None:
    text = "Use smoke, e.g. from wood shavings. Dr. Smith weighed 3.5 kg! Was it enough? Yes."
    assert split_sentences(text) == [
        "Use smoke, e.g. from wood shavings.",
        "Dr. Smith weighed 3.5 kg!",
        "Was it enough?",
        "Yes.",
    ]


def test_split_chinese_sentences() -> None:
    text = "蜂王每天产卵。工蜂不能生育！你知道吗？先检查储蜜；再加继箱"
    assert split_sentences(text) == [
        "蜂王每天产卵。",
        "工蜂不能生育！",
        "你知道吗？",
        "先检查储蜜；",
        "再加继箱",
    ]


def test_split_markdown_lists_headings_and_lines() -> None:
    text = (
        "## Swarm control\n"
        "Look for queen cells\n"
        "- Move the hive aside\n"
        "* Keep one open cell\n"
        "1. Find the old queen. Put her in the new box.\n"
        "2) Wait three weeks\n"
        "---\n"
        "...\n"
        "- \n"
        "> Bees return to the old site."
    )
    assert split_sentences(text) == [
        "Swarm control",
        "Look for queen cells",
        "Move the hive aside",
        "Keep one open cell",
        "Find the old queen.",
        "Put her in the new box.",
        "Wait three weeks",
        "Bees return to the old site.",
    ]


def test_split_nothing() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n\n -- \n。！") == []


# Lexical support


def test_numbers_read_digits_and_words() -> None:
    assert numbers("about 21 days, twenty-one in all, 1,000 eggs, 3.5 kg") == {21, 1000, 3.5}
    assert numbers("a two-metre fence and six weeks") == {2, 6}
    assert numbers("含水量百分之十八，静置一到两天，二十五公斤") == {18, 2, 25}
    assert numbers("one queen, 一定, half a cup") == set()  # ones double as articles
    compound = "two hundred bees, 3万只, 万只蜜蜂, 一千万元, 三万一千只"
    assert numbers(compound) == {200, 3e4, 1e4, 1e7, 31e3}
    # Words built of numerals that are no numbers: "very", "by all means", "in case", "both".
    assert numbers("这十分重要，千万不要打开，万一下雨，两者都对") == set()
    assert numbers("五十分钟") == {50}


def test_a_decimal_at_a_line_start_is_no_list_marker() -> None:
    text = "3.5 kg of sugar per hive.\n1. Check the frames.\n2.5% of colonies die."
    assert split_sentences(text) == [
        "3.5 kg of sugar per hive.",
        "Check the frames.",
        "2.5% of colonies die.",
    ]
    source = "Feed 3.5 kg of sugar per hive; about 2.5% of colonies die each winter."
    assert lexical_support("3.5 kg of sugar per hive.", source) == 1.0
    assert lexical_support("蜂群在春季十分活跃。", "蜂群在春季非常活跃。") > 0.5


def test_lexical_support_of_copies_inventions_and_numbers() -> None:
    source = "An egg laid today becomes a worker that emerges about 21 days later."
    assert lexical_support("A worker emerges about 21 days after the egg is laid.", source) == 1.0
    assert lexical_support("A worker emerges about 35 days after laying.", source) < 0.5
    assert lexical_support("Queens live 40 years.", source) == 0.0
    assert lexical_support("The stock market fell sharply.", source) == 0.0
    assert lexical_support("Yes.", source) == 1.0  # nothing to check
    zh = "摇出的蜂蜜要经过双层滤网过滤，然后放在沉淀桶里静置一到两天。"
    assert lexical_support("蜂蜜要用双层滤网过滤，再静置一到两天。", zh) > 0.6
    assert lexical_support("蜂蜜要静置十天。", zh) < 0.5
    assert lexical_support("上海是中国的经济中心。", zh) == 0.0


# Grounding: the call pattern


def test_ground_embeds_answer_and_chunk_once_each() -> None:
    embed = CountingEmbedder()
    answer = "Drones are males. They mate with queens from other colonies."
    result = ground(answer, CASTES, embed)
    assert len(embed.calls) == 2
    assert embed.calls[0] == [*split_sentences(answer), answer]
    assert embed.calls[1] == [*split_sentences(CASTES), CASTES]
    assert [sentence.text for sentence in result.sentences] == split_sentences(answer)
    assert 0.0 <= result.score <= 1.0


def test_ground_empty_answer_or_chunk() -> None:
    embed = CountingEmbedder()
    empty = ground("  ", CASTES, embed)
    assert (empty.score, empty.sentences, empty.flagged) == (1.0, (), False)
    bare = ground("Drones are male bees.", "", embed)
    assert bare.flagged and bare.score == 0.0
    assert embed.calls == []


def test_short_and_lead_in_sentences_are_not_flagged() -> None:
    result = ground("Yes. The steps are:\n- Smoke the entrance gently", CASTES, CountingEmbedder())
    supported = by_text(result)
    assert supported["Yes."] and supported["The steps are:"]


# Grounding with the real embedder


def test_planted_english_faults_are_flagged(embedder: E5Embedder) -> None:
    clean = [
        "Drones are male bees whose only job is to mate with queens from other colonies.",
        "The queen lays more than a thousand eggs per day at the height of the season.",
        "A drone takes about 24 days to develop.",
        "Workers clean cells, feed larvae, build comb, guard the entrance and eventually forage.",
        "Yes.",
    ]
    planted = [
        "Queens live 40 years.",
        "A worker develops from egg to adult in 30 days.",
        "Drones collect most of the nectar and defend the hive in winter.",
        "The French Revolution began in 1789 with the storming of the Bastille.",
    ]
    result = ground(" ".join(clean + planted), CASTES, embedder.embed)
    supported = by_text(result)
    assert {text for text, ok in supported.items() if ok} == set(clean)
    assert {sentence.text for sentence in result.unsupported} == set(planted)
    assert result.flagged
    worst = min(result.sentences, key=lambda sentence: sentence.support)
    assert worst.text in planted and worst.support < 0.1


def test_faithful_english_answer_passes(embedder: E5Embedder) -> None:
    answer = (
        "A summer colony has one queen, tens of thousands of workers and a few hundred to a "
        "few thousand drones. Worker bees are sterile females that take on different jobs "
        "as they age. If you see eggs but cannot find the queen, she was there within the "
        "last three days."
    )
    result = ground(answer, CASTES, embedder.embed)
    assert not result.flagged, result.unsupported
    assert result.score > 0.8
    assert result.similarity > 0.9
    off_topic = ground(
        "Interest rates rose again. Stock markets fell in Asia.", CASTES, embedder.embed
    )
    assert off_topic.flagged and len(off_topic.unsupported) == 2
    assert off_topic.score < 0.2 < result.score
    assert off_topic.similarity < result.similarity


def test_planted_chinese_faults_are_flagged(embedder: E5Embedder) -> None:
    clean = [
        "当巢脾上约四分之三的蜂房封盖时，蜂蜜就成熟了。",
        "摇出的蜂蜜先用双层滤网过滤，再静置一到两天。",
        "育虫箱里的储蜜要全部留给蜜蜂过冬。",
        "是的。",
    ]
    planted = [
        "蜂蜜的含水量要降到百分之三十才能取出。",
        "取蜜时要把蜂王关进王笼并带到室外。",
        "北京是中国的首都，有很多名胜古迹。",
    ]
    result = ground("".join(clean + planted), HARVEST, embedder.embed)
    supported = by_text(result)
    assert {text for text, ok in supported.items() if ok} == set(clean)
    assert {sentence.text for sentence in result.unsupported} == set(planted)


# Agreement


def unit(*values: float) -> list[float]:
    vector = np.array(values, dtype=np.float32)
    return list(vector / np.linalg.norm(vector))


def test_majority_group_around_its_medoid() -> None:
    vectors = np.array(
        [
            unit(1, 0, 0),  # the odd one out
            unit(0, 1, 0.05),
            unit(0, 1, 0),  # closest to both others: the medoid
            unit(0, 1, -0.05),
            unit(0, 0, 1),
        ],
        dtype=np.float32,
    )
    result = agree(vectors)
    assert (result.total, result.agreeing, result.chosen) == (5, 3, 1)
    assert result.majority and result.share == pytest.approx(0.6)
    assert len(result.similarities) == 5 and all(len(row) == 5 for row in result.similarities)
    assert result.similarities[1][2] == pytest.approx(result.similarities[2][1])
    assert result.similarities[0][4] == pytest.approx(0.0, abs=1e-6)


def test_no_majority_when_answers_scatter() -> None:
    vectors = np.eye(4, dtype=np.float32)
    result = agree(vectors)
    assert (result.agreeing, result.chosen, result.majority) == (1, 0, False)
    # Two of four is a tie, not a majority.
    pairs = np.array([unit(1, 0), unit(1, 0.01), unit(0, 1), unit(0.01, 1)], dtype=np.float32)
    tied = agree(pairs)
    assert (tied.agreeing, tied.chosen, tied.majority) == (2, 0, False)


def test_medoid_is_not_chained() -> None:
    # A~B and B~C, but A and C are apart: the group is B's, and B is kept.
    angles = np.radians([0.0, 20.0, 40.0])
    vectors = np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
    result = agree(vectors, threshold=0.9)
    assert (result.chosen, result.agreeing, result.majority) == (1, 3, True)
    strict = agree(vectors, threshold=0.95)
    assert (strict.chosen, strict.agreeing, strict.majority) == (0, 1, False)


def test_single_answer_and_bad_input() -> None:
    single = agree(np.array([unit(1, 2, 3)], dtype=np.float32))
    assert (single.total, single.agreeing, single.chosen, single.majority) == (1, 1, 0, True)
    with pytest.raises(ValueError, match="at least one"):
        agree(np.zeros((0, 3), dtype=np.float32))
    with pytest.raises(ValueError):
        agree(np.eye(2, dtype=np.float32), texts=["only one"])


def test_numbers_split_answers_that_embed_alike() -> None:
    texts = ["About 10 days.", "About 21 days.", "21 days in all.", "Three weeks, 21 days."]
    same = np.tile(np.array(unit(1, 1), dtype=np.float32), (4, 1))
    assert agree(same).agreeing == 4
    checked = agree(same, texts=texts)
    assert (checked.agreeing, checked.chosen, checked.majority) == (3, 1, True)
    # An answer that states no number contradicts none.
    vague = agree(same[:2], texts=["About 10 days.", "It takes a while."])
    assert vague.agreeing == 2


def test_real_paraphrases_agree_and_contradictions_do_not(embedder: E5Embedder) -> None:
    answers = [
        "Workers live for five years.",
        "Workers live about six weeks in summer.",
        "Workers live around 6 weeks during summer.",
        "In summer a worker bee lives for roughly six weeks.",
        "Worker bees survive only a single day.",
    ]
    vectors = embedder.embed(answers)
    result = agree(vectors, texts=answers)
    assert result.chosen in (1, 2, 3)
    assert (result.agreeing, result.majority) == (3, True)
    assert result.similarities[1][2] > DEFAULT_AGREEMENT > result.similarities[1][0]
    split = agree(vectors[[0, 1, 4]])
    assert (split.agreeing, split.majority) == (1, False)
