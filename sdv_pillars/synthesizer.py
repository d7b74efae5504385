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
from sdv.errors import NotFittedError, SamplingError
from tqdm.auto import tqdm

from sdv_pillars.backbones import NEURAL, backbone_name, resolve_backbone
from sdv_pillars.base import BasePillarsSynthesizer
from sdv_pillars.defaults import MAX_REDRAWS
from sdv_pillars.dtypes import restore_dtypes
from sdv_pillars.encoding import row_hashes
from sdv_pillars.runtime import seeded
from sdv_pillars.table_pillars import TablePillars
from sdv_pillars.validation import checked_table, validate_backbone_kwargs, validate_parameters

EXACT_COPIES = ("keep", "redraw")


class PillarsSynthesizer(BasePillarsSynthesizer):
    """Synthesize one table with its rules and missingness kept, over any SDV backbone.

    Args:
        metadata: an ``sdv.metadata.Metadata``; ``None`` profiles the data (pillar 1).
        backbone: ``"gaussian_copula"`` (``None``, the default), ``"ctgan"``, ``"tvae"``,
            ``"copulagan"``, ``"cart"``, or an SDV single-table synthesizer class.
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

    Fitted attributes: ``pillars_`` (the ``TablePillars``), ``metadata_``, ``profile_``,
    ``rule_set_``, ``rules_``, ``generation_order_``, ``missingness_``.
    """

    default_backbone = "gaussian_copula"

    # -- fitting -----------------------------------------------------------------------------
    def _validate_parameters(self) -> None:
        validate_parameters(self)
        validate_backbone_kwargs(resolve_backbone(self._backbone), self.backbone_kwargs,
                                 own=("exact_copies",))
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
        table_name, table, dtypes = checked_table(data)
        if self.metadata is not None and len(self.metadata.tables) == 1:
            table_name = next(iter(self.metadata.tables))  # the user's name for the table wins
        steps = tqdm(total=5, desc="Pillars", disable=not self.verbose, leave=False)
        self.pillars_ = TablePillars(table_name, self.metadata, self.rules, self.missingness,
                                     self.rule_threshold, self.max_depth, self.random_state)
        self.pillars_.fit(table, progress=steps)
        if all(p.kind == "id" for p in self.pillars_.profile_.values()):
            raise ValueError(
                f"Every column of table '{table_name}' is an id ({list(table.columns)}): there "
                "are no values to learn. If the file is not comma-separated, read it with its "
                "separator (pd.read_csv(path, sep=';')); to make only keys, use range()."
            )
        self.metadata_ = self.pillars_.metadata_
        self.profile_ = self.pillars_.profile_
        self.rule_set_ = self.pillars_.rule_set_
        self.rules_ = self.pillars_.rules_
        self.generation_order_ = self.pillars_.generation_order_
        self.missingness_ = self.pillars_.missingness_models()

        steps.set_postfix_str(f"fitting {backbone_name(self._backbone)}")
        self._table_name = table_name
        self._columns = list(table.columns)
        self._dtypes = dtypes
        backbone = resolve_backbone(self._backbone)(
            metadata=deepcopy(self.metadata_), **self._backbone_options()
        )
        constraints = self.pillars_.constraints()
        if constraints:
            backbone.add_constraints(constraints)
            # SDV 2.0's add_constraints rebuilds the data processor and forgets the backbone's
            # own transformer choices (CTGAN, TVAE and CART take labels as they are, not as
            # UniformEncoder floats); put them back.
            backbone._update_default_transformers()
        with seeded(self.random_state), self._quiet():
            backbone.fit({table_name: table})
        self._model = backbone
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
        name = backbone_name(self._backbone)
        if name in (*NEURAL, "cart"):
            options.setdefault("verbose", self.verbose)
        if name == "cart":
            # drivers before what they drive: the features of the rules, in generation order
            by_target = {r.target: r.features for r in self.rule_set_.cart_rules}
            drivers = [f for t in self.generation_order_ for f in by_target[t] if f not in by_target]
            options.setdefault("visit_sequence", list(dict.fromkeys(drivers)))
        return options

    # -- sampling -----------------------------------------------------------------------------
    def reset_sampling(self) -> None:
        """Make the next samples repeat those drawn right after ``fit``."""
        self._check_fitted()
        self._model.reset_sampling()
        if self.random_state is not None:
            self._model._set_random_state(self.random_state)
        self.pillars_.reset_sampling()

    def _restore(self, sampled) -> pd.DataFrame:
        if isinstance(sampled, dict):
            sampled = sampled[self._table_name]
        return restore_dtypes(sampled[self._columns].reset_index(drop=True), self._dtypes)

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
            sampled = self._restore(self._model.sample(int(num_rows), batch_size=batch_size))
            sampled = sampled[~self._copies(sampled)]
            for attempt in range(MAX_REDRAWS + 1):
                missing = int(num_rows) - len(sampled)
                if missing == 0:
                    return sampled.reset_index(drop=True)
                if attempt == MAX_REDRAWS:
                    break
                fresh = self._restore(self._model.sample(2 * missing + 10))
                fresh = fresh[~self._copies(fresh)].head(missing)
                sampled = pd.concat([sampled, fresh], ignore_index=True)
        raise SamplingError(
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
            sampled = self._restore(self._model.sample_from_conditions(
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
        return self._model.get_constraints()

    def get_loss_values(self) -> pd.DataFrame:
        """The backbone's training losses (SDV's ``get_loss_values``: CTGAN, TVAE, CopulaGAN).

        Raises:
            ValueError: when the backbone records no losses (GaussianCopula, CART).
        """
        self._check_fitted()
        if not hasattr(self._model, "get_loss_values"):
            raise ValueError(f"The {backbone_name(self._backbone)} backbone records no training "
                             "losses; the neural backbones (ctgan, tvae, copulagan) do.")
        return self._model.get_loss_values()

    def rule_compliance(self, data: pd.DataFrame) -> pd.Series:
        """Share of rows of ``data`` that satisfy each kept rule (1.0 = always)."""
        self._check_fitted()
        return self.pillars_.rule_compliance(data)

    def summary(self) -> str:
        """A readable text of what each pillar found."""
        self._check_fitted()
        lines = [f"PillarsSynthesizer over {backbone_name(self._backbone)}, "
                 f"table '{self._table_name}' ({len(self._columns)} columns)", ""]
        lines += self.pillars_.summary_lines()
        return "\n".join(lines)


__all__ = ["NotFittedError", "PillarsSynthesizer"]
