"""Privacy figures: exact copies of real rows and distance to the closest real record (DCR).

These are empirical checks of what a synthetic table gives away, not a guarantee: a table
can pass both and still disclose something about a rare real person. Nothing here is
differential privacy.

* ``exact_copy_rate``: the share of synthetic rows equal to some real row on every compared
  column (keys, free text and other unreadable columns are left out: a fresh key on a
  copied row is still a copy).
* ``holdout_copy_rate`` (needs a holdout): the same share for unseen real rows, the natural
  rate. Rows of few coarse columns repeat in any population (on Titanic's passengers most
  do), so a copy rate means something only beside it.
* DCR uses the distance of sdmetrics' DCR metrics (``calculate_dcr``): per column, numbers
  and dates ``|a - b| / range`` of the reference (capped at 1), labels 0 if equal else 1, a
  null against a value 1 and two nulls 0; the distance of two rows is the mean over columns.
  Computed here in blocks with numpy, because sdmetrics' cross-join takes minutes on a
  10,000-row table; a test checks both agree.
* ``dcr_share_closer_to_train`` (needs a real holdout the synthesizer never saw): the share of
  synthetic rows closer to the training rows than to the holdout rows, with both real sets cut
  to the same size. Around 0.5 means the synthesizer did not memorise its training rows; near 1
  means it did. Its privacy score, as sdmetrics' DCROverfittingProtection, is
  ``min(1, 2 * (1 - share))``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sdv_pillars.encoding import row_hashes
from sdv_pillars.profiling import CATEGORY_KINDS, ColumnProfile
from sdv_pillars.quality.columns import compared_frames

BLOCK_CELLS = 4_000_000  # distance cells computed at once


def exact_copy_rate(real: pd.DataFrame, synthetic: pd.DataFrame, profile: dict[str, ColumnProfile]) -> float:
    """Share of synthetic rows that equal a real row on every compared column."""
    return float(np.isin(row_hashes(synthetic, profile), row_hashes(real, profile)).mean())


def _add_numeric(total: np.ndarray, a: np.ndarray, b: np.ndarray, spread: float) -> None:
    """Add one numeric column's distances between rows ``a`` and ``b`` to ``total``, in place."""
    diff = np.abs(np.subtract.outer(a, b))
    if spread == 0:
        diff = (diff > 0).astype(float)
    else:
        diff *= 1.0 / spread
        np.minimum(diff, 1.0, out=diff)
    a_null, b_null = np.isnan(a), np.isnan(b)
    if a_null.any() or b_null.any():
        diff[np.logical_xor.outer(a_null, b_null)] = 1.0
        diff[np.logical_and.outer(a_null, b_null)] = 0.0
    total += diff


def distance_to_closest_record(
    data: pd.DataFrame, reference: pd.DataFrame, profile: dict[str, ColumnProfile]
) -> np.ndarray:
    """For each row of ``data``, the distance to its closest row of ``reference`` (see above)."""
    columns, data_f, ref_f = compared_frames(data, reference, profile)
    prepared = []
    for column in columns:
        if profile[column].kind in CATEGORY_KINDS:
            both = pd.concat([data_f[column], ref_f[column]], ignore_index=True)
            codes = pd.factorize(both, use_na_sentinel=True)[0].astype(float)
            codes[codes < 0] = -1  # nulls share one code, so two nulls are equal
            prepared.append((None, codes[: len(data_f)], codes[len(data_f):]))
        else:
            ref_values = ref_f[column].to_numpy(dtype=float)
            finite = ref_values[np.isfinite(ref_values)]
            spread = float(np.ptp(finite)) if len(finite) else 0.0
            prepared.append((spread, data_f[column].to_numpy(dtype=float), ref_values))
    block = max(1, BLOCK_CELLS // max(len(ref_f), 1))
    closest = np.empty(len(data_f))
    for start in range(0, len(data_f), block):
        stop = min(start + block, len(data_f))
        total = np.zeros((stop - start, len(ref_f)))
        for spread, values, ref_values in prepared:
            if spread is None:
                total += values[start:stop, None] != ref_values[None, :]
            else:
                _add_numeric(total, values[start:stop], ref_values, spread)
        closest[start:stop] = total.min(axis=1) / len(columns)
    return closest


def privacy_figures(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame | None,
    profile: dict[str, ColumnProfile],
    max_rows: int = 2_000,
    random_state: int | None = 0,
) -> tuple[dict[str, float | None], pd.DataFrame]:
    """Exact copies and DCR figures, and the per-row distances (of at most ``max_rows``
    synthetic rows) for the report's histogram."""
    scores: dict[str, float | None] = {"exact_copy_rate": exact_copy_rate(real, synthetic, profile)}
    sample = synthetic.sample(min(max_rows, len(synthetic)), random_state=random_state)
    train = real
    if holdout is not None:
        size = min(len(real), len(holdout))
        train = real.sample(size, random_state=random_state)
        holdout = holdout.sample(size, random_state=random_state)
    to_train = distance_to_closest_record(sample, train, profile)
    distances = pd.DataFrame({"dcr_to_train": to_train})
    scores["dcr_median"] = float(np.median(to_train))
    scores["dcr_share_closer_to_train"] = None
    scores["dcr_overfitting_protection"] = None
    scores["dcr_median_holdout_to_train"] = None
    scores["holdout_copy_rate"] = None
    if holdout is not None:
        scores["holdout_copy_rate"] = exact_copy_rate(real, holdout, profile)
        to_holdout = distance_to_closest_record(sample, holdout, profile)
        distances["dcr_to_holdout"] = to_holdout
        share = float(np.mean(to_train < to_holdout))
        scores["dcr_share_closer_to_train"] = share
        scores["dcr_overfitting_protection"] = min(1.0, 2 * (1 - share))
        scores["dcr_median_holdout_to_train"] = float(np.median(
            distance_to_closest_record(holdout.head(max_rows), train, profile)))
    return scores, distances
