"""pandas' nullable and pyarrow-backed dtypes in, the same dtypes out.

SDV, RDT and scikit-learn work on numpy-backed columns: ``pd.NA`` in a ``string`` or
``boolean`` column, or an ``Int64`` column, breaks their encoders. At the library's boundary
every column is read as its numpy-backed equivalent (numbers as float64 or int64, labels and
strings as objects with NaN for the gaps, booleans as objects of True/False/NaN, dates as
datetime64), and synthetic columns are cast back to the caller's dtypes at the end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes


def _numpy_backed(column: pd.Series) -> pd.Series:
    dtype = column.dtype
    if not ptypes.is_extension_array_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        if ptypes.is_object_dtype(dtype) and column.map(lambda v: v is pd.NA).any():
            return column.mask(column.isna(), np.nan)
        return column
    if ptypes.is_bool_dtype(dtype):
        return column.astype(object).mask(column.isna(), np.nan)
    if ptypes.is_integer_dtype(dtype):
        return column.astype("float64" if column.isna().any() else "int64")
    if ptypes.is_float_dtype(dtype):
        return column.astype("float64")
    if ptypes.is_datetime64_any_dtype(dtype):
        return pd.to_datetime(column.astype(object))
    return column.astype(object).mask(column.isna(), np.nan)


def numpy_backed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column numpy-backed (module docstring); the input is not changed."""
    converted = {name: _numpy_backed(frame[name]) for name in frame.columns}
    if all(converted[name] is frame[name] for name in frame.columns):
        return frame
    return pd.DataFrame(converted, index=frame.index)[list(frame.columns)]


def restore_dtypes(frame: pd.DataFrame, dtypes: pd.Series) -> pd.DataFrame:
    """Synthetic columns cast back to the real table's dtypes: extension dtypes (nullable,
    pyarrow) always, numpy integers where the synthetic column has no null (a foreign key
    whose orphans were set to null stays float, as pandas stores integers with nulls).
    """
    out = frame.copy()
    for name, dtype in dtypes.items():
        if name not in out.columns or out[name].dtype == dtype:
            continue
        if ptypes.is_integer_dtype(dtype) and not ptypes.is_extension_array_dtype(dtype):
            if out[name].notna().all() and ptypes.is_numeric_dtype(out[name]):
                out[name] = out[name].round().astype(dtype)
        elif ptypes.is_extension_array_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
            values = out[name]
            if ptypes.is_integer_dtype(dtype):
                values = values.round()
            out[name] = values.astype(object).where(values.notna(), None).astype(dtype)
    return out
