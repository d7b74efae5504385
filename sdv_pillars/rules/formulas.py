"""Pillar 2 (formulas): a column that is exactly the sum or product of others, kept exactly.

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
part), smallest formulas first.

Products ``t = a * b`` (``amount = price * quantity``) are searched the same way after the
sums, over pairs of the columns no sum uses: every pair is tried on the probe rows at once,
within the rounding of the three columns (half a step of the target's decimals, plus each
part's half step times the other part); a ratio ``rate = amount / count`` is found as the
product ``amount = rate * count``. Last, affine identities ``t = slope * x + intercept`` (a unit change,
``temp_f = 1.8 * temp_c + 32``; a fixed rate, ``fee = 2 * count``): every part is fitted at
once on the probe rows, then checked on every row within both columns' rounding; the finer
column is rebuilt from the coarser, so rebuilt values land on the real column's grid.
Then linear combinations with fitted coefficients: of two parts (``_linear``: every pair
fitted at once on the probe rows), and of three to ``MAX_LINEAR_PARTS`` (``_wide_linear``:
sparse regression by backward elimination on ``FIT_ROWS`` rows).
``FormulaRule`` is the SDV constraint: the backbone never sees the target, which is rebuilt
from its generated parts, rounded as the real column is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from sdv_pillars.pillar_constraint import DerivedColumn
from sdv_pillars.profiling import NUMERIC_KINDS, ColumnProfile

FORMULA = "formula"  # a sum
PRODUCT = "product"
AFFINE = "affine"  # target = slope * part + intercept (a unit change, a fixed rate)
LINEAR = "linear"  # target = a * x + b * y + ... + c (a clock time = 100 * hour + minute)
FORMULA_KINDS = (FORMULA, PRODUCT, AFFINE, LINEAR)
MAX_PARTS = 3
MAX_LINEAR_PARTS = 5  # a longer combination is no identity a person would write down
PROBE_ROWS = 16  # rows a candidate sum is tried on before every row is checked
FIT_ROWS = 500  # rows a combination of many columns is fitted on before every row is checked
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


def half_steps(places: list[int]) -> np.ndarray:
    """Half a step of each column's written decimals (0 for whole numbers)."""
    return np.array([0.5 * 10.0 ** -p if p > 0 else 0.0 for p in places])


@dataclass(frozen=True)
class Formula:
    """``target = sum(parts)`` (or, with ``operation`` PRODUCT, their product) on every real
    row, within ``tolerance`` (for a product: the target's own rounding; the parts' is added
    row by row, ``product_slack``)."""

    target: str
    parts: tuple[str, ...]
    tolerance: float
    operation: str = FORMULA

    def __str__(self) -> str:
        return formula_text(self.target, self.parts, self.operation)


def formula_text(target: str, parts: tuple[str, ...], operation: str) -> str:
    """How a formula reads: ``t = a + b``, ``t = a * b``, ``t = slope * a + intercept``."""
    if operation == AFFINE:
        return f"{target} = slope * {parts[0]} + intercept (exact on every real row)"
    if operation == LINEAR:
        terms = " + ".join(f"{'abcde'[i]} * {part}" for i, part in enumerate(parts))
        return f"{target} = {terms} + {'abcdef'[len(parts)]} (exact on every real row)"
    sign = " * " if operation == PRODUCT else " + "
    return f"{target} = {sign.join(parts)} (exact on every real row)"


def affine_fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slope and intercept of ``y`` on each column of ``x`` (rows x columns).

    Also the affine search's refit on every row, rather than ``linear_fit``: on integer
    columns (tolerance 0) lstsq's intercept of 1e-14 where the truth is 0 broke ``fee = 2 *
    count``, which this closed form fits exactly."""
    dx = x - x.mean(axis=0)
    variance = (dx ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(variance > 0, (dx * (y - y.mean())[:, None]).sum(axis=0) / variance, 0.0)
    return slope, y.mean() - slope * x.mean(axis=0)


def linear_fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares coefficients and intercept of ``y`` on the columns of ``x``."""
    design = np.column_stack([x, np.ones(len(x))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    return solution[:-1], float(solution[-1])


def numbers(frame: pd.DataFrame) -> np.ndarray:
    """Numeric columns as floats, whatever pillar 1 calls them (codes are numbers here)."""
    return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def _holds(target: np.ndarray, parts: list[np.ndarray], tolerance: float) -> np.ndarray:
    return np.abs(target - np.sum(parts, axis=0)) <= tolerance


def product_slack(a: np.ndarray, b: np.ndarray, half_a: float, half_b: float,
                  tolerance: float) -> np.ndarray:
    """How far ``a * b`` may be from the target because the three are rounded, row by row."""
    return tolerance + np.abs(a) * half_b + np.abs(b) * half_a + 1e-9 * np.abs(a * b)


def _exact_not_by_chance(holds, part: np.ndarray, rng: np.random.Generator) -> bool:
    """Whether ``holds(part)`` is true on every row, and not on ``CHANCE_SHARE`` of the rows
    once ``part``'s rows are shuffled (then the marginals imply it, not the rows)."""
    return bool(holds(part).all()) and holds(rng.permutation(part)).mean() < CHANCE_SHARE


def _products(values: np.ndarray, columns: list[str], places: list[int], varied: list[int],
              targets: set[int], busy: set[int], probe: np.ndarray,
              rng: np.random.Generator) -> list[Formula]:
    """Products ``t = a * b`` (module docstring). A target is a column no formula uses yet; a
    part may serve several products, but is never a formula's target (every part is drawn by
    the backbone, every target rebuilt from parts)."""
    half = half_steps(places)
    sample = values[probe]
    found = []
    for t in varied:
        if t in busy:
            continue
        for a in [j for j in range(len(columns)) if j != t and j not in targets]:
            free = [j for j in range(a + 1, len(columns)) if j != t and j not in targets]
            if not free:
                continue
            slack = product_slack(sample[:, [a]], sample[:, free], half[a], half[free], half[t])
            close = np.abs(sample[:, [a]] * sample[:, free] - sample[:, [t]]) <= slack
            for b in np.asarray(free)[close.all(axis=0)]:
                def holds(part, a=a, b=b):
                    slack = product_slack(values[:, a], part, half[a], half[b], half[t])
                    return np.abs(values[:, a] * part - values[:, t]) <= slack

                if not _exact_not_by_chance(holds, values[:, b], rng):
                    continue
                found.append(Formula(columns[t], (columns[a], columns[int(b)]), half[t], PRODUCT))
                targets.add(t)
                busy |= {t, a, int(b)}
                break
            if t in targets:
                break
    return found


def _rounding_bound(values: np.ndarray, half: np.ndarray, t: int, parts: list[int],
                    coefficients: np.ndarray) -> np.ndarray:
    """How far ``t`` may be from a linear combination of ``parts``, row by row, because the
    columns are rounded: its half step plus each coefficient times its part's."""
    return half[t] + np.abs(coefficients) @ half[parts] + 1e-9 * np.maximum(1, np.abs(values[:, t]))


def _affine(values: np.ndarray, columns: list[str], places: list[int], varied: list[int],
            targets: set[int], busy: set[int], probe: np.ndarray,
            rng: np.random.Generator) -> list[Formula]:
    """``t = slope * x + intercept`` on every row, within the rounding of both columns (the
    target's half step plus the slope times the part's): every part is tried at once on the
    probe rows, then checked on every row with the slope and intercept of all rows."""
    half = half_steps(places)
    sample = values[probe]
    found = []
    for t in varied:
        if t in busy:
            continue
        parts = [j for j in varied if j != t and j not in targets]
        if not parts:
            continue
        slope, intercept = affine_fit(sample[:, parts], sample[:, t])
        slack = half[t] + np.abs(slope) * half[parts] + 1e-9 * np.abs(sample[:, [t]])
        residual = np.abs(sample[:, parts] * slope + intercept - sample[:, [t]])
        for x in np.asarray(parts)[(residual <= slack).all(axis=0) & (slope != 0)]:
            (a,), (b,) = affine_fit(values[:, [x]], values[:, t])
            bound = _rounding_bound(values, half, t, [x], np.array([a]))

            def holds(part, a=a, b=b, bound=bound):
                return np.abs(a * part + b - values[:, t]) <= bound

            if not _exact_not_by_chance(holds, values[:, x], rng):
                continue
            # the finer column is rebuilt from the coarser (temp_f = 1.8 * temp_c + 32, fee =
            # 2 * count): then every rebuilt value lands on the real column's own grid
            target, part = (t, int(x))
            if (places[part], abs(1 / a)) > (places[t], abs(a)):
                if part in busy:
                    continue
                target, part = part, t
            found.append(Formula(columns[target], (columns[part],), half[target], AFFINE))
            targets.add(target)
            busy |= {t, int(x)}
            break
    return found


def _linear(values: np.ndarray, columns: list[str], places: list[int], varied: list[int],
            targets: set[int], busy: set[int], probe: np.ndarray,
            rng: np.random.Generator) -> list[Formula]:
    """``t = a * x + b * y + c`` on every row, within the three columns' rounding (the
    target's half step plus each coefficient times its part's). For each target, every pair
    of free columns is fitted at once on the probe rows (a stack of least-squares problems);
    a pair that fits there is refitted and checked on every row. Of the three ways to write
    the identity, the target is the column the other two have the largest coefficients for
    (``sched_dep_time = 100 * hour + minute``, not ``hour = (sched_dep_time - minute) / 100``),
    so its rebuilt values land on its own grid; between equals, the one whose parts both add
    (not ``minute = sched_dep_time - 100 * hour``, which would leave a minute's range)."""
    half = half_steps(places)
    sample = values[probe]
    found = []
    for t in varied:
        free = [j for j in varied if j not in busy and j != t]
        if t in busy or len(free) < 2:
            continue
        pairs = np.array(list(combinations(free, 2)))
        design = np.stack([sample[:, pairs[:, 0]].T, sample[:, pairs[:, 1]].T,
                           np.ones((len(pairs), len(sample)))], axis=-1)
        coefficients = np.linalg.pinv(design) @ sample[:, t]
        residual = np.abs(np.einsum("prk,pk->pr", design, coefficients) - sample[:, t])
        parts_rounding = (np.abs(coefficients[:, 0]) * half[pairs[:, 0]]
                          + np.abs(coefficients[:, 1]) * half[pairs[:, 1]])
        slack = half[t] + parts_rounding[:, None] + 1e-9 * np.abs(sample[:, t])
        fits = (residual <= slack).all(axis=1) & (np.abs(coefficients[:, :2]) > 1e-9).all(axis=1)
        for x, y in pairs[fits]:
            (a, b), c = linear_fit(values[:, [x, y]], values[:, t])
            bound = _rounding_bound(values, half, t, [x, y], np.array([a, b]))

            def holds(part, a=a, b=b, c=c, y=y, bound=bound):
                return np.abs(a * part + b * values[:, y] + c - values[:, t]) <= bound

            if not _exact_not_by_chance(holds, values[:, x], rng):
                continue
            # the three ways to write it, each with the coefficients of its two parts
            ways = {t: (x, y, (a, b)), int(x): (t, y, (1 / a, -b / a)), int(y): (t, x, (1 / b, -a / b))}
            target = max(ways, key=lambda k: (round(min(abs(v) for v in ways[k][2]), 6),
                                              min(ways[k][2]) > 0))
            first, second, _ = ways[target]
            found.append(Formula(columns[target], (columns[int(first)], columns[int(second)]),
                                 half[target], LINEAR))
            targets.add(target)
            busy |= {t, int(x), int(y)}
            break
    return found


def _exact_fit(values: np.ndarray, half: np.ndarray, t: int, parts: list[int],
               every_part: bool = False) -> np.ndarray | None:
    """The coefficients (intercept last) of ``t`` on ``parts`` when the least-squares fit
    holds on every row of ``values`` within the columns' rounding (``every_part``: and
    every part has a coefficient), else None."""
    coefficients, intercept = linear_fit(values[:, parts], values[:, t])
    residual = np.abs(values[:, parts] @ coefficients + intercept - values[:, t])
    bound = _rounding_bound(values, half, t, parts, coefficients)
    exact = (residual <= bound).all() and (not every_part or (np.abs(coefficients) > 1e-9).all())
    return np.append(coefficients, intercept) if exact else None


def _wide_linear(values: np.ndarray, columns: list[str], places: list[int], varied: list[int],
                 targets: set[int], busy: set[int],
                 rng: np.random.Generator) -> list[Formula]:
    """``t = a * x + b * y + c * z + ... + d``, 3 to ``MAX_LINEAR_PARTS`` parts, on every row.

    Sparse regression by backward elimination: each target is fitted on every free column at
    once, on ``FIT_ROWS`` random rows (needs four rows per coefficient, so a fit cannot hold
    by having as many coefficients as rows); when that holds within the rounding, columns
    are dropped one by one, the least contributing first, while the fit still holds. What is
    left is checked on every row, and against shuffled parts. Of the ways to write the
    identity, the target is the column all others add up to with positive coefficients
    where there is one (``total = 1.2 * net + 0.5 * fee + tip``, not ``net = ...``)."""
    half = half_steps(places)
    sample = values[rng.choice(len(values), min(FIT_ROWS, len(values)), replace=False)]
    found = []
    for t in varied:
        free = [j for j in varied if j not in busy and j != t]
        if t in busy or len(free) < 3 or len(sample) < 4 * (len(free) + 1):
            continue
        fit = _exact_fit(sample, half, t, free)
        if fit is None:
            continue
        support = list(free)
        while len(support) > 1:
            weight = np.abs(fit[:-1]) * sample[:, support].std(axis=0)
            for drop in np.argsort(weight, kind="stable"):
                trial = [j for k, j in enumerate(support) if k != drop]
                if (smaller := _exact_fit(sample, half, t, trial)) is not None:
                    support, fit = trial, smaller
                    break
            else:
                break
        if not 3 <= len(support) <= MAX_LINEAR_PARTS:
            continue
        fit = _exact_fit(values, half, t, support, every_part=True)
        if fit is None:
            continue
        coefficients, intercept = fit[:-1], fit[-1]
        bound = _rounding_bound(values, half, t, support, coefficients)
        largest = int(np.argmax(np.abs(coefficients) * values[:, support].std(axis=0)))

        def holds(part, t=t, support=support, coefficients=coefficients, intercept=intercept,
                  bound=bound, largest=largest):
            design = values[:, support].copy()
            design[:, largest] = part
            return np.abs(design @ coefficients + intercept - values[:, t]) <= bound

        if not _exact_not_by_chance(holds, values[:, support[largest]], rng):
            continue
        # orientation: the column whose parts all add (coefficients of the others on it)
        relation = {t: -1.0, **dict(zip(support, coefficients))}
        ways = {k: [-relation[j] / relation[k] for j in relation if j != k] for k in relation}
        target = max(ways, key=lambda k: (min(ways[k]) > 0, round(min(map(abs, ways[k])), 6)))
        parts = tuple(columns[j] for j in relation if j != target)
        found.append(Formula(columns[target], parts, half[target], LINEAR))
        targets.add(target)
        busy |= set(relation)
    return found


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
    targets = {columns.index(f.target) for f in found}
    found += _products(values, columns, places, varied, targets, used, probe, rng)
    found += _affine(values, columns, places, varied, targets, used, probe, rng)
    found += _linear(values, columns, places, varied, targets, used, probe, rng)
    return found + _wide_linear(values, columns, places, varied, targets, used, rng)


def formula_tolerance(data: pd.DataFrame, rule) -> float:
    """The rounding tolerance of a formula's columns (``rounding_tolerance``; for a product,
    the target's half step: the parts' rounding is added row by row)."""
    values = numbers(data[[rule.target, *rule.features]])
    places = [decimals(values[:, j]) for j in range(values.shape[1])]
    own = rule.kind in (PRODUCT, AFFINE, LINEAR)
    return float(half_steps(places[:1])[0]) if own else rounding_tolerance(places)


class FormulaRule(DerivedColumn):
    """``target`` rebuilt as the sum (or product) of ``parts``: an SDV 2 programmable
    constraint, mined by the pillars or declared by a user (``add_constraints``).

    Args:
        target: the derived column.
        parts: the columns it is the sum (or product) of.
        tolerance: how far a row may be from the exact sum and still keep the formula (for a
            product, from the exact product, on top of the parts' own rounding).
        random_state: the rebuild draws nothing; the common base keeps a seed all the same.
        table_name: the table, for multi-table metadata.
        operation: ``"formula"`` (a sum, the default), ``"product"`` (two parts),
            ``"affine"`` (one part, fitted slope and intercept) or ``"linear"`` (two to
            ``MAX_LINEAR_PARTS`` parts, fitted coefficients and intercept).
    """

    def __init__(self, target: str, parts: list[str], tolerance: float,
                 random_state: int | None = None, table_name: str | None = None,
                 operation: str = FORMULA):
        sizes = {PRODUCT: (2,), AFFINE: (1,), LINEAR: range(2, MAX_LINEAR_PARTS + 1)}
        if operation not in FORMULA_KINDS or len(parts) not in sizes.get(operation, [len(parts)]):
            raise ValueError(f"A formula is a sum of parts ('{FORMULA}'), a product of two "
                             f"('{PRODUCT}'), an affine function of one ('{AFFINE}') or a "
                             f"linear combination of 2 to {MAX_LINEAR_PARTS} ('{LINEAR}'); got "
                             f"{operation!r} of {len(parts)} parts.")
        self.target = target
        self.parts = list(parts)
        self.tolerance = tolerance
        self.random_state = random_state
        self.table_name = table_name
        self.operation = operation

    def _columns_read(self, data: pd.DataFrame) -> list[str]:
        return [self.target, *self.parts]

    def _stream(self) -> tuple[int, ...]:
        return (0,)

    def _fit(self, data: pd.DataFrame) -> None:
        values = numbers(data[[self.target, *self.parts]])
        self.decimals_ = decimals(values[:, 0])
        self.part_places_ = [decimals(values[:, j]) for j in range(1, values.shape[1])]
        self.part_half_steps_ = half_steps(self.part_places_)
        if self.operation in (AFFINE, LINEAR):
            self.coefficients_, self.intercept_ = linear_fit(values[:, 1:], values[:, 0])

    @property
    def slope_(self) -> float:
        """An affine formula's slope."""
        return float(self.coefficients_[0])

    def _combine(self, data: pd.DataFrame) -> np.ndarray:
        parts = numbers(data[self.parts])
        if self.operation in (AFFINE, LINEAR):
            return parts @ self.coefficients_ + self.intercept_
        return parts.prod(axis=1) if self.operation == PRODUCT else parts.sum(axis=1)

    def part_for(self, value) -> float | None:
        """The part's value from which an affine formula rebuilds exactly ``value`` (on the
        part's written grid), so a condition on the target becomes one on its part; None
        when there is none (a sum or product, or a value off the grid)."""
        if self.operation != AFFINE or self.slope_ == 0 or pd.isna(value):
            return None
        part = float(np.round((float(value) - self.intercept_) / self.slope_,
                              self.part_places_[0]))
        rebuilt = np.round(self.slope_ * part + self.intercept_, self.decimals_)
        return part if np.isclose(rebuilt, float(value), rtol=0, atol=1e-9) else None

    def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
        data = transformed_data.copy()
        data[self.target] = np.round(self._combine(data), self.decimals_)
        return data

    def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
        actual = pd.to_numeric(synthetic_data[self.target], errors="coerce").to_numpy(dtype=float)
        if self.operation == PRODUCT:
            a, b = numbers(synthetic_data[self.parts]).T
            slack = product_slack(a, b, *self.part_half_steps_, self.tolerance)
        elif self.operation in (AFFINE, LINEAR):  # within the rounding the rebuild applies
            slack = (max(self.tolerance, 0.5 * 10.0 ** -self.decimals_)
                     + np.abs(self.coefficients_) @ self.part_half_steps_ + 1e-9 * np.abs(actual))
        else:
            slack = self.tolerance + 1e-9
        valid = np.abs(actual - self._combine(synthetic_data)) <= slack
        return pd.Series(valid, index=synthetic_data.index)
