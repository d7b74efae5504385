"""Random draws shared by the constraints that rebuild values at sampling time."""

from __future__ import annotations

import numpy as np


def sampling_rng(random_state: int | None, stream: int) -> np.random.Generator:
    """The generator of one constraint's sampling stream.

    ``stream`` keeps the streams of different constraints apart under one user seed, so a
    rule's residual draws do not repeat the missingness constraint's null draws.
    """
    return np.random.default_rng(None if random_state is None else random_state + stream)


def draw_in_ranges(rng: np.random.Generator, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """One index drawn uniformly from ``[start, stop)`` per row (``start`` where empty)."""
    width = np.maximum(np.asarray(stop) - np.asarray(start), 0)
    return np.asarray(start) + np.floor(rng.random(len(width)) * width).astype(int)
