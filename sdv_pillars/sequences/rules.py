"""Rules across the rows of a sequence: what one row's value owes to the row before it.

Within a row the table pillars find the rules (formulas, CART functions, inequalities). Across
rows, real longitudinal tables have two more shapes, found here on every step (a pair of
consecutive rows of one sequence where both values are known):

* **monotone**: a number that never goes back (a child's height, a disease stage coded as a
  number, a counter): non-decreasing (or non-increasing) on every real step, and changing on
  some. Kept by construction: a sampled value below its sequence's running maximum is raised
  to it (the backbones draw each row given the previous one, so they rarely need this; the
  repair is there so the rule holds on 100% of rows, and ``SequencePillarsSynthesizer``
  reports how often it acted);
* **no return**: a label that never goes back to a state it has left (healthy, ill, dead;
  applied, approved, paid): the real transitions between its states form no cycle, over at
  least ``MIN_CHANGES`` changes. Its states are put in an order that every real transition
  follows; kept by construction as a monotone rank (a state behind the sequence's furthest
  state so far becomes that state);
* **running total**: ``total[t] = total[t - 1] + part[t]`` on every real step (a balance and
  its transactions, cumulative and per-period counts), within the data's rounding. Kept by
  construction: the total is rebuilt from its first value and the sampled parts.

A rule needs ``MIN_STEPS`` real steps: on fewer, a random column would pass by chance.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

MIN_STEPS = 20  # real steps (consecutive known pairs) a cross-row rule must hold on
MIN_CHANGES = 10  # real changes of state a label must make for "never goes back" to be a rule
NON_DECREASING, NON_INCREASING, RUNNING_TOTAL = "non-decreasing", "non-increasing", "running total"
NO_RETURN = "never goes back"


def _decimals(values: np.ndarray, most: int = 6) -> int:
    """The fewest decimals that write every value exactly (at most ``most``)."""
    finite = values[np.isfinite(values)]
    for decimals in range(most + 1):
        if np.allclose(finite, np.round(finite, decimals), rtol=0, atol=1e-9 * (1 + np.abs(finite))):
            return decimals
    return most


@dataclass(frozen=True)
class SequenceRule:
    """One cross-row rule (module docstring); ``part`` only for a running total."""

    kind: str
    target: str
    part: str | None = None
    tolerance: float = 0.0
    states: tuple = ()  # a label's states in an order every real transition follows

    def __str__(self) -> str:
        if self.kind == RUNNING_TOTAL:
            return f"{self.target}[t] = {self.target}[t-1] + {self.part}[t] (running total)"
        if self.kind == NO_RETURN:
            return f"{self.target} never goes back ({' -> '.join(map(str, self.states))})"
        return f"{self.target} is {self.kind} inside each sequence"

    def _ranks(self, values: pd.Series) -> pd.Series:
        """A label's states as their place in ``states`` (NaN for nulls and unordered states)."""
        return values.map({state: rank for rank, state in enumerate(self.states)}).astype(float)

    def _steps(self, data: pd.DataFrame, key: str) -> pd.Series:
        """Per row: its change from the previous row of its sequence (NaN on first rows)."""
        values = self._ranks(data[self.target]) if self.kind == NO_RETURN else data[self.target]
        return values.groupby(data[key], sort=False).diff()

    def holds(self, data: pd.DataFrame, key: str) -> pd.Series:
        """Per row: does the step into it keep the rule? First rows and unknown values do."""
        step = self._steps(data, key)
        if self.kind == RUNNING_TOTAL:
            part = pd.to_numeric(data[self.part], errors="coerce")
            ok = (step - part).abs() <= self.tolerance
            return ok | step.isna() | part.isna()
        ok = step <= 0 if self.kind == NON_INCREASING else step >= 0
        return ok | step.isna()

    def compliance(self, data: pd.DataFrame, key: str) -> float:
        """Share of steps (rows after the first of their sequence) that keep the rule."""
        later = data.groupby(key, sort=False).cumcount() > 0
        return float(self.holds(data, key)[later].mean()) if later.any() else 1.0

    def enforce(self, data: pd.DataFrame, key: str) -> pd.DataFrame:
        """``data`` with the target rebuilt so the rule holds on every step (a copy)."""
        out = data.copy()
        target = out[self.target]
        groups = out.groupby(key, sort=False)
        if self.kind == RUNNING_TOTAL:
            first = groups.cumcount() == 0
            part = pd.to_numeric(out[self.part], errors="coerce").fillna(0.0).where(~first, 0.0)
            start = target.where(first).groupby(out[key], sort=False).transform("first")
            rebuilt = start + part.groupby(out[key], sort=False).cumsum()
            out[self.target] = rebuilt.where(target.notna())
        elif self.kind == NO_RETURN:
            ranks = self._ranks(target)
            furthest = ranks.groupby(out[key], sort=False).cummax()
            behind = ranks.notna() & (ranks < furthest)
            states = np.asarray(self.states, dtype=object)
            out[self.target] = target.where(~behind, pd.Series(
                states[furthest.fillna(0).astype(int)], index=target.index))
        else:
            values = groups[self.target]
            extreme = values.cummax() if self.kind == NON_DECREASING else values.cummin()
            out[self.target] = extreme.where(target.notna())
        return out


def _known_steps(data: pd.DataFrame, key: str, column: str) -> pd.Series:
    return data.groupby(key, sort=False)[column].diff().dropna()


def no_return_order(values: pd.Series, key: pd.Series) -> tuple | None:
    """The states of a label in an order every real change of state follows, when the changes
    form no cycle (module docstring); None otherwise or with fewer than ``MIN_CHANGES``."""
    known = pd.DataFrame({"key": key.to_numpy(), "state": values.to_numpy()}).dropna()
    previous = known.groupby("key", sort=False)["state"].shift()
    changes = known[previous.notna() & (previous != known["state"])]
    if len(changes) < MIN_CHANGES:
        return None
    graph: dict = {}
    for before, after in zip(previous[changes.index], changes["state"]):
        graph.setdefault(after, set()).add(before)
    try:
        return tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError:
        return None


def find_sequence_rules(data: pd.DataFrame, key: str, columns: list[str]) -> list[SequenceRule]:
    """The cross-row rules of ``columns`` of ``data`` (rows sorted by sequence and index): on
    numbers, running totals and monotone columns (a running total's target is not also
    reported as monotone: it follows from its parts' signs); on labels, no return."""
    numbers = [c for c in columns if ptypes.is_numeric_dtype(data[c]) and not ptypes.is_bool_dtype(data[c])]
    labels = [c for c in columns if c not in numbers and not ptypes.is_datetime64_any_dtype(data[c])]
    found = [SequenceRule(NO_RETURN, c, states=order) for c in labels
             if (order := no_return_order(data[c], data[key])) is not None]
    return found + _numeric_rules(data, key, numbers)


def _numeric_rules(data: pd.DataFrame, key: str, numbers: list[str]) -> list[SequenceRule]:
    steps = {c: _known_steps(data, key, c) for c in numbers}
    rules = []
    for target in numbers:
        for part in numbers:
            if part == target or len(steps[target]) < MIN_STEPS or (steps[target] == 0).all():
                continue
            pair = pd.concat([steps[target], data[part].loc[steps[target].index]], axis=1).dropna()
            if len(pair) < MIN_STEPS:
                continue
            tolerance = 0.5 * 10.0 ** -_decimals(data[target].dropna().to_numpy(dtype=float))
            if (np.abs(pair.iloc[:, 0] - pair.iloc[:, 1]) <= tolerance + 1e-9).all():
                rules.append(SequenceRule(RUNNING_TOTAL, target, part, tolerance))
                break
    totals = {r.target for r in rules}
    for column in numbers:
        step = steps[column]
        if column in totals or len(step) < MIN_STEPS or (step == 0).all():
            continue
        if (step >= 0).all():
            rules.append(SequenceRule(NON_DECREASING, column))
        elif (step <= 0).all():
            rules.append(SequenceRule(NON_INCREASING, column))
    return rules


def enforce_sequence_rules(data: pd.DataFrame, key: str,
                           rules: list[SequenceRule]) -> tuple[pd.DataFrame, dict[str, float]]:
    """``data`` with every rule kept: monotone columns first, running totals last (from parts
    that are final). Also returns, per rule, the share of rows the repair changed."""
    changed = {}
    for rule in sorted(rules, key=lambda r: r.kind == RUNNING_TOTAL):
        repaired = rule.enforce(data, key)
        before, after = data[rule.target], repaired[rule.target]
        moved = ~((before == after) | (before.isna() & after.isna()))
        changed[str(rule)] = float(moved.mean()) if len(data) else 0.0
        data = repaired
    return data, changed
