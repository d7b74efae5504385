"""Checking rules on any table: the one definition of "this row keeps this rule".

The synthesizer checks its samples with the rule constraints it fitted; ``evaluate`` checks
any synthetic table with rules mined from the real one. Both go through ``rule_holds`` so a
rule means the same thing wherever it is reported.
"""

from __future__ import annotations

import pandas as pd

from sdv_pillars.encoding import model_frame
from sdv_pillars.profiling import ColumnProfile
from sdv_pillars.rules.constraints import CARTRule
from sdv_pillars.rules.mining import INEQUALITY, STRICT_INEQUALITY, Rule


def fit_rule_checks(
    data: pd.DataFrame,
    rules: list[Rule],
    profile: dict[str, ColumnProfile],
    max_depth: int = 5,
    random_state: int | None = None,
) -> dict[str, CARTRule]:
    """A fitted ``CARTRule`` per CART rule (keyed by target), to check rows against."""
    checks = {}
    for rule in rules:
        if rule.kind in (INEQUALITY, STRICT_INEQUALITY):
            continue
        columns = (rule.target, *rule.features)
        check = CARTRule(rule.target, list(rule.features), rule.kind,
                         {c: profile[c] for c in columns}, max_depth, random_state)
        check.fit(data, None)
        checks[rule.target] = check
    return checks


def rule_holds(
    data: pd.DataFrame, rule: Rule, checks: dict[str, CARTRule], profile: dict[str, ColumnProfile]
) -> pd.Series:
    """Per row of ``data``: does it keep ``rule``? An inequality with a null side holds."""
    if rule.target in checks:
        return checks[rule.target].is_valid(data)
    pair = model_frame(data[[rule.features[0], rule.target]], profile)
    low, high = pair[rule.features[0]], pair[rule.target]
    holds = (high > low) if rule.kind == STRICT_INEQUALITY else (high >= low)
    return holds | low.isna() | high.isna()


def rule_compliance(
    data: pd.DataFrame, rules: list[Rule], checks: dict[str, CARTRule],
    profile: dict[str, ColumnProfile],
) -> pd.Series:
    """Share of rows of ``data`` that keep each rule (1.0 = always), indexed by the rule's text."""
    shares = {str(rule): float(rule_holds(data, rule, checks, profile).mean()) for rule in rules}
    return pd.Series(shares, dtype=float, name="compliance")
