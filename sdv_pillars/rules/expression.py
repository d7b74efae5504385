"""A formula a user writes as text, kept on every synthetic row or at its real exception rate.

Some identities are no sum or product: a loan's instalment is the amortisation of its amount,
rate and term, ``installment = loan_amount * r / (1 - (1 + r) ** -term)`` with
``r = interest_rate / 1200``. A user who knows such an identity declares it as text; pandas
evaluates it (``DataFrame.eval``: arithmetic, ``**``, parentheses, its math functions such as
``log`` and ``exp``, column names, and names with spaces in backticks), so no code of the
user's runs inside a saved model.

Real tables break their own identities now and then (a re-priced loan, a manual
correction). ``exceptions="none"`` (the default) keeps the formula on every synthetic row: the
backbone never sees the target, and a fit on data where it does not hold is refused, naming
the rows, so real exceptions are never lost without a word. ``exceptions="keep"`` reproduces
them at their real rate: the backbone still models the target, and its value is kept on that
share of rows, drawn at random; every other row gets the formula's value.
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd

from sdv_pillars.defaults import STREAM_EXPRESSION
from sdv_pillars.pillar_constraint import DerivedColumn
from sdv_pillars.rules.formulas import finest_decimals

EXCEPTIONS = ("none", "keep")
_BACKTICKED = re.compile(r"`([^`]+)`")


def expression_columns(expression: str) -> list[str]:
    """The column names an expression reads (backticked names kept whole; the functions
    pandas' eval knows, ``log(x)``, are not columns)."""
    quoted = _BACKTICKED.findall(expression)
    plain = _BACKTICKED.sub(" 0 ", expression)
    try:
        tree = ast.parse(plain, mode="eval")
    except SyntaxError as error:
        raise ValueError(f"Cannot read the formula {expression!r}: {error.msg}. Write it as "
                         "pandas' DataFrame.eval reads it: column names, numbers, + - * / ** "
                         "and parentheses; names with spaces in `backticks`.") from None
    functions = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names = [node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in functions]
    return list(dict.fromkeys(quoted + names))


class ExpressionRule(DerivedColumn):
    """``target = expression`` (module docstring): an SDV 2 programmable constraint for
    ``add_constraints``; mining leaves its columns to it.

    Args:
        formula: ``"target = expression of other columns"``, e.g.
            ``"installment = loan_amount * (interest_rate / 1200) / (1 - (1 + interest_rate /
            1200) ** -term)"``.
        tolerance: how far a real row may be from the expression and still keep it; at least
            half a step of the decimals the target's finest tenth of values is written in
            (the rebuilt value is rounded so; ``formulas.finest_decimals``).
        exceptions: ``"none"`` or ``"keep"`` (module docstring).
        random_state: seed of the exception draws.
        table_name: the table, for multi-table metadata.
    """

    def __init__(self, formula: str, tolerance: float | None = None, exceptions: str = "none",
                 random_state: int | None = None, table_name: str | None = None):
        target, equals, expression = formula.partition("=")
        if not equals or not target.strip() or not expression.strip() or expression.startswith("="):
            raise ValueError(f"Write the formula as 'target = expression', got {formula!r}.")
        if exceptions not in EXCEPTIONS:
            raise ValueError(f"exceptions must be one of {EXCEPTIONS}, got {exceptions!r}.")
        self.formula = formula
        self.target = target.strip().strip("`")
        self.expression = expression.strip()
        self.parts = expression_columns(self.expression)
        if self.target in self.parts:
            raise ValueError(f"The formula {formula!r} reads its own target '{self.target}'.")
        self.tolerance = tolerance
        self.exceptions = exceptions
        self.random_state = random_state
        self.table_name = table_name

    def reads(self) -> list[str]:
        return list(self.parts)

    def _columns_read(self, data: pd.DataFrame) -> list[str]:
        missing = [c for c in [self.target, *self.parts] if c not in data.columns]
        if missing:
            raise ValueError(f"The formula {self.formula!r} names {missing}, which the table "
                             f"does not have (its columns: {list(data.columns)}).")
        return [self.target, *self.parts]

    def _stream(self) -> tuple[int, ...]:
        return (STREAM_EXPRESSION,)

    def evaluate(self, data: pd.DataFrame) -> np.ndarray:
        """The expression's value on every row (NaN where a part is null)."""
        parts = data[self.parts].apply(pd.to_numeric, errors="coerce").astype(float)
        with np.errstate(all="ignore"):
            values = parts.eval(self.expression)
        return np.broadcast_to(np.asarray(values, dtype=float), len(data)).copy()

    def _off(self, data: pd.DataFrame) -> np.ndarray:
        """Rows whose target is not the expression's value, within the tolerance."""
        actual = pd.to_numeric(data[self.target], errors="coerce").to_numpy(dtype=float)
        expected = self.evaluate(data)
        both_null = np.isnan(actual) & np.isnan(expected)
        return ~(both_null | (np.abs(actual - expected) <= self.tolerance_ + 1e-9 * np.abs(expected)))

    def _fit(self, data: pd.DataFrame) -> None:
        actual = pd.to_numeric(data[self.target], errors="coerce").to_numpy(dtype=float)
        self.decimals_ = finest_decimals(actual)
        # never below the rounding the rebuild itself applies
        self.tolerance_ = max(self.tolerance or 0.0, 0.5 * 10.0 ** -self.decimals_)
        off = self._off(data)
        self.exception_rate_ = float(off.mean()) if len(off) else 0.0
        if off.any() and self.exceptions == "none":
            rows = list(data.index[off][:5])
            raise ValueError(
                f"The formula {self.formula!r} does not hold on {int(off.sum())} of {len(off)} "
                f"rows (first: {rows}), within a tolerance of {self.tolerance_:g}. Correct those "
                "rows, give a larger tolerance, or pass exceptions='keep' to reproduce such rows "
                "at their real rate."
            )

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        return data if self.exceptions == "keep" else super().transform(data)

    def get_updated_metadata(self, metadata):
        return metadata if self.exceptions == "keep" else super().get_updated_metadata(metadata)

    def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
        data = transformed_data.copy()
        rebuilt = np.round(self.evaluate(data), self.decimals_)
        if self.exceptions == "keep":
            kept = self._rng.random(len(data)) < self.exception_rate_  # the backbone's value
            data[self.target] = np.where(kept, pd.to_numeric(data[self.target], errors="coerce"), rebuilt)
        else:
            data[self.target] = rebuilt
        return data

    def holds(self, data: pd.DataFrame) -> pd.Series:
        """Per row: is the target the expression's value (an exception's is not)?"""
        return pd.Series(~self._off(data), index=data.index)

    def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
        """Every row keeps the formula; with ``exceptions="keep"`` every row is valid (an
        exception is a row the real data has too)."""
        if self.exceptions == "keep":
            return pd.Series(True, index=synthetic_data.index)
        return self.holds(synthetic_data)
