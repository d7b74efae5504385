"""MultiTablePillarsSynthesizer: every table keeps its rules and gaps, every key resolves.

``backbone`` means what it means for ``PillarsSynthesizer``: the SDV model of the data.

* ``"hma"``: SDV's HMASynthesizer (GaussianCopula per table, parents' parameters learned from
  their children), with each table's pillars (``TablePillars``) added as SDV constraints
  carrying ``table_name``, and each table's column kinds from pillar 1. SDV refuses schemas
  of more than 5 tables or deeper than 2 levels; so does this mode, with a message that
  points to a single-table backbone. Pick it for small, shallow schemas where HMA's
  parent-child modelling is wanted.
* any single-table backbone (``"gaussian_copula"``, ``"ctgan"``, ``"tvae"``, ``"copulagan"``,
  ``"cart"`` or an SDV class): the sequential mode. Parents first, each table by a
  ``PillarsSynthesizer`` over that backbone, conditioned on its parent's columns and on how
  many children each parent has (see ``sequential``). Pick it for more tables, deeper
  chains, a neural or CART backbone per table, or faster sampling.
"""

from __future__ import annotations

from copy import deepcopy

import numpy as np
import pandas as pd
from sdv.errors import SynthesizerInputError
from sdv.metadata import Metadata

from sdv_pillars.backbones import resolve_backbone
from sdv_pillars.base import BasePillarsSynthesizer
from sdv_pillars.dtypes import restore_dtypes
from sdv_pillars.profiling import apply_profile, profile_from_metadata, profile_table
from sdv_pillars.relational.keys import (
    allow_null_keys,
    check_user_keys,
    clean_orphans,
    detect_metadata,
    key_columns,
)
from sdv_pillars.relational.loading import load_tables
from sdv_pillars.relational.sequential import SequentialRelationalModel
from sdv_pillars.runtime import seeded
from sdv_pillars.synthesizer import PillarsSynthesizer
from sdv_pillars.table_pillars import TablePillars
from sdv_pillars.validation import checked_table, validate_backbone_kwargs, validate_parameters

HMA = "hma"
HMA_MAX_TABLES, HMA_MAX_DEPTH = 5, 2


class MultiTablePillarsSynthesizer(BasePillarsSynthesizer):
    """Synthesize related tables with per-table pillars and 100% referential integrity.

    Args:
        metadata: a multi-table ``sdv.metadata.Metadata``; ``None`` detects keys (``keys``)
            and takes each table's column kinds from pillar 1.
        backbone: ``"hma"`` (``None``, the default), or a single-table backbone for the
            sequential mode (module docstring).
        backbone_kwargs: options of the backbone (``HMASynthesizer``'s, or each table's
            ``PillarsSynthesizer`` ``backbone_kwargs`` in the sequential mode).
        rules, rule_threshold, max_depth, missingness: the pillars, as for one table.
        random_state: seed for mining, fitting and sampling.
        verbose: progress bars.

    Fitted attributes, each ``{table: ...}``: ``pillars_``, ``profile_``, ``rule_set_``,
    ``rules_``, ``generation_order_``, ``missingness_``; and ``metadata_``, ``mode_``
    (``"hma"`` or ``"sequential"``), ``notes_`` (what was done to keys).
    """

    default_backbone = "hma"

    # -- fitting -----------------------------------------------------------------------------
    def _mode(self) -> str:
        """``"hma"`` or ``"sequential"``; checks the backbone and its options on the way."""
        if isinstance(self._backbone, str) and self._backbone.lower() == HMA:
            from sdv.multi_table import HMASynthesizer

            validate_backbone_kwargs(HMASynthesizer, self.backbone_kwargs)
            return HMA
        validate_backbone_kwargs(resolve_backbone(self._backbone), self.backbone_kwargs,
                                 own=("exact_copies",))
        return "sequential"

    def _prepare(self, tables) -> dict[str, pd.DataFrame]:
        tables = load_tables(tables)
        self._dtypes = {}
        for name, frame in tables.items():
            _, tables[name], self._dtypes[name] = checked_table({name: frame})
        self.notes_: list[str] = []
        if self.metadata is None:
            self.metadata_, self.notes_ = detect_metadata(tables)
        else:
            self.metadata_ = deepcopy(self.metadata)
            missing = set(self.metadata_.tables) ^ set(tables)
            if missing:
                raise ValueError(f"The metadata and the data disagree on tables {sorted(missing)}.")
            check_user_keys(tables, self.metadata_)
        tables, orphans = clean_orphans(tables, self.metadata_)
        self.notes_ += orphans
        allow_null_keys(tables, self.metadata_)
        self._profiles = {name: self._profile(name, frame) for name, frame in tables.items()}
        if self.metadata is None:  # a clean copy, not flagged as edited by SDV
            self.metadata_ = Metadata.load_from_dict(self.metadata_.to_dict())
        return tables

    def _profile(self, name: str, frame: pd.DataFrame) -> dict:
        """Pillar 1 on a table's own columns (keys are the relationships' business); detected
        metadata takes the table's column kinds from it."""
        own = frame.drop(columns=key_columns(self.metadata_, name))
        if self.metadata is not None:
            return profile_from_metadata(own, self.metadata_, name)
        profile = profile_table(own)
        apply_profile(self.metadata_, name, profile)
        return profile

    def _check_hma_limits(self) -> None:
        depth = self.metadata_._get_max_schema_depth()
        if len(self.metadata_.tables) > HMA_MAX_TABLES or depth > HMA_MAX_DEPTH:
            raise ValueError(
                f"SDV's HMA takes at most {HMA_MAX_TABLES} tables and {HMA_MAX_DEPTH} levels; this "
                f"schema has {len(self.metadata_.tables)} tables and {depth} levels. Use a "
                "single-table backbone, e.g. MultiTablePillarsSynthesizer(backbone="
                "'gaussian_copula') for the sequential mode, which has no such limit."
            )

    def fit(self, tables) -> "MultiTablePillarsSynthesizer":
        """Detect or check keys, run each table's pillars, fit. Returns self.

        Args:
            tables: ``{name: DataFrame}``, a folder of CSV/Parquet files or a SQLite file.
        """
        validate_parameters(self)
        self.mode_ = self._mode()
        tables = self._prepare(tables)
        self._real_rows = {name: len(frame) for name, frame in tables.items()}
        if self.mode_ == HMA:
            self._check_hma_limits()
            self._fit_hma(tables)
        else:
            self._fit_sequential(tables)
        self.profile_ = {name: p.profile_ for name, p in self.pillars_.items()}
        self.rule_set_ = {name: p.rule_set_ for name, p in self.pillars_.items()}
        self.rules_ = {name: p.rules_ for name, p in self.pillars_.items()}
        self.generation_order_ = {name: p.generation_order_ for name, p in self.pillars_.items()}
        self.missingness_ = {name: p.missingness_models() for name, p in self.pillars_.items()}
        return self

    def _table_pillars(self, name: str, frame: pd.DataFrame) -> TablePillars:
        """One table's pillars, on the columns pillar 1 profiled (not its keys)."""
        profile = self._profiles[name]
        pillars = TablePillars(name, None, self.rules and bool(profile),
                               self.missingness and bool(profile), self.rule_threshold,
                               self.max_depth, self.random_state)
        return pillars.fit(frame, profile=profile)

    def _fit_hma(self, tables: dict[str, pd.DataFrame]) -> None:
        from sdv.multi_table import HMASynthesizer

        self.pillars_ = {name: self._table_pillars(name, frame) for name, frame in tables.items()}
        constraints = [c for pillars in self.pillars_.values() for c in pillars.constraints()]
        options = {"verbose": self.verbose, **(self.backbone_kwargs or {})}
        with seeded(self.random_state), self._quiet():
            model = HMASynthesizer(deepcopy(self.metadata_), **options)
            if constraints:
                model.add_constraints(constraints)
            model.fit(tables)
        self._model = model

    def _fit_sequential(self, tables: dict[str, pd.DataFrame]) -> None:
        def make_synthesizer(table: str) -> PillarsSynthesizer:
            return PillarsSynthesizer(
                backbone=self._backbone, backbone_kwargs=self.backbone_kwargs,
                rules=self.rules, rule_threshold=self.rule_threshold, max_depth=self.max_depth,
                missingness=self.missingness, random_state=self.random_state, verbose=False)

        model = SequentialRelationalModel(self.metadata_, make_synthesizer, self.random_state,
                                          self.verbose)
        with self._quiet():
            model.fit(tables)
        self._model = model
        self.pillars_ = {name: synth.pillars_ for name, synth in model.synthesizers_.items()}

    # -- sampling ------------------------------------------------------------------------------
    def reset_sampling(self) -> None:
        """Make the next samples repeat those drawn right after ``fit``."""
        self._check_fitted()
        if self.mode_ == HMA:
            self._model.reset_sampling()
            for pillars in self.pillars_.values():
                pillars.reset_sampling()
        else:
            for synthesizer in self._model.synthesizers_.values():
                synthesizer.reset_sampling()

    def sample(self, num_rows: int, main_table_name: str | None = None) -> dict[str, pd.DataFrame]:
        """SDV 2's multi-table ``sample``: ``num_rows`` rows of ``main_table_name``, the other
        tables scaled alike (``sample_scale(num_rows / real rows of that table)``)."""
        self._check_fitted()
        if main_table_name is None:
            raise SynthesizerInputError("`main_table_name` cannot be None for multi-table "
                                        "sampling. Please provide a table name.")
        if main_table_name not in self._real_rows:
            raise ValueError(f"Table '{main_table_name}' is not one of {sorted(self._real_rows)}.")
        if isinstance(num_rows, bool) or not isinstance(num_rows, (int, np.integer)) or num_rows < 1:
            raise ValueError(f"num_rows must be a positive integer, got {num_rows!r}.")
        return self.sample_scale(num_rows / self._real_rows[main_table_name])

    def sample_scale(self, scale: float = 1.0) -> dict[str, pd.DataFrame]:
        """Synthetic tables, roots ``scale`` times their real size: ``{name: DataFrame}``
        (SDV 2's ``sample_scale``).

        In the sequential mode the compliance of every table's rules, measured on the rows
        as generated (with their parent and children columns), is kept in
        ``sample_compliance_``.
        """
        self._check_fitted()
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale < float("inf"):
            raise ValueError(f"scale must be a positive, finite number, got {scale!r}.")
        with self._quiet():
            if self.mode_ == HMA:
                with seeded(self.random_state):
                    final = self._model.sample_scale(scale=float(scale))
            else:
                final, augmented = self._model.sample(scale)
                self.sample_compliance_ = pd.concat(
                    [self.pillars_[name].rule_compliance(augmented[name]).rename_axis("rule")
                     .reset_index().assign(table=name) for name in self.pillars_],
                    ignore_index=True)
        return {name: restore_dtypes(frame, self._dtypes[name]) for name, frame in final.items()}

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
            pillars = self.pillars_[name]
            rules = [r for r in pillars.rules_ if set((r.target, *r.features)) <= set(frame.columns)]
            if not rules:
                continue
            shares = pillars.rule_compliance(frame, rules)
            parts.append(shares.rename_axis("rule").reset_index().assign(table=name))
        columns = ["table", "rule", "compliance"]
        return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)

    def summary(self) -> str:
        """Tables, keys, what was done to dirty keys, and each table's rules."""
        self._check_fitted()
        lines = [f"MultiTablePillarsSynthesizer ({self.mode_}), {len(self.metadata_.tables)} tables"]
        for r in self.metadata_.relationships:
            lines.append(f"  {r['child_table_name']}.{r['child_foreign_key']} -> "
                         f"{r['parent_table_name']}.{r['parent_primary_key']}")
        lines += [f"  note: {note}" for note in self.notes_]
        for name, rules in self.rules_.items():
            lines.append(f"Table {name}: {len(rules)} rule(s)")
            lines += [f"  {rule}" for rule in rules]
        return "\n".join(lines)
