"""A hot deck: each null filled with a value drawn from the observed values of its column.

It keeps a column's distribution (mean or mode imputation would pile mass on one value), and
its draws respect the inequalities the table obeys, so a filled table still satisfies them.
The missingness analysis fills the design its null models are fitted on with it, and the
missingness constraint fills the nulls it hands the backbone with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sdv_pillars.defaults import MAX_DONORS
from sdv_pillars.draws import draw_in_ranges
from sdv_pillars.encoding import model_frame
from sdv_pillars.profiling import ColumnProfile


class HotDeck:
    """Donor values per column, and fills within ``bounds``.

    Args:
        column_profiles: how to read each column (donors are sorted as a model reads them).
        bounds: ``(low, high, strict)`` inequalities that filled values must respect.
        max_donors: observed values kept per column (a random sample of them beyond that).
        random_state: seed of the donor sample.
    """

    def __init__(self, column_profiles: dict[str, ColumnProfile],
                 bounds: list[tuple[str, str, bool]] | None = None,
                 max_donors: int = MAX_DONORS, random_state: int | None = None):
        self.column_profiles = column_profiles
        self.bounds = bounds
        self.max_donors = max_donors
        self.random_state = random_state

    def fit(self, data: pd.DataFrame, columns: list[str]) -> "HotDeck":
        """Keep the observed values of ``columns``, sorted, as donors."""
        self.donors_: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for column in columns:
            observed = data[column].dropna()
            if len(observed) > self.max_donors:
                observed = observed.sample(self.max_donors, random_state=self.random_state)
            keys = model_frame(observed.to_frame(), self.column_profiles)[column].to_numpy()
            ordered = np.argsort(keys, kind="stable")
            self.donors_[column] = (observed.to_numpy(dtype=object)[ordered], keys[ordered])
        return self

    def _partners(self) -> dict[str, tuple[str, str, bool]]:
        partners = {}
        for low, high, strict in self.bounds or []:
            partners[low] = (high, "below", strict)
            partners[high] = (low, "above", strict)
        return partners

    def fill(self, data: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """A copy of ``data`` with each null of a donor column filled, within the bounds."""
        data = data.copy()
        partners = self._partners()
        for column, (values, keys) in self.donors_.items():
            if column not in data.columns:
                continue
            missing = data[column].isna().to_numpy()
            if not missing.any():
                continue
            n = len(values)
            lo, hi = np.zeros(missing.sum(), dtype=int), np.full(missing.sum(), n)
            partner = partners.get(column)
            bounded = partner is not None and partner[0] in data.columns
            if bounded:
                other, side, strict = partner
                bound = model_frame(data.loc[missing, [other]], self.column_profiles)[other].to_numpy()
                known = np.isfinite(bound)
                if side == "below":
                    hi[known] = np.searchsorted(keys, bound[known], side="left" if strict else "right")
                else:
                    lo[known] = np.searchsorted(keys, bound[known], side="right" if strict else "left")
            fills = values[np.clip(draw_in_ranges(rng, lo, hi), 0, n - 1)].copy()
            if bounded:
                # No donor fits the bound: the partner's own value is the closest valid one,
                # moved by the smallest step when the inequality is strict.
                empty = hi <= lo
                closest = data.loc[missing, other].to_numpy(dtype=object)[empty]
                if strict and pd.api.types.is_numeric_dtype(data[other]):
                    direction = -np.inf if side == "below" else np.inf
                    closest = np.nextafter(closest.astype(float), direction)
                fills[empty] = closest
            data[column] = data[column].astype(object)
            data.loc[missing, column] = fills
            data[column] = data[column].infer_objects()
        return data
