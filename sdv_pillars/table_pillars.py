"""One table's pillars 1 to 4, as explicit steps, and the SDV constraints they give.

``TablePillars.fit`` runs, in order:

1. profile: the kind of every column, from its values (or from the user's metadata);
2. rules: exact sums, CART functions and inequalities mined from the table (``rules.mining``);
3. rule constraints: one fitted ``FormulaRule`` per formula, one ``CARTRule`` per CART rule
   in generation order (pillar 4);
4. missingness: the MCAR/MAR analysis (``missingness.analyse_missingness``) of the columns
   the backbone will see (rule targets are rebuilt by their rules, nulls included).

It owns the constraint objects it hands to SDV and answers for them: ``constraints()``,
``rule_checks()``, ``missingness_models()``, ``reset_sampling()``. SDV wraps the very
objects it is given and its ``fit`` on the same rows reuses what the pillars learned
(``pillar_constraint``), so nothing is read back out of SDV's private state. The
single-table synthesizer, the HMA mode, the sequential mode and ``evaluate`` all use it.

SDV transforms constraints in list order and reverse-transforms them in reverse order, so
``constraints()`` is ``[formulas, CART rules (reverse generation order),
MissingnessConstraint, Inequalities]``: on sampling the inequalities are rebuilt first (on
complete rows), then the nulls re-imposed, then the derived columns rebuilt in topological
order from features that already carry their nulls, and last the sums, from complete parts.
A user's own derived column that reads a CART rule's target takes its place among the CART
rules, in the same topological order.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy

import numpy as np
import pandas as pd

from sdv_pillars.defaults import MAX_DEPTH, RECALIBRATE_MIN_ROWS, RULE_THRESHOLD
from sdv_pillars.draws import fresh_seed
from sdv_pillars.missingness import MissingnessConstraint, MissingnessModel
from sdv_pillars.pillar_constraint import DerivedColumn
from sdv_pillars.profiling import ColumnProfile, build_metadata, profile_from_metadata, profile_table
from sdv_pillars.rules import CARTRule, Rule, RuleSet, mine_rules, rule_compliance
from sdv_pillars.rules.formulas import FormulaRule, formula_tolerance
from sdv_pillars.rules.inequality import MinedInequality
from sdv_pillars.rules.mining import STRICT_INEQUALITY, rebuild_order
from sdv_pillars.validation import DEFAULT_TABLE_NAME, validate_metadata_columns

DERIVED_NULLS = "derived column: its nulls are rebuilt by its rule"


class TablePillars:
    """Pillars 1 to 4 of one table (module docstring).

    Args:
        table_name: the table's name (constraints carry it for multi-table metadata).
        metadata: an ``sdv.metadata.Metadata`` holding the table; its kinds win over the
            profile's. ``None`` profiles the data.
        rules: mine and enforce rules.
        missingness: analyse and re-impose missingness.
        rule_threshold: held-out score a CART rule must reach.
        max_depth: depth of the rule trees.
        random_state: seed of mining, analysis and sampling draws; ``None`` draws one.
        reserved: columns the user's own SDV constraints own, with a description of the
            constraint; no mined rule derives or bounds them (``mine_rules``).
        user_rules: the user's own derived columns, target -> the columns it is rebuilt
            from; a CART rule or lookup may derive those (``mine_rules``), and
            ``constraints`` places the user's constraint after it.
        recalibrate: let the missingness constraint set each large sampled batch's expected
            null rate to the real rate (``MissingnessConstraint``); False for batches that are
            not samples of the whole table (a sequence synthesizer's rows of one position).
    """

    def __init__(
        self,
        table_name: str = DEFAULT_TABLE_NAME,
        metadata=None,
        rules: bool = True,
        missingness: bool = True,
        rule_threshold: float = RULE_THRESHOLD,
        max_depth: int = MAX_DEPTH,
        random_state: int | None = None,
        reserved: dict[str, str] | None = None,
        recalibrate: bool = True,
        user_rules: dict[str, list[str]] | None = None,
    ):
        self.table_name = table_name
        self.metadata = metadata
        self.rules = rules
        self.missingness = missingness
        self.rule_threshold = rule_threshold
        self.max_depth = max_depth
        self.random_state = random_state
        self.reserved = reserved
        self.recalibrate = recalibrate
        self.user_rules = user_rules

    # -- the steps --------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame, profile: dict[str, ColumnProfile] | None = None,
            progress=None) -> "TablePillars":
        """Run the four steps on ``data`` (not modified). Returns self.

        Args:
            data: the table; columns not in ``profile`` (keys of related tables) are ignored.
            profile: a profile made by the caller (the multi-table modes profile each table
                without its keys); ``None`` profiles ``data`` or reads ``metadata``.
            progress: a tqdm bar advanced once per step, or None.
        """
        self.seed_ = self.random_state if self.random_state is not None else fresh_seed()
        steps = [self._profile, self._mine, self._fit_rules, self._analyse_missingness]
        self.profile_ = profile
        for step in steps:
            step(data)
            if progress is not None:
                progress.update()
        return self

    def _profile(self, data: pd.DataFrame) -> None:
        if self.profile_ is None:
            if self.metadata is None:
                self.profile_ = profile_table(data)
            else:
                validate_metadata_columns(data, self.metadata, self.table_name)
                self.profile_ = profile_from_metadata(data, self.metadata, self.table_name)
        if self.metadata is None:
            self.metadata_ = build_metadata(self.profile_, self.table_name)
        else:
            self.metadata_ = deepcopy(self.metadata)

    def _mine(self, data: pd.DataFrame) -> None:
        own = data[list(self.profile_)]
        self.rule_set_ = (mine_rules(own, self.profile_, self.rule_threshold, self.max_depth,
                                     self.seed_, self.reserved, self.user_rules)
                         if self.rules else RuleSet())

    def _fit_rules(self, data: pd.DataFrame) -> None:
        self._formulas: dict[str, FormulaRule] = {}
        for rule in self.rule_set_.formulas:
            constraint = FormulaRule(rule.target, list(rule.features),
                                     formula_tolerance(data, rule), self.seed_, self.table_name,
                                     rule.kind)
            constraint.fit(data, None)
            self._formulas[rule.target] = constraint
        by_target = {r.target: r for r in self.rule_set_.cart_rules}
        self._cart_rules: dict[str, CARTRule] = {}
        for target in self.rule_set_.order:
            rule = by_target[target]
            columns = (target, *rule.features)
            constraint = CARTRule(target, list(rule.features), rule.kind,
                                  {c: self.profile_[c] for c in columns},
                                  None if rule.lookup else self.max_depth,
                                  self.seed_, self.table_name)
            constraint.fit(data, None)
            self._cart_rules[target] = constraint
        # (low, high, strict) of each mined order: kept by repair, and bounds of the null fills
        self._bounds = [(r.features[0], r.target, r.kind == STRICT_INEQUALITY)
                        for r in self.rule_set_.inequalities]
        # fitted by SDV with the backbone (an sdv.cag constraint reads SDV's metadata)
        self._inequalities = [MinedInequality(*bound, self.table_name, self.seed_)
                              for bound in self._bounds]

    def _analyse_missingness(self, data: pd.DataFrame) -> None:
        self._missingness = None
        if not self.missingness:
            return
        self._missingness = MissingnessConstraint(
            self.profile_, bounds=self._bounds, random_state=self.seed_, table_name=self.table_name,
            recalibrate_min_rows=RECALIBRATE_MIN_ROWS if self.recalibrate else None)
        # what SDV hands this constraint: the table without the columns the rules rebuild
        self._missingness.fit(data.drop(columns=[*self._formulas, *self._cart_rules]), None)

    # -- what the steps found ---------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "rule_set_"):
            raise RuntimeError("TablePillars.fit(data) has not run yet.")

    @property
    def rules_(self) -> list[Rule]:
        """Every kept rule (CART rules and inequalities)."""
        self._check_fitted()
        return self.rule_set_.rules

    @property
    def generation_order_(self) -> list[str]:
        """Derived columns in the order they are rebuilt (pillar 4)."""
        self._check_fitted()
        return self.rule_set_.order

    def constraints(self, user_rules: Sequence[DerivedColumn] = ()) -> list:
        """The SDV constraint objects, in the order SDV needs (module docstring).

        ``user_rules``: the user's own derived-column constraints that read a column a CART
        rule derives; each takes its place in the rules' generation order, so that SDV
        rebuilds it after the columns it reads (the caller adds the user's other
        constraints after these)."""
        self._check_fitted()
        # formulas first: transformed first, rebuilt last, from parts that are complete; SDV
        # rebuilds in reverse, so a formula reading another's target comes before it
        chain: list = list(self._formulas.values())[::-1]
        rebuilt: dict = {**self._cart_rules, **{rule.target: rule for rule in user_rules}}
        graph = {r.target: set(r.features) for r in self.rule_set_.cart_rules}
        graph.update({rule.target: set(rule.reads()) for rule in user_rules})
        chain += [rebuilt[t] for t in reversed(rebuild_order(graph, set(rebuilt)))]
        if self._missingness is not None and self._missingness.models_:
            chain.append(self._missingness)  # only where there are nulls to re-impose
        return chain + self._inequalities

    def rule_checks(self) -> dict[str, CARTRule | FormulaRule]:
        """The fitted rule constraints, by target: what rule compliance is checked with."""
        self._check_fitted()
        return {**self._formulas, **self._cart_rules}

    def missingness_models(self) -> dict[str, MissingnessModel]:
        """How each column's nulls arise: the analysed columns, then the derived columns
        whose nulls their rules rebuild."""
        self._check_fitted()
        models = dict(self._missingness.models_) if self._missingness is not None else {}
        for rule in self.rule_set_.cart_rules:
            rate = self.profile_[rule.target].null_rate
            if rate > 0:
                models[rule.target] = MissingnessModel(rule.target, "MAR", rate, rule.features,
                                                       None, None, DERIVED_NULLS)
        return models

    def rule_compliance(self, data: pd.DataFrame, rules: list[Rule] | None = None) -> pd.Series:
        """Share of rows of ``data`` that keep each rule (all kept rules, or ``rules``)."""
        self._check_fitted()
        rules = self.rules_ if rules is None else rules
        return rule_compliance(data, rules, self.rule_checks(), self.profile_)

    def drivers_first(self) -> list[str]:
        """The columns that drive the rules, drivers of earlier rules first: the order a
        sequential backbone should generate them in, before what they drive."""
        self._check_fitted()
        by_target = {r.target: r.features for r in self.rule_set_.cart_rules}
        drivers = [f for t in self.generation_order_ for f in by_target[t] if f not in by_target]
        return list(dict.fromkeys(drivers))

    def rewrite_conditions(self, conditions: pd.DataFrame) -> pd.DataFrame:
        """Conditions on an affine formula's target, as conditions on its part: the rule then
        rebuilds exactly the value asked for (met by construction, not by drawing).

        Raises:
            ValueError: when the value is off the grid the rule can rebuild, or contradicts a
                condition on the part itself.
        """
        self._check_fitted()
        rewritten = conditions.copy()
        for column, constraint in self._formulas.items():
            if column not in rewritten.columns:
                continue
            parts = [constraint.part_for(v) for v in rewritten[column].tolist()]
            if any(p is None for p in parts):
                continue  # check_conditions says why
            part = constraint.parts[0]
            if part in rewritten.columns and not np.allclose(rewritten[part], parts):
                raise ValueError(f"The conditions on '{column}' and '{part}' of table "
                                 f"'{self.table_name}' contradict the rule {constraint.target} "
                                 f"= slope * {part} + intercept.")
            rewritten = rewritten.drop(columns=[column]).assign(**{part: parts})
        return rewritten

    def check_conditions(self, conditions: pd.DataFrame) -> None:
        """Refuse, before any draw, conditions that no rebuilt row can meet.

        A derived column is written by its rule after the backbone has drawn, so a condition
        on it can only be met by drawing rows until the rule happens to give the value. That
        works for a label some leaf predicts and for a real value a regression leaf rebuilds;
        for any other value (a label the rule never gives, a number no leaf rebuilds, the total
        of a sum) it would reject row after row, for minutes, and fail.

        Raises:
            ValueError: naming the column, its rule and what to condition on instead.
        """
        self._check_fitted()
        rules = {r.target: r for r in self.rule_set_.rules}
        for column, constraint in self.rule_checks().items():
            if column not in conditions.columns:
                continue
            for value in conditions[column].dropna().unique().tolist():  # Python scalars
                if not constraint.can_take(value):
                    raise ValueError(
                        f"Cannot draw rows with {column} = {value!r}: column '{column}' of "
                        f"table '{self.table_name}' is rebuilt by the rule {rules[column]} "
                        "after the backbone draws, and that rule does not give this value "
                        "(a sum gives one only by chance). Condition on "
                        f"{', '.join(rules[column].features)} instead, or fit with rules=False."
                    )

    def summary_lines(self) -> list[str]:
        """What each pillar found, as readable lines (the synthesizers' ``summary``)."""
        self._check_fitted()
        lines = ["Profile (pillar 1):"]
        lines += [f"  {p.name:<24} {p.kind:<12} {p.reason}" for p in self.profile_.values()]
        lines += ["", f"Rules (pillar 2): {len(self.rules_)} kept"]
        lines += [f"  {rule}" + (f"\n      fitted: {self._formulas[rule.target].equation()}"
                                 if rule.target in self._formulas else "")
                  for rule in self.rules_] or ["  none"]
        lines += [f"  dropped: {r.target} <- {', '.join(r.features)}: {r.reason}"
                  for r in self.rule_set_.rejected]
        lines += [f"  note: {note}" for note in self.rule_set_.notes]
        lines += ["", "Missingness (pillar 3):"]
        lines += [f"  {model}" for model in self.missingness_models().values()] or ["  no nulls"]
        lines += ["", "Generation order of derived columns (pillar 4): "
                  + (" -> ".join(self.generation_order_) or "none")
                  + (f"; then the formulas: {' -> '.join(self._formulas)}" if self._formulas else "")]
        return lines

    def reset_sampling(self, *partition: int) -> None:
        """Restart the random streams of every constraint that draws at sampling time
        (``partition``: see ``PillarConstraint.reset_sampling``)."""
        self._check_fitted()
        for constraint in self._cart_rules.values():
            constraint.reset_sampling(*partition)
        if self._missingness is not None:
            self._missingness.reset_sampling(*partition)
        for constraint in self._inequalities:
            if hasattr(constraint, "seed_"):  # fitted
                constraint.reset_sampling(*partition)
