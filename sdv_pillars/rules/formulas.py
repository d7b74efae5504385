"""Pillar 2 (formulas): a column that is exactly the sum of others, kept exactly.

Business tables are full of arithmetic identities (``paid_total = paid_principal +
paid_interest + paid_late_fees``) that a depth-limited tree can only approximate. A formula
has no fitted parameter (unit coefficients), so every real row is a held-out row: a formula
is kept only when it holds on every row within the data's rounding (``rounding_tolerance``:
half a step of the decimals most values are written in, for each column with decimals), not
when an R^2 is high, and only when columns with the same marginals but shuffled rows would
not satisfy it on half the rows (mostly-zero counts add up by chance).

Search, for every candidate target ``t`` (a complete numeric column with more than two
values) and every set of one or two other columns: the remainder ``t - sum(set)`` is compared
on ``PROBE_ROWS`` random rows with every remaining column at once (one vector comparison),
and only a column that matches there is checked on every row. A difference ``a = t - b`` is
found as the sum ``t = a + b``. A column takes part in at most one formula (as target or
part), smallest formulas first. ``FormulaRule`` is the SDV constraint: the backbone never
sees the target, which is rebuilt as the sum of its generated parts, rounded as the real
column is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from sdv_pillars.pillar_constraint import DerivedColumn
from sdv_pillars.profiling import NUMERIC_KINDS, ColumnProfile

FORMULA = "formula"
MAX_PARTS = 3
PROBE_ROWS = 16  # rows a candidate sum is tried on before every row is checked
CHANCE_SHARE = 0.5  # a sum that shuffled parts keep this often is implied by the marginals


def decimals(values: np.ndarray) -> int:
    """The decimal places most (finite) values are written in, at most 9: values with stray
    digits (an amount of half a cent, a float artefact) do not change how a column is written."""
    finite = np.abs(values[np.isfinite(values)])
    if len(finite) == 0:
        return 0
    places = np.full(len(finite), 9)
    for digits in range(9, -1, -1):
        exact = np.isclose(finite, np.round(finite, digits), rtol=0, atol=1e-9 * np.maximum(1, finite))
        places[exact] = digits
    return int(np.median(places))


def rounding_tolerance(places: list[int]) -> float:
    """How far from an exact sum a row may be because its columns are rounded: half a step
    of the finest written decimal for every column that has decimals (integers add none)."""
    step = 10.0 ** -max(places)
    return 0.5 * step * max(1, sum(p > 0 for p in places))


@dataclass(frozen=True)
class Formula:
    """``target = sum(parts)`` on every real row, within ``tolerance``."""

    target: str
    parts: tuple[str, ...]
    tolerance: float

    def __str__(self) -> str:
        return f"{self.target} = {' + '.join(self.parts)} (exact on every real row)"


def numbers(frame: pd.DataFrame) -> np.ndarray:
    """Numeric columns as floats, whatever pillar 1 calls them (codes are numbers here)."""
    return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def _holds(target: np.ndarray, parts: list[np.ndarray], tolerance: float) -> np.ndarray:
    return np.abs(target - np.sum(parts, axis=0)) <= tolerance


def find_formulas(data: pd.DataFrame, profile: dict[str, ColumnProfile],
                  exclude: set[str] = frozenset(), random_state: int | None = 0) -> list[Formula]:
    """Sums of two or three parts that hold on every row (module docstring).

    Candidates are pruned on ``PROBE_ROWS`` random rows (one vector comparison against every
    column at once), then checked on every row. A sum that columns with the same marginals
    but independent rows would also satisfy on half the rows (mostly-zero counts, say) is
    implied by the marginals, not a formula, and is left out.
    """
    columns = [c for c, p in profile.items() if c in data.columns and c not in exclude
               and p.null_rate == 0 and p.kind not in ("id", "boolean")
               and pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])]
    if len(columns) < 3 or len(data) < 2:
        return []
    values = numbers(data[columns])
    places = [decimals(values[:, j]) for j in range(len(columns))]
    rng = np.random.default_rng(random_state)
    probe = rng.choice(len(values), min(PROBE_ROWS, len(values)), replace=False)
    sample = values[probe]
    # a target is a quantity (whole-number codes may be parts: a fee of 0, 15 or 30)
    varied = [j for j, c in enumerate(columns)
              if profile[c].kind in NUMERIC_KINDS and len(np.unique(values[:, j])) > 2]
    found, used = [], set()
    for size in range(2, MAX_PARTS + 1):
        for t in varied:
            if t in used:
                continue
            others = [j for j in range(len(columns)) if j != t and j not in used]
            for fixed in combinations(others, size - 1):
                rest = sample[:, t] - sample[:, list(fixed)].sum(axis=1)
                free = [j for j in others if j not in fixed]
                if not free:
                    continue
                tolerance = rounding_tolerance([places[j] for j in (t, *fixed)] + [max(places)])
                close = np.abs(sample[:, free] - rest[:, None]) <= tolerance
                for last in np.asarray(free)[close.all(axis=0)]:
                    parts = [*fixed, int(last)]
                    tolerance = rounding_tolerance([places[j] for j in (t, *parts)])
                    column_parts = [values[:, j] for j in parts]
                    if not _holds(values[:, t], column_parts, tolerance).all():
                        continue
                    shuffled = [rng.permutation(v) for v in column_parts]
                    if _holds(values[:, t], shuffled, tolerance).mean() >= CHANCE_SHARE:
                        continue
                    names = tuple(columns[j] for j in sorted(parts))
                    found.append(Formula(columns[t], names, tolerance))
                    used |= {t, *parts}
                    break
                if t in used:
                    break
    return found


def formula_tolerance(data: pd.DataFrame, rule) -> float:
    """The rounding tolerance of a formula's columns (``rounding_tolerance``)."""
    values = numbers(data[[rule.target, *rule.features]])
    return rounding_tolerance([decimals(values[:, j]) for j in range(values.shape[1])])


class FormulaRule(DerivedColumn):
    """``target`` rebuilt as the sum of ``parts`` (an SDV 2 programmable constraint).

    Args:
        target: the derived column.
        parts: the columns it is the sum of.
        tolerance: how far a row may be from the exact sum and still keep the formula.
        random_state: the rebuild draws nothing; the common base keeps a seed all the same.
        table_name: the table, for multi-table metadata.
    """

    def __init__(self, target: str, parts: list[str], tolerance: float,
                 random_state: int | None = None, table_name: str | None = None):
        self.target = target
        self.parts = list(parts)
        self.tolerance = tolerance
        self.random_state = random_state
        self.table_name = table_name

    def _columns_read(self, data: pd.DataFrame) -> list[str]:
        return [self.target, *self.parts]

    def _stream(self) -> tuple[int, ...]:
        return (0,)

    def _fit(self, data: pd.DataFrame) -> None:
        self.decimals_ = decimals(numbers(data[[self.target]])[:, 0])

    def _sum(self, data: pd.DataFrame) -> np.ndarray:
        return numbers(data[self.parts]).sum(axis=1)

    def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
        data = transformed_data.copy()
        data[self.target] = np.round(self._sum(data), self.decimals_)
        return data

    def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
        actual = pd.to_numeric(synthetic_data[self.target], errors="coerce").to_numpy(dtype=float)
        valid = np.abs(actual - self._sum(synthetic_data)) <= self.tolerance + 1e-9
        return pd.Series(valid, index=synthetic_data.index)
