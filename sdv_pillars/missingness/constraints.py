"""Pillar 3 (reproduction): missingness as an SDV 2 programmable constraint.

``fit`` runs the analysis (``analysis.analyse_missingness``: MCAR or MAR per column, from
held-out evidence) and keeps a hot deck of observed values. ``transform`` hands the backbone
complete columns, each null filled by the hot deck (``hot_deck``). ``reverse_transform``
re-imposes nulls on the generated rows: MCAR at the learned rate, MAR from the fitted
P(null | drivers).

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

import pandas as pd

from sdv_pillars.defaults import (
    MAR_ALPHA,
    MAR_MIN_AUC,
    MISSINGNESS_MAX_ROWS,
    RECALIBRATE_MIN_ROWS,
    STREAM_MISSINGNESS,
)
from sdv_pillars.encoding import model_frame
from sdv_pillars.missingness.analysis import (
    NULL_SUFFIX,
    MissingnessModel,
    analyse_missingness,
    null_order,
)
from sdv_pillars.missingness.hot_deck import HotDeck
from sdv_pillars.pillar_constraint import PillarConstraint
from sdv_pillars.profiling import ColumnProfile


class MissingnessConstraint(PillarConstraint):
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
        alpha: float = MAR_ALPHA,
        min_auc: float = MAR_MIN_AUC,
        max_rows: int = MISSINGNESS_MAX_ROWS,
        recalibrate_min_rows: int | None = RECALIBRATE_MIN_ROWS,
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
    def _columns_read(self, data: pd.DataFrame) -> list[str]:
        return [c for c in data.columns if c in self.column_profiles
                and self.column_profiles[c].is_modelled_value]

    def _stream(self) -> tuple[int, ...]:
        return (STREAM_MISSINGNESS,)

    def _fit(self, data: pd.DataFrame) -> None:
        modelled = self._columns_read(data)
        self.value_columns_ = [c for c in modelled if self.column_profiles[c].kind != "constant"]
        self.hot_deck_ = HotDeck(self.column_profiles, self.bounds, random_state=self.seed_)
        self.hot_deck_.fit(data, null_order(data, modelled))
        self.models_: dict[str, MissingnessModel] = analyse_missingness(
            data, self.column_profiles, self.value_columns_, self.hot_deck_,
            self.alpha, self.min_auc, self.max_rows, random_state=self.seed_,
        )

    # -- filling ---------------------------------------------------------------------------
    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        return self.hot_deck_.fill(data, self._rng)

    def get_updated_metadata(self, metadata):
        return metadata

    # -- re-imposing -------------------------------------------------------------------------
    def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
        data = transformed_data.copy()
        if not self.models_:
            return data
        design = model_frame(data[self.value_columns_], self.column_profiles)
        limit = self.recalibrate_min_rows
        recalibrate = limit is not None and len(data) >= limit
        for column, model in self.models_.items():
            probability = model.null_probability(design, recalibrate)
            mask = self._rng.random(len(data)) < probability
            design[column + NULL_SUFFIX] = mask.astype(float)
            if mask.any():
                data[column] = data[column].mask(mask)
        return data

    def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
        """Any pattern of nulls is valid: this constraint never makes SDV drop rows."""
        return pd.Series(True, index=synthetic_data.index)
