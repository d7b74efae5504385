"""Keys of a relational schema: detected, checked, and made clean enough to synthesize.

Detection starts from SDV's (``Metadata.detect_from_dataframes``, which matches key columns by
name) and adds what names miss: a text column of a child whose values are, for at least
``MIN_VALUE_MATCH`` of its rows, primary-key values of another table (``flights.dest`` ->
``airports.faa``). A user's metadata always wins and is only checked.

Checks and treatment (each one reported in plain words):

* a primary key with nulls or duplicates is no key: it is dropped from the metadata (with
  the relationships that use it) and the column is kept as an ordinary id column;
* a detected relationship that fewer than ``MIN_RESOLVED`` of the child's keys resolve is
  taken for a coincidence of names and dropped;
* orphans, child rows whose key matches no parent row, keep their row; their key becomes
  null, as for a child with no parent (``flights.tailnum`` of a plane missing from
  ``planes``). Nothing is dropped.
* composite keys are not taken by SDV's relationships: ``add_surrogate_key`` replaces one by
  a single-column key in the parent and its children, explicitly.
"""

from __future__ import annotations

import graphlib
import warnings

import numpy as np
import pandas as pd
from sdv.metadata import Metadata

MIN_RESOLVED = 0.5
MIN_VALUE_MATCH = 0.9


def key_columns(metadata: Metadata, table: str) -> list[str]:
    """The primary key and foreign keys of ``table``."""
    keys = [metadata.tables[table].primary_key] if metadata.tables[table].primary_key else []
    keys += [r["child_foreign_key"] for r in metadata.relationships if r["child_table_name"] == table]
    return list(dict.fromkeys(keys))


def key_faults(values: pd.Series) -> tuple[int, int]:
    """(nulls, duplicates among the present values) of a would-be primary key."""
    return int(values.isna().sum()), int(values.dropna().duplicated().sum())


def _resolved_share(child: pd.Series, parent: pd.Series) -> float:
    present = child.dropna()
    return float(present.isin(set(parent.dropna())).mean()) if len(present) else 0.0


def _relationships(metadata: Metadata) -> list[dict]:
    return list(metadata.relationships)


def _drop_relationship(metadata: Metadata, relation: dict) -> None:
    """Remove one relationship (SDV removes all between two tables; re-add the others)."""
    parent, child = relation["parent_table_name"], relation["child_table_name"]
    keep = [r for r in _relationships(metadata) if r != relation and
            (r["parent_table_name"], r["child_table_name"]) == (parent, child)]
    metadata.remove_relationship(parent, child)
    for r in keep:
        metadata.add_relationship(**r)


def _add_value_relationships(tables: dict[str, pd.DataFrame], metadata: Metadata,
                             notes: list[str]) -> None:
    keyed = {name: t.primary_key for name, t in metadata.tables.items() if t.primary_key}
    linked = {(r["child_table_name"], r["child_foreign_key"]) for r in _relationships(metadata)}
    for child, frame in tables.items():
        for column in frame.columns:
            if (child, column) in linked or column == keyed.get(child):
                continue
            if pd.api.types.is_numeric_dtype(frame[column]) or frame[column].nunique() < 2:
                continue
            for parent, key in keyed.items():
                if parent == child or pd.api.types.is_numeric_dtype(tables[parent][key]):
                    continue
                share = _resolved_share(frame[column], tables[parent][key])
                if share >= MIN_VALUE_MATCH:
                    metadata.update_column(column, child, sdtype="id")
                    metadata.add_relationship(parent, child, key, column)
                    notes.append(f"{child}.{column} -> {parent}.{key}: detected from values "
                                 f"({share:.1%} of its keys resolve).")
                    break


def detect_metadata(tables: dict[str, pd.DataFrame]) -> tuple[Metadata, list[str]]:
    """Multi-table metadata for ``tables`` (module docstring), and what was decided."""
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metadata = Metadata.detect_from_dataframes(tables)
    for name, table in metadata.tables.items():
        key = table.primary_key
        if isinstance(key, str) and any(key_faults(tables[name][key])):
            for relation in [r for r in _relationships(metadata) if r["parent_table_name"] == name]:
                _drop_relationship(metadata, relation)
            metadata.remove_primary_key(name)
            notes.append(f"{name}.{key} has nulls or duplicates, so it is not a primary key: "
                         "kept as an ordinary id column, and no table refers to it.")
    for relation in _relationships(metadata):
        child, parent = relation["child_table_name"], relation["parent_table_name"]
        share = _resolved_share(tables[child][relation["child_foreign_key"]],
                                tables[parent][relation["parent_primary_key"]])
        if share < MIN_RESOLVED:
            _drop_relationship(metadata, relation)
            notes.append(f"{child}.{relation['child_foreign_key']} -> {parent}: only {share:.0%} "
                         "of its keys resolve, so it is not taken for a relationship.")
    _add_value_relationships(tables, metadata, notes)
    notes += _dirty_parent_keys(tables, metadata)
    metadata.validate()
    return metadata, notes


def _dirty_parent_keys(tables: dict[str, pd.DataFrame], metadata: Metadata) -> list[str]:
    """Say why a relationship the names promise was not made: a column shared by two tables,
    unique but for a few rows in one (the parent) and resolving most of the other's values,
    is a key with duplicates or nulls, which SDV's detection silently passes over."""
    notes = []
    related = {(r["parent_table_name"], r["child_table_name"]) for r in _relationships(metadata)}
    for parent, frame in tables.items():
        if metadata.tables[parent].primary_key:
            continue
        for column in frame.columns:
            values = frame[column]
            dirty = sum(key_faults(values))
            if not dirty or values.nunique() < MIN_RESOLVED * len(values):
                continue
            for child, other in tables.items():
                if child == parent or column not in other.columns or (parent, child) in related:
                    continue
                if _resolved_share(other[column], values) >= MIN_RESOLVED:
                    notes.append(
                        f"{parent}.{column} looks like the key {child}.{column} refers to, but "
                        f"{dirty} of its {len(values):,} values are duplicates or nulls, so no "
                        "relationship was made: make the key unique, or pass metadata."
                    )
    return notes


def check_user_keys(tables: dict[str, pd.DataFrame], metadata: Metadata) -> None:
    """A user's keys must be usable as given: primary keys complete and unique, foreign keys
    naming real columns, and no table its own ancestor (a cycle has no parents-first order).

    Raises:
        ValueError: naming the table and column, and what to do.
    """
    for name, table in metadata.tables.items():
        key = table.primary_key
        if isinstance(key, str) and key in tables[name].columns:
            nulls, duplicates = key_faults(tables[name][key])
            if nulls or duplicates:
                raise ValueError(
                    f"The metadata makes '{name}.{key}' a primary key, but it has {nulls} "
                    f"null(s) and {duplicates} duplicate(s): fix the key, or remove it "
                    "(metadata.remove_primary_key) and the relationships that use it."
                )
    graph: dict[str, set[str]] = {name: set() for name in metadata.tables}
    for r in _relationships(metadata):
        if r["child_foreign_key"] not in tables[r["child_table_name"]].columns:
            raise ValueError(f"The metadata's foreign key '{r['child_table_name']}."
                             f"{r['child_foreign_key']}' is not a column of the data.")
        graph[r["child_table_name"]].add(r["parent_table_name"])
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        raise ValueError(
            f"The relationships form a cycle ({' -> '.join(error.args[1])}): a table cannot "
            "be its own ancestor. Remove one relationship of the cycle (for a self-reference, "
            "keep it as an ordinary column)."
        ) from None


def clean_orphans(tables: dict[str, pd.DataFrame], metadata: Metadata) -> tuple[dict, list[str]]:
    """Copies of ``tables`` where every foreign key matches a parent row or is null."""
    cleaned, notes = dict(tables), []
    for relation in _relationships(metadata):
        child, parent = relation["child_table_name"], relation["parent_table_name"]
        column = relation["child_foreign_key"]
        keys = cleaned[child][column]
        orphan = keys.notna() & ~keys.isin(set(cleaned[parent][relation["parent_primary_key"]]))
        if orphan.any():
            cleaned[child] = cleaned[child].copy()
            cleaned[child][column] = keys.mask(orphan)
            notes.append(f"{child}.{column}: {int(orphan.sum()):,} of {len(keys):,} rows "
                         f"({orphan.mean():.1%}) refer to no {parent} row; their key is set to null "
                         "and the rows are kept.")
    return cleaned, notes


def allow_null_keys(tables: dict[str, pd.DataFrame], metadata: Metadata) -> None:
    """Mark, in place, every foreign key that holds nulls (orphans set to null included) as
    nullable: SDV's detection records ``range_is_nullable=False`` for a key that had none,
    and its HMA then refuses the rows the pillars keep."""
    for r in _relationships(metadata):
        child, key = r["child_table_name"], r["child_foreign_key"]
        spec = metadata.tables[child].columns[key]
        if tables[child][key].isna().any() and spec.get("range_is_nullable") is False:
            metadata.update_column(column_name=key, table_name=child,
                                   **{**spec, "range_is_nullable": True})


def add_surrogate_key(
    tables: dict[str, pd.DataFrame], table: str, columns: list[str], children: list[str],
    name: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Replace ``table``'s composite key ``columns`` by one integer key ``name`` (default
    ``"<table>_id"``), and give each child in ``children`` that key in place of the same
    columns; child rows whose combination matches no parent row get a null key.

    Returns new frames; the given ones are not modified.
    """
    name = name or f"{table}_id"
    parent = tables[table]
    if parent.duplicated(columns).any():
        raise ValueError(f"{columns} is not a key of table '{table}': some combinations repeat.")
    out = dict(tables)
    out[table] = parent.assign(**{name: np.arange(1, len(parent) + 1)})
    lookup = out[table][[*columns, name]]
    for child in children:
        missing = [c for c in columns if c not in tables[child].columns]
        if missing:
            raise ValueError(f"Table '{child}' lacks {missing} of the key of '{table}'.")
        merged = tables[child].merge(lookup, on=columns, how="left")
        out[child] = merged.astype({name: "Int64"})
    return out
