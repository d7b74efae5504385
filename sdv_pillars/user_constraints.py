"""Which columns a user's own SDV constraint owns, so that mined rules give way to it.

An SDV user adds constraints of their own (``add_constraints``). A mined rule that rebuilds
one of their columns would undo theirs (a rule writes its target after the backbone draws),
or state it a second time; so the pillars leave those columns to the user's constraint.

SDV's constraints have no common "columns" attribute, so two readings are combined:

* the columns the constraint rewrites: what ``get_updated_metadata`` removes, adds or
  changes (``Inequality`` replaces its high column, ``FixedCombinations`` merges its
  columns into one);
* the columns it names: any attribute holding a column name, or a list of them (the low
  column of an ``Inequality`` is read but not rewritten; a programmable constraint of the
  user's names its columns in its own attributes).

The pillars' own derived-column constraints (``FormulaRule``, ``ExpressionRule``,
``CARTRule``) say exactly what they do: they rewrite their target, from the columns they
read. In a single table only the target is theirs; a mined CART rule or lookup may derive
a column they read, rebuilt before them (``ownership``).
"""

from __future__ import annotations

from copy import deepcopy

from sdv_pillars.pillar_constraint import DerivedColumn


def _named(value, columns: set[str]) -> set[str]:
    if isinstance(value, str):
        return {value} & columns
    if isinstance(value, (list, tuple, set, frozenset)):
        return {v for v in value if isinstance(v, str) and v in columns}
    if isinstance(value, dict):
        return _named(list(value), columns)
    return set()


def _rewritten(constraint, metadata, table_name: str) -> set[str]:
    before = metadata.tables[table_name].columns
    try:
        after = constraint.get_updated_metadata(deepcopy(metadata)).tables[table_name].columns
    except Exception:  # noqa: BLE001 - a constraint that cannot say: its names still count
        return set()
    changed = {c for c in set(before) & set(after) if before[c] != after[c]}
    return (set(before) ^ set(after) | changed) & set(before)


def reserved_columns(constraints: list, metadata, table_name: str) -> dict[str, str]:
    """``{column: constraint class name}`` for every column of ``table_name`` that one of
    ``constraints`` rewrites or names (module docstring). Constraints of other tables (their
    ``table_name`` says so) are left out."""
    columns = set(metadata.tables[table_name].columns)
    reserved: dict[str, str] = {}
    for constraint in constraints:
        if getattr(constraint, "table_name", None) not in (None, table_name):
            continue
        touched = _rewritten(constraint, metadata, table_name)
        for value in vars(constraint).values():
            touched |= _named(value, columns)
        for column in sorted(touched):
            reserved.setdefault(column, type(constraint).__name__)
    return reserved


def ownership(constraints: list, metadata, table_name: str
              ) -> tuple[dict[str, str], dict[str, list[str]]]:
    """``(reserved, user_rules)`` of one table: the columns the user's constraints own (as
    ``reserved_columns``, but of a derived-column constraint only its target), and each
    derived-column constraint's target -> the columns it reads (module docstring)."""
    derived = derived_columns(constraints, table_name)
    others = [c for c in constraints if not any(c is d for d in derived)]
    reserved = reserved_columns(others, metadata, table_name)
    for rule in derived:
        reserved.setdefault(rule.target, type(rule).__name__)
    return reserved, {rule.target: rule.reads() for rule in derived}


def derived_columns(constraints: list, table_name: str) -> list[DerivedColumn]:
    """The user's derived-column constraints of ``table_name``."""
    return [c for c in constraints if isinstance(c, DerivedColumn)
            and getattr(c, "table_name", None) in (None, table_name)]


def reading_mined_columns(constraints: list, table_name: str, mined: set[str]) -> list[DerivedColumn]:
    """The user's derived-column constraints that must be rebuilt among the mined rules:
    those that read a column a mined rule derives (``mined``), or the target of one that
    does (it is then rebuilt among them too)."""
    placed: list[DerivedColumn] = []
    rebuilt_first = set(mined)
    while more := [c for c in derived_columns(constraints, table_name)
                   if not any(c is p for p in placed) and rebuilt_first & set(c.reads())]:
        placed += more
        rebuilt_first |= {c.target for c in more}
    return placed
