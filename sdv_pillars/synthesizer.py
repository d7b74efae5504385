"""PillarsSynthesizer: a drop-in SDV single-table synthesizer that keeps rules and gaps.

One fit runs the pillars in order and hands their results to an ordinary SDV synthesizer as
``sdv.cag`` constraints:

    profile (pillar 1) -> Metadata
    rules (pillar 2)   -> CARTRule constraints, listed in reverse generation order (pillar 4)
    missingness (3)    -> one MissingnessConstraint
    inequalities       -> sdv.cag.Inequality

SDV transforms constraints in list order and reverse-transforms them in reverse order. So on
sampling the inequalities are rebuilt first (on complete rows), then the nulls re-imposed,
then the derived columns rebuilt in topological order from features that already carry their
nulls. Every rule therefore holds on every generated row, by construction.
"""

from __future__ import annotations

import warnings
from copy import deepcopy

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sdv_pillars.backbones import NEURAL, backbone_name, resolve_backbone
from sdv_pillars.missingness import MissingnessConstraint, MissingnessModel
from sdv_pillars.profiling import build_metadata, profile_from_metadata, profile_table
from sdv_pillars.quality.privacy import row_hashes
from sdv_pillars.rules import CARTRule, Rule, RuleSet, mine_rules, rule_compliance
from sdv_pillars.runtime import load_model, quiet, save_model, seeded
from sdv_pillars.table_pillars import fitted_constraints, pillar_constraints
from sdv_pillars.validation import validate_metadata_columns, validate_table

EXACT_COPIES = ("keep", "redraw")
MAX_REDRAWS = 20


class NotFittedError(RuntimeError):
    """Raised when a synthesizer is used before ``fit``."""


class PillarsSynthesizer:
    """Synthesize one table with its rules and missingness kept, over any SDV backbone.

    Args:
        metadata: an ``sdv.metadata.Metadata``; ``None`` profiles the data (pillar 1).
        backbone: ``"gaussian_copula"``, ``"ctgan"``, ``"tvae"``, ``"copulagan"``, or an SDV
            single-table synthesizer class.
        backbone_kwargs: passed to the SDV synthesizer (``epochs``, ``enable_gpu``, ...; for
            ``"cart"``: ``min_leaf``, ``smoothing``, ``visit_sequence``). One key is the
            pillars' own, for every backbone: ``exact_copies="redraw"`` redraws sampled rows
            that equal a real row (default ``"keep"``); it keeps a hash of each real row, so a
            saved model then lets its holder test whether a given row was in the real data.
        rules: mine rules (CART functions and inequalities) and enforce them.
        rule_threshold: held-out score a CART rule must reach to be kept.
        max_depth: depth of the rule trees.
        missingness: learn MCAR/MAR missingness and re-impose it.
        random_state: seed for mining, fitting and sampling; ``None`` for fresh randomness.
        verbose: show progress bars.
    """

    def __init__(
        self,
        metadata=None,
        backbone="gaussian_copula",
        backbone_kwargs: dict | None = None,
        rules: bool = True,
        rule_threshold: float = 0.99,
        max_depth: int = 5,
        missingness: bool = True,
        random_state: int | None = None,
        verbose: bool = True,
    ):
        self.metadata = metadata
        self.backbone = backbone
        self.backbone_kwargs = backbone_kwargs
        self.rules = rules
        self.rule_threshold = rule_threshold
        self.max_depth = max_depth
        self.missingness = missingness
        self.random_state = random_state
        self.verbose = verbose

    def get_parameters(self) -> dict:
        """The parameters the synthesizer was created with (as SDV's ``get_parameters``)."""
        names = ("backbone", "backbone_kwargs", "rules", "rule_threshold", "max_depth",
                 "missingness", "random_state", "verbose")
        return {name: getattr(self, name) for name in names}

    # -- fitting -----------------------------------------------------------------------------
    def _validate_parameters(self) -> None:
        resolve_backbone(self.backbone)
        if not 0 < self.rule_threshold <= 1:
            raise ValueError(f"rule_threshold must be in (0, 1], got {self.rule_threshold}.")
        if not (isinstance(self.max_depth, int) and self.max_depth >= 1):
            raise ValueError(f"max_depth must be a positive integer, got {self.max_depth!r}.")
        if self.backbone_kwargs is not None and not isinstance(self.backbone_kwargs, dict):
            raise TypeError("backbone_kwargs must be a dict of SDV synthesizer parameters.")
        if self._exact_copies not in EXACT_COPIES:
            raise ValueError(f"exact_copies must be one of {EXACT_COPIES}, got {self._exact_copies!r}.")

    @property
    def _exact_copies(self) -> str:
        return (self.backbone_kwargs or {}).get("exact_copies", "keep")

    def fit(self, data) -> "PillarsSynthesizer":
        """Profile, mine rules and missingness, and fit the backbone. Returns self.

        Args:
            data: a DataFrame, or ``{table_name: DataFrame}`` as SDV 2 takes. It is not modified.
        """
        self._validate_parameters()
        table_name, table = validate_table(data)
        if self.metadata is not None and len(self.metadata.tables) == 1:
            table_name = next(iter(self.metadata.tables))  # the user's name for the table wins
        steps = tqdm(total=4, desc="Pillars", disable=not self.verbose, leave=False)

        steps.set_postfix_str("profiling")
        if self.metadata is None:
            self.profile_ = profile_table(table)
            self.metadata_ = build_metadata(self.profile_, table_name)
        else:
            validate_metadata_columns(table, self.metadata, table_name)
            self.profile_ = profile_from_metadata(table, self.metadata, table_name)
            self.metadata_ = deepcopy(self.metadata)
        steps.update()

        steps.set_postfix_str("mining rules")
        ruleset = RuleSet()
        if self.rules:
            ruleset = mine_rules(table, self.profile_, self.rule_threshold, self.max_depth,
                                 self.random_state)
        self.rule_set_ = ruleset
        self.rules_: list[Rule] = ruleset.rules
        self.generation_order_: list[str] = ruleset.order
        steps.update()

        steps.set_postfix_str("missingness")
        constraints = pillar_constraints(self.profile_, self.rule_set_, self.max_depth,
                                         self.missingness, self.random_state, table_name)
        steps.update()

        steps.set_postfix_str(f"fitting {backbone_name(self.backbone)}")
        self._table_name = table_name
        self._columns = list(table.columns)
        self._backbone = resolve_backbone(self.backbone)(
            metadata=deepcopy(self.metadata_), **self._backbone_options()
        )
        if constraints:
            self._backbone.add_constraints(constraints)
            # SDV 2.0's add_constraints rebuilds the data processor and forgets the backbone's
            # own transformer choices (CTGAN, TVAE and CART take labels as they are, not as
            # UniformEncoder floats); put them back.
            self._backbone._update_default_transformers()
        with seeded(self.random_state), self._quiet():
            self._backbone.fit({table_name: table})
        self._collect_missingness()
        self._real_hashes = None
        if self._exact_copies == "redraw":
            self._real_hashes = np.unique(row_hashes(table, self.profile_))
        self.reset_sampling()
        steps.update()
        steps.close()
        return self

    def _backbone_options(self) -> dict:
        options = dict(self.backbone_kwargs or {})
        options.pop("exact_copies", None)
        name = backbone_name(self.backbone)
        if name in (*NEURAL, "cart"):
            options.setdefault("verbose", self.verbose)
        if name == "cart":
            # drivers before what they drive: the features of the rules, in generation order
            by_target = {r.target: r.features for r in self.rule_set_.cart_rules}
            drivers = [f for t in self.generation_order_ for f in by_target[t] if f not in by_target]
            options.setdefault("visit_sequence", list(dict.fromkeys(drivers)))
        return options

    def _fitted_constraints(self, kind: type | tuple[type, ...]) -> list:
        return fitted_constraints(self._backbone, kind)

    def _collect_missingness(self) -> None:
        self.missingness_: dict[str, MissingnessModel] = {}
        for constraint in self._fitted_constraints(MissingnessConstraint):
            self.missingness_.update(constraint.models_)
        for rule in self.rule_set_.cart_rules:
            rate = self.profile_[rule.target].null_rate
            if rate > 0:
                self.missingness_[rule.target] = MissingnessModel(
                    rule.target, "MAR", rate, rule.features, None, None,
                    "derived column: its nulls are rebuilt by its rule",
                )

    def _quiet(self):
        return quiet(self.verbose)

    # -- sampling -----------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "_backbone"):
            raise NotFittedError(
                "This PillarsSynthesizer is not fitted yet: call fit(data) before sampling."
            )

    def reset_sampling(self) -> None:
        """Make the next samples repeat those drawn right after ``fit``."""
        self._check_fitted()
        self._backbone.reset_sampling()
        if self.random_state is not None:
            self._backbone._set_random_state(self.random_state)
        for constraint in self._fitted_constraints((CARTRule, MissingnessConstraint)):
            constraint.reset_sampling()

    def _restore(self, sampled) -> pd.DataFrame:
        if isinstance(sampled, dict):
            sampled = sampled[self._table_name]
        return sampled[self._columns].reset_index(drop=True)

    def _copies(self, data: pd.DataFrame) -> np.ndarray:
        """Which rows equal a real row (all False unless ``exact_copies="redraw"``)."""
        if getattr(self, "_real_hashes", None) is None:
            return np.zeros(len(data), dtype=bool)
        return np.isin(row_hashes(data, self.profile_), self._real_hashes)

    def sample(self, num_rows: int, batch_size: int | None = None) -> pd.DataFrame:
        """``num_rows`` synthetic rows with the real columns, dtypes and column order.

        With ``exact_copies="redraw"`` a row equal to a real row is replaced by a fresh one.
        """
        self._check_fitted()
        if not isinstance(num_rows, (int, np.integer)) or num_rows < 1:
            raise ValueError(f"num_rows must be a positive integer, got {num_rows!r}.")
        with self._quiet():
            sampled = self._restore(self._backbone.sample(int(num_rows), batch_size=batch_size))
            sampled = sampled[~self._copies(sampled)]
            for attempt in range(MAX_REDRAWS + 1):
                missing = int(num_rows) - len(sampled)
                if missing == 0:
                    return sampled.reset_index(drop=True)
                if attempt == MAX_REDRAWS:
                    break
                fresh = self._restore(self._backbone.sample(2 * missing + 10))
                fresh = fresh[~self._copies(fresh)].head(missing)
                sampled = pd.concat([sampled, fresh], ignore_index=True)
        raise RuntimeError(
            f"{missing} sampled rows still copy a real row after {MAX_REDRAWS} redraws: "
            "the table has too few distinct rows for exact_copies='redraw'. Use "
            "backbone_kwargs smoothing='density' or a larger min_leaf (backbone 'cart'), or "
            "exact_copies='keep' and remove the copies yourself."
        )

    def sample_from_conditions(self, conditions, max_tries_per_batch: int = 100,
                               batch_size: int | None = None) -> pd.DataFrame:
        """Rows that meet ``sdv.sampling.Condition`` objects, as SDV's synthesizers take them.

        With ``exact_copies="redraw"``, rows that copy a real row are dropped, with a warning.
        """
        self._check_fitted()
        with self._quiet():
            sampled = self._restore(self._backbone.sample_from_conditions(
                conditions, max_tries_per_batch=max_tries_per_batch, batch_size=batch_size
            ))
        copies = self._copies(sampled)
        if copies.any():
            warnings.warn(f"{int(copies.sum())} of {len(sampled)} conditioned rows copied a real "
                          "row and were dropped (exact_copies='redraw').", stacklevel=2)
        return sampled[~copies].reset_index(drop=True)

    # -- introspection ---------------------------------------------------------------------
    def get_metadata(self):
        """The SDV metadata of the real table (profiled, or the user's)."""
        self._check_fitted()
        return self.metadata_

    def get_constraints(self) -> list:
        """The SDV constraint objects in use, in the order SDV applies them."""
        self._check_fitted()
        return self._backbone.get_constraints()

    def rule_compliance(self, data: pd.DataFrame) -> pd.Series:
        """Share of rows of ``data`` that satisfy each kept rule (1.0 = always)."""
        self._check_fitted()
        return rule_compliance(data, self.rules_, self.rule_checks(), self.profile_)

    def rule_checks(self) -> dict[str, CARTRule]:
        """The fitted CART rule constraints, by target: what ``rule_compliance`` checks with."""
        self._check_fitted()
        return {c.target: c for c in self._fitted_constraints(CARTRule)}

    def summary(self) -> str:
        """A readable text of what each pillar found."""
        self._check_fitted()
        lines = [f"PillarsSynthesizer over {backbone_name(self.backbone)}, "
                 f"table '{self._table_name}' ({len(self._columns)} columns)", "",
                 "Profile (pillar 1):"]
        lines += [f"  {p.name:<24} {p.kind:<12} {p.reason}" for p in self.profile_.values()]
        lines += ["", f"Rules (pillar 2): {len(self.rules_)} kept"]
        lines += [f"  {rule}" for rule in self.rules_] or ["  none"]
        lines += [f"  dropped: {r.target} <- {', '.join(r.features)}: {r.reason}"
                  for r in self.rule_set_.rejected]
        lines += ["", "Missingness (pillar 3):"]
        lines += [f"  {model}" for model in self.missingness_.values()] or ["  no nulls"]
        lines += ["", "Generation order of derived columns (pillar 4): "
                  + (" -> ".join(self.generation_order_) or "none")]
        return "\n".join(lines)

    # -- persistence -------------------------------------------------------------------------
    def save(self, filepath) -> None:
        """Save the fitted synthesizer (cloudpickle, as SDV's ``save``)."""
        self._check_fitted()
        save_model(self, filepath)

    @classmethod
    def load(cls, filepath) -> "PillarsSynthesizer":
        """Load a synthesizer saved with ``save``."""
        return load_model(filepath, cls)


__all__ = ["NotFittedError", "PillarsSynthesizer"]
