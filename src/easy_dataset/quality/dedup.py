"""Near-duplicate detection over a whole project's texts: exact (after normalisation),
MinHash over word 3-grams, and semantic (cosine of sentence embeddings).

Every mode returns clusters: connected components of verified pairs, each with the member
worth keeping. Candidate search is sub-quadratic in the two approximate modes; every
candidate pair is verified before it links anything, so a false candidate costs time, never
a wrong cluster.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from easy_dataset.quality.minhash import minhash_pairs, minhash_signatures
from easy_dataset.quality.pairs import Pairs
from easy_dataset.quality.vector_search import cosine_pairs

MODES = ("exact", "minhash", "semantic")
DEFAULT_MINHASH_THRESHOLD = 0.7
# multilingual-e5-small puts unrelated questions near 0.80, same-topic but different questions
# at 0.91-0.96 ("how is X diagnosed" / "how is X treated": 0.962) and paraphrases at 0.97-0.998;
# 0.965 separates the two on the planted calibration set (see benchmarks/quality_scale.py).
DEFAULT_SEMANTIC_THRESHOLD = 0.965


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff"
_HAS_CJK = re.compile(f"[{_CJK}]")
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")


@dataclass(frozen=True)
class DedupItem:
    """A text to check, with what decides which copy survives."""

    id: int
    text: str
    score: float | None = None  # quality score 0-5 (reviewer's or judge's), None = unscored
    confirmed: bool = False


@dataclass(frozen=True)
class Cluster:
    """Items that duplicate each other, and the one to keep."""

    keep: int  # id of the member to keep
    members: tuple[int, ...]  # all member ids including keep, ascending
    similarity: float  # lowest verified similarity of a linked pair (1.0 for exact)


@functools.cache
def _punctuation() -> dict[int, str]:
    """Every BMP punctuation code point mapped to a space (built once: ~20 ms)."""
    return {
        point: " " for point in range(0x10000) if unicodedata.category(chr(point)).startswith("P")
    }


def normalise(text: str) -> str:
    """Case-folded NFKC text, punctuation dropped, spaces collapsed (none beside CJK)."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_punctuation())
    collapsed = " ".join(folded.split())
    if not _HAS_CJK.search(collapsed):  # the look-around below costs 5 us a text; skip it
        return collapsed
    # Chinese and Japanese write no spaces, so "什么是 蜂蜜" and "什么是蜂蜜" are the same text.
    return _CJK_SPACE.sub("", collapsed)


def keep_best(members: Sequence[DedupItem]) -> DedupItem:
    """The member to keep: highest score (unscored lowest), then confirmed, longest, lowest id."""
    if not members:
        raise ValueError("keep_best needs at least one item")
    return max(
        members,
        key=lambda item: (
            item.score is not None,
            item.score if item.score is not None else 0.0,
            item.confirmed,
            len(item.text),
            -item.id,
        ),
    )


def _clusters(items: Sequence[DedupItem], pairs: Pairs) -> list[Cluster]:
    """Connected components (union-find) of the linked pairs, as clusters ordered by keep id."""
    parent = list(range(len(items)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # path halving keeps later finds short
            node = parent[node]
        return node

    left, right, sims = pairs
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    lowest: dict[int, float] = {}
    for a, sim in zip(left.tolist(), sims.tolist(), strict=True):
        top = root(a)
        lowest[top] = min(lowest.get(top, 1.0), sim)
    groups: dict[int, list[int]] = {}
    for top in lowest:
        groups[top] = []
    for node in range(len(items)):
        top = root(node)
        if top in groups:
            groups[top].append(node)
    clusters = []
    for top, nodes in groups.items():
        members = [items[node] for node in nodes]
        clusters.append(
            Cluster(
                keep=keep_best(members).id,
                members=tuple(sorted(item.id for item in members)),
                similarity=round(min(lowest[top], 1.0), 6),
            )
        )
    return sorted(clusters, key=lambda cluster: cluster.keep)


def _check(items: Sequence[DedupItem], threshold: float | None = None) -> None:
    """Reject duplicate ids (clusters name members by id) and thresholds outside (0, 1]."""
    if len({item.id for item in items}) != len(items):
        raise ValueError("item ids must be unique")
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")


def _exact_pairs(items: Sequence[DedupItem]) -> Pairs:
    """Each item linked to the first one with its normalised text (empty texts never)."""
    first: dict[str, int] = {}
    left: list[int] = []
    right: list[int] = []
    for position, item in enumerate(items):
        key = normalise(item.text)
        if not key:
            continue
        head = first.setdefault(key, position)
        if head != position:
            left.append(head)
            right.append(position)
    return np.array(left, np.int64), np.array(right, np.int64), np.ones(len(left), np.float32)


def exact_clusters(items: Sequence[DedupItem]) -> list[Cluster]:
    """Items whose normalised texts are equal (empty texts are never duplicates)."""
    _check(items)
    return _clusters(items, _exact_pairs(items))


def minhash_clusters(
    items: Sequence[DedupItem],
    threshold: float = DEFAULT_MINHASH_THRESHOLD,
    num_perm: int = 128,
    seed: int = 1,
) -> list[Cluster]:
    """Items whose word 3-gram sets have estimated Jaccard similarity >= threshold."""
    _check(items, threshold)
    signatures, present = minhash_signatures([item.text for item in items], num_perm, seed)
    rows = np.flatnonzero(present)
    if len(rows) < 2:
        return []
    left, right, sims = minhash_pairs(signatures[rows], threshold)
    return _clusters(items, (rows[left], rows[right], sims))


def semantic_clusters(
    items: Sequence[DedupItem],
    vectors: npt.NDArray[np.floating],
    threshold: float = DEFAULT_SEMANTIC_THRESHOLD,
) -> list[Cluster]:
    """Items whose embeddings (L2-normalised rows aligned with items) have cosine >= threshold,
    or whose texts are equal after normalisation."""
    _check(items, threshold)
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2 or len(array) != len(items):
        raise ValueError(f"vectors must be one row per item: got {array.shape} for {len(items)}")
    norms = np.linalg.norm(array, axis=1)
    if np.any((np.abs(norms - 1.0) > 1e-3) & (norms > 0)):
        raise ValueError("vectors must be L2-normalised rows (zero rows allowed)")
    if len(items) < 2:
        return []
    # e5 is cased: an all-capitals copy scored 0.946 against its original, so copies that
    # only normalisation tells apart are linked directly, as exact mode would.
    near, same = cosine_pairs(array, threshold), _exact_pairs(items)
    return _clusters(
        items,
        (
            np.concatenate([near[0], same[0]]),
            np.concatenate([near[1], same[1]]),
            np.concatenate([near[2], same[2]]),
        ),
    )


def find_clusters(
    items: Sequence[DedupItem],
    mode: str,
    *,
    threshold: float | None = None,
    vectors: npt.NDArray[np.floating] | None = None,
) -> list[Cluster]:
    """Duplicate clusters by `mode` (exact ignores the threshold; semantic needs vectors)."""
    if mode == "exact":
        return exact_clusters(items)
    if mode == "minhash":
        return minhash_clusters(
            items, DEFAULT_MINHASH_THRESHOLD if threshold is None else threshold
        )
    if mode == "semantic":
        if vectors is None:
            raise ValueError("semantic dedup needs vectors: embed the texts first")
        limit = DEFAULT_SEMANTIC_THRESHOLD if threshold is None else threshold
        return semantic_clusters(items, vectors, limit)
    raise ValueError(f"unknown dedup mode {mode!r}; choose one of {', '.join(MODES)}")
