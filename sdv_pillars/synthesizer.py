"""PillarsSynthesizer: the general front door for one table, any backbone by name.

It is built on the drop-in classes of ``single_table`` (SDV's synthesizers with the pillars):
``fit`` checks the data at the library's boundary, profiles it when no metadata is given
(pillar 1), makes the drop-in class for the backbone and fits it. The drop-in class runs the
pillars and hands SDV their constraints:

    rules (pillar 2)   -> FormulaRule and CARTRule constraints, in generation order (pillar 4)
    missingness (3)    -> one MissingnessConstraint
    inequalities       -> sdv.cag.Inequality

SDV transforms constraints in list order and reverse-transforms them in reverse order. So on
sampling the inequalities are rebuilt first (on complete rows), then the nulls re-imposed,
then the derived columns rebuilt in topological order from features that already carry their
nulls. Every rule therefore holds on every generated row, by construction.

What the front door adds to the drop-in class: a DataFrame or a dict in, metadata made from
the data, the caller's dtypes back (nullable, pyarrow), ``exact_copies="redraw"``, quiet SDV
output, and ``sample_table`` (a DataFrame, for convenience). Its SDV methods have SDV's
names and return types: ``sample`` returns ``{table_name: DataFrame}``, as SDV 2 does.
"""

from __future__ import annotations

import inspect
import warnings
from copy import deepcopy
from pathlib import Path

import numpy as np
import pandas as pd
from sdv.errors import NotFittedError, SamplingError
from sdv.single_table.base import BaseSingleTableSynthesizer
from tqdm.auto import tqdm

from sdv_pillars.backbones import NEURAL, backbone_name, resolve_backbone
from sdv_pillars.base import BasePillarsSynthesizer
from sdv_pillars.defaults import MAX_REDRAWS, STREAM_BATCH_ROWS
from sdv_pillars.distributed import sample_dask
from sdv_pillars.draws import fresh_seed
from sdv_pillars.dtypes import restore_dtypes
from sdv_pillars.encoding import row_hashes
from sdv_pillars.io import BatchWriter
from sdv_pillars.pillar_constraint import rows_fingerprint
from sdv_pillars.profiling import build_metadata, profile_from_metadata, profile_table
from sdv_pillars.runtime import seeded
from sdv_pillars.single_table import with_pillars
from sdv_pillars.validation import (
    checked_table,
    validate_backbone_kwargs,
    validate_count,
    validate_metadata_columns,
    validate_parameters,
)

EXACT_COPIES = ("keep", "redraw")
# SDV methods answered by the fitted backbone as they are (SDV's arguments, SDV's results)
FORWARDED = ("get_transformers", "update_transformers",
             "get_learned_distributions", "get_info", "validate_constraints",
             "reverse_transform_constraints", "get_loss_values_plot", "set_address_columns",
             "get_distribution_class")


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
        rules: mine rules (formulas, CART functions and inequalities) and enforce them.
        rule_threshold: held-out score a CART rule must reach to be kept.
        max_depth: depth of the rule trees.
        missingness: learn MCAR/MAR missingness and re-impose it.
        random_state: seed for mining, fitting and sampling; ``None`` for fresh randomness.
        verbose: show progress bars.

    Fitted attributes: ``pillars_`` (the ``TablePillars``), ``metadata_``, ``profile_``,
    ``rule_set_``, ``rules_``, ``generation_order_``, ``missingness_``.
    """

    default_backbone = "gaussian_copula"

    # -- building the backbone -----------------------------------------------------------------
    def _validate_parameters(self) -> None:
        validate_parameters(self)
        validate_backbone_kwargs(resolve_backbone(self._backbone), self.backbone_kwargs,
                                 own=("exact_copies",))
        if self._exact_copies not in EXACT_COPIES:
            raise ValueError(f"exact_copies must be one of {EXACT_COPIES}, got {self._exact_copies!r}.")

    @property
    def _exact_copies(self) -> str:
        return (self.backbone_kwargs or {}).get("exact_copies", "keep")

    @property
    def _user_constraints(self) -> list:
        return self.__dict__.setdefault("_constraints_added", [])

    def _backbone_options(self) -> dict:
        options = dict(self.backbone_kwargs or {})
        options.pop("exact_copies", None)
        if backbone_name(self._backbone) in (*NEURAL, "cart"):
            options.setdefault("verbose", self.verbose)
        return options

    def _build(self, data) -> dict[str, pd.DataFrame]:
        """Check ``data``, profile it and make the drop-in backbone (``_built``), unless it was
        made for these very rows. Returns ``{table_name: numpy-backed table}``."""
        self._validate_parameters()
        table_name, table, dtypes = checked_table(data)
        if self.metadata is not None and len(self.metadata.tables) == 1:
            table_name = next(iter(self.metadata.tables))  # the user's name for the table wins
        fingerprint = (table_name, rows_fingerprint(table))
        if getattr(self, "_built_on", None) == fingerprint:
            return {table_name: table}
        if self.metadata is None:
            profile = profile_table(table)
            metadata = build_metadata(profile, table_name)
        else:
            validate_metadata_columns(table, self.metadata, table_name)
            profile = profile_from_metadata(table, self.metadata, table_name)
            metadata = deepcopy(self.metadata)
        if all(p.kind == "id" for p in profile.values()):
            raise ValueError(
                f"Every column of table '{table_name}' is an id ({list(table.columns)}): there "
                "are no values to learn. If the file is not comma-separated, read it with its "
                "separator (pd.read_csv(path, sep=';')); to make only keys, use range()."
            )
        seed = self.random_state if self.random_state is not None else fresh_seed()
        model = with_pillars(resolve_backbone(self._backbone))(
            metadata, **self._backbone_options(), rules=self.rules, missingness=self.missingness,
            rule_threshold=self.rule_threshold, max_depth=self.max_depth, random_state=seed,
        )
        model._profile_override = profile
        model._show_progress = self.verbose
        if self._user_constraints:
            model.add_constraints(list(self._user_constraints))
        self._built, self._built_on = model, fingerprint
        self._table_name, self._columns, self._dtypes = table_name, list(table.columns), dtypes
        return {table_name: table}

    def _fitted_from(self, model) -> None:
        """The fitted backbone's pillars, as this synthesizer's fitted attributes."""
        self._model = model
        self.pillars_ = model.pillars_
        self.metadata_ = self.pillars_.metadata_
        self.profile_ = self.pillars_.profile_
        self.rule_set_ = self.pillars_.rule_set_
        self.rules_ = self.pillars_.rules_
        self.generation_order_ = self.pillars_.generation_order_
        self.missingness_ = self.pillars_.missingness_models()
        self._real_hashes = None
        self.reset_sampling()

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, data) -> "PillarsSynthesizer":
        """Profile, mine rules and missingness, and fit the backbone. Returns self.

        Args:
            data: a DataFrame, or ``{table_name: DataFrame}`` as SDV 2 takes. It is not modified.
        """
        tables = self._build(data)
        with seeded(self.random_state), self._quiet():
            self._built.fit(tables)
        self._fitted_from(self._built)
        if self._exact_copies == "redraw":
            self._real_hashes = np.unique(row_hashes(tables[self._table_name], self.profile_))
        return self

    def preprocess(self, data) -> dict[str, pd.DataFrame]:
        """SDV's ``preprocess``: the table as the backbone sees it (the pillars' derived
        columns taken out), ``{table_name: DataFrame}``."""
        tables = self._build(data)
        with self._quiet():
            return self._built.preprocess(tables)

    def auto_assign_transformers(self, data) -> None:
        """SDV's ``auto_assign_transformers``, for the columns the backbone will see."""
        tables = self._build(data)
        with self._quiet():
            self._built.auto_assign_transformers(tables)

    def validate(self, data) -> None:
        """SDV's ``validate``: the data against the metadata and the constraints."""
        tables = self._build(data)
        self._built.validate(tables)

    def fit_processed_data(self, processed_data) -> None:
        """SDV's ``fit_processed_data``, after ``preprocess``."""
        if not hasattr(self, "_built"):
            raise NotFittedError("Call preprocess(data) before fit_processed_data.")
        with seeded(self.random_state), self._quiet():
            self._built.fit_processed_data(processed_data)
        self._fitted_from(self._built)

    def add_constraints(self, constraints: list) -> None:
        """SDV's ``add_constraints``: your own ``sdv.cag`` constraints, kept alongside the
        mined ones (mined rules give way to them). Added before ``fit``, or again after it
        (SDV then asks for a refit)."""
        if not isinstance(constraints, list):
            raise ValueError("Constraints must be a list of sdv.cag objects.")
        self._user_constraints.extend(constraints)
        if hasattr(self, "_built"):
            self._built.add_constraints(constraints)

    def get_constraints(self, filepath=None):
        """Your constraints, as SDV lists them; the pillars' are in ``pillars_.constraints()``."""
        if hasattr(self, "_built"):
            return self._built.get_constraints(filepath)
        return [deepcopy(c) for c in self._user_constraints]

    # -- sampling ------------------------------------------------------------------------------
    def reset_sampling(self) -> None:
        """Make the next samples repeat those drawn right after ``fit``."""
        self._check_fitted()
        self._model.reset_sampling()
        if self.random_state is not None:
            self._model._set_random_state(self.random_state)

    def _restore(self, sampled) -> pd.DataFrame:
        if isinstance(sampled, dict):
            sampled = sampled[self._table_name]
        return restore_dtypes(sampled[self._columns].reset_index(drop=True), self._dtypes)

    def _copies(self, data: pd.DataFrame) -> np.ndarray:
        """Which rows equal a real row (all False unless ``exact_copies="redraw"``)."""
        if getattr(self, "_real_hashes", None) is None:
            return np.zeros(len(data), dtype=bool)
        return np.isin(row_hashes(data, self.profile_), self._real_hashes)

    def sample(self, num_rows: int, main_table_name: str | None = None,
               max_tries_per_batch: int = 100, batch_size: int | None = None,
               output_folder_path=None) -> dict[str, pd.DataFrame]:
        """``{table_name: DataFrame}`` of ``num_rows`` synthetic rows, as SDV 2's ``sample``,
        with the real columns, dtypes and column order.

        With ``exact_copies="redraw"`` a row equal to a real row is replaced by a fresh one.
        """
        self._check_fitted()
        validate_count("num_rows", num_rows)
        with self._quiet():
            sampled = self._restore(self._model.sample(
                int(num_rows), main_table_name, max_tries_per_batch, batch_size, output_folder_path
            ))
            sampled = sampled[~self._copies(sampled)]
            for attempt in range(MAX_REDRAWS + 1):
                missing = int(num_rows) - len(sampled)
                if missing == 0:
                    return {self._table_name: sampled.reset_index(drop=True)}
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

    def sample_table(self, num_rows: int, batch_size: int | None = None) -> pd.DataFrame:
        """The sampled table itself: ``sample(num_rows)[table_name]``, for convenience."""
        return self.sample(num_rows, batch_size=batch_size)[self._table_name]

    def sample_to_file(self, num_rows: int, output_file_path, batch_size: int = STREAM_BATCH_ROWS,
                       ) -> Path:
        """Write ``num_rows`` synthetic rows to a ``.csv`` or ``.parquet`` file, ``batch_size``
        rows at a time, so memory does not grow with ``num_rows``. Each batch is one
        ``sample_table`` call: the random streams go on from batch to batch, every batch keeps
        every rule, and null rates are recalibrated per batch. Returns the path.
        """
        self._check_fitted()
        validate_count("num_rows", num_rows)
        validate_count("batch_size", batch_size)
        with BatchWriter(output_file_path) as writer, tqdm(
                total=int(num_rows), desc="Sampling to file", unit="rows",
                disable=not self.verbose) as progress:
            while writer.rows < num_rows:
                batch = self.sample_table(int(min(batch_size, num_rows - writer.rows)))
                writer.write(batch)
                progress.update(len(batch))
        return writer.path

    def sample_dask(self, num_rows: int, partition_rows: int = STREAM_BATCH_ROWS,
                    seed: int | None = None):
        """``num_rows`` synthetic rows as a lazy Dask DataFrame, one task per ``partition_rows``
        rows (needs ``pip install 'sdv-pillars[dask]'``).

        Each partition's random streams start from ``(seed, partition index)`` alone, so the
        rows do not depend on the number of workers; ``seed`` defaults to ``random_state``
        (a fresh one when that is None). It runs on the Dask client you made, local or a
        cluster's address, or on Dask's local scheduler. Write it with
        ``.to_parquet(folder)``: every worker writes its own partitions, and every partition
        keeps every rule.
        """
        self._check_fitted()
        validate_count("num_rows", num_rows)
        validate_count("partition_rows", partition_rows)
        if seed is None:
            seed = self.random_state if self.random_state is not None else fresh_seed()
        meta = pd.DataFrame({c: pd.Series(dtype=self._dtypes[c]) for c in self._columns})
        return sample_dask(self, int(num_rows), int(partition_rows), int(seed), meta)

    def _without_copies(self, sampled, what: str) -> dict[str, pd.DataFrame]:
        table = self._restore(sampled)
        copies = self._copies(table)
        if copies.any():
            warnings.warn(f"{int(copies.sum())} of {len(table)} {what} rows copied a real row "
                          "and were dropped (exact_copies='redraw').", stacklevel=3)
        return {self._table_name: table[~copies].reset_index(drop=True)}

    def sample_from_conditions(self, conditions, max_tries_per_batch: int = 100,
                               batch_size: int | None = None,
                               output_folder_path=None) -> dict[str, pd.DataFrame]:
        """Rows that meet ``sdv.sampling.Condition`` objects, as SDV's ``sample_from_conditions``
        (``{table_name: DataFrame}``). A condition on a rule's column that no rebuilt row can
        meet is refused at once. With ``exact_copies="redraw"``, rows that copy a real row
        are dropped, with a warning."""
        self._check_fitted()
        with self._quiet():
            sampled = self._model.sample_from_conditions(conditions, max_tries_per_batch,
                                                         batch_size, output_folder_path)
        return self._without_copies(sampled, "conditioned")

    def sample_remaining_columns(self, known_columns: pd.DataFrame, max_tries_per_batch: int = 100,
                                 batch_size: int | None = None,
                                 output_folder_path=None) -> dict[str, pd.DataFrame]:
        """SDV's ``sample_remaining_columns``: each row completed from its known columns."""
        self._check_fitted()
        with self._quiet():
            sampled = self._model.sample_remaining_columns(known_columns, max_tries_per_batch,
                                                           batch_size, output_folder_path)
        return self._without_copies(sampled, "completed")

    # -- introspection ---------------------------------------------------------------------
    def get_metadata(self, version: str = "original"):
        """SDV's ``get_metadata``: the table's metadata (profiled, or yours), or with
        ``version="modified"`` the metadata the backbone models after the constraints."""
        self._check_fitted()
        return self._model.get_metadata(version)

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
        """Share of rows of ``data`` that keep each kept rule (1.0 = always)."""
        self._check_fitted()
        return self.pillars_.rule_compliance(data)

    def summary(self) -> str:
        """A readable text of what each pillar found."""
        self._check_fitted()
        lines = [f"PillarsSynthesizer over {backbone_name(self._backbone)}, "
                 f"table '{self._table_name}' ({len(self._columns)} columns)", ""]
        lines += self.pillars_.summary_lines()
        return "\n".join(lines)


def _forward(name: str):
    """An SDV method answered by the fitted backbone, with SDV's signature and docstring."""
    sdv_method = getattr(BaseSingleTableSynthesizer, name, None)

    def method(self, *args, **kwargs):
        self._check_fitted()
        if not hasattr(self._model, name):
            raise AttributeError(f"The {backbone_name(self._backbone)} backbone has no {name}.")
        return getattr(self._model, name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"SDV's ``{name}``, on the fitted backbone."
    if sdv_method is not None:
        method.__signature__ = inspect.signature(sdv_method)
    return method


for _name in FORWARDED:
    if _name not in PillarsSynthesizer.__dict__:
        setattr(PillarsSynthesizer, _name, _forward(_name))


__all__ = ["NotFittedError", "PillarsSynthesizer"]
