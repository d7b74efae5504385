"""Pillar 3 (reproduction): missingness as an SDV 2 programmable constraint.

``transform`` hands the backbone complete columns: each null is filled with a value drawn
from the observed values of its column (a hot deck), which keeps the column's distribution
(mean or mode imputation would pile mass on one value). Draws respect the inequalities the
table obeys, so the filled table still satisfies them. ``reverse_transform`` re-imposes nulls
on the generated rows: MCAR at the learned rate, MAR from the fitted P(null | drivers).

Placed after the rule constraints in SDV's list, it is transformed after them and
reverse-transformed before them: the rules are fitted on, and rebuild their targets from,
features with their real gaps, and a derived column is never blanked behind a rule's back.
A MAR column's null probability comes from its fitted model. On a batch of at least
``recalibrate_min_rows`` rows the model's intercept is shifted so the batch's expected null
rate equals the real rate (a backbone that gets the drivers' distribution slightly wrong
would otherwise move the rate with it); smaller batches, such as the per-parent chunks of
HMA, use the shift learned on the real rows, so a chunk of 3 rows is treated row by row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sdv.cag import SingleTableProgrammableConstraint

from sdv_pillars.draws import draw_in_ranges, sampling_rng
from sdv_pillars.encoding import model_frame
from sdv_pillars.missingness.analysis import (
    NULL_SUFFIX,
    MissingnessModel,
    analyse_column,
    encode_one,
    indicator_profile,
)
from sdv_pillars.profiling import ColumnProfile

MAX_DONORS = 10_000


class MissingnessConstraint(SingleTableProgrammableConstraint):
    """Learn and re-impose the nulls of every column (of the given profiles) that has them.

    Args:
        column_profiles: ``ColumnProfile`` per column (id, text and other columns are left
            to SDV).
        bounds: ``(low, high, strict)`` inequalities that filled values must respect.
        alpha, min_auc: evidence needed to call a column MAR (see ``analysis``).
        max_rows: the MCAR/MAR test runs on a random sample of at most this many rows.
        recalibrate_min_rows: smallest batch whose expected null rate is set to the real
            rate (``None`` never recalibrates).
        random_state: seed for the fills, the tests and the re-imposed nulls.
        table_name: the table, for multi-table metadata.
    """

    def __init__(
        self,
        column_profiles: dict[str, ColumnProfile],
        bounds: list[tuple[str, str, bool]] | None = None,
        alpha: float = 0.01,
        min_auc: float = 0.55,
        max_rows: int = 5_000,
        recalibrate_min_rows: int | None = 100,
        random_state: int | None = None,
        table_name: str | None = None,
    ):
        self.column_profiles = column_profiles
        self.bounds = bounds
        self.alpha = alpha
        self.min_auc = min_auc
        self.max_rows = max_rows
        self.recalibrate_min_rows = recalibrate_min_rows
        self.random_state = random_state
        self.table_name = table_name

    # -- fitting -------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame, metadata) -> None:
        rng = np.random.default_rng(self.random_state)
        modelled = [c for c in data.columns if c in self.column_profiles
                    and self.column_profiles[c].is_modelled_value]
        nulls = data[modelled].isna().sum()
        self.order_ = [c for c in nulls.sort_values(ascending=False, kind="stable").index if nulls[c]]
        self.value_columns_ = [c for c in modelled if self.column_profiles[c].kind != "constant"]
        self.donors_ = {}
        for column in self.order_:
            observed = data[column].dropna()
            if len(observed) > MAX_DONORS:
                observed = observed.sample(MAX_DONORS, random_state=self.random_state)
            keys = model_frame(observed.to_frame(), self.column_profiles)[column].to_numpy()
            ordered = np.argsort(keys, kind="stable")
            self.donors_[column] = (observed.to_numpy(dtype=object)[ordered], keys[ordered])
        sample = data
        if len(data) > self.max_rows:
            sample = data.sample(self.max_rows, random_state=self.random_state)
        filled = self._fill(sample, rng)
        design = model_frame(filled[self.value_columns_], self.column_profiles)
        profile = dict(self.column_profiles)
        blocks = {c: encode_one(design[[c]], profile) for c in design.columns}
        self.models_: dict[str, MissingnessModel] = {}
        for column in self.order_:
            is_null = sample[column].isna().to_numpy()
            candidates = [c for c in design.columns if c != column]
            encoded = np.hstack([blocks[c] for c in candidates]) if candidates else np.empty((len(design), 0))
            self.models_[column] = analyse_column(
                column, design[candidates], encoded, is_null, profile,
                self.alpha, self.min_auc, random_state=self.random_state,
            )
            indicator = column + NULL_SUFFIX
            design[indicator] = is_null.astype(float)
            profile[indicator] = indicator_profile(column)
            blocks[indicator] = design[[indicator]].to_numpy()
        self.reset_sampling()

    def reset_sampling(self) -> None:
        """Restart the random stream of fills and re-imposed nulls (as SDV's reset_sampling)."""
        self._rng = sampling_rng(self.random_state, stream=1)

    # -- filling ---------------------------------------------------------------------------
    def _fill(self, data: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """Fill each null with a donor value of its column, within the table's inequalities."""
        data = data.copy()
        partners = {}
        for low, high, strict in self.bounds or []:
            partners[low] = (high, "below", strict)
            partners[high] = (low, "above", strict)
        for column in self.order_:
            if column not in data.columns:
                continue
            missing = data[column].isna().to_numpy()
            if not missing.any():
                continue
            values, keys = self.donors_[column]
            n = len(values)
            lo, hi = np.zeros(missing.sum(), dtype=int), np.full(missing.sum(), n)
            partner = partners.get(column)
            if partner is not None and partner[0] in data.columns:
                other, side, strict = partner
                bound = model_frame(data.loc[missing, [other]], self.column_profiles)[other].to_numpy()
                known = np.isfinite(bound)
                if side == "below":
                    hi[known] = np.searchsorted(keys, bound[known], side="left" if strict else "right")
                else:
                    lo[known] = np.searchsorted(keys, bound[known], side="right" if strict else "left")
            fills = values[np.clip(draw_in_ranges(rng, lo, hi), 0, n - 1)].copy()
            if partner is not None and partner[0] in data.columns:
                # No donor fits the bound: the partner's own value is the closest valid one,
                # moved by the smallest step when the inequality is strict.
                empty = hi <= lo
                closest = data.loc[missing, partner[0]].to_numpy(dtype=object)[empty]
                if strict and pd.api.types.is_numeric_dtype(data[partner[0]]):
                    direction = -np.inf if side == "below" else np.inf
                    closest = np.nextafter(closest.astype(float), direction)
                fills[empty] = closest
            data[column] = data[column].astype(object)
            data.loc[missing, column] = fills
            data[column] = data[column].infer_objects()
        return data

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        return self._fill(data, self._rng)

    def get_updated_metadata(self, metadata):
        return metadata

    # -- re-imposing -------------------------------------------------------------------------
    def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
        data = transformed_data.copy()
        if not self.order_:
            return data
        design = model_frame(data[self.value_columns_], self.column_profiles)
        limit = self.recalibrate_min_rows
        recalibrate = limit is not None and len(data) >= limit
        for column in self.order_:
            probability = self.models_[column].null_probability(design, recalibrate)
            mask = self._rng.random(len(data)) < probability
            design[column + NULL_SUFFIX] = mask.astype(float)
            if mask.any():
                data[column] = data[column].mask(mask)
        return data

    def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
        """Any pattern of nulls is valid: this constraint never makes SDV drop rows."""
        return pd.Series(True, index=synthetic_data.index)
