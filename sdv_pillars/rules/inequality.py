"""A mined inequality: SDV's ``Inequality``, with date columns read column by column.

SDV 2.0's ``Inequality`` parses date columns one value at a time (``_cast_to_datetime64``
loops in Python, even over datetime64 columns) and marks the rows with nulls by a row-wise
``apply``. On a 100,000-row table with dates that was 42% of the pillars' GaussianCopula fit
(issue 17). This subclass does the same steps on whole columns: the dates are parsed once
with their format (``pd.to_datetime``), the difference taken as one array, the null marker
built with ``np.select``; sampling adds the differences back to the parsed low dates. The
result is SDV's, value for value (a test compares them); where a column's values do not all
parse with its format, it hands the table to SDV's own code.
Numbers go to SDV's code unchanged (they are already fast).

Measured on 100,000 rows (two dates as text, closed > opened, four other columns; 2 cores
shared with a test run): the pillars' GaussianCopula fit took 163 and 210 s with SDV's class,
66 and 71 s with this one; sampling 20,000 rows 19.7 s against 14.5 s. Plain GaussianCopula
fit the same rows in 33 s, so the pillars' fit is still about 2x plain there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sdv.cag import Inequality


def _as_dates(values: pd.Series, datetime_format: str | None) -> pd.Series | None:
    """``values`` as datetime64, or None when some value does not parse with the format."""
    if ptypes.is_datetime64_any_dtype(values):
        return values
    if datetime_format:
        datetime_format = datetime_format.replace("%#", "%").replace("%-", "%")
    parsed = pd.to_datetime(values, format=datetime_format, errors="coerce")
    if (parsed.isna() & values.notna()).any() or getattr(parsed.dt, "tz", None) is not None:
        return None
    return parsed


class MinedInequality(Inequality):
    """SDV's ``Inequality`` for an order the pillars found (module docstring); the type also
    tells mined inequalities apart from the user's in a synthesizer's constraint list."""

    def _dates(self, table: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
        if self._low_datetime_format != self._high_datetime_format:
            return None  # SDV matches the two precisions first: its own code does that
        low = _as_dates(table[self._low_column_name], self._low_datetime_format)
        high = _as_dates(table[self._high_column_name], self._high_datetime_format)
        return None if low is None or high is None else (low, high)

    def _transform(self, data):
        table_name = self._get_single_table_name(self.metadata)
        table = data[table_name]
        dates = self._dates(table) if self._is_datetime else None
        if dates is None:
            return super()._transform(data)
        low_name, high_name = self._low_column_name, self._high_column_name
        difference = (dates[1] - dates[0]).to_numpy(dtype="timedelta64[ns]")
        nanoseconds = difference.astype("int64").astype(np.float64)
        nanoseconds[pd.isna(difference)] = np.nan
        table[self._diff_column_name] = np.log(nanoseconds + 1)
        low_null, high_null = table[low_name].isna().to_numpy(), table[high_name].isna().to_numpy()
        marker = np.select([low_null & high_null, low_null, high_null],
                           [f"{low_name}, {high_name}", low_name, high_name], "None")
        table[self._nan_column_name] = (pd.Series(marker, index=table.index, name=self._nan_column_name)
                                        if (marker != "None").any() else None)
        table = table.fillna({
            low_name: table[low_name].mode()[0],
            self._diff_column_name: table[self._diff_column_name].mean(),
        }).rename(columns={low_name: self._fillna_low_column_name})
        data[table_name] = table.drop(high_name, axis=1)
        return data

    def _reverse_transform(self, data):
        table_name = self._get_single_table_name(self.metadata)
        table = data[table_name].rename(columns={self._fillna_low_column_name: self._low_column_name})
        low = None
        if self._is_datetime and ptypes.is_object_dtype(self._dtype):
            low = _as_dates(table[self._low_column_name], self._low_datetime_format)
        if low is None:
            return super()._reverse_transform(data)
        # SDV's steps: the difference back from its log, as whole nanoseconds, added to the
        # low dates (which come back as datetime64, as SDV leaves them)
        difference = pd.to_timedelta((np.exp(table[self._diff_column_name]) - 1).round(), unit="ns")
        table[self._low_column_name] = low = low.to_numpy()
        table[self._high_column_name] = pd.Series(difference + low).astype(self._dtype)
        marker = table.pop(self._nan_column_name) if self._nan_column_name in table else None
        if marker is not None:
            for combination in marker.dropna().unique():
                if combination != "None":
                    columns = [c.strip() for c in combination.split(",")]
                    table.loc[marker == combination, columns] = np.nan
        data[table_name] = table.drop(self._diff_column_name, axis=1)
        return data

    def _get_valid_table_data(self, table_data, metadata, table_name):
        if self._get_is_datetime(metadata, table_name):
            formats = [self._get_datetime_format(metadata, table_name, c)
                       for c in (self._low_column_name, self._high_column_name)]
            low = _as_dates(table_data[self._low_column_name], formats[0])
            high = _as_dates(table_data[self._high_column_name], formats[1])
            if formats[0] == formats[1] and low is not None and high is not None:
                return (low.isna() | high.isna() | self._operator(high, low)).to_numpy()
        return super()._get_valid_table_data(table_data, metadata, table_name)
