"""Consistency voting: ask the same question k times, and keep the answer only when most of
the answers say the same thing; a model that answers differently each time is guessing.

Answers agree when their embeddings are close. The group is built around a medoid (the
answer closest to most others) rather than by chaining, so A~B and B~C does not make A~C.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from easy_dataset.quality.embedding import Vectors, normalise
from easy_dataset.quality.grounding import numbers

# Calibrated with E5Embedder on 21 pairs of paraphrased answers and 99 pairs of contradicting
# ones (seven questions with three paraphrases and two contradictions each, five with five
# mutually contradicting answers), e.g. "Workers live about six weeks in summer" against
# "Workers live around 6 weeks during summer": 0.998, and "Workers live for five years": 0.909.
# - English paraphrase pairs: 0.912-0.998, but 0.861-0.899 for "three weeks" vs "21 days".
# - English contradictions: mostly 0.81-0.92; those that keep the sentence and swap one word
#   reach 0.93-0.96 ("Chalkbrood is caused by a fungus" / "by a virus": 0.954), as does a
#   changed number ("emerges after 21 days" / "after 10 days": 0.950).
# At 0.92, 15 of the 18 English paraphrase pairs agree and 11 of the 82 English contradiction
# pairs do (15 without the number check); 0.93 loses 3 more paraphrases and no contradiction,
# 0.91 gains 1 paraphrase and 3 contradictions. Chinese answers on one topic all
# score 0.93-0.96, paraphrase or not, so a Chinese "majority" only means "same topic".
DEFAULT_AGREEMENT = 0.92


@dataclass(frozen=True)
class Agreement:
    """How far k answers to one question agree."""

    total: int  # answers compared
    agreeing: int  # size of the largest agreeing group, its medoid included
    chosen: int  # index of the answer to keep: the medoid of that group
    share: float  # agreeing / total
    majority: bool  # agreeing > total / 2
    similarities: tuple[tuple[float, ...], ...]  # pairwise cosines, total x total


def agree(
    vectors: Vectors,
    *,
    threshold: float = DEFAULT_AGREEMENT,
    texts: Sequence[str] | None = None,
) -> Agreement:
    """Whether most answers agree, from their vectors (and their `texts`' numbers, if given)."""
    # With texts, two answers that both state numbers but share none disagree however close
    # their vectors are.
    total = len(vectors)
    if total == 0:
        raise ValueError("agreement needs at least one answer")
    # Normalised again, cheaply, so vectors from elsewhere still give cosines.
    matrix = normalise(np.asarray(vectors, dtype=np.float32).reshape(total, -1))
    if texts is not None and len(texts) != total:
        raise ValueError(f"{len(texts)} texts for {total} vectors")
    cosines = np.clip(matrix @ matrix.T, -1.0, 1.0)
    close = cosines >= threshold
    np.fill_diagonal(close, True)  # a zero vector still agrees with itself
    if texts is not None:
        close &= _numbers_compatible(texts)
    neighbours = close.sum(axis=1)
    chosen = int(np.argmax(neighbours))  # argmax takes the earliest of tied answers
    agreeing = int(neighbours[chosen])
    return Agreement(
        total=total,
        agreeing=agreeing,
        chosen=chosen,
        share=agreeing / total,
        majority=agreeing > total / 2,
        similarities=tuple(tuple(float(value) for value in row) for row in cosines),
    )


def _numbers_compatible(texts: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Pairs of answers whose numbers could agree: one states none, or they share one."""
    # A changed figure costs an e5 cosine 0.03-0.05, less than rewording a paraphrase does.
    stated = [numbers(text) for text in texts]
    size = len(stated)
    compatible = np.ones((size, size), dtype=bool)
    for i in range(size):
        for j in range(i + 1, size):
            if stated[i] and stated[j] and not stated[i] & stated[j]:
                compatible[i, j] = compatible[j, i] = False
    return compatible
