"""Statistics of sequences shared by the backbone and the evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from sdv_pillars.defaults import STEP_VARIANCE_SHARE


def as_float(values: pd.Series) -> pd.Series:
    """Numbers as floats, dates as seconds, anything else as NaN."""
    if ptypes.is_datetime64_any_dtype(values):
        return values.astype("int64").where(values.notna()).astype(float) / 1e9
    return pd.to_numeric(values, errors="coerce").astype(float)


def within(values: pd.Series, key) -> pd.Series:
    """Each value minus its sequence's mean: what changes inside a sequence."""
    values = as_float(values)
    return values - values.groupby(key, sort=False).transform("mean")


def autocorrelation(values: pd.Series, key, lag: int) -> float | None:
    """Correlation of a column with itself ``lag`` rows earlier in the same sequence, pooled
    over sequences after taking each sequence's mean out (None with fewer than 3 pairs or no
    spread): the memory from row to row, not the differences between sequences' levels,
    which rows shuffled inside their sequences would keep."""
    values = within(values, key)
    earlier = values.groupby(key, sort=False).shift(lag)
    pairs = pd.concat([values, earlier], axis=1).dropna()
    if len(pairs) < 3 or pairs.iloc[:, 0].std() == 0 or pairs.iloc[:, 1].std() == 0:
        return None
    return float(np.corrcoef(pairs.iloc[:, 0], pairs.iloc[:, 1])[0, 1])


def persists(values: pd.Series, key, share: float = STEP_VARIANCE_SHARE) -> bool:
    """Whether a column's level persists from row to row: its steps vary less than ``share``
    times its values around their sequence's mean (a trend, a slow random walk). Steps of
    variance ``2 s^2 (1 - r)`` against ``s^2``: with ``share`` 0.25, an autocorrelation ``r``
    inside sequences above 0.875."""
    steps = as_float(values).groupby(key, sort=False).diff().dropna()
    spread = within(values, key).dropna()
    return len(steps) > 2 and float(steps.var()) < share * float(spread.var())
