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

import inspect
from copy import deepcopy

import numpy as np
import pandas as pd
from sdv.errors import NotFittedError, SynthesizerInputError
from sdv.metadata import Metadata

from sdv_pillars.backbones import resolve_backbone
from sdv_pillars.base import BasePillarsSynthesizer
from sdv_pillars.draws import fresh_seed
from sdv_pillars.dropin import write_constraints
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
from sdv_pillars.validation import checked_table, validate_backbone_kwargs, validate_parameters

HMA = "hma"
HMA_MAX_TABLES, HMA_MAX_DEPTH = 5, 2
# SDV HMA methods answered by the fitted HMA as they are (HMA mode)
HMA_FORWARDED = ("get_transformers", "update_transformers", "get_learned_distributions",
                 "get_loss_values", "get_info", "validate_constraints", "set_address_columns",
                 "auto_assign_transformers", "validate")


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
        tables = self._start(tables)
        if self.mode_ == HMA:
            self._fit_hma(tables)
        else:
            self._fit_sequential(tables)
        self._set_fitted_attributes()
        return self

    def _start(self, tables) -> dict[str, pd.DataFrame]:
        """What ``fit`` and ``preprocess`` do first: check the parameters, choose the mode,
        read and clean the tables (``_prepare``), check HMA's limits."""
        validate_parameters(self)
        self.mode_ = self._mode()
        tables = self._prepare(tables)
        self._real_rows = {name: len(frame) for name, frame in tables.items()}
        if self.mode_ == HMA:
            self._check_hma_limits()
        return tables

    def _set_fitted_attributes(self) -> None:
        self.profile_ = {name: p.profile_ for name, p in self.pillars_.items()}
        self.rule_set_ = {name: p.rule_set_ for name, p in self.pillars_.items()}
        self.rules_ = {name: p.rules_ for name, p in self.pillars_.items()}
        self.generation_order_ = {name: p.generation_order_ for name, p in self.pillars_.items()}
        self.missingness_ = {name: p.missingness_models() for name, p in self.pillars_.items()}

    @property
    def _user_constraints(self) -> list:
        return self.__dict__.setdefault("_constraints_added", [])

    def _build_hma(self, tables: dict[str, pd.DataFrame]):
        """SDV's HMA with each table's pillars (``multi_table.HMASynthesizer``), made from the
        front door's metadata and profiles, with the user's constraints; not yet fitted."""
        from sdv_pillars.multi_table import HMASynthesizer

        options = {"verbose": self.verbose, **(self.backbone_kwargs or {})}
        seed = self.random_state if self.random_state is not None else fresh_seed()
        with self._quiet():
            model = HMASynthesizer(deepcopy(self.metadata_), **options, rules=self.rules,
                                   missingness=self.missingness,
                                   rule_threshold=self.rule_threshold, max_depth=self.max_depth,
                                   random_state=seed)
            model._profile_override = self._profiles
            for table, parameters in self._table_parameters_set.items():
                model.set_table_parameters(table, parameters)
            if self._user_constraints:
                model.add_constraints(list(self._user_constraints))
        return model

    def _fit_hma(self, tables: dict[str, pd.DataFrame]) -> None:
        model = self._build_hma(tables)
        with seeded(self.random_state), self._quiet():
            model.fit(tables)
        self._model = model
        self.pillars_ = dict(model.pillars_)

    def _fit_sequential(self, tables: dict[str, pd.DataFrame]) -> None:
        def make_synthesizer(table: str) -> PillarsSynthesizer:
            synthesizer = PillarsSynthesizer(
                backbone=self._backbone, backbone_kwargs=self.backbone_kwargs,
                rules=self.rules, rule_threshold=self.rule_threshold, max_depth=self.max_depth,
                missingness=self.missingness, random_state=self.random_state, verbose=False)
            own = [c for c in self._user_constraints if getattr(c, "table_name", None) == table]
            if own:
                synthesizer.add_constraints(own)
            return synthesizer

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
            self._model.reset_sampling()  # the drop-in HMA replays the pillars' draws too
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
    def get_metadata(self, version: str = "original"):
        """The multi-table metadata used (detected, or the user's); with
        ``version="modified"``, HMA's after the constraints."""
        self._check_fitted()
        if version == "modified" and self.mode_ == HMA:
            return self._model.get_metadata(version)
        return self.metadata_

    def add_constraints(self, constraints: list) -> None:
        """SDV's ``add_constraints``: your own ``sdv.cag`` constraints, each naming its table
        (``table_name``), kept alongside the mined ones; applied at the next ``fit``. The
        sequential mode takes single-table constraints (its tables are fitted one by one)."""
        if not isinstance(constraints, list):
            raise ValueError("Constraints must be a list of sdv.cag objects.")
        for constraint in constraints:
            if getattr(constraint, "table_name", None) is None:
                raise ValueError(f"The '{type(constraint).__name__}' is missing the required "
                                 "parameter 'table_name': say which table it is for.")
        self._user_constraints.extend(constraints)

    def get_constraints(self, filepath=None):
        """Your constraints, as SDV lists them; each table's mined ones are in ``pillars_``."""
        if hasattr(self, "_model") and self.mode_ == HMA:
            return self._model.get_constraints(filepath)
        constraints = [deepcopy(c) for c in self._user_constraints]
        return constraints if filepath is None else write_constraints(constraints, filepath)

    @property
    def _table_parameters_set(self) -> dict:
        return self.__dict__.setdefault("_table_parameters_given", {})

    def set_table_parameters(self, table_name: str, table_parameters: dict) -> None:
        """SDV's ``set_table_parameters`` (HMA mode): options of one table's GaussianCopula,
        applied at the next ``fit``."""
        self._table_parameters_set.setdefault(table_name, {}).update(table_parameters)

    def get_table_parameters(self, table_name: str) -> dict:
        """SDV's ``get_table_parameters``: the fitted HMA's, or before ``fit`` the ones set."""
        if hasattr(self, "_model") and self.mode_ == HMA:
            return self._model.get_table_parameters(table_name)
        return {"synthesizer_name": None,
                "synthesizer_parameters": dict(self._table_parameters_set.get(table_name, {}))}

    def _hma_model(self, name: str):
        self._check_fitted()
        if self.mode_ != HMA:
            raise NotImplementedError(
                f"{name} is a method of SDV's HMA; the sequential mode fits one "
                "PillarsSynthesizer per table (fitted tables: _model.synthesizers_). Use "
                "backbone='hma' for HMA's methods."
            )
        return self._model

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

    def preprocess(self, tables) -> dict[str, pd.DataFrame]:
        """SDV's ``preprocess`` (HMA mode): the tables as HMA models them, keys cleaned and
        the pillars' derived columns taken out."""
        tables = self._start(tables)
        if self.mode_ != HMA:
            raise NotImplementedError("preprocess is a method of SDV's HMA; use backbone='hma'.")
        self._built = self._build_hma(tables)
        with self._quiet():
            return self._built.preprocess(tables)

    def fit_processed_data(self, processed_data) -> None:
        """SDV's ``fit_processed_data`` (HMA mode), after ``preprocess``."""
        if not hasattr(self, "_built"):
            raise NotFittedError("Call preprocess(tables) before fit_processed_data.")
        with seeded(self.random_state), self._quiet():
            self._built.fit_processed_data(processed_data)
        self._model = self._built
        self.pillars_ = dict(self._built.pillars_)
        self._set_fitted_attributes()

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


def _forward_to_hma(name: str):
    """An SDV HMA method answered by the fitted HMA (HMA mode), with SDV's signature."""
    from sdv.multi_table.base import BaseMultiTableSynthesizer

    def method(self, *args, **kwargs):
        return getattr(self._hma_model(name), name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"SDV's ``{name}``, on the fitted HMA (HMA mode only)."
    method.__signature__ = inspect.signature(getattr(BaseMultiTableSynthesizer, name))
    return method


for _name in HMA_FORWARDED:
    setattr(MultiTablePillarsSynthesizer, _name, _forward_to_hma(_name))
