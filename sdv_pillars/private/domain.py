"""The domain of each column, learnt under differential privacy: which labels exist and
where the numbers lie. A model can only be private if the values it may emit are.

* Nulls: null counts as one more label, or one more bin, of the same histogram (each row
  still falls in one bin, so it costs nothing more); a column gets a null code only when its
  null bin passes, so a column without nulls grows them from noise only on the 1% chance
  that its empty null bin passes (``ONE_BIN_PASS``).
* Labels: the stability-based histogram (Korolova et al. 2009; Wilson et al. 2020, Google's
  DP SQL). Each row holds one label, so a count changes by at most 1 between neighbouring
  tables; a label is released when its count plus Laplace(1/epsilon) noise passes
  ``1 + ln(1 / (2 delta)) / epsilon``. A label held by a single row passes with probability
  at most delta, so a rare value, the one that names someone, is almost never released.
  (epsilon, delta)-DP. The released labels are sorted, so their order tells nothing about
  their counts.
* Numbers: a histogram over a fixed grid of signed powers of two (a data-independent grid,
  so every bin's noisy count may be released: pure epsilon), from which the bounds are the
  lowest and highest bins whose noisy count passes a threshold that an empty bin passes with
  probability 5% (less a bin passing alone and narrowly, which is what an empty bin's
  noise looks like: on the GSS wages table one such bin once stretched age to 2^30), or the
  fullest bin when none passes; then a histogram of equal bins across that range narrows it
  when at least two of them pass.
  Exact zero is a bin of its own: when it passes, zero gets a code of its own too. Bounds
  the user knows are better: they cost nothing (``DPSynthesizer(bounds=...)``).

The noise comes from numpy's generator: like opacus outside ``secure_mode``, it is not
hardened against floating-point attacks on the Laplace mechanism (Mironov 2012).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

POWERS = 2.0 ** np.arange(-8, 63)
# [-2^62, -2^61), ..., [-2^-8, 0), [0, 0], (0, 2^-8), [2^-8, 2^-7), ..., [2^61, 2^62]: exact
# zero has a bin of its own, as the spike it often is (no debt, no assets)
EDGES = np.concatenate([-POWERS[::-1], [0.0, np.nextafter(0.0, 1.0)], POWERS])
ZERO_BIN = len(POWERS)
EMPTY_BIN_PASS = 0.05  # chance that some empty bin of the grid passes the bounds threshold
ONE_BIN_PASS = 0.01  # chance that an empty null or zero bin passes (a wrong code shows)
FINE_BINS = 32  # equal bins across the octaves found, to narrow the bounds


def label_threshold(epsilon: float, delta: float) -> float:
    """The noisy count a label must pass to be released at (epsilon, delta)."""
    return 1.0 + np.log(1.0 / (2.0 * delta)) / epsilon


def private_labels(values: pd.Series, epsilon: float, delta: float,
                   rng: np.random.Generator) -> tuple[list, bool]:
    """The labels of ``values`` whose noisy count passes ``label_threshold``, sorted, and
    whether null (one more label) passed."""
    counts = values.value_counts(sort=False, dropna=False)
    noisy = counts.to_numpy(dtype=float) + rng.laplace(0.0, 1.0 / epsilon, len(counts))
    kept = counts.index[noisy > label_threshold(epsilon, delta)]
    labels = [label for label in kept if not pd.isna(label)]
    return sorted(labels, key=lambda label: (str(type(label)), str(label))), len(labels) < len(kept)


def _passing_range(noisy: np.ndarray, threshold: float) -> tuple[int, int, int]:
    """First and last bin of the range the noisy counts say holds the values, and how many
    bins passed: the bins that pass ``threshold``, less any that passes alone (no passing
    bin within two on either side) and below twice the threshold, which is how an empty
    bin's noise looks (an empty bin passes twice the threshold with a chance of about
    (5% / bins)^2). When none passes, the fullest bin."""
    passed = noisy > threshold
    padded = np.pad(passed, 2)
    near = sum(padded[2 + shift:len(padded) - 2 + shift] for shift in (-2, -1, 1, 2))
    kept = np.flatnonzero(passed & ((near > 0) | (noisy > 2 * threshold)))
    if not len(kept):
        kept = np.array([np.argmax(noisy)])
        return int(kept[0]), int(kept[0]), 0
    return int(kept.min()), int(kept.max()), len(kept)


def private_bounds(values: np.ndarray, epsilon: float,
                   rng: np.random.Generator) -> tuple[tuple[float, float], bool, bool]:
    """Bounds ``(low, high)`` that hold most of the finite ``values``, whether the null bin
    passed and whether the zero bin did, at pure ``epsilon``. A NaN in ``values`` is a null.

    Two histograms, half of ``epsilon`` each: the grid of powers of two finds the octaves
    the values span, then ``FINE_BINS`` equal bins across them narrow it (years 1974-2018
    lie in the octave [1024, 2048)); unless two fine bins pass, the octaves stand."""
    half = epsilon / 2
    nulls = np.isnan(values)
    finite = values[~nulls]
    bins = np.clip(np.searchsorted(EDGES, finite, side="right") - 1, 0, len(EDGES) - 2)
    counts = np.append(np.bincount(bins, minlength=len(EDGES) - 1), nulls.sum()).astype(float)
    noisy = counts + rng.laplace(0.0, 1.0 / half, len(counts))
    has_nulls, has_zeros = (passes(noisy[index], half) for index in (-1, ZERO_BIN))
    ranged = noisy[:-1].copy()
    ranged[ZERO_BIN] = -np.inf  # zero has its own code: it does not stretch the bounds
    first, last, _ = _passing_range(ranged, np.log((len(ranged) - 1) / EMPTY_BIN_PASS) / half)
    low, high = float(EDGES[first]), float(EDGES[last + 1])
    edges = np.linspace(low, high, FINE_BINS + 1)
    inside = finite[(finite >= low) & (finite <= high)]  # each row in one bin at most
    fine = np.bincount(np.clip(np.searchsorted(edges, inside, side="right") - 1, 0, FINE_BINS - 1),
                       minlength=FINE_BINS) + rng.laplace(0.0, 1.0 / half, FINE_BINS)
    first, last, passed = _passing_range(fine, np.log(FINE_BINS / EMPTY_BIN_PASS) / half)
    if passed >= 2:  # one bin of a spread column is noise's pick: the octaves stand
        low, high = float(edges[first]), float(edges[last + 1])
    return (low, high), has_nulls, has_zeros


def passes(noisy_count: float, epsilon: float) -> bool:
    """Whether one bin's Laplace-noised count says it is not empty: a bar an empty bin passes
    with probability ``ONE_BIN_PASS`` (one bin, so lower than the whole grid's bar)."""
    return bool(noisy_count > np.log(1 / ONE_BIN_PASS) / epsilon)


def private_has_nulls(values: pd.Series, epsilon: float, rng: np.random.Generator) -> bool:
    """Whether ``values`` has nulls, from its Laplace-noised null count, at pure ``epsilon``
    (for a column whose labels are public, such as a boolean's)."""
    return passes(values.isna().sum() + rng.laplace(0.0, 1.0 / epsilon), epsilon)
