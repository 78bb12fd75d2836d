"""Candidate pairs as three aligned arrays: left rows, right rows, verified similarity."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]


def empty_pairs() -> Pairs:
    """No pairs, typed like any others."""
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
