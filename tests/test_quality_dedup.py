"""Near-duplicate detection: planted duplicates must be found, distinct items left alone."""

from __future__ import annotations

import random

import numpy as np
import pytest

from easy_dataset.quality import dedup, minhash, vector_search
from easy_dataset.quality.contamination import tokens
from easy_dataset.quality.dedup import (
    Cluster,
    DedupItem,
    exact_clusters,
    find_clusters,
    keep_best,
    minhash_clusters,
    minhash_signatures,
    normalise,
    semantic_clusters,
)

SYLLABLES = [
    *("ba", "ce", "di", "fo", "gu", "ha", "ke", "li", "mo", "nu", "pa", "re"),
    *("si", "to", "vu", "wa", "xe", "yi", "zo", "ka", "lu", "me", "ni"),
]


def question_bank(count: int, seed: int = 3) -> list[str]:
    """Distinct ~35-word questions over a 3,000-word invented vocabulary."""
    rng = random.Random(seed)
    vocabulary = sorted({"".join(rng.choices(SYLLABLES, k=3)) for _ in range(4000)})[:3000]
    questions = []
    for _ in range(count):
        words = rng.choices(vocabulary, k=rng.randint(32, 38))
        questions.append("What " + " ".join(words) + "?")
    return questions


def items_of(texts: list[str]) -> list[DedupItem]:
    return [DedupItem(id=i, text=text) for i, text in enumerate(texts)]


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32."""
    scaled: np.ndarray = (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)
    return scaled


def test_normalise_case_punctuation_width_and_cjk() -> None:
    assert normalise("  What IS the Role, of   drones?! ") == "what is the role of drones"
    assert normalise("Ｗｈａｔ　ｉｓ　ＲＯＹＡＬ　ｊｅｌｌｙ？") == "what is royal jelly"
    assert normalise("«Straße» — „Maße“") == "strasse masse"
    assert normalise("什么是蜂王浆？") == normalise("什么是 蜂王浆。") == "什么是蜂王浆"
    assert normalise("「蜂蜡」，蜂胶！还有……花粉、") == "蜂蜡蜂胶还有花粉"
    assert normalise("Python 是什么？") == "python是什么"
    # Symbols carry meaning and stay: C++ is not C.
    assert normalise("What is C++?") != normalise("What is C?")
    assert normalise("") == normalise(" ?! ") == ""


def test_minhash_words_are_those_of_the_normalised_text() -> None:
    for text in ["Ｗｈａｔ　ｉｓ ＲＯＹＡＬ-jelly, really?", "什么是 蜂王浆？「好」", "A.B.C d_e"]:
        assert tokens(text) == tokens(normalise(text))


def test_exact_clusters() -> None:
    texts = question_bank(50)
    items = items_of(texts)
    items += [
        DedupItem(100, texts[3].upper().replace("?", " !")),
        DedupItem(101, "  " + texts[3].replace(" ", "   ")),
        DedupItem(102, texts[7].lower() + "..."),
        DedupItem(103, ""),
        DedupItem(104, "?!"),  # nothing left after normalising: never a duplicate
    ]
    clusters = exact_clusters(items)
    assert clusters == [
        Cluster(keep=101, members=(3, 100, 101), similarity=1.0),  # the longest text wins
        Cluster(keep=102, members=(7, 102), similarity=1.0),
    ]


def test_minhash_finds_planted_near_duplicates_only() -> None:
    texts = question_bank(300)
    rng = random.Random(5)
    planted = {}
    for source in range(0, 60, 3):
        words = texts[source].rstrip("?").split(" ")
        edit = source % 9
        if edit == 0:  # one word replaced
            words[len(words) // 2] = "zzzword"
            copy = " ".join(words) + "?"
        elif edit == 3:  # one word added
            words.insert(rng.randrange(1, len(words)), "extra")
            copy = " ".join(words) + "?"
        else:  # punctuation moved and added, case changed
            copy = ", ".join([" ".join(words[:5]), " ".join(words[5:]).upper()]) + "!!"
        planted[source] = len(texts)
        texts.append(copy)
    clusters = minhash_clusters(items_of(texts))
    found = {cluster.members for cluster in clusters}
    assert found == {(source, copy) for source, copy in planted.items()}
    assert all(0.7 <= cluster.similarity <= 1.0 for cluster in clusters)
    assert [cluster.keep for cluster in clusters] == sorted(cluster.keep for cluster in clusters)


def test_minhash_chinese_near_duplicates() -> None:
    texts = [
        "在冬季储存期间，养蜂人应该如何检查巢框中的蜂王浆，以及花粉会受到什么影响？",
        "在冬季储存期间，养蜂人应该怎样检查巢框中的蜂王浆，以及花粉会受到什么影响？",
        "合同谈判时，律师为什么认为违约条款比租赁合同更重要，证人证言又起什么作用？",
        "合同谈判时 律师为什么认为违约条款比租赁合同更重要 证人证言又起什么作用",
        "急诊分诊中护士多久需要检查一次胰岛素和血样，疫苗是否也需要一起冷藏保存？",
        "低温启动时技师应当先检查刹车片还是正时皮带，喷油嘴的故障又该如何排除？",
    ]
    clusters = minhash_clusters(items_of(texts))
    assert [cluster.members for cluster in clusters] == [(0, 1), (2, 3)]
    assert clusters[1].similarity == 1.0


def test_minhash_signatures_match_datasketch() -> None:
    from datasketch import LeanMinHash, MinHash

    texts = ["the quick brown fox jumps over the lazy dog", "ab", "", "什么是蜂王浆的主要成分"]
    signatures, present = minhash_signatures(texts)
    assert present.tolist() == [True, True, False, True]
    hashes, counts = minhash._shingle_hashes(texts)
    assert counts.tolist() == [7, 1, 0, 9]  # 9 words -> 7 trigrams; "ab" alone; 11 chars -> 9
    start = 0
    for row, count in enumerate(counts.tolist()):
        if count:
            reference = MinHash(num_perm=128, seed=1, hashfunc=lambda value: value)
            reference.update_batch([int(value) for value in hashes[start : start + count]])
            assert np.array_equal(reference.hashvalues, signatures[row])
            lean = LeanMinHash(seed=1, hashvalues=signatures[row], scheme="affine32")
            assert lean.jaccard(LeanMinHash(reference)) == 1.0
        start += count


def test_minhash_estimate_tracks_true_jaccard() -> None:
    rng = random.Random(11)
    base = [f"w{rng.randrange(10**6)}" for _ in range(60)]
    for kept in (58, 45, 30):
        other = base[:kept] + [f"x{i}" for i in range(60 - kept)]
        first = {tuple(base[i : i + 3]) for i in range(58)}
        second = {tuple(other[i : i + 3]) for i in range(58)}
        truth = len(first & second) / len(first | second)
        signatures, _ = minhash_signatures([" ".join(base), " ".join(other)])
        estimate = float(np.mean(signatures[0] == signatures[1]))
        assert abs(estimate - truth) < 0.13  # three standard errors at 128 permutations


def test_keep_best_ordering() -> None:
    scored_low = DedupItem(1, "a much longer text than the others", score=2.0, confirmed=True)
    scored_high = DedupItem(9, "short", score=4.5)
    unscored = DedupItem(0, "the longest text of all, by a wide margin", confirmed=True)
    assert keep_best([scored_low, scored_high, unscored]) == scored_high  # score first
    assert keep_best([scored_low, unscored]) == scored_low  # any score beats none
    assert keep_best([DedupItem(3, "zero", score=0.0), unscored]).id == 3
    plain_long = DedupItem(4, "a longer unconfirmed text")
    confirmed_short = DedupItem(5, "short", confirmed=True)
    assert keep_best([plain_long, confirmed_short]) == confirmed_short  # then confirmed
    assert keep_best([DedupItem(6, "abc"), DedupItem(2, "abcd")]).id == 2  # then length
    assert keep_best([DedupItem(8, "same"), DedupItem(7, "same")]).id == 7  # then lowest id
    with pytest.raises(ValueError):
        keep_best([])


def test_clusters_keep_the_best_member() -> None:
    text = "What is the role of drones in a honey bee colony during the spring?"
    items = [
        DedupItem(5, text, score=3.0),
        DedupItem(2, text.lower(), score=4.0, confirmed=False),
        DedupItem(9, text.upper(), confirmed=True),
    ]
    for mode in ("exact", "minhash"):
        assert find_clusters(items, mode) == [Cluster(keep=2, members=(2, 5, 9), similarity=1.0)]


def planted_vectors(
    count: int, near: int, seed: int = 0
) -> tuple[np.ndarray, set[tuple[int, ...]]]:
    """e5-like unit vectors (shared direction, unrelated cosines ~0.8) with planted near pairs."""
    rng = np.random.default_rng(seed)
    common = unit(rng.standard_normal(384))
    vectors = unit(np.sqrt(0.8) * common + np.sqrt(0.2) * unit(rng.standard_normal((count, 384))))
    pairs: set[tuple[int, ...]] = set()
    for source in range(near):
        copy = count - 1 - source
        noise = unit(rng.standard_normal(384))
        vectors[copy] = unit(vectors[source] + 0.12 * noise)  # cosine ~0.99
        pairs.add((source, copy))
    return vectors, pairs


def test_semantic_synthetic_vectors() -> None:
    vectors, planted = planted_vectors(400, 15)
    clusters = semantic_clusters(items_of([""] * 400), vectors)
    assert {cluster.members for cluster in clusters} == planted
    assert all(cluster.similarity >= dedup.DEFAULT_SEMANTIC_THRESHOLD for cluster in clusters)


def test_semantic_links_normalised_copies_whatever_their_vectors() -> None:
    vectors, _ = planted_vectors(20, 0)
    texts = [f"question number {i} about bees" for i in range(20)]
    texts[7] = texts[2].upper() + "!"  # its vector stays an unrelated one
    clusters = semantic_clusters(items_of(texts), vectors)
    assert clusters == [Cluster(keep=7, members=(2, 7), similarity=1.0)]


def test_semantic_inverted_file_search_matches_all_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors, planted = planted_vectors(3000, 60, seed=1)
    exhaustive = semantic_clusters(items_of([""] * 3000), vectors)
    monkeypatch.setattr(vector_search, "EXACT_COSINE_MAX", 100)  # force the k-means cell search
    searched = semantic_clusters(items_of([""] * 3000), vectors)
    assert {cluster.members for cluster in exhaustive} == planted
    # The same clusters; cosines summed in another order may differ in the last float digit.
    assert [(c.keep, c.members) for c in searched] == [(c.keep, c.members) for c in exhaustive]
    assert [c.similarity for c in searched] == pytest.approx(
        [c.similarity for c in exhaustive], abs=1e-5
    )


def test_semantic_real_embeddings() -> None:
    from easy_dataset.quality.embedding import E5Embedder

    texts = [
        "What is the role of drones in a honey bee colony?",
        "What role do drones play in a honeybee colony?",
        "How do beekeepers prevent swarming in the spring?",
        "How can a beekeeper stop a colony from swarming in the spring?",
        "How do beekeepers feed their colonies in winter?",  # same topic, another question
        "What is the statute of limitations for breach of contract?",
        "How is type 2 diabetes diagnosed?",
        "How is type 2 diabetes treated?",  # 0.962 to the one above: the closest miss
    ]
    vectors = E5Embedder().embed(texts)
    clusters = find_clusters(items_of(texts), "semantic", vectors=vectors)
    assert [cluster.members for cluster in clusters] == [(0, 1), (2, 3)]
    assert all(cluster.similarity >= dedup.DEFAULT_SEMANTIC_THRESHOLD for cluster in clusters)


def test_bad_mode_missing_vectors_and_bad_input() -> None:
    items = items_of(["one question here", "another question"])
    with pytest.raises(ValueError, match="unknown dedup mode 'fuzzy'"):
        find_clusters(items, "fuzzy")
    with pytest.raises(ValueError, match="needs vectors"):
        find_clusters(items, "semantic")
    with pytest.raises(ValueError, match="one row per item"):
        semantic_clusters(items, np.zeros((3, 384), np.float32))
    with pytest.raises(ValueError, match="L2-normalised"):
        semantic_clusters(items, np.full((2, 384), 0.5, np.float32))
    with pytest.raises(ValueError, match="threshold"):
        find_clusters(items, "minhash", threshold=1.5)
    with pytest.raises(ValueError, match="unique"):
        exact_clusters([DedupItem(1, "a"), DedupItem(1, "b")])
    assert find_clusters([], "minhash") == []
    assert semantic_clusters([], np.zeros((0, 384), np.float32)) == []
