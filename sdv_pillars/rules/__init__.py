"""Pillar 2: mined rules, their SDV constraints and their checks; pillar 4: the order they are rebuilt in."""

from sdv_pillars.rules.compliance import rule_compliance, rule_holds
from sdv_pillars.rules.constraints import CARTRule
from sdv_pillars.rules.expression import ExpressionRule
from sdv_pillars.rules.formulas import FormulaRule
from sdv_pillars.rules.mining import (
    RejectedRule,
    Rule,
    RuleSet,
    find_inequalities,
    mine_cart_rules,
    mine_rules,
)

__all__ = [
    "CARTRule", "ExpressionRule", "FormulaRule", "RejectedRule", "Rule", "RuleSet",
    "find_inequalities", "mine_cart_rules", "mine_rules", "rule_compliance", "rule_holds",
]
