"""The pillars of one table as SDV constraints: shared by the single- and multi-table synthesizers.

SDV transforms constraints in list order and reverse-transforms them in reverse order, so the
list is ``[CART rules (reverse generation order), MissingnessConstraint, Inequalities]``: on
sampling the inequalities are rebuilt first (on complete rows), then the nulls re-imposed,
then the derived columns rebuilt in topological order from features that already carry
their nulls.
"""

from __future__ import annotations

from sdv.cag import Inequality

from sdv_pillars.missingness import MissingnessConstraint
from sdv_pillars.profiling import ColumnProfile
from sdv_pillars.rules import CARTRule, RuleSet
from sdv_pillars.rules.mining import STRICT_INEQUALITY


def pillar_constraints(
    profile: dict[str, ColumnProfile],
    rule_set: RuleSet,
    max_depth: int,
    missingness: bool,
    random_state: int | None,
    table_name: str,
) -> list:
    """The constraint list for one table, in the order SDV needs (module docstring)."""
    by_target = {r.target: r for r in rule_set.cart_rules}
    chain: list = [
        CARTRule(
            target, list(by_target[target].features), by_target[target].kind,
            {c: profile[c] for c in (target, *by_target[target].features)},
            max_depth, random_state, table_name,
        )
        for target in reversed(rule_set.order)
    ]
    inequalities = rule_set.inequalities
    if missingness:
        chain.append(MissingnessConstraint(
            profile,
            bounds=[(r.features[0], r.target, r.kind == STRICT_INEQUALITY) for r in inequalities],
            random_state=random_state,
            table_name=table_name,
        ))
    chain.extend(Inequality(r.features[0], r.target, r.kind == STRICT_INEQUALITY, table_name)
                 for r in inequalities)
    return chain


def fitted_constraints(synthesizer, kind: type | tuple[type, ...]) -> list:
    """The fitted instances of our constraint class(es) inside an SDV single-table synthesizer."""
    harnesses = getattr(synthesizer, "_chained_constraints", [])
    found = [getattr(h, "programmable_constraint", h) for h in harnesses]
    return [c for c in found if isinstance(c, kind)]
