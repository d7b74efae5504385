"""What makes a table a set of sequences: its key, its index and its context columns.

Found from the values when the user does not say (the user's ``sequence_key``,
``sequence_index`` and ``context_columns``, or SDV metadata's, always win):

* the **sequence key** is a column without nulls whose values repeat (at least two rows per
  value on average), inside whose groups some other column changes, and that is an id by its
  name or whose groups are contiguous blocks of rows (how longitudinal tables are stored). An
  id by name wins, then blocks, then the most sequences. A label that merely repeats (a sex,
  a colour, interleaved) is not a key; a table of independent rows has none, and says so.
* the **sequence index** is a date or number column without nulls that never decreases inside
  a sequence, in row order (a visit day, a timestamp); a date wins over a number, a column
  without ties within a sequence over one with ties. None is needed: the row order is then the
  order.
* **context columns** are the others that are constant inside every sequence (a patient's sex,
  a firm's sector): they describe the sequence, not the row, and are generated once per
  sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from sdv_pillars.fresh import free_marker
from sdv_pillars.profiling import _ID_NAME

MIN_ROWS_PER_SEQUENCE = 2.0  # mean rows per key value for a column to be a sequence key


@dataclass(frozen=True)
class SequenceStructure:
    """The key, index and context columns of a sequential table, with how each was found."""

    key: str
    index: str | None
    context: tuple[str, ...]
    reasons: dict[str, str]

    @property
    def special(self) -> list[str]:
        """The key, the index and the context columns: what is not a per-row value."""
        return [self.key, *([self.index] if self.index else []), *self.context]

    def varying(self, columns) -> list[str]:
        """The columns of ``columns`` that change inside a sequence (modelled per row)."""
        return [c for c in columns if c not in self.special]


def _varies_within(data: pd.DataFrame, key: str) -> bool:
    groups = data.groupby(key, sort=False, dropna=False)
    others = [c for c in data.columns if c != key]
    return bool(others) and bool((groups[others].nunique(dropna=False) > 1).any().any())


def _contiguous(values: pd.Series) -> bool:
    """Whether each value's rows form one block in the row order."""
    starts = values.ne(values.shift()).sum()
    return int(starts) == values.nunique()


def find_key(data: pd.DataFrame) -> tuple[str, str]:
    """The sequence key of ``data`` and why (module docstring).

    Raises:
        ValueError: when no column repeats its values over sequences of rows.
    """
    candidates = []
    for name in data.columns:
        column = data[name]
        if column.isna().any() or ptypes.is_float_dtype(column) and not np.all(column % 1 == 0):
            continue
        groups = column.nunique()
        if groups < 2 or len(column) / groups < MIN_ROWS_PER_SEQUENCE:
            continue
        if not _varies_within(data, name):
            continue
        by_name = bool(_ID_NAME.search(str(name)))
        blocks = _contiguous(column)
        if not (by_name or blocks):
            continue
        candidates.append(((by_name, blocks, groups), name))
    if not candidates:
        raise ValueError(
            "No column of the table identifies sequences (a column without nulls whose values "
            "repeat over several rows, inside which other columns change). Give "
            "sequence_key=<column>; for one long series use SeriesPillarsSynthesizer, for a "
            "table of independent rows PillarsSynthesizer."
        )
    (by_name, blocks, groups), name = max(candidates, key=lambda c: c[0])
    why = "an id by its name" if by_name else ("rows in contiguous blocks" if blocks else "repeating values")
    return str(name), f"sequence key: {why}, {groups} sequences of {len(data) / groups:.1f} rows on average"


def _never_decreases(values: pd.Series, key: pd.Series) -> tuple[bool, bool]:
    """(never decreases inside a sequence, has no ties inside a sequence)."""
    steps = values.groupby(key, sort=False).diff().dropna()
    if ptypes.is_timedelta64_dtype(steps):
        steps = steps.dt.total_seconds()
    return bool((steps >= 0).all()), bool((steps > 0).all())


def find_index(data: pd.DataFrame, key: str) -> tuple[str | None, str]:
    """The sequence index of ``data`` (or None) and why (module docstring)."""
    candidates = []
    for name in data.columns:
        column = data[name]
        if name == key or column.isna().any():
            continue
        is_date = ptypes.is_datetime64_any_dtype(column)
        if not (is_date or ptypes.is_numeric_dtype(column)) or ptypes.is_bool_dtype(column):
            continue
        if column.groupby(data[key], sort=False).nunique().max() < 2:
            continue  # constant inside every sequence: context, not an index
        increasing, strict = _never_decreases(column, data[key])
        if increasing:
            candidates.append(((is_date, strict), name))
    if not candidates:
        return None, ("no sequence index: no date or number column grows inside every sequence; "
                      "row order is the order")
    (is_date, strict), name = max(candidates, key=lambda c: c[0])
    kind = "a date" if is_date else "a number"
    ties = "strictly increasing" if strict else "never decreasing"
    return str(name), f"sequence index: {kind} {ties} inside every sequence"


def find_context(data: pd.DataFrame, key: str, exclude: list[str]) -> list[str]:
    """Columns (not in ``exclude``) constant inside every sequence, nulls included."""
    others = [c for c in data.columns if c != key and c not in exclude]
    if not others:
        return []
    constant = data.groupby(key, sort=False)[others].nunique(dropna=False).max() <= 1
    return [str(c) for c in others if constant[c]]


def find_structure(data: pd.DataFrame, key: str | None = None, index: str | None = None,
                   context: list[str] | None = None) -> SequenceStructure:
    """The structure of ``data``: what is given is checked and kept, the rest found.

    Raises:
        ValueError: naming the column, when a given key, index or context column is absent,
            a given key has nulls, a given index has nulls or decreases inside a sequence, or
            a given context column changes inside a sequence.
    """
    reasons = {}
    for what, name in (("sequence_key", key), ("sequence_index", index)):
        if name is not None and name not in data.columns:
            raise ValueError(f"{what} '{name}' is not a column of the table.")
    if key is None:
        key, reasons["key"] = find_key(data)
    else:
        if data[key].isna().any():
            raise ValueError(f"sequence_key '{key}' has {int(data[key].isna().sum())} nulls: "
                             "every row must belong to a sequence. Drop or fill those rows.")
        reasons["key"] = "sequence key: given"
    if index is None:
        index, reasons["index"] = find_index(data, key)
    else:
        column = data[index]
        if column.isna().any():
            raise ValueError(f"sequence_index '{index}' has {int(column.isna().sum())} nulls: "
                             "every row needs its place in its sequence. Drop or fill them.")
        if not (ptypes.is_datetime64_any_dtype(column) or ptypes.is_numeric_dtype(column)):
            raise ValueError(f"sequence_index '{index}' must hold dates or numbers, not "
                             f"{column.dtype}; parse it first (pd.to_datetime).")
        reasons["index"] = "sequence index: given"
    if context is None:
        context = find_context(data, key, [index] if index else [])
        reasons["context"] = "context: constant inside every sequence" if context else "context: none"
    else:
        missing = [c for c in context if c not in data.columns]
        if missing:
            raise ValueError(f"context_columns {missing} are not columns of the table.")
        changing = [c for c in context if c not in find_context(data, key, [])]
        if changing:
            raise ValueError(f"context_columns {changing} change inside a sequence: a context "
                             "column holds one value per sequence. Leave them out of context_columns.")
        reasons["context"] = "context: given"
    return SequenceStructure(key, index, tuple(context), reasons)


def one_sequence(data: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """``data`` (one long series) with a constant key column added, named so that it shadows
    no real column: the sequence machinery then reads it as one sequence."""
    key = free_marker(data.columns, ("series",)) + "series"
    return data.assign(**{key: 0}), key


def sort_sequences(data: pd.DataFrame, structure: SequenceStructure) -> pd.DataFrame:
    """Rows grouped by sequence (first-seen order) and ordered by the index inside each
    (stable, so row order breaks ties); the caller's frame is not changed."""
    first_seen = pd.Series(pd.factorize(data[structure.key])[0], index=data.index)
    by = [first_seen] + ([data[structure.index]] if structure.index else [])
    order = pd.DataFrame({f"_{i}": s.to_numpy() for i, s in enumerate(by)}).sort_values(
        [f"_{i}" for i in range(len(by))], kind="stable").index
    return data.iloc[order]
