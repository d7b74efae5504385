"""The previous row of each sequence, as drivers for the row pillars.

A measurement skipped after a normal reading, a status that depends on the last one: what a
row holds can depend on the row before it. The row pillars see, beside each row, every
per-row column's value in the previous row (its median, or most common label, where that value
was null or there is no previous row) and, for a column with nulls, whether the previous row's
value was null. Both are complete columns,
so the missingness pillar reads them as drivers and never re-imposes nulls on them.

At sampling the rows are finished one position at a time (``SequencePillarsSynthesizer``):
the drivers of position ``t`` come from the finished rows of position ``t - 1``, nulls and
rebuilt columns included, exactly as they came from the real previous rows when fitting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes


class PreviousRow:
    """Drivers from the previous row (module docstring).

    Args:
        prefix: the start of the driver columns' names (free of any real column's name).
    """

    def __init__(self, prefix: str):
        self.prefix = prefix

    def value_name(self, column: str) -> str:
        return f"{self.prefix}{column}"

    def null_name(self, column: str) -> str:
        return f"{self.prefix}{column} was null"

    def fit(self, rows: pd.DataFrame, sequence: np.ndarray) -> pd.DataFrame:
        """Learn the fill values of ``rows`` (per-row columns, sequences together and in
        order) and return their drivers, one row each."""
        self.columns_ = [c for c in rows.columns if rows[c].notna().any()]
        self.nullable_ = [c for c in self.columns_ if rows[c].isna().any()]
        self.numeric_ = [c for c in self.columns_
                         if ptypes.is_numeric_dtype(rows[c]) and not ptypes.is_bool_dtype(rows[c])]
        self.fill_ = {c: float(rows[c].median()) if c in self.numeric_ else rows[c].mode().iloc[0]
                      for c in self.columns_}
        frame = rows[self.columns_].reset_index(drop=True)
        groups = frame.groupby(sequence, sort=False)
        known = groups.shift(1)
        was_null = known.isna()
        was_null.loc[pd.Series(sequence).groupby(sequence).cumcount().to_numpy() == 0, :] = False
        return self._drivers(known, was_null)

    def _drivers(self, known: pd.DataFrame, was_null: pd.DataFrame) -> pd.DataFrame:
        out = {}
        for c in self.columns_:  # numbers stay numbers: the pillars must read them as numbers
            values = known[c].astype(float) if c in self.numeric_ else known[c].astype(object)
            out[self.value_name(c)] = values.where(values.notna(), self.fill_[c])
        out.update({self.null_name(c): was_null[c].to_numpy(dtype=bool) for c in self.nullable_})
        return pd.DataFrame(out, index=known.index)

    def start(self, num_sequences: int) -> None:
        """Begin sampling ``num_sequences`` sequences: nothing known yet."""
        self._known = pd.DataFrame(np.nan, index=range(num_sequences), columns=self.columns_, dtype=object)
        self._was_null = pd.DataFrame(False, index=range(num_sequences), columns=self.columns_)

    def drivers(self, alive: np.ndarray) -> pd.DataFrame:
        """The drivers of the next row of each sequence in ``alive``."""
        known = self._known.iloc[alive].reset_index(drop=True)
        return self._drivers(known, self._was_null.iloc[alive].reset_index(drop=True))

    def update(self, alive: np.ndarray, finished: pd.DataFrame) -> None:
        """Take in the finished rows of the sequences in ``alive`` (in that order)."""
        for column in self.columns_:
            values = finished[column].to_numpy(dtype=object)
            self._known.iloc[alive, self._known.columns.get_loc(column)] = values
            self._was_null.iloc[alive, self._was_null.columns.get_loc(column)] = pd.isna(values)
