"""Groups of 2–3 chunks that one question can need together: neighbours in a document's
outline, or chunks of different files that say similar things.

Pure functions over plain values: the caller reads the chunks and embeds them. Every chunk
goes into one group at most, so a project's cross-chunk questions spread over its text
instead of piling onto a few passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
import numpy.typing as npt

from easy_dataset.quality.embedding import Vectors
from easy_dataset.quality.vector_search import cosine_pairs

MIN_GROUP = 2
MAX_GROUP = 3


@dataclass(frozen=True)
class GroupChunk:
    """What grouping reads of a chunk: where it sits (file, place, headings)."""

    id: int
    file_id: int
    ordinal: int
    heading_path: tuple[str, ...]


@dataclass(frozen=True)
class ChunkGroup:
    """Chunks asked about together, the first being the one questions are filed under;
    `similarity` is the weakest cosine between members (None when grouped by headings)."""

    chunk_ids: tuple[int, ...]
    similarity: float | None = None


def _check_size(size: int) -> None:
    if not MIN_GROUP <= size <= MAX_GROUP:
        raise ValueError(f"a group holds {MIN_GROUP} to {MAX_GROUP} chunks, not {size}")


def related_headings(first: Sequence[str], other: Sequence[str]) -> bool:
    """Whether two chunks sit in one section, or in sibling sections under one parent:
    their heading paths share all but (at most) the last heading of the shorter one. Two
    chunks without headings are related (a document with no outline); one without and one
    with headings are not."""
    if not first and not other:
        return True
    shared = 0
    for mine, theirs in zip(first, other, strict=False):
        if mine != theirs:
            break
        shared += 1
    return shared >= max(1, min(len(first), len(other)) - 1)


def heading_groups(chunks: Sequence[GroupChunk], size: int) -> list[ChunkGroup]:
    """Runs of adjacent chunks of one file whose headings are related to the run's first
    chunk, up to `size` chunks (at least two), in document order."""
    _check_size(size)
    ordered = sorted(chunks, key=lambda chunk: (chunk.file_id, chunk.ordinal))
    groups: list[ChunkGroup] = []
    for _, in_file in groupby(ordered, key=lambda chunk: chunk.file_id):
        run = list(in_file)
        start = 0
        while start < len(run):
            head = run[start]
            members = [head]
            for chunk in run[start + 1 : start + size]:
                # Adjacent means next in place: a chunk left out of scope breaks the run.
                if chunk.ordinal != members[-1].ordinal + 1 or not related_headings(
                    head.heading_path, chunk.heading_path
                ):
                    break
                members.append(chunk)
            if len(members) >= MIN_GROUP:
                groups.append(ChunkGroup(tuple(chunk.id for chunk in members)))
                start += len(members)
            else:
                start += 1
    return groups


def similar_groups(
    chunks: Sequence[GroupChunk], vectors: Vectors, size: int, threshold: float
) -> list[ChunkGroup]:
    """Groups of chunks from different files whose cosine reaches `threshold`: the most
    similar pair first, each grown (for `size` 3) by the chunk of another file closest to
    both members (from any file); `vectors` are the chunks' unit embeddings, row for row."""
    _check_size(size)
    if len(chunks) != len(vectors):
        raise ValueError("one vector per chunk is needed")
    if len(chunks) < MIN_GROUP:
        return []
    unit = np.asarray(vectors, dtype=np.float32)
    files = np.array([chunk.file_id for chunk in chunks])
    left, right, sims = cosine_pairs(unit, threshold)
    across = files[left] != files[right]
    left, right, sims = left[across], right[across], sims[across]
    # Best pair first; equal cosines in chunk order, so the same project groups the same way.
    order = sorted(range(len(sims)), key=lambda i: (-float(sims[i]), int(left[i]), int(right[i])))
    used = np.zeros(len(chunks), dtype=bool)
    groups: list[ChunkGroup] = []
    for index in order:
        a, b = int(left[index]), int(right[index])
        if used[a] or used[b]:
            continue
        members = [a, b]
        weakest = float(sims[index])
        if size == MAX_GROUP:
            third = _third(unit, used, a, b, threshold)
            if third is not None:
                members.append(third[0])
                weakest = min(weakest, third[1])
        used[members] = True
        groups.append(ChunkGroup(tuple(chunks[i].id for i in members), round(weakest, 4)))
    return groups


def _third(
    unit: Vectors, used: npt.NDArray[np.bool_], a: int, b: int, threshold: float
) -> tuple[int, float] | None:
    """The unused chunk closest to both `a` and `b` (its weaker cosine highest), when that
    cosine reaches the threshold."""
    closeness = np.minimum(unit @ unit[a], unit @ unit[b])
    closeness[used] = -np.inf
    closeness[[a, b]] = -np.inf
    best = int(np.argmax(closeness))
    return (best, float(closeness[best])) if closeness[best] >= threshold else None
