"""Near-duplicate detection over a whole project's texts: exact (after normalisation),
MinHash over word 3-grams, and semantic (cosine of sentence embeddings).

Every mode returns clusters: connected components of verified pairs, each with the member
worth keeping. Candidate search is sub-quadratic in the two approximate modes; every
candidate pair is verified before it links anything, so a false candidate costs time, never
a wrong cluster.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from easy_dataset.quality.contamination import tokens

MODES = ("exact", "minhash", "semantic")
DEFAULT_MINHASH_THRESHOLD = 0.7
# multilingual-e5-small puts unrelated questions near 0.80, same-topic but different questions
# at 0.91-0.96 ("how is X diagnosed" / "how is X treated": 0.962) and paraphrases at 0.97-0.998;
# 0.965 separates the two on the planted calibration set (see benchmarks/quality_scale.py).
DEFAULT_SEMANTIC_THRESHOLD = 0.965

SHINGLE = 3  # word 3-grams: one changed word alters at most three shingles
WINDOW = 32  # members of one LSH bucket each checked against their next WINDOW neighbours
EXACT_COSINE_MAX = 8192  # up to this many vectors, compare all pairs (under a second)
PROBES = 16  # cells each vector is searched in beyond its own

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff"
_HAS_CJK = re.compile(f"[{_CJK}]")
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")
_U64 = np.uint64


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
        point: " "
        for point in range(0x10000)
        if unicodedata.category(chr(point)).startswith("P")
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
    if len({item.id for item in items}) != len(items):
        raise ValueError("item ids must be unique")
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")


def _empty_pairs() -> Pairs:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)


def exact_clusters(items: Sequence[DedupItem]) -> list[Cluster]:
    """Items whose normalised texts are equal (empty texts are never duplicates)."""
    _check(items)
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
    pairs = (np.array(left, np.int64), np.array(right, np.int64), np.ones(len(left), np.float32))
    return _clusters(items, pairs)


# --- MinHash ----------------------------------------------------------------------------


def _fmix64(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser: spreads structured keys over all bits."""
    values = values ^ (values >> _U64(33))
    values = values * _U64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> _U64(33))
    values = values * _U64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> _U64(33))


def _fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """MurmurHash3's 32-bit finaliser, the pre-mix datasketch's "affine32" scheme applies."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def _shingle_hashes(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """32-bit hashes of every text's shingles, concatenated, and each text's shingle count.

    Each distinct word is hashed once (blake2b, so values depend neither on the process nor
    on the other texts); 3-grams are combined from word hashes in numpy, which keeps the
    Python work to one regex and one dict lookup per word.
    """
    flat: list[str] = []
    lengths = np.zeros(len(texts), np.int64)
    for position, text in enumerate(texts):
        # tokens() already folds case, applies NFKC and drops punctuation, so its words equal
        # those of normalise(text); skipping normalise here saves a third of the time.
        words = tokens(text)
        lengths[position] = len(words)
        flat.extend(words)
    vocabulary = {word: index for index, word in enumerate(dict.fromkeys(flat))}
    word_hashes = np.array(
        [
            int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            for word in vocabulary
        ],
        dtype=np.uint64,
    )
    ids = np.fromiter(map(vocabulary.__getitem__, flat), dtype=np.int64, count=len(flat))
    hashes = word_hashes[ids]
    # Texts shorter than a shingle contribute their words one by one.
    counts = np.where(lengths >= SHINGLE, lengths - SHINGLE + 1, lengths)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.uint32), counts
    starts = np.cumsum(lengths) - lengths
    shingle_starts = np.cumsum(counts) - counts
    pos = np.repeat(starts, counts) + np.arange(total) - np.repeat(shingle_starts, counts)
    whole = np.repeat(lengths >= SHINGLE, counts)
    last = len(hashes) - 1
    gram = hashes[pos] * _U64(0x9E3779B97F4A7C15)
    gram = gram + hashes[np.minimum(pos + 1, last)] * _U64(0xC2B2AE3D27D4EB4F)
    gram = gram + hashes[np.minimum(pos + 2, last)] * _U64(0x165667B19E3779F9)
    single = hashes[pos] * _U64(0x27D4EB2F165667C5) + _U64(0x85EBCA77C2B2AE63)
    mixed = _fmix64(np.where(whole, gram, single))
    return (mixed >> _U64(32)).astype(np.uint32), counts


@functools.cache
def _permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint32], ...]:
    """datasketch's own "affine32" permutations, so signatures match its MinHash and
    LeanMinHash(scheme="affine32") and can be stored or indexed with it."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return np.asarray(a, np.uint32), np.asarray(b, np.uint32)


def minhash_signatures(
    texts: Sequence[str], num_perm: int = 128, seed: int = 1
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """MinHash signatures (one uint32 row per text) and which texts had any shingle."""
    hashes, counts = _shingle_hashes(texts)
    a, b = _permutations(num_perm, seed)
    signatures = np.full((len(texts), num_perm), np.iinfo(np.uint32).max, np.uint32)
    present = counts > 0
    rows = np.flatnonzero(present)
    ends = np.cumsum(counts[rows])
    begins = ends - counts[rows]
    mixed = _fmix32(hashes)
    block = max(1, (1 << 22) // num_perm)  # ~16 MB of permuted values at a time
    row = 0
    while row < len(rows):
        stop = int(np.searchsorted(ends, ends[row] + block - 1, side="left")) + 1
        stop = min(max(stop, row + 1), len(rows))
        lo, hi = int(begins[row]), int(ends[stop - 1])
        # Every permutation over every shingle at once (uint32 arithmetic wraps mod 2^32, as
        # datasketch's affine32 intends), then the minimum per text in one reduceat; laid out
        # permutation-major, as reducing along contiguous rows is 6x faster than down columns.
        permuted = a[:, None] * mixed[None, lo:hi] + b[:, None]
        lowest = np.minimum.reduceat(permuted, begins[row:stop] - lo, axis=1)
        signatures[rows[row:stop]] = lowest.T
        row = stop
    return signatures, present


@functools.cache
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's optimal (bands, rows) for the threshold: equal false +/- weights."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


def _bucket_pairs(keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], ...]:
    """Pairs of rows sharing a key: each row with its next WINDOW rows of the same key."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    lefts, rights = [], []
    for offset in range(1, WINDOW + 1):
        same = np.flatnonzero(ordered[:-offset] == ordered[offset:])
        if not len(same):
            break
        lefts.append(order[same])
        rights.append(order[same + offset])
    if not lefts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(lefts).astype(np.int64), np.concatenate(rights).astype(np.int64)


def _row_keys(columns: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """A 64-bit key per row of uint32 columns (equal rows, equal keys)."""
    key = np.zeros(len(columns), np.uint64)
    for column in range(columns.shape[1]):
        key = _fmix64(key ^ columns[:, column].astype(np.uint64))
    return key


def _minhash_pairs(signatures: npt.NDArray[np.uint32], threshold: float) -> Pairs:
    """Verified pairs (estimated Jaccard >= threshold) among the signature rows."""
    n, num_perm = signatures.shape
    bands, rows = _bands(threshold, num_perm)
    # Identical signatures (copies after normalisation) are linked to their first row and
    # left out of the banding, so a thousand copies cost a thousand links, not 500,000 pairs.
    whole = _row_keys(signatures)
    _, first, inverse = np.unique(whole, return_index=True, return_inverse=True)
    head = first[inverse.reshape(-1)]
    copy = (head != np.arange(n)) & np.all(signatures == signatures[head], axis=1)
    copies = np.flatnonzero(copy)
    kept = np.flatnonzero(~copy)
    # Banding is done here rather than in datasketch's MinHashLSH: inserting and querying 10^5
    # LeanMinHash objects took 6.8 s on this 2-core machine, sorting 14 band keys ~0.2 s.
    lefts, rights = [], []
    for band in range(bands):
        keys = _row_keys(signatures[kept, band * rows : (band + 1) * rows])
        left, right = _bucket_pairs(keys)
        lefts.append(kept[left])
        rights.append(kept[right])
    left = np.concatenate(lefts)
    right = np.concatenate(rights)
    codes = np.unique(np.minimum(left, right) * n + np.maximum(left, right))
    left, right = codes // n, codes % n
    sims = np.zeros(len(codes), np.float32)
    step = 1 << 16
    for start in range(0, len(codes), step):
        a, b = left[start : start + step], right[start : start + step]
        agree = np.count_nonzero(signatures[a] == signatures[b], axis=1)
        sims[start : start + step] = agree / num_perm
    ok = sims >= np.float32(threshold)
    return (
        np.concatenate([head[copies], left[ok]]),
        np.concatenate([copies, right[ok]]),
        np.concatenate([np.ones(len(copies), np.float32), sims[ok]]),
    )


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
    left, right, sims = _minhash_pairs(signatures[rows], threshold)
    return _clusters(items, (rows[left], rows[right], sims))


# --- semantic ---------------------------------------------------------------------------


def _cosine_block(
    queries: npt.NDArray[np.float32], keys: npt.NDArray[np.float32], threshold: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """(query row, key row, cosine) for every pair at or above threshold, in row blocks."""
    step = max(1, (1 << 24) // max(len(keys), 1))  # 64 MB of float32 products at a time
    found: list[tuple[npt.NDArray[np.int64], ...]] = []
    sims: list[npt.NDArray[np.float32]] = []
    for start in range(0, len(queries), step):
        product = queries[start : start + step] @ keys.T
        q, k = np.nonzero(product >= threshold)
        found.append((q.astype(np.int64) + start, k.astype(np.int64)))
        sims.append(product[q, k])
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    return (
        np.concatenate([f[0] for f in found]),
        np.concatenate([f[1] for f in found]),
        np.concatenate(sims),
    )


def _kmeans(points: npt.NDArray[np.float32], cells: int, rounds: int = 6) -> npt.NDArray[np.float32]:
    """Unit centroids of spherical k-means (seeded, so cells are reproducible)."""
    rng = np.random.default_rng(0)
    centroids = points[rng.choice(len(points), cells, replace=False)].copy()
    for _ in range(rounds):
        owner = np.argmax(points @ centroids.T, axis=1)
        order = np.argsort(owner, kind="stable")
        used, starts = np.unique(owner[order], return_index=True)
        sums = np.zeros_like(centroids)
        sums[used] = np.add.reduceat(points[order], starts, axis=0)  # 10x np.add.at's speed
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        filled = norms[:, 0] > 0  # an empty cell keeps its old centroid
        centroids[filled] = sums[filled] / norms[filled]
    return centroids


def _semantic_pairs(vectors: npt.NDArray[np.float32], threshold: float) -> Pairs:
    """Pairs with cosine >= threshold: all pairs when few, else an inverted-file search.

    For many vectors, the (mean-centred) vectors are split into ~sqrt(PROBES * n) k-means
    cells; every vector is compared exactly with the vectors living in its PROBES + 1 nearest
    cells, and a pair is found when either one's cell is among the other's nearest. Centring
    matters: e5 vectors all lie in a narrow cone (unrelated texts ~0.8), which leaves
    random-hyperplane LSH almost no angle to separate them by. Recall is therefore not
    guaranteed, but measured (benchmarks/quality_scale.py); every reported cosine is exact.
    """
    n = len(vectors)
    if n <= EXACT_COSINE_MAX:
        q, k, s = _cosine_block(vectors, vectors, threshold)
        upper = q < k
        return q[upper], k[upper], s[upper]
    centred = vectors - vectors.mean(axis=0)
    centred /= np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12)
    cells = int(np.sqrt(PROBES * n))
    rng = np.random.default_rng(0)
    sample = centred[rng.choice(n, min(n, 16 * cells), replace=False)]
    centroids = _kmeans(sample, cells)
    near = np.empty((n, PROBES + 1), np.int64)
    step = 8192
    for start in range(0, n, step):
        scores = centred[start : start + step] @ centroids.T
        top = np.argpartition(-scores, PROBES, axis=1)[:, : PROBES + 1]
        order = np.take_along_axis(scores, top, axis=1).argsort(axis=1)[:, ::-1]
        near[start : start + step] = np.take_along_axis(top, order, axis=1)
    home = near[:, 0]
    residents = np.argsort(home, kind="stable")
    bounds = np.searchsorted(home[residents], np.arange(cells + 1))
    probe_cell = near.reshape(-1)
    probe_row = np.repeat(np.arange(n), PROBES + 1)
    by_cell = np.argsort(probe_cell, kind="stable")
    probe_bounds = np.searchsorted(probe_cell[by_cell], np.arange(cells + 1))
    lefts, rights, sims = [], [], []
    for cell in range(cells):
        members = residents[bounds[cell] : bounds[cell + 1]]
        if not len(members):
            continue
        askers = probe_row[by_cell[probe_bounds[cell] : probe_bounds[cell + 1]]]
        q, k, s = _cosine_block(vectors[askers], vectors[members], threshold)
        a, b = askers[q], members[k]
        keep = a != b
        lefts.append(np.minimum(a[keep], b[keep]))
        rights.append(np.maximum(a[keep], b[keep]))
        sims.append(s[keep])
    if not lefts:
        return _empty_pairs()
    left, right, sim = np.concatenate(lefts), np.concatenate(rights), np.concatenate(sims)
    _, unique = np.unique(left * n + right, return_index=True)
    return left[unique], right[unique], sim[unique]


def semantic_clusters(
    items: Sequence[DedupItem],
    vectors: npt.NDArray[np.floating],
    threshold: float = DEFAULT_SEMANTIC_THRESHOLD,
) -> list[Cluster]:
    """Items whose embeddings (L2-normalised rows aligned with items) have cosine >= threshold."""
    _check(items, threshold)
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2 or len(array) != len(items):
        raise ValueError(f"vectors must be one row per item: got {array.shape} for {len(items)}")
    if len(items) < 2:
        return []
    return _clusters(items, _semantic_pairs(array, threshold))


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
        return minhash_clusters(items, DEFAULT_MINHASH_THRESHOLD if threshold is None else threshold)
    if mode == "semantic":
        if vectors is None:
            raise ValueError("semantic dedup needs vectors: embed the texts first")
        limit = DEFAULT_SEMANTIC_THRESHOLD if threshold is None else threshold
        return semantic_clusters(items, vectors, limit)
    raise ValueError(f"unknown dedup mode {mode!r}; choose one of {', '.join(MODES)}")
