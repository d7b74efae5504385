"""Checks at the library's boundary: bad input gets a message that says what to do."""

from __future__ import annotations

import difflib
import inspect
import numbers

import numpy as np
import pandas as pd

from sdv_pillars.dtypes import numpy_backed

DEFAULT_TABLE_NAME = "table"


def validate_table(data, learn: bool = True) -> tuple[str, pd.DataFrame]:
    """Return ``(table_name, frame)`` for a DataFrame or a one-table ``{name: DataFrame}``.

    Raises:
        TypeError: for anything that is not a DataFrame or such a dict.
        ValueError: for an empty table, duplicate or non-string column names, or, in a table
            to ``learn`` from, a column that is entirely null (nothing to learn from it: drop
            it, or give its values). A synthetic table may have one: it is scored, not refused.
    """
    if isinstance(data, dict):
        if len(data) != 1:
            raise ValueError(
                f"PillarsSynthesizer models one table, got {len(data)}: {sorted(data)}. "
                "Pass a single DataFrame or {table_name: DataFrame}."
            )
        (table_name, frame), = data.items()
    else:
        table_name, frame = DEFAULT_TABLE_NAME, data
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"Expected a pandas DataFrame (or {{table_name: DataFrame}}), got "
            f"{type(frame).__name__}. Load the data with pandas first, e.g. pd.read_csv(path)."
        )
    where = f"table '{table_name}'"
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"The {where} is empty ({frame.shape[0]} rows, {frame.shape[1]} columns).")
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(f"The {where} has duplicate column names {duplicated}: rename them.")
    not_strings = [c for c in frame.columns if not isinstance(c, str)]
    if not_strings:
        raise ValueError(
            f"The {where} has column names that are not strings {not_strings[:5]}: "
            "rename them, e.g. frame.columns = frame.columns.astype(str)."
        )
    empty = frame.columns[frame.isna().all()].tolist()
    if empty and learn:
        raise ValueError(
            f"Column(s) {empty} of the {where} are entirely null: there is nothing to learn "
            "from them. Drop them before fitting and add them back as nulls if needed."
        )
    return table_name, frame


def validate_metadata_columns(frame: pd.DataFrame, metadata, table_name: str) -> None:
    """The user's metadata must describe exactly the columns of the data."""
    if table_name not in metadata.tables:
        if len(metadata.tables) != 1:
            raise ValueError(
                f"The metadata has tables {sorted(metadata.tables)} but the data is "
                f"'{table_name}': pass {{table_name: DataFrame}} with a matching name."
            )
    table = metadata.tables.get(table_name) or next(iter(metadata.tables.values()))
    described, present = set(table.columns), set(frame.columns)
    if described != present:
        raise ValueError(
            f"The metadata of table '{table_name}' does not match the data: columns only in "
            f"the data {sorted(present - described)}, only in the metadata "
            f"{sorted(described - present)}. Update the metadata (metadata.add_column / "
            "remove_column) or pass metadata=None to profile the data."
        )


def validate_count(name: str, value, minimum: int = 1) -> None:
    """A number of rows, bins, epochs...: an integer of at least ``minimum``, else a ValueError
    that names it."""
    if not (isinstance(value, (int, np.integer)) and value >= minimum):
        kind = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise ValueError(f"{name} must be {kind}, got {value!r}.")


def validate_parameters(synthesizer) -> None:
    """The pillars' own parameters, checked before any work (both synthesizers have them)."""
    threshold = synthesizer.rule_threshold
    if not (isinstance(threshold, numbers.Real) and 0 < threshold <= 1):
        raise ValueError(f"rule_threshold must be a number in (0, 1], got {threshold!r}.")
    depth = synthesizer.max_depth
    if not (isinstance(depth, numbers.Integral) and not isinstance(depth, bool) and depth >= 1):
        raise ValueError(f"max_depth must be a positive integer, got {depth!r}.")
    seed = synthesizer.random_state
    if seed is not None and not (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)
                                 and 0 <= seed < 2**32):
        raise ValueError(f"random_state must be None or an integer in [0, 2**32), got {seed!r}.")
    for flag in ("rules", "missingness", "verbose"):
        if not isinstance(getattr(synthesizer, flag), bool):
            raise TypeError(f"{flag} must be True or False, got {getattr(synthesizer, flag)!r}.")


def validate_same_columns(what: str, frame: pd.DataFrame, real: pd.DataFrame) -> None:
    """A table compared with the real one must have its columns."""
    missing, extra = set(real.columns) - set(frame.columns), set(frame.columns) - set(real.columns)
    if missing or extra:
        raise ValueError(
            f"The {what} table does not have the real table's columns: missing {sorted(missing)}, "
            f"extra {sorted(extra)}. Evaluate tables with the same columns."
        )


FLOAT32_MAX = float(np.finfo(np.float32).max)


def validate_values(frame: pd.DataFrame, table_name: str) -> None:
    """Numbers the models can hold: no infinity, nothing beyond float32's range.

    SDV's transformers and scikit-learn's trees work in float32: an infinite or a huge
    value fails deep inside them, or comes back as a null. Run on numpy-backed columns.
    """
    for name in frame.columns:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        values = column.to_numpy(dtype=float, na_value=np.nan)
        infinite = int(np.isinf(values).sum())
        if infinite:
            raise ValueError(
                f"Column '{name}' of table '{table_name}' has {infinite} infinite value(s): "
                "replace them before fitting, e.g. with nulls "
                "(frame[col].replace([np.inf, -np.inf], np.nan)) or with a finite cap."
            )
        huge = int((np.abs(values) > FLOAT32_MAX).sum())
        if huge:
            raise ValueError(
                f"Column '{name}' of table '{table_name}' has {huge} value(s) beyond "
                f"±{FLOAT32_MAX:.3g}, which the models cannot hold: rescale the column "
                "(e.g. divide by a power of ten) or cap it."
            )


def validate_backbone_kwargs(backbone_class: type, kwargs: dict | None, own: tuple[str, ...] = ()) -> None:
    """Every key of ``kwargs`` is a parameter of ``backbone_class`` (or the pillars' ``own``)."""
    if kwargs is None:
        return
    if not isinstance(kwargs, dict):
        raise TypeError("backbone_kwargs must be a dict of SDV synthesizer parameters.")
    accepted = [p for p in inspect.signature(backbone_class.__init__).parameters
                if p not in ("self", "metadata")]
    for key in kwargs:
        if key in own or key in accepted:
            continue
        close = difflib.get_close_matches(str(key), [*accepted, *own], n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"backbone_kwargs has '{key}', which {backbone_class.__name__} does not take.{hint} "
            f"It takes: {', '.join(sorted([*accepted, *own]))}."
        )


def validate_same_kinds(what: str, frame: pd.DataFrame, real: pd.DataFrame) -> None:
    """A column the real table holds as numbers or dates must hold them in ``frame`` too:
    scored as labels, a numeric column stored as text would look perfect."""
    for name in real.columns:
        real_kind = ("numbers" if pd.api.types.is_numeric_dtype(real[name])
                     and not pd.api.types.is_bool_dtype(real[name]) else
                     "dates" if pd.api.types.is_datetime64_any_dtype(real[name]) else None)
        if real_kind is None or frame[name].isna().all():
            continue
        same = (pd.api.types.is_numeric_dtype(frame[name]) if real_kind == "numbers"
                else pd.api.types.is_datetime64_any_dtype(frame[name]))
        if not same:
            raise ValueError(
                f"Column '{name}' holds {real_kind} in the real table but "
                f"{frame[name].dtype} values in the {what} table: the {what} column did not "
                f"come out as {real_kind}. Convert it (pd.to_numeric / pd.to_datetime) and "
                "evaluate again."
            )


def checked_table(data, real: pd.DataFrame | None = None,
                  what: str = "synthetic") -> tuple[str, pd.DataFrame, pd.Series]:
    """One table through the library's boundary: its structure (``validate_table``), its
    columns numpy-backed (``dtypes``), its values (``validate_values``) and, given ``real``,
    the same columns and kinds as the real table (``what`` names it in errors).

    Returns:
        The table's name, the numpy-backed frame and the caller's dtypes (to cast back to).
    """
    name, frame = validate_table(data, learn=real is None)
    backed = numpy_backed(frame)
    validate_values(backed, name)
    if real is not None:
        validate_same_columns(what, backed, real)
        validate_same_kinds(what, backed, real)
    return name, backed, frame.dtypes
