"""Embeddings computed once per text and kept in the database, so re-runs and other checks
(grounding, semantic dedup, voting) never embed the same text twice."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from easy_dataset.quality.embedding import Embedder, Vectors, load_embedder, normalise
from easy_dataset.services.app import App
from easy_dataset.store.dataset import EmbeddingVector

# Rows looked up per query (SQLite's bound-parameter limit) and texts embedded per call.
LOOKUP_BATCH = 500
EMBED_BATCH = 64


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """An embedder whose vectors are stored per (embedder, text) and read back next time."""

    def __init__(self, app: App, embedder: Embedder | None = None) -> None:
        self.app = app
        self.embedder = embedder or load_embedder()

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Vectors for `texts` in order; only texts never seen before are embedded."""
        hashes = [text_hash(text) for text in texts]
        known = self._load(set(hashes))
        missing = list(dict.fromkeys(h for h in hashes if h not in known))
        by_hash = {h: text for h, text in zip(hashes, texts, strict=True)}
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start : start + EMBED_BATCH]
            vectors = self.embedder.embed([by_hash[h] for h in batch])
            self._store(batch, vectors)
            known.update(zip(batch, vectors, strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(np.stack([known[h] for h in hashes]))

    def _load(self, hashes: set[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        wanted = list(hashes)
        with self.app.db.session() as session:
            for start in range(0, len(wanted), LOOKUP_BATCH):
                rows = session.execute(
                    select(EmbeddingVector.text_hash, EmbeddingVector.vector).where(
                        EmbeddingVector.model == self.name,
                        EmbeddingVector.text_hash.in_(wanted[start : start + LOOKUP_BATCH]),
                    )
                )
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        return found

    def _store(self, hashes: list[str], vectors: Vectors) -> None:
        rows = [
            {"model": self.name, "text_hash": h, "vector": v.astype(np.float16).tobytes()}
            for h, v in zip(hashes, vectors, strict=True)
        ]
        with self.app.db.session() as session:
            if session.get_bind().dialect.name == "sqlite":
                # Two runs may embed the same text at once; the first stored wins.
                session.execute(
                    sqlite_insert(EmbeddingVector).values(rows).on_conflict_do_nothing()
                )
                return
            present = set(
                session.scalars(
                    select(EmbeddingVector.text_hash).where(
                        EmbeddingVector.model == self.name, EmbeddingVector.text_hash.in_(hashes)
                    )
                )
            )
            session.add_all(
                EmbeddingVector(**row) for row in rows if row["text_hash"] not in present
            )
