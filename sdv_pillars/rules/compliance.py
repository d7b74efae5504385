"""Checking rules on any table: the one definition of "this row keeps this rule".

The checks are the fitted rule constraints of a ``TablePillars`` (``rule_checks()``): the
synthesizer's own, or those ``evaluate`` fits on the real table. Both go through
``rule_holds`` so a rule means the same thing wherever it is reported.
"""

from __future__ import annotations

import pandas as pd

from sdv_pillars.encoding import model_frame
from sdv_pillars.profiling import ColumnProfile
from sdv_pillars.rules.constraints import CARTRule
from sdv_pillars.rules.mining import STRICT_INEQUALITY, Rule


def rule_holds(
    data: pd.DataFrame, rule: Rule, checks: dict[str, CARTRule], profile: dict[str, ColumnProfile]
) -> pd.Series:
    """Per row of ``data``: does it keep ``rule``? An inequality with a null side holds."""
    if rule.target in checks:
        return checks[rule.target].holds(data)
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
