"""MultiTablePillarsSynthesizer: every table keeps its rules and gaps, every key resolves.

Two modes (``backbone``):

* ``"hma"``: SDV's HMASynthesizer (GaussianCopula per table, parents' parameters learned from
  their children), with each table's pillars added as SDV constraints carrying ``table_name``.
  SDV refuses schemas of more than 5 tables or deeper than 2 levels; so does this mode, with
  a message that points to ``"sequential"``. Pick it for small, shallow schemas where HMA's
  parent-child modelling is wanted.
* ``"sequential"``: parents first, each table by a ``PillarsSynthesizer`` over any backbone
  (``table_backbone``: GaussianCopula, CTGAN, TVAE, CopulaGAN, CART), conditioned on its
  parent's columns and on how many children each parent has (see ``sequential``). Pick it
  for more tables, deeper chains, a neural or CART backbone per table, or faster sampling.
"""

from __future__ import annotations

from copy import deepcopy

import pandas as pd
from sdv.multi_table import HMASynthesizer

from sdv_pillars.missingness import MissingnessConstraint
from sdv_pillars.profiling import profile_from_metadata
from sdv_pillars.relational.keys import clean_orphans, detect_metadata, key_columns
from sdv_pillars.relational.loading import load_tables
from sdv_pillars.relational.sequential import SequentialRelationalModel
from sdv_pillars.rules import CARTRule, RuleSet, mine_rules, rule_compliance
from sdv_pillars.runtime import load_model, quiet, save_model, seeded
from sdv_pillars.synthesizer import NotFittedError, PillarsSynthesizer
from sdv_pillars.table_pillars import fitted_constraints, pillar_constraints
from sdv_pillars.validation import validate_table

MODES = ("hma", "sequential")
HMA_MAX_TABLES, HMA_MAX_DEPTH = 5, 2


class MultiTablePillarsSynthesizer:
    """Synthesize related tables with per-table pillars and 100% referential integrity.

    Args:
        metadata: a multi-table ``sdv.metadata.Metadata``; ``None`` detects keys (``keys``).
        backbone: ``"hma"`` or ``"sequential"`` (module docstring).
        table_backbone, table_backbone_kwargs: the single-table backbone of the sequential
            mode and its options (as ``PillarsSynthesizer``'s ``backbone``/``backbone_kwargs``).
        rules, missingness, rule_threshold, max_depth: the pillars, as for one table.
        random_state: seed for mining, fitting and sampling.
        verbose: progress bars.
    """

    def __init__(self, metadata=None, backbone: str = "hma", table_backbone="gaussian_copula",
                 table_backbone_kwargs: dict | None = None, rules: bool = True,
                 missingness: bool = True, rule_threshold: float = 0.99, max_depth: int = 5,
                 random_state: int | None = None, verbose: bool = True):
        self.metadata = metadata
        self.backbone = backbone
        self.table_backbone = table_backbone
        self.table_backbone_kwargs = table_backbone_kwargs
        self.rules = rules
        self.missingness = missingness
        self.rule_threshold = rule_threshold
        self.max_depth = max_depth
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting -----------------------------------------------------------------------------
    def _prepare(self, tables) -> dict[str, pd.DataFrame]:
        if self.backbone not in MODES:
            raise ValueError(f"backbone must be one of {MODES}, got {self.backbone!r}.")
        tables = load_tables(tables)
        for name, frame in tables.items():
            validate_table({name: frame})
        self.notes_: list[str] = []
        if self.metadata is None:
            self.metadata_, self.notes_ = detect_metadata(tables)
        else:
            self.metadata_ = deepcopy(self.metadata)
            missing = set(self.metadata_.tables) ^ set(tables)
            if missing:
                raise ValueError(f"The metadata and the data disagree on tables {sorted(missing)}.")
        tables, orphans = clean_orphans(tables, self.metadata_)
        self.notes_ += orphans
        return tables

    def _profile(self, tables: dict[str, pd.DataFrame]) -> None:
        self.profiles_ = {name: profile_from_metadata(frame, self.metadata_, name)
                          for name, frame in tables.items()}

    def _check_hma_limits(self) -> None:
        depth = self.metadata_._get_max_schema_depth()
        if len(self.metadata_.tables) > HMA_MAX_TABLES or depth > HMA_MAX_DEPTH:
            raise ValueError(
                f"SDV's HMA takes at most {HMA_MAX_TABLES} tables and {HMA_MAX_DEPTH} levels; this "
                f"schema has {len(self.metadata_.tables)} tables and {depth} levels. Use "
                "MultiTablePillarsSynthesizer(backbone='sequential'), which has no such limit."
            )

    def fit(self, tables) -> "MultiTablePillarsSynthesizer":
        """Detect or check keys, mine each table's pillars, fit. Returns self.

        Args:
            tables: ``{name: DataFrame}``, a folder of CSV/Parquet files or a SQLite file.
        """
        tables = self._prepare(tables)
        self._real_rows = {name: len(frame) for name, frame in tables.items()}
        if self.backbone == "hma":
            self._check_hma_limits()
            self._profile(tables)
            self._fit_hma(tables)
        else:
            self._fit_sequential(tables)
        return self

    def _fit_hma(self, tables: dict[str, pd.DataFrame]) -> None:
        self.rule_sets_: dict[str, RuleSet] = {}
        constraints = []
        for name, frame in tables.items():
            own = frame.drop(columns=key_columns(self.metadata_, name))
            ruleset = RuleSet()
            if self.rules and own.shape[1]:
                ruleset = mine_rules(own, self.profiles_[name], self.rule_threshold, self.max_depth,
                                     self.random_state)
            self.rule_sets_[name] = ruleset
            constraints += pillar_constraints(self.profiles_[name], ruleset, self.max_depth,
                                              self.missingness and own.shape[1] > 0,
                                              self.random_state, name)
        with seeded(self.random_state), self._quiet():
            self._model = HMASynthesizer(deepcopy(self.metadata_), verbose=self.verbose)
            if constraints:
                self._model.add_constraints(constraints)
            self._model.fit(tables)

    def _fit_sequential(self, tables: dict[str, pd.DataFrame]) -> None:
        def make_synthesizer(table: str) -> PillarsSynthesizer:
            return PillarsSynthesizer(
                backbone=self.table_backbone, backbone_kwargs=self.table_backbone_kwargs,
                rules=self.rules, rule_threshold=self.rule_threshold, max_depth=self.max_depth,
                missingness=self.missingness, random_state=self.random_state, verbose=False)

        self._model = SequentialRelationalModel(self.metadata_, make_synthesizer, self.random_state,
                                                self.verbose)
        with self._quiet():
            self._model.fit(tables)
        self.profiles_ = {name: synth.profile_ for name, synth in self._model.synthesizers_.items()}
        self.rule_sets_ = {name: synth.rule_set_ for name, synth in self._model.synthesizers_.items()}

    def _quiet(self):
        return quiet(self.verbose)

    # -- sampling ------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "_model"):
            raise NotFittedError("This MultiTablePillarsSynthesizer is not fitted yet: call fit(tables).")

    def sample(self, scale: float = 1.0) -> dict[str, pd.DataFrame]:
        """Synthetic tables, roots ``scale`` times their real size: ``{name: DataFrame}``.

        In the sequential mode the compliance of every table's rules, measured on the rows
        as generated (with their parent and children columns), is kept in
        ``sample_compliance_``.
        """
        self._check_fitted()
        if not isinstance(scale, (int, float)) or scale <= 0:
            raise ValueError(f"scale must be a positive number, got {scale!r}.")
        with self._quiet():
            if self.backbone == "hma":
                with seeded(self.random_state):
                    return self._model.sample_scale(scale=float(scale))
            final, augmented = self._model.sample(scale)
        self.sample_compliance_ = pd.concat(
            [synth.rule_compliance(augmented[name]).rename_axis("rule").reset_index().assign(table=name)
             for name, synth in self._model.synthesizers_.items()], ignore_index=True)
        return final

    # -- introspection ---------------------------------------------------------------------------
    def get_metadata(self):
        """The multi-table metadata used (detected, or the user's)."""
        self._check_fitted()
        return self.metadata_

    def rule_compliance(self, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """Per table and rule, the share of rows of ``tables`` that keep it. Rules that tie a
        table to its parent's or children's columns (sequential mode) are in
        ``sample_compliance_`` instead."""
        self._check_fitted()
        parts = []
        for name, frame in tables.items():
            rules = [r for r in self.rule_sets_[name].rules
                     if set((r.target, *r.features)) <= set(frame.columns)]
            if not rules:
                continue
            if self.backbone == "hma":
                table_synth = self._model._table_synthesizers[name]
                checks = {c.target: c for c in fitted_constraints(table_synth, CARTRule)}
            else:
                checks = self._model.synthesizers_[name].rule_checks()
            shares = rule_compliance(frame, rules, checks, self.profiles_[name])
            parts.append(shares.rename_axis("rule").reset_index().assign(table=name))
        columns = ["table", "rule", "compliance"]
        return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)

    def missingness(self) -> dict[str, dict]:
        """Per table, the missingness models found (pillar 3)."""
        self._check_fitted()
        if self.backbone == "sequential":
            return {n: s.missingness_ for n, s in self._model.synthesizers_.items()}
        return {name: {k: m for c in fitted_constraints(synth, MissingnessConstraint)
                       for k, m in c.models_.items()}
                for name, synth in self._model._table_synthesizers.items()}

    def summary(self) -> str:
        """Tables, keys, what was done to dirty keys, and each table's rules."""
        self._check_fitted()
        lines = [f"MultiTablePillarsSynthesizer ({self.backbone}), {len(self.metadata_.tables)} tables"]
        for r in self.metadata_.relationships:
            lines.append(f"  {r['child_table_name']}.{r['child_foreign_key']} -> "
                         f"{r['parent_table_name']}.{r['parent_primary_key']}")
        lines += [f"  note: {note}" for note in self.notes_]
        for name, ruleset in self.rule_sets_.items():
            lines.append(f"Table {name}: {len(ruleset.rules)} rule(s)")
            lines += [f"  {rule}" for rule in ruleset.rules]
        return "\n".join(lines)

    # -- persistence -----------------------------------------------------------------------------
    def save(self, filepath) -> None:
        """Save the fitted synthesizer (cloudpickle, as SDV's ``save``)."""
        self._check_fitted()
        save_model(self, filepath)

    @classmethod
    def load(cls, filepath) -> "MultiTablePillarsSynthesizer":
        """Load a synthesizer saved with ``save``."""
        return load_model(filepath, cls)
