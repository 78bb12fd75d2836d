"""The grounding of an unanswerable question's answer: a refusal that claims nothing its
chunk lacks, and that does decline (`quality.refusal`)."""

from __future__ import annotations

from typing import Any

from easy_dataset.quality.refusal import check_refusal
from easy_dataset.services.embeddings import CachedEmbedder
from easy_dataset.services.quality.selection import PairSource


def refusal_grounded(
    source: PairSource, embedder: CachedEmbedder, threshold: float
) -> dict[str, Any]:
    """The score, flag and detail of an unanswerable pair: flagged when its answer does not
    decline (`detail.declines` false) or a sentence claims what the chunk does not say."""
    found = check_refusal(
        source.answer, source.chunk, source.question, embedder.embed, threshold=threshold
    )
    return {
        "score": round(found.grounding.score, 4),
        "flagged": found.flagged,
        "detail": {
            "similarity": round(found.grounding.similarity, 4),
            "threshold": threshold,
            "unanswerable": True,
            "declines": found.declines,
            "unsupported": [s.text for s in found.grounding.unsupported],
            "sentences": [
                {
                    "text": s.text,
                    "support": round(s.support, 4),
                    "semantic": round(s.semantic, 4),
                    "lexical": round(s.lexical, 4),
                    "supported": s.supported,
                    "declines": declining,
                }
                for s, declining in zip(found.grounding.sentences, found.declining, strict=True)
            ],
        },
    }
