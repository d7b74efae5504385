"""A sequential CART backbone (synthpop's method) as an SDV single-table synthesizer.

Columns are generated one after another. The first is drawn from its real marginal; each
next column comes from a CART tree fitted on the columns before it: a synthetic row is sent
down the tree, and its value is drawn from the real values of the leaf it lands in
("donors"). This is the method of R's synthpop (``syn(method = "cart")``), one of the
strongest and fastest baselines for tabular data. SDV has no such synthesizer.

It is an ``sdv.single_table.base.BaseSingleTableSynthesizer``, so SDV's metadata, data
processing and constraints (the pillars' rules and missingness among them) work on it as on
GaussianCopula: the trees see the data as SDV processes it, labels passed through as they
are (as CTGAN takes them), numbers and dates as floats. Every tree is fitted on every row
(the pillars hand it no nulls; used alone, a number column's tree splits on the rows that
have a value, and its nulls are donors of their leaves like any value).

Disclosure control, because donors are real values. The defaults are safe to share as far as
anonymeter's attacks can tell (``benchmarks/privacy.py``, issue 14; 3 tables, 4 seeds):
synthpop's defaults (``min_leaf=5``, no smoothing) copy exact real values, so a predicate such
as ``age == 41.79329226557152`` singles out a training patient (risk 0.03-0.16 on three real
tables), and small leaves hand each row's labels to its near-copies (attribute inference
0.14-0.23, against 0.01-0.05 for GaussianCopula). With the defaults below singling out
(0.01-0.02) and linkability (0.00-0.01) are at GaussianCopula's level, and inference
(0.02-0.05; GaussianCopula 0.02-0.05) at the attack's own noise floor (0.02-0.04), at a
change in sdmetrics quality of -0.019 to -0.003 against leaves of 30 (which left inference
at 0.08-0.09 on two tables). Larger
leaves for labels only, and synthpop's per-column bandwidth, were measured and did no better.

* ``min_leaf`` (100): the smallest leaf (synthpop's ``minbucket``), so a value, label or
  number, is always drawn among at least that many real rows; a training row then weighs at
  most 1% in any draw, too little to be recognised from its own label;
* ``smoothing`` (``"density"``): numeric values drawn from a leaf get Gaussian kernel noise
  with the leaf's own bandwidth (Silverman's rule, as R's ``density`` default), reflected into
  the leaf's range (synthpop's ``smoothing = "density"``), except values that at least
  ``min_leaf`` real rows hold, which point at no one; ``"column"`` is synthpop's own variant
  (one bandwidth per column);
* exact copies of whole real rows are redrawn by ``PillarsSynthesizer`` when asked
  (``exact_copies="redraw"``): it is checked on finished rows, after the pillars' nulls.

``min_leaf=5, smoothing=None`` (synthpop's defaults) stay available, for data you could share
anyway: they keep a little more of the real detail.

Nothing here is differential privacy.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sdv.single_table.base import BaseSingleTableSynthesizer
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from tqdm.auto import tqdm

from sdv_pillars.defaults import CART_MIN_LEAF, CART_SMOOTHING
from sdv_pillars.draws import draw_in_ranges
from sdv_pillars.validation import validate_count

SMOOTHING = (None, "density", "column")
MAX_SPLIT_CLASSES = 50  # a label tree splits on this many classes at most (see _fit_tree)


@dataclass
class _Column:
    """One visited column: its tree on the earlier columns (``None`` for the first), its donor
    values sorted by leaf (leaf ``k`` owns ``donors[start[k]:start[k] + count[k]]``) and, when
    smoothed, each leaf's bandwidth and value range."""

    name: str
    tree: DecisionTreeClassifier | DecisionTreeRegressor | None
    donors: np.ndarray
    codes: np.ndarray
    start: np.ndarray
    count: np.ndarray
    bandwidth: np.ndarray | None = None
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    common: np.ndarray | None = None


def _silverman(values: np.ndarray) -> float:
    """R's ``bw.nrd0``: 0.9 * min(sd, IQR / 1.34) * n^(-1/5)."""
    if len(values) < 2:
        return 0.0
    spread = np.std(values, ddof=1)
    iqr = np.subtract(*np.percentile(values, [75, 25])) / 1.34
    scale = min(spread, iqr) if iqr > 0 else spread
    return float(0.9 * scale * len(values) ** -0.2)


class SequentialCARTModel:
    """The fitted sequence of trees (works on SDV-processed data)."""

    def __init__(self, min_leaf: int, smoothing: str | None, visit_sequence: list[str] | None,
                 n_jobs: int | None = -1, verbose: bool = False):
        self.min_leaf = min_leaf
        self.smoothing = smoothing
        self.visit_sequence = visit_sequence
        self.n_jobs = n_jobs
        self.verbose = verbose

    def set_random_state(self, random_state) -> None:
        """Seed the sampling stream (SDV passes an int, or a tuple of generator states)."""
        self._rng = np.random.default_rng(random_state if isinstance(random_state, int) else None)

    def _order(self, data: pd.DataFrame) -> list[str]:
        """The user's visit sequence first, then the rest, fewest distinct values first."""
        given = [c for c in (self.visit_sequence or []) if c in data.columns]
        rest = sorted((c for c in data.columns if c not in given), key=lambda c: data[c].nunique())
        return given + rest

    def fit(self, data: pd.DataFrame, smooth: set[str], given: int = 0) -> "SequentialCARTModel":
        """Fit one tree per column after the first; ``smooth`` names the numeric columns.
        The first ``given`` columns of the visit sequence are always given at sampling (an
        autoregressive model's context and previous row): they get no tree.

        Tree seeds come from numpy's global generator, as SDV's models draw theirs, so a
        seeded ``PillarsSynthesizer`` fits the same trees every time.
        """
        seeds = np.random.randint(0, 2**31 - 1, size=len(data.columns))
        self.order_ = self._order(data)
        self.labels_ = {c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])}
        encoded = np.empty((len(data), len(self.order_)))
        self.categories_ = {}
        for j, column in enumerate(self.order_):
            if column in self.labels_:
                codes, categories = pd.factorize(data[column], use_na_sentinel=False)
                self.categories_[column] = categories
                encoded[:, j] = codes
            else:
                encoded[:, j] = data[column].to_numpy(dtype=float)
        jobs = (delayed(self._fit_tree)(encoded, j, column in self.labels_, int(seeds[j]), j < given)
                for j, column in enumerate(self.order_))
        fitted = Parallel(self.n_jobs, prefer="threads", return_as="generator")(jobs)
        progress = tqdm(total=len(self.order_), desc="CART columns", disable=not self.verbose, leave=False)
        self.columns_: list[_Column] = []
        for j, (tree, leaves) in enumerate(fitted):
            column = self.order_[j]
            order = np.argsort(leaves, kind="stable")
            count = np.bincount(leaves, minlength=1 if tree is None else tree.tree_.node_count)
            start = np.cumsum(count) - count
            entry = _Column(column, tree, data[column].to_numpy()[order], encoded[order, j], start, count)
            if self.smoothing is not None and column in smooth:
                self._smoothing(entry)
            self.columns_.append(entry)
            progress.update()
        progress.close()
        return self

    def _smoothing(self, entry: _Column) -> None:
        """Each leaf's kernel bandwidth, the range its noisy values are kept in, and the
        common values that are never smoothed.

        ``"density"``: the leaf's own bandwidth and range. ``"column"`` (synthpop's
        ``syn.smooth``): one bandwidth for the whole column and its whole real range, so a
        value moves as far in a tight leaf as in a loose one. Either way a value that at least
        ``min_leaf`` real rows hold is drawn as it is: it points at no one (as no leaf does),
        and smoothing it would invent values the data never has (loan terms of 12, 24 or 36
        months; a column of mostly zeros, which synthpop leaves alone for the same reason).
        """
        known = entry.codes[~np.isnan(entry.codes)]
        values, counts = np.unique(known, return_counts=True)
        entry.common = values[counts >= self.min_leaf]
        rare = known[~np.isin(known, entry.common)]
        leaves = len(entry.start)
        if self.smoothing == "column":
            entry.bandwidth = np.full(leaves, _silverman(rare))
            entry.low = np.full(leaves, known.min() if len(known) else 0.0)
            entry.high = np.full(leaves, known.max() if len(known) else 0.0)
            return
        leaf_values = [entry.codes[a:a + n] for a, n in zip(entry.start, entry.count)]
        entry.bandwidth = np.array([_silverman(v[~np.isin(v, entry.common)]) for v in leaf_values])
        entry.low = np.array([v.min() if len(v) else 0.0 for v in leaf_values])
        entry.high = np.array([v.max() if len(v) else 0.0 for v in leaf_values])

    def _fit_tree(self, encoded: np.ndarray, j: int, label: bool, seed: int, given: bool = False):
        """The tree of column ``j`` on the columns before it (``None`` for the first column
        and a given one), and the leaf of every real row. Trees are independent: they are
        fitted in parallel."""
        known = ~np.isnan(encoded[:, j])
        if j == 0 or given or not known.any():
            return None, np.zeros(len(encoded), dtype=int)
        tree_class = DecisionTreeClassifier if label else DecisionTreeRegressor
        tree = tree_class(min_samples_leaf=self.min_leaf, random_state=seed)
        target = encoded[known, j]
        if label:
            # A split's cost grows with the number of classes (a plane's tail number has
            # thousands). The tree learns its splits on the most frequent classes with the
            # rest as one; the donors of each leaf still carry every real label.
            counts = np.bincount(target.astype(int))
            if len(counts) > MAX_SPLIT_CLASSES:
                top = np.argsort(counts)[::-1][: MAX_SPLIT_CLASSES - 1]
                target = np.where(np.isin(target, top), target, -1)
        # A regression tree cannot learn from null targets: it splits on the rows with a
        # value, and every row (nulls too) then lands in a leaf and becomes a donor.
        with warnings.catch_warnings():
            # many labels on few rows (a name column) is data to copy, not a modelling mistake
            warnings.filterwarnings("ignore", message="The number of unique classes")
            tree.fit(encoded[known, :j], target)
        return tree, tree.apply(encoded[:, :j])

    def _draw(self, column: _Column, leaves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        start, count = column.start[leaves], column.count[leaves]
        picked = draw_in_ranges(self._rng, start, start + count)
        values, codes = column.donors[picked], column.codes[picked]
        if column.bandwidth is not None:
            low, high = column.low[leaves], column.high[leaves]
            noisy = codes + self._rng.normal(0, 1, len(picked)) * column.bandwidth[leaves]
            # reflected at the range's ends, not clipped: clipping would pile draws on the
            # leaf's extreme values, which are one real row's each
            noisy = np.where(noisy < low, 2 * low - noisy, noisy)
            noisy = np.clip(np.where(noisy > high, 2 * high - noisy, noisy), low, high)
            values = codes = np.where(np.isin(codes, column.common), codes, noisy)
        return values, codes

    def _given(self, name: str, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One row's value each of a given column, and their codes (a label no tree has seen
        is a missing value to the trees, which send it down their largest branch)."""
        if name not in self.labels_:
            values = values.astype(float)
            return values, values
        codes = self.categories_[name].get_indexer(pd.Index(values, dtype=object)).astype(float)
        return values.astype(object), np.where(codes < 0, np.nan, codes)

    def sample(self, num_rows: int, conditions: dict | None = None) -> pd.DataFrame:
        """``num_rows`` rows; ``conditions`` may fix a prefix of the visit sequence, each
        column to one value (SDV's conditions) or to one value per row (an array)."""
        fixed = dict(conditions or {})
        if fixed and set(fixed) != set(self.order_[: len(fixed)]):
            raise NotImplementedError("conditions off the start of the visit sequence")
        encoded = np.empty((num_rows, len(self.order_)))
        out = {}
        for j, column in enumerate(self.columns_):
            if column.name in fixed and isinstance(fixed[column.name], (np.ndarray, pd.Series)):
                out[column.name], encoded[:, j] = self._given(column.name, np.asarray(fixed[column.name]))
                continue
            if column.name in fixed:
                value = fixed[column.name]
                if column.name in self.labels_:
                    if value not in self.categories_[column.name]:
                        raise NotImplementedError(f"{value!r} is not a value of {column.name}")
                    out[column.name] = np.full(num_rows, value, dtype=object)
                    encoded[:, j] = self.categories_[column.name].get_loc(value)
                else:
                    out[column.name] = encoded[:, j] = np.full(num_rows, float(value))
                continue
            if column.tree is None:
                leaves = np.zeros(num_rows, dtype=int)
            else:
                leaves = column.tree.apply(encoded[:, :j])
            out[column.name], encoded[:, j] = self._draw(column, leaves)
        return pd.DataFrame(out)


class CARTSynthesizer(BaseSingleTableSynthesizer):
    """Sequential CART synthesizer (synthpop's method) with SDV's synthesizer interface.

    Args:
        metadata: an ``sdv.metadata.Metadata`` with one table.
        min_leaf: smallest number of real rows in a leaf (synthpop's ``minbucket``); 100, for
            disclosure control (module docstring).
        smoothing: ``"density"`` (default) or ``"column"`` for kernel noise on rare numeric
            donor values, ``None`` to copy donor values as they are.
        visit_sequence: columns to generate first, in this order; the others follow, fewest
            distinct values first. Columns a constraint removes (a rule's target) are skipped.
        n_jobs: threads fitting the trees (each is fitted on real rows only, so they are
            independent); ``-1`` uses every core, as joblib reads it.
        enforce_min_max_values, enforce_rounding, locales: as for SDV's synthesizers.
        verbose: a progress bar over the columns while fitting.
    """

    _model_sdtype_transformers = {"categorical": None, "boolean": None, "ordinal": None}

    def __init__(self, metadata, min_leaf: int = CART_MIN_LEAF, smoothing: str | None = CART_SMOOTHING,
                 visit_sequence: list[str] | None = None, n_jobs: int | None = -1,
                 enforce_min_max_values: bool = True,
                 enforce_rounding: bool = True, locales=("en_US",), verbose: bool = False):
        super().__init__(metadata, enforce_min_max_values=enforce_min_max_values,
                         enforce_rounding=enforce_rounding, locales=list(locales))
        validate_count("min_leaf", min_leaf)
        if smoothing not in SMOOTHING:
            raise ValueError(f"smoothing must be one of {SMOOTHING}, got {smoothing!r}.")
        known = set(self.metadata.tables[self._table_name].columns)
        unknown = [c for c in (visit_sequence or []) if c not in known]
        if unknown:
            raise ValueError(f"visit_sequence names columns that are not in table "
                             f"'{self._table_name}': {unknown}.")
        self.min_leaf = min_leaf
        self.smoothing = smoothing
        self.visit_sequence = list(visit_sequence) if visit_sequence else None
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _fit(self, processed_data: pd.DataFrame) -> None:
        rows = len(processed_data)
        if rows < 2 * self.min_leaf:
            # no tree can split: the columns come out independent of each other (airquality,
            # 122 rows: ML utility 0 in the benchmark), which a user should hear at fit
            warnings.warn(
                f"{rows} rows cannot be split into leaves of min_leaf={self.min_leaf} real rows: "
                "every column is drawn from its own distribution, unrelated to the others. "
                f"Pass a smaller min_leaf (for example {max(5, rows // 10)}) if that is too "
                "little; benchmarks/privacy.py measures what smaller leaves cost in privacy.",
                UserWarning, stacklevel=2)
        sdtypes = self._data_processor.get_sdtypes(primary_keys=False)
        smooth = {c for c in processed_data.columns if sdtypes.get(c) == "numerical"}
        self._model = SequentialCARTModel(self.min_leaf, self.smoothing, self._visit_sequence(),
                                          self.n_jobs, self.verbose)
        self._model.fit(processed_data, smooth)

    def _visit_sequence(self) -> list[str] | None:
        """The columns generated first (``visit_sequence``; a subclass may choose them)."""
        return self.visit_sequence

    def _sample(self, num_rows: int, conditions: dict | None = None) -> pd.DataFrame:
        return self._model.sample(num_rows, conditions)
