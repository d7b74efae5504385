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
found as the sum ``t = a + b``. Smallest formulas first.

Formulas may chain: a column is derived by at most one formula, but any formula may read it,
a derived one too, as long as nothing is derived from itself (``_Derivations``). On ggplot2's
midwest the county population is the sum of five race counts and each race's percentage is
``100 * count / population``; both kinds are kept, the percentages rebuilt after the total.

Ratios ``t = k * a / b`` with a constant ``k`` (``percwhite = 100 * popwhite / poptotal``,
``rate = spend / visits``) come next, where ``t`` is written finer than both parts, so that
the rebuilt value lands on its own grid (``_ratios``). Products ``t = a * b`` (``amount =
price * quantity``) are searched like the sums: every pair is tried on the probe rows at
once, within the rounding of the three columns (half a step of the target's decimals, plus
each part's half step times the other part). Last, affine identities ``t = slope * x +
intercept`` (a unit change, ``temp_f = 1.8 * temp_c + 32``; a fixed rate, ``fee = 2 *
count``): every part is fitted at once on the probe rows, then checked on every row within
both columns' rounding; the finer column is rebuilt from the coarser, so rebuilt values land
on the real column's grid.
Then linear combinations with fitted coefficients: of two parts (``_linear``: every pair
fitted at once on the probe rows), and of three to ``MAX_LINEAR_PARTS`` (``_wide_linear``:
sparse regression by backward elimination on ``FIT_ROWS`` rows).
``FormulaRule`` is the SDV constraint: the backbone never sees the target, which is rebuilt
from its generated parts, rounded as the real column is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from itertools import combinations

import numpy as np
import pandas as pd

from sdv_pillars.pillar_constraint import DerivedColumn
from sdv_pillars.profiling import NUMERIC_KINDS, ColumnProfile

FORMULA = "formula"  # a sum
PRODUCT = "product"
RATIO = "ratio"  # target = k * numerator / denominator (a percentage, a rate)
AFFINE = "affine"  # target = slope * part + intercept (a unit change, a fixed rate)
LINEAR = "linear"  # target = a * x + b * y + ... + c (a clock time = 100 * hour + minute)
FORMULA_KINDS = (FORMULA, PRODUCT, RATIO, AFFINE, LINEAR)
MAX_PARTS = 3
MAX_LINEAR_PARTS = 5  # a longer combination is no identity a person would write down
PROBE_ROWS = 16  # rows a candidate sum is tried on before every row is checked
FIT_ROWS = 500  # rows a combination of many columns is fitted on before every row is checked
CHANCE_SHARE = 0.5  # a sum that shuffled parts keep this often is implied by the marginals


def _written_places(values: np.ndarray) -> np.ndarray:
    """The decimal places each value is written in, at most 9 (0 where it is not finite)."""
    magnitude = np.abs(np.where(np.isfinite(values), values, 0.0))
    places = np.full(len(magnitude), 9)
    for digits in range(9, -1, -1):
        exact = np.isclose(magnitude, np.round(magnitude, digits), rtol=0,
                           atol=1e-9 * np.maximum(1, magnitude))
        places[exact] = digits
    return places


def decimals(values: np.ndarray) -> int:
    """The decimal places most (finite) values are written in, at most 9: values with stray
    digits (an amount of half a cent, a float artefact) do not change how a column is written."""
    finite = values[np.isfinite(values)]
    return int(np.median(_written_places(finite))) if len(finite) else 0


def finest_decimals(values: np.ndarray) -> int:
    """The decimals a computed column is written in (a ratio, a declared expression): those
    of its finest tenth of values, not of most. ``per_person = total / size`` is a whole
    number wherever the size divides the total, and with sizes of 1 and 2 that is most rows;
    rounded to the decimals most values are written in, every rebuilt value would be a whole
    number."""
    finite = values[np.isfinite(values)]
    return int(np.percentile(_written_places(finite), 90)) if len(finite) else 0


def written_half_steps(values: np.ndarray) -> np.ndarray:
    """Half a step of the decimals each value is written in (0 for whole numbers). A column
    written to a number of significant digits has a step per value, not one per column:
    midwest's percentages read 2.57527614 and 24.7981787, so the second is rounded ten times
    coarser than the column's usual 8 decimals say."""
    places = _written_places(values)
    return np.where(places > 0, 0.5 * 10.0 ** -places, 0.0)


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
    """``target`` as ``operation`` of ``parts`` (a sum, product, ratio, affine or linear
    formula) on every real row, within ``tolerance`` (for all but a sum: the target's own
    rounding; the parts' is added row by row)."""

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
    if operation == RATIO:
        return f"{target} = k * {parts[0]} / {parts[1]} (exact on every real row)"
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


def ratio_slack(factor, a: np.ndarray, b: np.ndarray, half_a, half_b, tolerance) -> np.ndarray:
    """How far ``factor * a / b`` may be from the target because the three are rounded."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = factor * a / b
        return (tolerance + np.abs(factor) * half_a / np.abs(b) + np.abs(ratio) * half_b / np.abs(b)
                + 1e-9 * np.maximum(1, np.abs(ratio)))


def ratio_bounds(t: np.ndarray, a: np.ndarray, b: np.ndarray, own, half_a,
                 half_b) -> tuple[np.ndarray, np.ndarray]:
    """The constants ``k`` for which ``t = k * a / b`` holds on every row (axis 0) within the
    rounding: a row allows ``k`` in ``[(t - s) * b / a, (t + s) * b / a]``, ``s`` being the
    target's rounding ``own`` plus the parts' carried through (``|t|`` times their relative
    half steps); a row whose ``a`` is 0 allows any ``k`` if its ``t`` is 0, none otherwise.
    Returns the lowest and highest ``k``; the lowest is above the highest when none fits
    (also when no row has ``a`` other than 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = own + 1e-9 * np.maximum(1, np.abs(t))
        spread = floor + np.abs(t) * (half_a / np.abs(a) + half_b / np.abs(b))
        ends = np.stack(np.broadcast_arrays((t - spread) * b / a, (t + spread) * b / a))
    some = a != 0
    lowest = np.where(some, ends.min(axis=0), -np.inf).max(axis=0)
    highest = np.where(some, ends.max(axis=0), np.inf).min(axis=0)
    broken = (~some & (np.abs(t) > floor)).any(axis=0) | ~some.any(axis=0)
    return np.where(broken, np.inf, lowest), highest


def ratio_factor(t: np.ndarray, a: np.ndarray, b: np.ndarray, own, half_a, half_b) -> float:
    """The constant ``k`` of ``t = k * a / b``: of the ``k`` that keep every row within the
    rounding (``ratio_bounds``), the one of fewest significant digits (midwest's percentages:
    100, where the median of ``t * b / a`` is 100.00000014; baseball's earned run average
    from earned runs and outs: 27, where it is 27.0005). Where no ``k`` keeps every row (a
    declared ratio the data break), the median over rows where ``a`` and ``b`` are not 0;
    NaN when there is none."""
    low, high = (float(v) for v in ratio_bounds(t, a, b, own, half_a, half_b))
    if low <= high:
        middle = (low + high) / 2
        return next((short for digits in range(1, 16)
                     if low <= (short := float(f"{middle:.{digits}g}")) <= high), middle)
    rows = (a != 0) & (b != 0)
    return float(np.median(t[rows] * b[rows] / a[rows])) if rows.any() else float("nan")


class _Derivations:
    """The formulas found so far, as target -> parts (column positions). A new formula may
    read any column, a derived one too (it is then rebuilt after the formula deriving it),
    but its target must be derived by no other formula, and nothing it reads may be derived
    from its target: the formulas stay acyclic and are rebuilt in topological order."""

    def __init__(self) -> None:
        self.parts: dict[int, tuple[int, ...]] = {}

    def derived(self, column: int) -> bool:
        return column in self.parts

    def _upstream(self, column: int) -> set[int]:
        """Every column ``column`` is rebuilt from, directly or through other formulas."""
        seen, stack = set(), [column]
        while stack:
            for part in self.parts.get(stack.pop(), ()):
                if part not in seen:
                    seen.add(part)
                    stack.append(part)
        return seen

    def allows(self, target: int, parts) -> bool:
        parts = [int(p) for p in parts]
        return (target not in self.parts and target not in parts
                and not any(target in self._upstream(p) for p in parts))

    def add(self, target: int, parts) -> None:
        self.parts[int(target)] = tuple(int(p) for p in parts)


def _exact_not_by_chance(holds, part: np.ndarray, rng: np.random.Generator) -> bool:
    """Whether ``holds(part)`` is true on every row, and not on ``CHANCE_SHARE`` of the rows
    once ``part``'s rows are shuffled (then the marginals imply it, not the rows)."""
    return bool(holds(part).all()) and holds(rng.permutation(part)).mean() < CHANCE_SHARE


def _ratios(values: np.ndarray, columns: list[str], places: list[int], varied: list[int],
            graph: _Derivations, probe: np.ndarray, rng: np.random.Generator) -> list[Formula]:
    """Ratios ``t = k * a / b`` with a constant ``k``, where ``t`` is written finer than both
    parts (module docstring; written the other way, ``popwhite = percwhite * poptotal / 100``
    would rebuild a count off the whole numbers). For each target and denominator (never 0
    on a real row), every numerator is tried on the probe rows at once: some ``k`` must keep
    all of them within the rounding (``ratio_bounds``). A candidate's ``k`` is read from
    every row (``ratio_factor``), and it is checked on every row within the three columns'
    rounding (``ratio_slack``), and against a shuffled numerator."""
    half = half_steps(places)
    sample = values[probe]
    never_zero = (values != 0).all(axis=0)  # a denominator is never 0 on a real row
    found = []
    for t in varied:
        finest = finest_decimals(values[:, t])
        coarser = [j for j in range(len(columns)) if places[j] < finest]  # codes too
        if graph.derived(t) or len(coarser) < 2:
            continue
        step = half_steps([finest])[0]
        own = np.maximum(step, written_half_steps(values[:, t]))  # the target's rounding
        for b in [j for j in coarser if never_zero[j]]:
            numerators = [j for j in coarser if j != b]
            low, high = ratio_bounds(sample[:, [t]], sample[:, numerators], sample[:, [b]],
                                     own[probe, None], half[numerators], half[b])
            for a in np.asarray(numerators)[low <= high]:
                if not graph.allows(t, (a, b)):
                    continue
                factor = ratio_factor(values[:, t], values[:, a], values[:, b], own, half[a], half[b])
                if not np.isfinite(factor) or factor == 0:
                    continue

                def holds(part, a=a, b=b, factor=factor):
                    slack = ratio_slack(factor, part, values[:, b], half[a], half[b], own)
                    return np.abs(factor * part / values[:, b] - values[:, t]) <= slack

                if not _exact_not_by_chance(holds, values[:, a], rng):
                    continue
                found.append(Formula(columns[t], (columns[int(a)], columns[b]), step, RATIO))
                graph.add(t, (a, b))
                break
            if graph.derived(t):
                break
    return found


def _products(values: np.ndarray, columns: list[str], places: list[int], varied: list[int],
              graph: _Derivations, probe: np.ndarray, rng: np.random.Generator) -> list[Formula]:
    """Products ``t = a * b`` (module docstring)."""
    half = half_steps(places)
    sample = values[probe]
    found = []
    for t in varied:
        if graph.derived(t):
            continue
        for a in [j for j in range(len(columns)) if j != t]:
            free = [j for j in range(a + 1, len(columns)) if j != t]
            if not free:
                continue
            slack = product_slack(sample[:, [a]], sample[:, free], half[a], half[free], half[t])
            close = np.abs(sample[:, [a]] * sample[:, free] - sample[:, [t]]) <= slack
            for b in np.asarray(free)[close.all(axis=0)]:
                if not graph.allows(t, (a, b)):
                    continue

                def holds(part, a=a, b=b):
                    slack = product_slack(values[:, a], part, half[a], half[b], half[t])
                    return np.abs(values[:, a] * part - values[:, t]) <= slack

                if not _exact_not_by_chance(holds, values[:, b], rng):
                    continue
                found.append(Formula(columns[t], (columns[a], columns[int(b)]), half[t], PRODUCT))
                graph.add(t, (a, b))
                break
            if graph.derived(t):
                break
    return found


def _rounding_bound(values: np.ndarray, half: np.ndarray, t: int, parts: list[int],
                    coefficients: np.ndarray) -> np.ndarray:
    """How far ``t`` may be from a linear combination of ``parts``, row by row, because the
    columns are rounded: its half step plus each coefficient times its part's."""
    return half[t] + np.abs(coefficients) @ half[parts] + 1e-9 * np.maximum(1, np.abs(values[:, t]))


def _affine(values: np.ndarray, columns: list[str], places: list[int], varied: list[int],
            graph: _Derivations, probe: np.ndarray, rng: np.random.Generator) -> list[Formula]:
    """``t = slope * x + intercept`` on every row, within the rounding of both columns (the
    target's half step plus the slope times the part's): every part is tried at once on the
    probe rows, then checked on every row with the slope and intercept of all rows."""
    half = half_steps(places)
    sample = values[probe]
    found = []
    for t in varied:
        if graph.derived(t):
            continue
        parts = [j for j in varied if j != t]
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
                target, part = part, t
            if not graph.allows(target, (part,)):
                continue
            found.append(Formula(columns[target], (columns[part],), half[target], AFFINE))
            graph.add(target, (part,))
            break
    return found


def _linear(values: np.ndarray, columns: list[str], places: list[int], varied: list[int],
            graph: _Derivations, probe: np.ndarray, rng: np.random.Generator) -> list[Formula]:
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
        free = [j for j in varied if j != t]
        if graph.derived(t) or len(free) < 2:
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
            if not graph.allows(target, (first, second)):
                continue
            found.append(Formula(columns[target], (columns[int(first)], columns[int(second)]),
                                 half[target], LINEAR))
            graph.add(target, (first, second))
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
                 graph: _Derivations, rng: np.random.Generator) -> list[Formula]:
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
        free = [j for j in varied if j != t]
        if graph.derived(t) or len(free) < 3 or len(sample) < 4 * (len(free) + 1):
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
        parts = [j for j in relation if j != target]
        if not graph.allows(target, parts):
            continue
        found.append(Formula(columns[target], tuple(columns[j] for j in parts), half[target], LINEAR))
        graph.add(target, parts)
    return found


def find_formulas(data: pd.DataFrame, profile: dict[str, ColumnProfile],
                  exclude: set[str] = frozenset(), random_state: int | None = 0) -> list[Formula]:
    """Formulas that hold on every row (module docstring), in the order they are rebuilt: a
    formula after those deriving its parts.

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
    found, graph = [], _Derivations()
    for size in range(2, MAX_PARTS + 1):
        for t in varied:
            if graph.derived(t):
                continue
            others = [j for j in range(len(columns)) if j != t]
            for fixed in combinations(others, size - 1):
                rest = sample[:, t] - sample[:, list(fixed)].sum(axis=1)
                free = [j for j in others if j not in fixed]
                if not free:
                    continue
                tolerance = rounding_tolerance([places[j] for j in (t, *fixed)] + [max(places)])
                close = np.abs(sample[:, free] - rest[:, None]) <= tolerance
                for last in np.asarray(free)[close.all(axis=0)]:
                    parts = [*fixed, int(last)]
                    if not graph.allows(t, parts):
                        continue
                    tolerance = rounding_tolerance([places[j] for j in (t, *parts)])
                    column_parts = [values[:, j] for j in parts]
                    if not _holds(values[:, t], column_parts, tolerance).all():
                        continue
                    shuffled = [rng.permutation(v) for v in column_parts]
                    if _holds(values[:, t], shuffled, tolerance).mean() >= CHANCE_SHARE:
                        continue
                    names = tuple(columns[j] for j in sorted(parts))
                    found.append(Formula(columns[t], names, tolerance))
                    graph.add(t, parts)
                    break
                if graph.derived(t):
                    break
    for search in (_ratios, _products, _affine, _linear):
        found += search(values, columns, places, varied, graph, probe, rng)
    found += _wide_linear(values, columns, places, varied, graph, rng)
    return _rebuild_order(found)


def _rebuild_order(found: list[Formula]) -> list[Formula]:
    """``found`` in the order the formulas are rebuilt: each after those deriving its parts."""
    by_target = {f.target: f for f in found}
    graph = {f.target: [p for p in f.parts if p in by_target] for f in found}
    return [by_target[t] for t in TopologicalSorter(graph).static_order()]


def formula_tolerance(data: pd.DataFrame, rule) -> float:
    """The rounding tolerance of a formula's columns (``rounding_tolerance``; for a product,
    the target's half step: the parts' rounding is added row by row)."""
    values = numbers(data[[rule.target, *rule.features]])
    places = [decimals(values[:, j]) for j in range(values.shape[1])]
    if rule.kind == RATIO:
        places[0] = finest_decimals(values[:, 0])
    own = rule.kind in (PRODUCT, RATIO, AFFINE, LINEAR)
    return float(half_steps(places[:1])[0]) if own else rounding_tolerance(places)


class FormulaRule(DerivedColumn):
    """``target`` rebuilt from ``parts`` by its formula (``operation``): an SDV 2 programmable
    constraint, mined by the pillars or declared by a user (``add_constraints``).

    Args:
        target: the derived column.
        parts: the columns it is the sum (or product) of.
        tolerance: how far a row may be from the exact sum and still keep the formula (for a
            product, from the exact product, on top of the parts' own rounding).
        random_state: the rebuild draws nothing; the common base keeps a seed all the same.
        table_name: the table, for multi-table metadata.
        operation: ``"formula"`` (a sum, the default), ``"product"`` (two parts),
            ``"ratio"`` (numerator and denominator, times a fitted constant ``factor_``),
            ``"affine"`` (one part, fitted slope and intercept) or ``"linear"`` (two to
            ``MAX_LINEAR_PARTS`` parts, fitted coefficients and intercept).
    """

    def __init__(self, target: str, parts: list[str], tolerance: float,
                 random_state: int | None = None, table_name: str | None = None,
                 operation: str = FORMULA):
        sizes = {PRODUCT: (2,), RATIO: (2,), AFFINE: (1,), LINEAR: range(2, MAX_LINEAR_PARTS + 1)}
        if operation not in FORMULA_KINDS or len(parts) not in sizes.get(operation, [len(parts)]):
            raise ValueError(f"A formula is a sum of parts ('{FORMULA}'), a product of two "
                             f"('{PRODUCT}'), a ratio of two times a constant ('{RATIO}'), an "
                             f"affine function of one ('{AFFINE}') or a linear combination of 2 "
                             f"to {MAX_LINEAR_PARTS} ('{LINEAR}'); got {operation!r} of "
                             f"{len(parts)} parts.")
        self.target = target
        self.parts = list(parts)
        self.tolerance = tolerance
        self.random_state = random_state
        self.table_name = table_name
        self.operation = operation

    def reads(self) -> list[str]:
        return list(self.parts)

    def _columns_read(self, data: pd.DataFrame) -> list[str]:
        return [self.target, *self.reads()]

    def _stream(self) -> tuple[int, ...]:
        return (0,)

    def _fit(self, data: pd.DataFrame) -> None:
        values = numbers(data[[self.target, *self.parts]])
        self.decimals_ = (finest_decimals if self.operation == RATIO else decimals)(values[:, 0])
        self.part_places_ = [decimals(values[:, j]) for j in range(1, values.shape[1])]
        self.part_half_steps_ = half_steps(self.part_places_)
        if self.operation in (AFFINE, LINEAR):
            self.coefficients_, self.intercept_ = linear_fit(values[:, 1:], values[:, 0])
        if self.operation == RATIO:
            self.factor_ = ratio_factor(*values.T, self._target_rounding(values[:, 0]),
                                        *self.part_half_steps_)
            if not np.isfinite(self.factor_) or self.factor_ == 0:
                raise ValueError(f"{self.target} = k * {self.parts[0]} / {self.parts[1]}: no real "
                                 "row has both parts other than 0, so k cannot be read from the "
                                 "data; declare another formula or leave the column to the backbone.")

    def _target_rounding(self, target: np.ndarray) -> np.ndarray:
        """Each target value's rounding: the column's, or the value's own where coarser (a
        ratio written to a number of significant digits)."""
        return np.maximum(max(self.tolerance, 0.5 * 10.0 ** -self.decimals_),
                          written_half_steps(target))

    def equation(self) -> str:
        """The formula with its fitted constants: ``percwhite = 100 * popwhite / poptotal``,
        ``temp_f = 1.8 * temp_c + 32`` (what ``formula_text`` writes as k, slope or a)."""
        if self.operation == RATIO:
            return f"{self.target} = {self.factor_:.10g} * {self.parts[0]} / {self.parts[1]}"
        if self.operation in (AFFINE, LINEAR):
            terms = [f"{c:.10g} * {part}" for c, part in zip(self.coefficients_, self.parts)]
            if abs(self.intercept_) > 1e-9:
                terms.append(f"{self.intercept_:.10g}")
            return f"{self.target} = " + " + ".join(terms).replace("+ -", "- ")
        sign = " * " if self.operation == PRODUCT else " + "
        return f"{self.target} = {sign.join(self.parts)}"

    @property
    def slope_(self) -> float:
        """An affine formula's slope."""
        return float(self.coefficients_[0])

    def _combine(self, data: pd.DataFrame) -> np.ndarray:
        parts = numbers(data[self.parts])
        if self.operation in (AFFINE, LINEAR):
            return parts @ self.coefficients_ + self.intercept_
        if self.operation == RATIO:  # NaN where the denominator is 0 (no real row has one)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(parts[:, 1] != 0, self.factor_ * parts[:, 0] / parts[:, 1], np.nan)
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
        elif self.operation == RATIO:
            a, b = numbers(synthetic_data[self.parts]).T
            slack = ratio_slack(self.factor_, a, b, *self.part_half_steps_,
                                self._target_rounding(actual))
        elif self.operation in (AFFINE, LINEAR):  # within the rounding the rebuild applies
            slack = (max(self.tolerance, 0.5 * 10.0 ** -self.decimals_)
                     + np.abs(self.coefficients_) @ self.part_half_steps_ + 1e-9 * np.abs(actual))
        else:
            slack = self.tolerance + 1e-9
        valid = np.abs(actual - self._combine(synthetic_data)) <= slack
        return pd.Series(valid, index=synthetic_data.index)
