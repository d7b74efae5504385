"""Pillar 1: classify every column and turn the classification into SDV metadata.

SDV's own detection (``Metadata.detect_from_dataframe``) looks at dtypes; it calls a 1/2
code column numerical, an integer column stored as float (because of NaN) continuous, and
a date kept in a string categorical. Those choices decide how the backbone models a column,
so the profile looks at values instead and says, per column, why it chose what it chose.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pandas.tseries.api import guess_datetime_format
from sdv.metadata import Metadata

from sdv_pillars.defaults import (
    DATE_GUESSES,
    DATE_PARSE_SHARE,
    DATE_SAMPLE,
    ID_MIN_ROWS,
    KEY_DIGIT_SHARE,
    MAX_CODES,
    TEXT_MIN_WORDS,
)

KINDS = (
    "continuous",
    "integer",
    "categorical",
    "boolean",
    "datetime",
    "id",
    "constant",
    "text",
    "other",
)
NUMERIC_KINDS = ("continuous", "integer")
CATEGORY_KINDS = ("categorical", "boolean", "constant")

_ID_NAME = re.compile(r"(^id$|_id$|^id_|uuid|^key$|_key$|^rownames$)", re.IGNORECASE)


@dataclass(frozen=True)
class ColumnProfile:
    """What one column is, and the evidence for it."""

    name: str
    kind: str
    sdtype: str
    reason: str
    null_rate: float
    n_unique: int
    datetime_format: str | None = None

    @property
    def is_modelled_value(self) -> bool:
        """Whether the column carries values a rule or a missingness model may use."""
        return self.kind not in ("id", "text", "other")


def modelled_columns(profile: dict[str, ColumnProfile]) -> list[str]:
    """Columns whose values a model reads and compares (not keys, free text or unreadable)."""
    return [c for c, p in profile.items() if p.is_modelled_value]


def _whole_numbers(values: pd.Series) -> bool:
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and bool(np.all(np.mod(finite, 1) == 0))


def _datetime_format(values: pd.Series) -> str | None:
    """The strftime format that parses the most of (at least 95% of) a sample of the strings.

    Candidates are guessed from many values, month-first and day-first, because one value
    cannot tell ``01/02/2020`` (January or February?) apart; a value with a day above 12
    settles it.
    """
    sample = values.astype(str).head(DATE_SAMPLE)
    with warnings.catch_warnings():  # pandas warns when a guess contradicts ``dayfirst``
        warnings.filterwarnings("ignore", message="Parsing dates in .* format when dayfirst")
        # str(v): numpy strings are str subclasses, which pandas' parser refuses
        guesses = [guess_datetime_format(str(v), dayfirst=dayfirst) for dayfirst in (False, True)
                   for v in sample.drop_duplicates().head(DATE_GUESSES)]
    best, best_share = None, 0.0
    for fmt in dict.fromkeys(g for g in guesses if g is not None):  # month-first wins a tie
        share = pd.to_datetime(sample, format=fmt, errors="coerce").notna().mean()
        if share > best_share:
            best, best_share = fmt, share
    return best if best_share >= DATE_PARSE_SHARE else None


def _looks_like_keys(values: pd.Series) -> bool:
    """Codes rather than words: one token each, all of one length, with digits in them
    (``A1B2C3``, a UUID); a person's name or a sentence is not a key by its shape."""
    strings = values.astype(str)
    lengths = strings.str.len()
    return bool(lengths.nunique() == 1 and not strings.str.contains(r"\s").any()
                and strings.str.contains(r"\d").mean() >= KEY_DIGIT_SHARE)


def classify_column(column: pd.Series, max_codes: int = MAX_CODES) -> ColumnProfile:
    """Classify one column by its values. ``max_codes``: whole-number columns with at most
    this many distinct values are codes (categorical), not quantities."""
    name = str(column.name)
    values = column.dropna()
    n_rows, n_unique = len(column), int(values.nunique())
    null_rate = float(column.isna().mean()) if n_rows else 0.0

    def made(kind: str, sdtype: str, reason: str, fmt: str | None = None) -> ColumnProfile:
        return ColumnProfile(name, kind, sdtype, reason, null_rate, n_unique, fmt)

    all_unique = n_unique == n_rows
    if n_unique <= 1:
        return made("constant", "categorical", "a single distinct value")
    if ptypes.is_bool_dtype(column) or all(isinstance(v, (bool, np.bool_)) for v in values.unique()):
        return made("boolean", "boolean", "only True/False values")
    if ptypes.is_datetime64_any_dtype(column):
        return made("datetime", "datetime", "datetime dtype")
    if ptypes.is_numeric_dtype(column):
        if not _whole_numbers(values.astype(float)):
            return made("continuous", "numerical", "numbers with fractional parts")
        if n_unique <= max_codes:
            return made("categorical", "categorical", f"whole-number codes, {n_unique} distinct")
        consecutive = values.max() - values.min() + 1 == n_rows
        if all_unique and (_ID_NAME.search(name) or consecutive):
            return made("id", "id", "unique whole numbers named or laid out like a key")
        stored = ""
        if ptypes.is_float_dtype(column):
            stored = " (stored as float because of nulls)" if null_rate else " (stored as float)"
        return made("integer", "numerical", f"whole numbers{stored}")
    strings = values.astype(str)
    fmt = _datetime_format(strings)
    if fmt is not None:
        return made("datetime", "datetime", f"strings that parse as dates '{fmt}'", fmt)
    words = strings.str.split().str.len().mean()
    if n_unique > 0.5 * len(values) and words >= TEXT_MIN_WORDS:
        return made("text", "categorical", f"free text ({words:.1f} words on average)")
    if all_unique and len(values) >= ID_MIN_ROWS:
        if _ID_NAME.search(name) or _looks_like_keys(values):
            return made("id", "id", "unique strings, one per row, named or shaped like a key")
        warnings.warn(
            f"Column '{name}' has a different value on every row but neither its name nor its "
            "values look like a key, so it is kept as labels: synthetic rows draw real values "
            "of it. Drop the column, or declare it an id in the metadata, before sharing.",
            stacklevel=3,
        )
        return made("categorical", "categorical",
                    f"{n_unique} distinct labels, one per row (not shaped like a key)")
    return made("categorical", "categorical", f"{n_unique} distinct labels")


def profile_table(data: pd.DataFrame, max_codes: int = MAX_CODES) -> dict[str, ColumnProfile]:
    """Classify every column of ``data`` (pillar 1)."""
    return {str(col): classify_column(data[col], max_codes) for col in data.columns}


def profile_from_metadata(
    data: pd.DataFrame, metadata: Metadata, table_name: str
) -> dict[str, ColumnProfile]:
    """Read the kinds off a user's metadata: the user's metadata always wins."""
    columns = metadata.tables[table_name].columns
    profile = {}
    for name in data.columns:
        spec = columns[name]
        sdtype = spec["sdtype"]
        guess = classify_column(data[name])
        if sdtype == "numerical":
            whole = spec.get("decimal_places") == 0 or guess.kind == "integer"
            kind = "integer" if whole else "continuous"
        elif sdtype in ("categorical", "ordinal"):
            kind = "constant" if guess.kind == "constant" else "categorical"
        elif sdtype in ("boolean", "datetime", "id"):
            kind = sdtype
        else:
            kind = "other"
        profile[name] = ColumnProfile(
            name,
            kind,
            sdtype,
            f"sdtype '{sdtype}' from the user's metadata",
            guess.null_rate,
            guess.n_unique,
            spec.get("datetime_format"),
        )
    return profile


def column_spec(column: ColumnProfile) -> dict:
    """The SDV metadata of one profiled column."""
    spec: dict = {"sdtype": column.sdtype}
    if column.kind == "integer":
        spec["decimal_places"] = 0
    elif column.kind == "datetime" and column.datetime_format:
        spec["datetime_format"] = column.datetime_format
    return spec


def build_metadata(profile: dict[str, ColumnProfile], table_name: str) -> Metadata:
    """A validated single-table ``Metadata`` from a profile.

    One id column that is unique and complete becomes the primary key; other id columns
    stay ``id`` so SDV generates fresh values instead of modelling them as numbers.
    """
    table: dict = {"columns": {col.name: column_spec(col) for col in profile.values()}}
    keys = [c.name for c in profile.values() if c.kind == "id" and c.null_rate == 0]
    if keys:
        table["primary_key"] = keys[0]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*save_to_json.*")
        metadata = Metadata.load_from_dict({"tables": {table_name: table}})
    metadata.validate()
    return metadata


def apply_profile(metadata: Metadata, table_name: str, profile: dict[str, ColumnProfile]) -> None:
    """Write pillar 1's kinds into a (detected) metadata, in place, for the profiled columns.

    SDV's detection reads dtypes and names; the profile reads values (0/1 codes, whole
    numbers stored as floats, dates kept as strings). Key columns are left out of
    ``profile`` by the caller and keep their metadata.
    """
    for name, column in profile.items():
        metadata.update_column(column_name=name, table_name=table_name, **column_spec(column))
