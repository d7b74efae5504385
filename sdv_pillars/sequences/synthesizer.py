"""SequencePillarsSynthesizer: longitudinal tables (many rows per patient, firm or sensor).

A fit, in order:

1. structure (``sequences.structure``): the sequence key, the index and the context columns,
   given or found, each with its reason; rows sorted by sequence and index;
2. cross-row rules (``sequences.rules``): monotone columns and running totals;
3. row pillars (``TablePillars``) on the per-row columns, with each row's **position** in its
   sequence (a label, "0" to "9+": a measurement taken at baseline, skipped at the next visit
   and taken yearly after that is a pattern by position no straight line in the position
   follows), its index, its (complete) context columns and its **previous row**
   (``sequences.previous``) beside them as drivers: rules within
   a row are found and kept by construction as in any table, and a column's nulls may depend
   on the position or the date (a measurement skipped at later visits) as well as on the
   row's other values. The position, index and context are never derived or bounded by a
   mined rule: they are what the sequence is;
4. the backbone, on the row pillars' transformed table:

   * ``"cart"`` (the default; ``sequences.autoregressive``): sequences are drawn once per
     sequence (context, length, first index value) by a ``PillarsSynthesizer`` with the CART
     backbone, then row after row by CART trees given the context, the position and the
     previous row. Seconds to fit on a CPU;
   * ``"par"``: SDV's ``PARSynthesizer`` (deepecho's recurrent network), with the row pillars
     added as its constraints (they act on per-row columns only, as PAR requires). Minutes
     to hours on a CPU; ``backbone_kwargs`` go to it (``epochs``, ``cuda``, ...).

A sample, in reverse: the backbone's rows, the row pillars' reverse transforms (inequalities,
nulls, derived columns), then the cross-row rules, so every rule holds on every sampled row.
The CART backbone's rows are finished one position at a time, each given the finished row
before it (its nulls and rebuilt columns included), so the missingness pillar's null rates
are those of each position, not recalibrated to the table's.
"""

from __future__ import annotations

from copy import deepcopy

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from tqdm.auto import tqdm

from sdv_pillars.base import BasePillarsSynthesizer
from sdv_pillars.defaults import (
    CART_SMOOTHING,
    MAX_DEPTH,
    POSITION_LABELS,
    RULE_THRESHOLD,
    SEQUENCE_CART_MIN_LEAF,
    STREAM_SEQUENCE,
)
from sdv_pillars.draws import fresh_seed, sampling_rng
from sdv_pillars.dtypes import restore_dtypes
from sdv_pillars.fresh import free_marker, new_keys
from sdv_pillars.profiling import NUMERIC_KINDS, build_metadata, profile_table
from sdv_pillars.runtime import seeded
from sdv_pillars.sequences.autoregressive import AutoregressiveCART
from sdv_pillars.sequences.previous import PreviousRow
from sdv_pillars.sequences.rules import SequenceRule, enforce_sequence_rules, find_sequence_rules
from sdv_pillars.sequences.structure import SequenceStructure, find_structure, sort_sequences
from sdv_pillars.table_pillars import TablePillars
from sdv_pillars.validation import checked_table, validate_parameters

SEQUENCE_BACKBONES = ("cart", "par")
CART_OPTIONS = ("min_leaf", "smoothing", "n_jobs")


def _metadata_structure(metadata, table_name: str) -> tuple[str | None, str | None]:
    """The sequence key and index a user's SDV metadata declares, if any."""
    if metadata is None:
        return None, None
    tables = metadata.tables
    table = tables[table_name] if table_name in tables else next(iter(tables.values()))
    return table.sequence_key, table.sequence_index


def position_label(position: int) -> str:
    """A position in a sequence as a label: "0", "1", ..., and one label for positions from
    ``POSITION_LABELS - 1`` on (the missingness models read ten labels)."""
    last = POSITION_LABELS - 1
    return f"{last}+" if position >= last else str(position)


def position_labels(sequence: np.ndarray) -> np.ndarray:
    """Each row's ``position_label`` in its sequence."""
    position = pd.Series(sequence).groupby(sequence).cumcount().to_numpy()
    return np.array([position_label(p) for p in position], dtype=object)


def _fit_transformed(chain: list, data: pd.DataFrame, metadata) -> pd.DataFrame:
    """``data`` through SDV constraints in list order, each fitted on what the previous ones
    give, as SDV's data processor runs them (the pillars' own skip a second fit)."""
    metadata = deepcopy(metadata)
    for constraint in chain:
        constraint.fit(data, metadata)
        data = constraint.transform(data)
        metadata = constraint.get_updated_metadata(metadata)
    return data


def _reversed(chain: list, data: pd.DataFrame) -> pd.DataFrame:
    """``data`` back through SDV constraints in reverse order: derived columns rebuilt."""
    for constraint in reversed(chain):
        data = constraint.reverse_transform(data)
    return data


class SequencePillarsSynthesizer(BasePillarsSynthesizer):
    """Synthesize sequences (module docstring) with their rules and gaps kept.

    Args:
        metadata: an ``sdv.metadata.Metadata``: its sequence key and index are used when
            ``sequence_key`` and ``sequence_index`` are not given (the column kinds are still
            profiled from the values).
        sequence_key: the column naming each row's sequence; ``None`` finds it.
        sequence_index: the column ordering rows inside a sequence (dates or numbers); ``None``
            finds it, or uses the row order when no column grows inside every sequence.
        backbone: ``"cart"`` (default, fast) or ``"par"`` (SDV's PAR).
        backbone_kwargs: for ``"cart"``: ``min_leaf`` (30 here, not the single-table 100:
            ``defaults.SEQUENCE_CART_MIN_LEAF``), ``smoothing``, ``n_jobs`` (as the
            single-table CART backbone); for ``"par"``: PARSynthesizer's arguments.
        context_columns: columns constant inside every sequence; ``None`` finds them.
        rules, rule_threshold, max_depth, missingness, random_state, verbose: as for
            ``PillarsSynthesizer``.

    Fitted attributes: ``structure_`` (key, index, context and why), ``metadata_`` (SDV
    metadata with the sequence key and index), ``profile_``, ``sequence_rules_`` (cross-row
    rules), ``pillars_`` (the row pillars: ``rules_``, ``missingness_``), and
    ``repairs_`` after each sample (share of rows each cross-row rule had to change).
    """

    default_backbone = "cart"

    def __init__(
        self,
        metadata=None,
        sequence_key: str | None = None,
        sequence_index: str | None = None,
        backbone: str | None = None,
        backbone_kwargs: dict | None = None,
        context_columns: list[str] | None = None,
        rules: bool = True,
        rule_threshold: float = RULE_THRESHOLD,
        max_depth: int = MAX_DEPTH,
        missingness: bool = True,
        random_state: int | None = None,
        verbose: bool = True,
    ):
        super().__init__(metadata, backbone, backbone_kwargs, rules, rule_threshold, max_depth,
                         missingness, random_state, verbose)
        self.sequence_key = sequence_key
        self.sequence_index = sequence_index
        self.context_columns = context_columns

    # -- checks --------------------------------------------------------------------------------
    def _validate_parameters(self) -> None:
        validate_parameters(self)
        if self._backbone not in SEQUENCE_BACKBONES:
            raise ValueError(f"backbone must be one of {SEQUENCE_BACKBONES} for sequences, got "
                             f"{self._backbone!r}.")
        if self._backbone == "cart":
            unknown = sorted(set(self.backbone_kwargs or {}) - set(CART_OPTIONS))
            if unknown:
                raise ValueError(f"backbone_kwargs {unknown} are not options of the 'cart' sequence "
                                 f"backbone; it takes {list(CART_OPTIONS)}.")

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, data) -> "SequencePillarsSynthesizer":
        """Find the structure, mine the rules and missingness, fit the backbone. Returns self.

        Args:
            data: a DataFrame (or ``{table_name: DataFrame}``) with one row per time step; it
                is not modified.
        """
        self._validate_parameters()
        table_name, table, dtypes = checked_table(data)
        key, index = self.sequence_key, self.sequence_index
        declared_key, declared_index = _metadata_structure(self.metadata, table_name)
        key = key if key is not None else declared_key
        index = index if index is not None else declared_index
        self.structure_ = find_structure(table, key, index, self.context_columns)
        self._table_name, self._columns, self._dtypes = table_name, list(table.columns), dtypes
        self._seed = self.random_state if self.random_state is not None else fresh_seed()
        steps = tqdm(total=3, desc="Sequence pillars", leave=False, disable=not self.verbose)
        ordered = sort_sequences(table, self.structure_)
        self._sequence = pd.factorize(ordered[self.structure_.key])[0]
        varying = self.structure_.varying(table.columns)
        if not varying:
            raise ValueError(f"Every column of table '{table_name}' is the key, the index or constant "
                             "inside each sequence: there is nothing that changes over time. Use "
                             "PillarsSynthesizer on one row per sequence.")
        self.sequence_rules_: list[SequenceRule] = (
            find_sequence_rules(ordered, self.structure_.key, varying) if self.rules else [])
        steps.update()
        self._names = {word: f"{free_marker(table.columns, (word,))}{word}"
                       for word in ("position", "gap", "lag", "length", "start", "previous ")}
        rows = self._row_table(ordered)
        self.profile_ = profile_table(ordered[varying])
        self.metadata_ = self._sequence_metadata(ordered, table_name)
        table_name = self._table_name = next(iter(self.metadata_.tables))
        with seeded(self._seed), self._quiet():
            self._fit_row_pillars(rows, table_name)
            steps.update()
            if self._backbone == "cart":
                self._fit_cart(ordered, rows)
            else:
                self._fit_par(ordered, table_name)
            steps.update()
        steps.close()
        self._model = self._backbone
        self.reset_sampling()
        return self

    def _row_table(self, ordered: pd.DataFrame) -> pd.DataFrame:
        """Per-row columns, then the drivers for the row pillars: the position, the index,
        the complete context columns and the previous row (``previous``)."""
        structure = self.structure_
        drivers = [c for c in structure.context if ordered[c].notna().all()]
        if structure.index:
            drivers.insert(0, structure.index)
        rows = ordered[structure.varying(ordered.columns)].reset_index(drop=True)
        self._previous = PreviousRow(self._names["previous "])
        previous = self._previous.fit(rows, self._sequence)
        rows[self._names["position"]] = position_labels(self._sequence)
        return pd.concat([rows, ordered[drivers].reset_index(drop=True), previous], axis=1)

    def _fit_row_pillars(self, rows: pd.DataFrame, table_name: str) -> None:
        varying = self.structure_.varying(self._columns)
        fixed = [c for c in rows.columns if c not in varying]
        if self._backbone == "par":
            rows = rows.drop(columns=fixed)  # PAR's constraints may not touch its context
            fixed = []
        reserved = {c: "what the sequence is (position, index, context or previous row)"
                    for c in fixed}
        # the CART backbone's rows are finished one position at a time: a position's null
        # rate is its own, not the table's (cholesterol: 10% at first visits, 93% at second)
        self.pillars_ = TablePillars(table_name, None, self.rules, self.missingness,
                                     self.rule_threshold, self.max_depth, self._seed, reserved,
                                     recalibrate=self._backbone != "cart")
        self.pillars_.fit(rows)
        self._chain = self.pillars_.constraints()
        self._fixed = fixed

    def _sequence_table(self, ordered: pd.DataFrame) -> pd.DataFrame:
        """One row per sequence: its context, its length and its first index value."""
        structure = self.structure_
        groups = ordered.groupby(self._sequence, sort=True)
        table = groups[list(structure.context)].first() if structure.context else pd.DataFrame(
            index=range(self._sequence.max() + 1))
        table[self._names["length"]] = groups.size().to_numpy()
        if structure.index:
            table[self._names["start"]] = groups[structure.index].first().to_numpy()
        return table.reset_index(drop=True)

    def _gaps(self, ordered: pd.DataFrame) -> np.ndarray:
        """Each row's index step from the previous row of its sequence (0 on first rows),
        in seconds for dates."""
        if not self.structure_.index:
            return np.zeros(len(ordered))
        values = ordered[self.structure_.index].reset_index(drop=True)
        steps = values.groupby(self._sequence).diff()
        if ptypes.is_timedelta64_dtype(steps):
            steps = steps.dt.total_seconds()
        return steps.fillna(0).to_numpy(dtype=float)

    def _fit_cart(self, ordered: pd.DataFrame, rows: pd.DataFrame) -> None:
        from sdv_pillars.synthesizer import PillarsSynthesizer

        options = dict(self.backbone_kwargs or {})
        leaf = options.get("min_leaf", SEQUENCE_CART_MIN_LEAF)
        smoothing = options.get("smoothing", CART_SMOOTHING)
        sequences = self._sequence_table(ordered)
        self._sequences_model = PillarsSynthesizer(
            backbone="cart", backbone_kwargs={"min_leaf": leaf, "smoothing": smoothing},
            rules=self.rules, missingness=self.missingness, rule_threshold=self.rule_threshold,
            max_depth=self.max_depth, random_state=self._seed, verbose=False,
        ).fit(sequences)
        transformed = self._carried(_fit_transformed(self._chain, rows, self.pillars_.metadata_), rows)
        modelled = [c for c in transformed.columns if c not in self._fixed]
        numeric = {c for c, p in self.pillars_.profile_.items() if p.kind in NUMERIC_KINDS}
        # numbers of the table, and the numbers a user's constraints add
        smooth = {c for c in modelled if ptypes.is_float_dtype(transformed[c])
                  and (c in numeric or c not in self.pillars_.profile_)}
        self._rows_model = AutoregressiveCART(
            {k: self._names[k] for k in ("position", "gap", "lag")}, leaf, smoothing,
            options.get("n_jobs", -1), self.verbose,
        ).fit(transformed[modelled], self._sequence, sequences, self._gaps(ordered), smooth)

    def _carried(self, transformed: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
        """The backbone's training rows with each real null filled from its own sequence
        (the last known value, else the next one) rather than by the missingness pillar's
        hot deck, which fills from other rows: a patient's missed measurement is near their
        own previous one, and the trees learn each row from the previous. The nulls are
        re-imposed at sampling all the same."""
        out = transformed.copy()
        for column in rows.columns:
            if column in out.columns and rows[column].isna().any():
                by_sequence = rows[column].groupby(self._sequence)
                carried = by_sequence.ffill().fillna(by_sequence.bfill())
                out[column] = carried.where(carried.notna(), out[column])
        return out

    def _sequence_metadata(self, ordered: pd.DataFrame, table_name: str):
        """SDV metadata of the table (the user's, else profiled) with the sequence key and
        index set, as SDV's sequential synthesizers read them."""
        if self.metadata is not None:
            metadata = deepcopy(self.metadata)
            table_name = next(iter(metadata.tables))
        else:
            metadata = build_metadata(profile_table(ordered), table_name)
        key, index = self.structure_.key, self.structure_.index
        if metadata.tables[table_name].columns[key]["sdtype"] != "id":
            metadata.update_column(key, sdtype="id", table_name=table_name)
        metadata.set_sequence_key(key, table_name)
        if index:
            metadata.set_sequence_index(index, table_name)
        return metadata

    def get_metadata(self):
        """The fitted table's SDV metadata, with its sequence key and index (as SDV's
        ``get_metadata``)."""
        self._check_fitted()
        return self.metadata_

    def _fit_par(self, ordered: pd.DataFrame, table_name: str) -> None:
        from sdv.sequential import PARSynthesizer

        structure = self.structure_
        options = {"verbose": self.verbose, "cuda": False, **(self.backbone_kwargs or {})}
        self._par = PARSynthesizer(deepcopy(self.metadata_), context_columns=list(structure.context),
                                   **options)
        if self._chain:
            self._par.add_constraints(self._chain)
        self._par.fit({table_name: ordered.reset_index(drop=True)})

    # -- sampling ------------------------------------------------------------------------------
    def reset_sampling(self) -> None:
        """Make the next samples repeat those drawn right after ``fit``."""
        self._check_fitted()
        self._draws = 0
        self.pillars_.reset_sampling()
        if self._backbone == "cart":  # PAR draws from the global generators, seeded per sample
            self._sequences_model.reset_sampling()

    def sample(self, num_sequences: int, sequence_length: int | None = None) -> pd.DataFrame:
        """``num_sequences`` new sequences, with new keys, as one DataFrame in the real
        table's columns and dtypes.

        Args:
            num_sequences: how many sequences.
            sequence_length: rows per sequence; ``None`` draws each length as the real
                lengths go (with the sequence's context).
        """
        self._check_fitted()
        if not (isinstance(num_sequences, (int, np.integer)) and num_sequences >= 1):
            raise ValueError(f"num_sequences must be a positive integer, got {num_sequences!r}.")
        if sequence_length is not None and not (isinstance(sequence_length, (int, np.integer))
                                                and sequence_length >= 1):
            raise ValueError(f"sequence_length must be None or a positive integer, got {sequence_length!r}.")
        self._draws += 1
        with self._quiet():
            if self._backbone == "cart":
                sampled = self._sample_cart(int(num_sequences), sequence_length)
            else:
                with seeded(int(sampling_rng(self._seed, STREAM_SEQUENCE, self._draws).integers(2**31))):
                    sampled = self._par.sample_sequences(int(num_sequences), sequence_length)
                sampled = sampled[self._table_name].reset_index(drop=True)
                sampled = self._rounded(sampled)
        sampled, self.repairs_ = enforce_sequence_rules(sampled, self.structure_.key, self.sequence_rules_)
        return restore_dtypes(sampled[self._columns], self._dtypes)

    def _sample_cart(self, num_sequences: int, sequence_length: int | None) -> pd.DataFrame:
        structure, names = self.structure_, self._names
        sequences = self._sequences_model.sample_table(num_sequences)
        lengths = sequences[names["length"]].round().clip(lower=1).astype(int).to_numpy()
        if sequence_length is not None:
            lengths = np.full(num_sequences, sequence_length)
        seed = int(sampling_rng(self._seed, STREAM_SEQUENCE, self._draws).integers(2**31))
        index = sequences[names["start"]].copy() if structure.index else None
        self._previous.start(num_sequences)
        finished = []

        def finish(position: int, alive: np.ndarray, drawn: pd.DataFrame) -> None:
            """Position ``position`` of the sequences ``alive``: the row pillars' reverse
            transforms on the drawn rows, given the finished previous rows."""
            rows = drawn.drop(columns=[names["gap"]]).reset_index(drop=True)
            rows[names["position"]] = position_label(position)
            context = sequences.iloc[alive].reset_index(drop=True)
            for column in structure.context:
                rows[column] = context[column]
            if structure.index:
                if position:
                    index.iloc[alive] = self._step_index(index.iloc[alive], drawn[names["gap"]])
                rows[structure.index] = index.iloc[alive].to_numpy()
            rows = pd.concat([rows, self._previous.drivers(alive)], axis=1)
            rows = self._rounded(_reversed(self._chain, rows))
            self._previous.update(alive, rows)
            finished.append(rows)
            numbers.append(alive)

        numbers: list[np.ndarray] = []
        self._rows_model.sample(sequences, lengths, seed, finish)
        number = np.concatenate(numbers)
        position = np.concatenate([np.full(len(a), p) for p, a in enumerate(numbers)])
        order = np.lexsort((position, number))
        rows = pd.concat(finished, ignore_index=True).iloc[order].reset_index(drop=True)
        keys = new_keys(self._dtypes[structure.key], num_sequences, structure.key)
        rows[structure.key] = keys[number[order]]
        return rows

    def _step_index(self, index: pd.Series, gaps: pd.Series) -> np.ndarray:
        """Each sequence's next index: its current one plus its drawn gap (seconds for dates,
        whole steps for an integer index)."""
        gaps = pd.to_numeric(gaps).to_numpy(dtype=float)
        if ptypes.is_integer_dtype(self._dtypes[self.structure_.index]):
            gaps = np.round(gaps)
        if ptypes.is_datetime64_any_dtype(index):
            return (index + pd.to_timedelta(gaps, unit="s")).to_numpy()
        return (index + gaps).to_numpy()

    def _rounded(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Whole-number columns rounded (smoothed donor values are fractional)."""
        for column, profile in self.profile_.items():
            if profile.kind == "integer" and column in rows.columns:
                rows[column] = pd.to_numeric(rows[column]).round()
        return rows

    # -- what was found ------------------------------------------------------------------------
    @property
    def rules_(self) -> list:
        """The row pillars' rules (within a row); cross-row rules are ``sequence_rules_``."""
        return self.pillars_.rules_

    @property
    def missingness_(self) -> dict:
        return self.pillars_.missingness_models()

    def sequence_rule_compliance(self, data: pd.DataFrame) -> pd.Series:
        """Share of steps of ``data`` (sorted by sequence and index) keeping each cross-row rule."""
        self._check_fitted()
        ordered = sort_sequences(data, self.structure_)
        return pd.Series({str(r): r.compliance(ordered, self.structure_.key) for r in self.sequence_rules_},
                         dtype=float)

    def summary(self) -> str:
        """A readable text of the structure and of what each pillar found."""
        self._check_fitted()
        structure: SequenceStructure = self.structure_
        lines = [f"{type(self).__name__} ({self._backbone} backbone), table '{self._table_name}'", "",
                 "Structure:"]
        lines += [f"  {why}" for why in structure.reasons.values()]
        lines += [f"  key: {structure.key}; index: {structure.index or '(row order)'}; "
                  f"context: {', '.join(structure.context) or 'none'}", "",
                  f"Rules across rows: {len(self.sequence_rules_)} kept"]
        lines += [f"  {rule}" for rule in self.sequence_rules_] or ["  none"]
        if self._backbone == "cart":
            stepped = ", ".join(self._rows_model.stepped_) or "none"
            lines += [f"  drawn as steps from the previous row (their level persists): {stepped}"]
        lines += ["", *self.pillars_.summary_lines()]
        return "\n".join(lines)
