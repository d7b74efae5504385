"""DPSynthesizer: one table, differentially private, every use of the real rows accounted.

What reads the real rows, and what it costs (``privacy_ledger_``, composed by addition):

1. the labels of each categorical column: a stability histogram (``domain``), unless you
   give them in ``domains``;
2. the bounds of each numerical or datetime column: a noisy power-of-two histogram
   (``domain``), unless you give them in ``bounds``;
3. everything else, the joint distribution with its nulls, by one network trained with
   DP-SGD (``network``, opacus). A number is coded by its bin among ``bins`` equal bins
   between its bounds, so the network models labels only; a sampled bin becomes a uniform
   draw inside it.

``domain_share`` of epsilon (and half of delta when labels are learnt) goes to steps 1-2,
split evenly between the columns that need them; the rest to step 3. The output is
post-processing of these three releases, so it is (epsilon, delta)-DP as a whole.

What is outside the accounting, stated rather than hidden:

* the metadata, treated as public: yours when you pass it; when ``metadata=None`` it is
  profiled from the real rows, and ``summary()`` says the guarantee then does not cover
  the column types;
* the number of rows (DP-SGD's sampling rate uses it, as opacus does), the column names and
  dtypes.

The pillars that learn from real rows are off: rule mining reads every row to find and test
its rules, outside any budget, so no rule is mined (a rule found privately would need its
own budget, and ``evaluate`` still measures how far the synthetic rows keep the real rules).
Nulls are not a separate pillar: each column's null is one of its codes, so null rates and
the way they depend on other columns (MAR) are learnt by the network, under the budget.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from sdv.sampling import Condition

from sdv_pillars.base import BasePillarsSynthesizer
from sdv_pillars.defaults import DP_THREADS, STREAM_BATCH_ROWS
from sdv_pillars.dtypes import restore_dtypes
from sdv_pillars.fresh import new_keys
from sdv_pillars.private.accounting import PrivacyLedger
from sdv_pillars.private.domain import private_bounds, private_has_nulls, private_labels
from sdv_pillars.private.network import MADE, train_private
from sdv_pillars.profiling import build_metadata, profile_table
from sdv_pillars.runtime import seeded
from sdv_pillars.validation import checked_table, validate_count, validate_metadata_columns

LABELS = ("categorical", "boolean")
NUMBERS = ("numerical", "datetime")


def _seconds(values: pd.Series, datetime_format: str | None) -> pd.Series:
    """A datetime column as float seconds since 1970 (null stays null)."""
    stamps = pd.to_datetime(values, format=datetime_format, errors="coerce")
    seconds = stamps.astype("int64").astype(float) / 1e9
    return seconds.where(stamps.notna())


class DPSynthesizer(BasePillarsSynthesizer):
    """A differentially private synthesizer for one table, with SDV's method names.

    Args:
        metadata: an ``sdv.metadata.Metadata`` with one table, treated as public; ``None``
            profiles the data (outside the budget: ``summary()`` says so).
        epsilon: the privacy budget's epsilon (1 is strong, 10 is weak).
        delta: the budget's delta; keep it well below 1 / number of rows.
        bounds: ``{column: (low, high)}`` for numerical or datetime columns whose range is
            public knowledge (ages 0-120): they cost nothing and bin more finely than bounds
            learnt at a small epsilon. Values outside are clipped to them.
        domains: ``{column: [labels]}`` for categorical columns whose labels are public.
        domain_share: the share of epsilon spent learning the labels and bounds not given.
        bins: equal-width bins per number between its bounds.
        epochs, batch_size, max_grad_norm, learning_rate, hidden: DP-SGD's training
            (``batch_size=None``: an eighth of the rows, between 32 and 512).
        random_state: seed for the noise, the training and sampling.
        verbose: a progress bar over the epochs.

    Fitted attributes: ``privacy_ledger_`` (the steps and what each spent), ``domains_``,
    ``bounds_``, ``training_`` (noise multiplier, sample rate, steps, losses). ``save`` and
    ``load``, ``get_parameters`` are the pillars synthesizers' own (``base``); what a saved
    model holds is the private release itself (domains, bounds, network weights), so sharing
    it spends nothing.
    """

    def __init__(self, metadata=None, epsilon: float = 3.0, delta: float = 1e-6,
                 bounds: dict | None = None, domains: dict | None = None,
                 domain_share: float = 0.4, bins: int = 20, epochs: int = 30,
                 batch_size: int | None = None, max_grad_norm: float = 1.0,
                 learning_rate: float = 1e-2, hidden: int = 128,
                 random_state: int | None = None, verbose: bool = True):
        self.metadata = metadata
        self.epsilon = epsilon
        self.delta = delta
        self.bounds = bounds
        self.domains = domains
        self.domain_share = domain_share
        self.bins = bins
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_grad_norm = max_grad_norm
        self.learning_rate = learning_rate
        self.hidden = hidden
        self.random_state = random_state
        self.verbose = verbose

    # -- checks at the boundary ----------------------------------------------------------------
    def _validate_parameters(self) -> None:
        for name in ("epsilon", "max_grad_norm", "learning_rate"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}.")
        if not (isinstance(self.delta, float) and 0 < self.delta < 1):
            raise ValueError(f"delta must be a float between 0 and 1, got {self.delta!r}.")
        if not (isinstance(self.domain_share, (int, float)) and 0 < self.domain_share < 1):
            raise ValueError(f"domain_share must be between 0 and 1, got {self.domain_share!r}.")
        validate_count("bins", self.bins, minimum=2)
        validate_count("epochs", self.epochs)
        validate_count("hidden", self.hidden)

    def _kinds(self, table: pd.DataFrame, metadata, table_name: str) -> dict[str, str]:
        """Each column's sdtype; refuses sdtypes the network cannot model, by name."""
        columns = metadata.tables[table_name].columns
        kinds = {name: columns[name]["sdtype"] for name in table.columns}
        other = {name: kind for name, kind in kinds.items() if kind not in (*LABELS, *NUMBERS, "id")}
        if other:
            raise ValueError(
                f"Table '{table_name}': DPSynthesizer models categorical, boolean, numerical, "
                f"datetime and id columns; {other} are not. Drop them, or mark them categorical "
                "in the metadata (their labels are then learnt privately: rare ones are dropped)."
            )
        for option, allowed in (("bounds", NUMBERS), ("domains", LABELS)):
            for name in (getattr(self, option) or {}):
                if kinds.get(name) not in allowed:
                    raise ValueError(f"{option} names '{name}', which is not a {' or '.join(allowed)} "
                                     f"column of table '{table_name}'.")
        for name, pair in (self.bounds or {}).items():
            if not (len(pair) == 2 and float(pair[0]) < float(pair[1])):
                raise ValueError(f"bounds of '{name}' must be (low, high) with low < high, got {pair!r}.")
        return kinds

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, data) -> "DPSynthesizer":
        """Learn the domains and train the network, within (epsilon, delta). Returns self.

        Args:
            data: a DataFrame, or ``{table_name: DataFrame}``. It is not modified.
        """
        self._validate_parameters()
        table_name, table, dtypes = checked_table(data)
        if self.metadata is None:
            metadata, self.metadata_public_ = build_metadata(profile_table(table), table_name), False
        else:
            if len(self.metadata.tables) == 1:
                table_name = next(iter(self.metadata.tables))
            validate_metadata_columns(table, self.metadata, table_name)
            metadata, self.metadata_public_ = self.metadata, True
        kinds = self._kinds(table, metadata, table_name)
        self._table_name, self._columns, self._dtypes = table_name, list(table.columns), dtypes
        self._metadata, self._kinds_ = metadata, kinds
        self._modelled = [name for name, kind in kinds.items() if kind != "id"]
        rng = np.random.default_rng(self.random_state)
        ledger = PrivacyLedger(float(self.epsilon), float(self.delta))
        values = self._numbers(table)
        self._learn_domains(table, values, ledger, rng)
        codes = np.column_stack([self._encode(name, table[name], values.get(name), rng)
                                 for name in self._modelled]) if self._modelled else None
        network = None if codes is None else self._train(codes, ledger)  # all keys: nothing to learn
        self.privacy_ledger_, self._model = ledger, network
        self.reset_sampling()
        return self

    def _numbers(self, table: pd.DataFrame) -> dict[str, pd.Series]:
        columns = self._metadata.tables[self._table_name].columns
        out = {}
        for name, kind in self._kinds_.items():
            if kind == "numerical":
                out[name] = pd.to_numeric(table[name], errors="coerce").astype(float)
            elif kind == "datetime":
                out[name] = _seconds(table[name], columns[name].get("datetime_format"))
            else:
                continue
            lost = out[name].isna() & table[name].notna()
            if lost.any():
                raise ValueError(
                    f"Column '{name}' of table '{self._table_name}' is {kind} in the metadata, but "
                    f"{int(lost.sum())} values are not (first: {table[name][lost].iloc[0]!r}). "
                    "Correct them, or mark the column categorical.")
        return out

    def _learn_domains(self, table, values, ledger: PrivacyLedger, rng) -> None:
        """The labels, bounds and null codes not given, each column's bought with an even share
        of the domain budget (steps 1-2 of the module docstring). A column you describe gets
        a null code without asking the data; the network learns how often it is used."""
        given = {**(self.domains or {}), **(self.bounds or {})}
        learn = [n for n in self._modelled if n not in given]
        labels = [n for n in learn if self._kinds_[n] == "categorical"]
        epsilon = self.epsilon * self.domain_share / len(learn) if learn else 0.0
        delta = self.delta / 2 / len(labels) if labels else 0.0
        self.domains_, self.bounds_, self.nullable_, self.zeros_ = {}, {}, {}, {}
        for name in self._modelled:
            if name in given and self._kinds_[name] in LABELS:
                self.domains_[name], self.nullable_[name] = list(given[name]), True
            elif self._kinds_[name] == "boolean":  # the labels are public: only nulls are learnt
                self.domains_[name] = [False, True]
                self.nullable_[name] = private_has_nulls(table[name], epsilon, rng)
                ledger.spend(f"nulls of '{name}'", "noisy null count (Laplace)", epsilon)
            elif name in given:
                low, high = (float(b) for b in given[name])
                self.bounds_[name], self.nullable_[name] = (low, high), True
                self.zeros_[name] = low <= 0 <= high
            elif name in labels:
                self.domains_[name], self.nullable_[name] = private_labels(table[name], epsilon, delta, rng)
                ledger.spend(f"labels of '{name}'", "stability histogram (Laplace)", epsilon, delta)
            else:
                self.bounds_[name], self.nullable_[name], self.zeros_[name] = private_bounds(
                    values[name].to_numpy(), epsilon, rng)
                ledger.spend(f"bounds of '{name}'", "power-of-two histogram (Laplace)", epsilon)
        empty = [n for n in labels if not self.domains_[n]]
        self.nullable_.update({name: True for name in empty})
        if empty:
            warnings.warn(f"No label of {empty} is frequent enough to be released at this "
                          "epsilon: those columns come back null. Give their labels in "
                          "domains=..., or a larger epsilon.", stacklevel=3)

    def _encode(self, name: str, column: pd.Series, numbers: pd.Series | None, rng) -> np.ndarray:
        """One code per row: a label's index, or a number's bin then its zero code when it has
        one, then the null code when the column has one. A label that was not released, or a
        null where no null code was, becomes a released code drawn at random (drawn without
        looking at the data, so it is part of the mechanism, not a leak)."""
        if name in self.bounds_:
            low, high = self.bounds_[name]
            edges = np.linspace(low, high, self.bins + 1)
            codes = np.clip(np.searchsorted(edges, numbers.to_numpy(), side="right") - 1, 0, self.bins - 1)
            if self.zeros_[name]:
                codes = np.where(numbers.to_numpy() == 0, self.bins, codes)
            size, nulls = self.bins + self.zeros_[name], numbers.isna().to_numpy()
        else:
            size, nulls = len(self.domains_[name]), column.isna().to_numpy()
            codes = pd.Index(self.domains_[name], dtype=object).get_indexer(column.astype(object))
        if self.nullable_[name]:
            codes = np.where(nulls, size, codes)
        unknown = (codes < 0) | (nulls & (not self.nullable_[name]))  # a bin is never < 0
        codes[unknown] = rng.integers(0, max(size, 1), int(unknown.sum()))
        return codes

    def _sizes(self) -> list[int]:
        return [(self.bins + self.zeros_[n] if n in self.bounds_ else len(self.domains_[n]))
                + self.nullable_[n] for n in self._modelled]

    def _train(self, codes: np.ndarray, ledger: PrivacyLedger) -> MADE:
        """The network, trained with DP-SGD on what the domain steps left of the budget."""
        import torch

        epsilon = self.epsilon - ledger.epsilon_spent
        delta = self.delta - ledger.delta_spent
        batch = self.batch_size or int(np.clip(len(codes) // 8, 32, 512))
        threads = torch.get_num_threads()
        torch.set_num_threads(min(threads, DP_THREADS))
        try:
            with seeded(self.random_state):
                network = MADE(self._sizes(), hidden=self.hidden)
                self.training_ = train_private(
                    network, codes, epsilon, delta, self.epochs, batch,
                    self.max_grad_norm, self.learning_rate, self.verbose)
        finally:
            torch.set_num_threads(threads)
        ledger.spend("joint distribution and nulls", "DP-SGD (opacus, RDP accountant, noise "
                     f"multiplier {self.training_['noise_multiplier']:.3g})",
                     min(self.training_["epsilon"], epsilon), self.training_["delta"])
        return network

    # -- sampling ------------------------------------------------------------------------------
    def reset_sampling(self) -> None:
        """Make the next samples repeat those drawn right after ``fit``."""
        self._rng = np.random.default_rng(None if self.random_state is None else self.random_state + 1)

    def _decode(self, name: str, codes: np.ndarray) -> pd.Series:
        if name in self.bounds_:
            low, high = self.bounds_[name]
            width = (high - low) / self.bins
            values = low + (codes + self._rng.random(len(codes))) * width
            zero = self.bins if self.zeros_[name] else -1
            values = np.where(codes == zero, 0.0, np.where(codes >= self.bins, np.nan, values))
            spec = self._metadata.tables[self._table_name].columns[name]
            if self._kinds_[name] == "datetime":
                stamps = pd.to_datetime(values, unit="s")
                as_text = not pd.api.types.is_datetime64_any_dtype(self._dtypes[name])
                if spec.get("datetime_format") and as_text:
                    text = pd.Series(stamps.strftime(spec["datetime_format"]), dtype=object)
                    return text.where(~np.isnan(values))
                return pd.Series(stamps)
            integer = str(spec.get("computer_representation", "Float")).startswith(("Int", "UInt"))
            if integer or pd.api.types.is_integer_dtype(self._dtypes[name]):
                values = np.round(values)
            return pd.Series(values)
        labels = np.array(list(self.domains_[name]) + [None], dtype=object)
        return pd.Series(labels[np.minimum(codes, len(labels) - 1)], dtype=object)

    def sample(self, num_rows: int) -> dict[str, pd.DataFrame]:
        """``{table_name: DataFrame}`` of ``num_rows`` synthetic rows, as SDV 2's ``sample``:
        post-processing of the private releases, so any number of rows costs no budget."""
        self._check_fitted()
        validate_count("num_rows", num_rows)
        out = {}
        codes = None
        if self._modelled:  # in batches, so the network's one-hot input stays small
            full, rest = divmod(int(num_rows), STREAM_BATCH_ROWS)
            sizes = [STREAM_BATCH_ROWS] * full + ([rest] if rest else [])
            codes = np.concatenate([self._model.sample(size, self._rng) for size in sizes])
        for name in self._columns:
            if name in self._modelled:
                out[name] = self._decode(name, codes[:, self._modelled.index(name)]).to_numpy()
            else:
                out[name] = new_keys(self._dtypes[name], int(num_rows), name)
        frame = pd.DataFrame(out, columns=self._columns)
        for name in self.domains_:  # labels come back as objects: as numbers or flags if they were
            dtype = self._dtypes[name]
            if pd.api.types.is_bool_dtype(dtype) and frame[name].notna().all():
                frame[name] = frame[name].astype(bool)
            elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
                frame[name] = pd.to_numeric(frame[name])
        return {self._table_name: restore_dtypes(frame, self._dtypes)}

    def sample_table(self, num_rows: int) -> pd.DataFrame:
        """The sampled table itself: ``sample(num_rows)[table_name]``."""
        return self.sample(num_rows)[self._table_name]

    def sample_from_conditions(self, conditions: list[Condition], max_tries_per_batch: int = 100,
                               batch_size: int | None = None) -> dict[str, pd.DataFrame]:
        """Rows that meet ``sdv.sampling.Condition`` objects, by rejection from ``sample``
        (post-processing: it costs no budget). Raises ValueError naming a condition that no
        row met after ``max_tries_per_batch`` batches."""
        self._check_fitted()
        frames = []
        for condition in conditions:
            wanted, values = condition.get_num_rows(), condition.get_column_values()
            unknown = sorted(set(values) - set(self._columns))
            if unknown:
                raise ValueError(f"Conditions name columns that are not in table "
                                 f"'{self._table_name}': {unknown}.")
            found, size = [], batch_size or max(wanted * 10, 100)
            for _ in range(max_tries_per_batch):
                batch = self.sample_table(size)
                keep = np.logical_and.reduce([batch[c].astype(object).eq(v).to_numpy()
                                              for c, v in values.items()])
                found.append(batch[keep])
                if sum(len(f) for f in found) >= wanted:
                    break
            rows = pd.concat(found).head(wanted)
            if rows.empty:
                raise ValueError(f"No sampled row met {values} in {max_tries_per_batch} batches of "
                                 f"{size}: the private model gives it (almost) no weight.")
            frames.append(rows)
        return {self._table_name: pd.concat(frames, ignore_index=True)}

    # -- introspection and saving ------------------------------------------------------------
    def get_metadata(self, version: str = "original"):
        """The table's metadata (yours, or profiled when you gave none)."""
        self._check_fitted()
        return self._metadata

    def get_loss_values(self) -> pd.DataFrame:
        """DP-SGD's mean loss per epoch (the negative log-likelihood of the coded rows)."""
        self._check_fitted()
        losses = self.training_["losses"] if self._modelled else []
        return pd.DataFrame({"Epoch": range(len(losses)), "Loss": losses})

    def summary(self) -> str:
        """What was spent, on what, and what the guarantee covers."""
        self._check_fitted()
        ledger = self.privacy_ledger_
        lines = [f"DPSynthesizer, table '{self._table_name}' ({len(self._columns)} columns)",
                 f"Guarantee: {ledger.statement()}.", "", "Spent:"]
        lines += [f"  {s.step}: epsilon {s.epsilon:.3g}, delta {s.delta:.2g} ({s.mechanism})"
                  for s in ledger.spends]
        lines += ["", "Outside the accounting: the number of rows, column names and dtypes; "
                  + ("the metadata (yours, public)." if self.metadata_public_ else
                     "the column types, profiled from the real rows because no metadata was "
                     "given: pass metadata for a guarantee that covers them."),
                  "Rules: not mined (mining reads every row outside any budget). Nulls: a code "
                  "of each column, learnt by the network under the budget."]
        return "\n".join(lines)
