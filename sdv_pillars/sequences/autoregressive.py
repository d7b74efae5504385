"""The fast sequence backbone: synthpop's CART made autoregressive.

Each row of a sequence is drawn from CART trees, column after column as in
``sequential_cart``, given what is known when the row is drawn:

* its sequence's context (the context columns, the sequence's length and first index value,
  drawn once per sequence by a single-table synthesizer);
* its position in the sequence (0, 1, 2, ...);
* the previous row of its sequence (every per-row column and the index gap, as "lag" columns;
  missing on the first row, which the trees read as the start of a sequence).

A number whose level persists from row to row (its steps vary less than a quarter as much as
its values around their sequence's mean: a growing economy, a slow random walk;
``statistics.persists``) is
drawn as a step from the previous row's value, the way ARIMA differences a series: drawn as a
level, each row would be a fresh donor from the leaf of its previous value, and a series
that moves smoothly would jitter across the leaf's range. Its levels are kept within the
real range. The first row of a sequence draws the level itself.

The index is modelled as the gap from the previous row (0 on the first row), so an index
that grows in the real data grows in every synthetic sequence: gaps are drawn from real gaps
(in the leaves of their tree), smoothed within the leaf's range. All sequences advance one
position at a time, vectorised: sampling costs one pass of the trees per position, so it
takes seconds where PAR's neural network takes minutes to train.

The trees use the same disclosure control as the single-table CART backbone (``min_leaf``
donors, kernel smoothing of rare numeric values).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from sdv_pillars.sequences.statistics import as_float, persists
from sdv_pillars.sequential_cart import SequentialCARTModel


def _as_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as float seconds (what the trees split on); every other column as it is."""
    return frame.assign(**{name: as_float(frame[name]) for name in frame.columns
                           if ptypes.is_datetime64_any_dtype(frame[name])})


def _as_dates(frame: pd.DataFrame, dates: list[str]) -> pd.DataFrame:
    for name in dates:
        frame[name] = pd.to_datetime(pd.to_numeric(frame[name]) * 1e9, unit="ns").dt.round("s")
    return frame


class AutoregressiveCART:
    """Rows drawn from CART trees on their context, position and previous row (module
    docstring).

    Args:
        names: ``{"position": ..., "gap": ..., "lag": ...}``, the internal column names
            (``lag`` is a prefix), chosen by the caller so that no real column is shadowed.
        min_leaf, smoothing: as for ``sequential_cart.CARTSynthesizer``.
        n_jobs: threads fitting the trees.
        verbose: a progress bar while fitting.
    """

    def __init__(self, names: dict[str, str], min_leaf: int, smoothing: str | None,
                 n_jobs: int | None = -1, verbose: bool = False):
        self.names = names
        self.min_leaf = min_leaf
        self.smoothing = smoothing
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _lag(self, column: str) -> str:
        return f"{self.names['lag']}{column}"

    def fit(self, rows: pd.DataFrame, sequence: np.ndarray, context: pd.DataFrame,
            gaps: np.ndarray, smooth: set[str]) -> "AutoregressiveCART":
        """Learn from real rows.

        Args:
            rows: the per-row columns, rows of a sequence together and in order.
            sequence: each row's sequence number (0..n_sequences - 1).
            context: one row per sequence number: what each sequence is drawn given.
            gaps: each row's index gap from the previous row of its sequence (0 on the first).
            smooth: the numeric per-row columns whose rare values get kernel noise.
        """
        self.columns_ = list(rows.columns)
        self.context_columns_ = list(context.columns)
        self.dates_ = [c for c in self.columns_ if ptypes.is_datetime64_any_dtype(rows[c])]
        current = _as_numbers(rows.reset_index(drop=True))
        current[self.names["gap"]] = gaps
        previous = current.groupby(sequence, sort=False).shift(1)
        previous.columns = [self._lag(c) for c in current.columns]
        self.stepped_ = {c: (float(current[c].min()), float(current[c].max())) for c in self.columns_
                         if c not in self.dates_ and ptypes.is_float_dtype(current[c])
                         and persists(current[c], sequence)}
        first = previous[self._lag(self.names["gap"])].isna().to_numpy()
        for column in self.stepped_:
            steps = current[column].groupby(sequence, sort=False).diff()
            current[column] = current[column].where(first, steps)
        given = _as_numbers(context).iloc[sequence].reset_index(drop=True)
        given[self.names["position"]] = pd.Series(sequence).groupby(sequence).cumcount().to_numpy()
        frame = pd.concat([given, previous, current], axis=1)
        prefix = [*given.columns, *previous.columns]
        self.model_ = SequentialCARTModel(self.min_leaf, self.smoothing, prefix + [self.names["gap"]],
                                          self.n_jobs, self.verbose)
        self.model_.fit(frame, smooth | {self.names["gap"]}, given=len(prefix))
        return self

    def sample(self, context: pd.DataFrame, lengths: np.ndarray, seed: int, finish) -> None:
        """Rows for sequences of the given context and lengths, one position at a time:
        ``finish(position, alive, rows)`` receives each position's drawn rows (with their
        index gaps) for the sequences numbered ``alive``, as soon as they are drawn, and
        finishes them (the caller puts the sequences together)."""
        self.model_.set_random_state(seed)
        lengths = np.asarray(lengths, dtype=int)
        given = _as_numbers(context[self.context_columns_]).reset_index(drop=True)
        lag_columns = [self._lag(c) for c in [*self.columns_, self.names["gap"]]]
        previous = pd.DataFrame(np.nan, index=range(len(context)), columns=lag_columns, dtype=object)
        for position in range(int(lengths.max(initial=0))):
            alive = np.flatnonzero(lengths > position)
            conditions = {c: given[c].to_numpy()[alive] for c in given.columns}
            conditions[self.names["position"]] = np.full(len(alive), position)
            conditions.update({c: previous[c].to_numpy()[alive] for c in lag_columns})
            rows = self.model_.sample(len(alive), conditions)[[*self.columns_, self.names["gap"]]]
            if position == 0:
                rows[self.names["gap"]] = 0.0
            else:
                for column, (low, high) in self.stepped_.items():
                    before = previous[self._lag(column)].to_numpy(dtype=float)[alive]
                    rows[column] = np.clip(before + rows[column].to_numpy(dtype=float), low, high)
            previous.iloc[alive] = rows.to_numpy(dtype=object)
            finish(position, alive, _as_dates(rows, self.dates_))
