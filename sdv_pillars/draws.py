"""Random draws shared by the constraints that rebuild values at sampling time."""

from __future__ import annotations

import numpy as np


def sampling_rng(seed: int | None, *stream: int) -> np.random.Generator:
    """The generator of one constraint's sampling stream.

    ``stream`` (a constraint kind and, where there are several, its position) keeps the
    streams of different constraints apart under one seed. The seed and the stream are
    mixed by numpy's ``SeedSequence``, so (seed 1, stream 2) and (seed 2, stream 1) are
    unrelated generators, which ``seed + stream`` would have made the same.
    """
    return np.random.default_rng(None if seed is None else [seed, *stream])


def fresh_seed() -> int:
    """A seed drawn from the operating system, for a fit given no ``random_state``: its
    constraints then repeat their draws after ``reset_sampling``, as SDV's backbones do."""
    return int(np.random.SeedSequence().generate_state(1)[0])


def draw_in_ranges(rng: np.random.Generator, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """One index drawn uniformly from ``[start, stop)`` per row (``start`` where empty)."""
    width = np.maximum(np.asarray(stop) - np.asarray(start), 0)
    return np.asarray(start) + np.floor(rng.random(len(width)) * width).astype(int)
