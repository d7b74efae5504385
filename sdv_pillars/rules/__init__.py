"""Pillar 2: mined rules and their SDV constraints; pillar 4: the order they are rebuilt in."""

from sdv_pillars.rules.constraints import CARTRule
from sdv_pillars.rules.mining import RejectedRule, Rule, RuleSet, find_inequalities, mine_cart_rules

__all__ = ["CARTRule", "RejectedRule", "Rule", "RuleSet", "find_inequalities", "mine_cart_rules"]
