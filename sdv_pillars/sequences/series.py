"""SeriesPillarsSynthesizer: one long series (a sensor, a product's monthly sales).

With one series there is no population of sequences to learn from, so neither PAR nor the
autoregressive trees apply: each numeric column gets a seasonal ARIMA model (statsmodels'
``SARIMAX``, the ``series`` extra), the classical model of trend and seasonality:

* the **seasonal period** is given, or read from the index (monthly dates or a decimal year
  in twelfths: 12; quarters: 4; days: 7; hours: 24), or else the lag (2 to a third of the
  series) at which the differenced series' autocorrelation peaks above 0.3; none otherwise;
* a column whose level persists (``statistics.persists``) is differenced once (``d = 1``),
  and once at the period when there is one (``D = 1``); a positive column whose seasonal swings
  grow with its level is modelled in logs (multiplicative seasonality);
* the orders ``p, q, P, Q`` in {0, 1} are chosen by AIC (16 fits at most per column).

A sample is a new path of every model, each started from the real series' first
``d + D * period + 1`` values (its anchor: the model needs that many observations to know
where it stands) and simulated from there with fresh shocks. Those few first values are real;
everything after them is drawn. The index continues with the real steps. The pillars that
apply to one series apply: cross-row rules (``sequences.rules``) are kept by construction and
each column's nulls come back at its real rate, at random positions.

Columns are modelled one by one: their cross-correlation is not kept (say so to users who
need it; a vector model is the next step).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from sdv_pillars.base import BasePillarsSynthesizer
from sdv_pillars.defaults import STREAM_SEQUENCE
from sdv_pillars.draws import fresh_seed, sampling_rng
from sdv_pillars.dtypes import restore_dtypes
from sdv_pillars.sequences.rules import SequenceRule, enforce_sequence_rules, find_sequence_rules
from sdv_pillars.sequences.statistics import as_float, autocorrelation, persists
from sdv_pillars.sequences.structure import find_index, one_sequence
from sdv_pillars.validation import checked_table

MIN_SERIES_ROWS = 12  # fewer rows than this give no model of a series
PERIODS_PER_UNIT = (12, 4, 52, 7, 24)  # a decimal index stepping 1/k of a unit: period k
DATE_PERIODS = {"M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "W": 52, "D": 7, "B": 5,
                "h": 24, "H": 24}
MIN_SEASONAL_AUTOCORRELATION = 0.3  # a detected period's autocorrelation must exceed this
INSTALL_HINT = "pip install 'sdv-pillars[series]'  (statsmodels)"


def detect_period(index: pd.Series | None, values: pd.Series) -> tuple[int | None, str]:
    """The seasonal period of a series and how it was found (module docstring)."""
    if index is not None and ptypes.is_datetime64_any_dtype(index):
        frequency = pd.infer_freq(pd.DatetimeIndex(index))
        base = (frequency or "").split("-")[0].lstrip("0123456789")
        if base in DATE_PERIODS:
            return DATE_PERIODS[base], f"period {DATE_PERIODS[base]}: the index is {frequency} dates"
    elif index is not None:
        step = float(np.median(np.diff(index.to_numpy(dtype=float))))
        for period in PERIODS_PER_UNIT:
            if step > 0 and abs(step * period - 1) < 1e-6:
                return period, f"period {period}: the index steps 1/{period} of a unit"
    series = as_float(values).diff().dropna()
    key = np.zeros(len(series))
    lags = range(2, max(2, len(series) // 3) + 1)
    found = [(autocorrelation(series, key, lag) or -1.0, lag) for lag in lags]
    best, lag = max(found, default=(-1.0, None))
    if lag is not None and best > MIN_SEASONAL_AUTOCORRELATION:
        return lag, f"period {lag}: the differenced series' autocorrelation peaks there ({best:.2f})"
    return None, "no seasonal period"


def _multiplicative(values: np.ndarray, period: int | None) -> bool:
    """Positive values whose spread over a period grows with their level."""
    if period is None or np.any(values <= 0) or len(values) < 3 * period:
        return False
    frame = pd.Series(values)
    level, spread = frame.rolling(period).mean(), frame.rolling(period).std()
    pairs = pd.concat([level, spread], axis=1).dropna()
    return len(pairs) > 2 and float(pairs.corr().iloc[0, 1]) > 0.5


@dataclass
class _ColumnModel:
    """One column's fitted SARIMA: orders, transform, anchor length and the fit itself."""

    order: tuple[int, int, int]
    seasonal_order: tuple[int, int, int, int]
    log: bool
    aic: float
    results: object
    step: float | None = None  # a straight line (a counter): no model, the same step each row

    @property
    def anchor(self) -> int:
        d, (_, seasonal_d, _, period) = self.order[1], self.seasonal_order
        return d + seasonal_d * period + 1

    def simulate(self, start: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` values: the ``start`` (the anchor's real values), then a drawn path."""
        if self.step is not None:
            return start[0] + self.step * np.arange(n)
        if n <= len(start):
            return start[:n]
        drawn = self.results.simulate(nsimulations=n - len(start), anchor=len(start), rng=rng)
        return np.concatenate([start, np.asarray(drawn).ravel()])

    def __str__(self) -> str:
        if self.step is not None:
            return f"a straight line, {self.step:+g} every row"
        seasonal = "" if not self.seasonal_order[3] else f"x{self.seasonal_order}"
        return f"SARIMA{self.order}{seasonal}{' on logs' if self.log else ''}, AIC {self.aic:.1f}"


def fit_column(values: np.ndarray, period: int | None) -> _ColumnModel:
    """The lowest-AIC seasonal ARIMA of one column (module docstring)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    steps = np.diff(values)
    if len(steps) and np.allclose(steps, steps[0]):
        return _ColumnModel((0, 1, 0), (0, 0, 0, 0), False, float("nan"), None, float(steps[0]))
    log = _multiplicative(values, period)
    y = np.log(values) if log else values
    key = np.zeros(len(y))
    d = int(persists(pd.Series(y), key))
    seasonal = period is not None and len(y) >= 2 * period + d + 2
    best = None
    seasonal_orders = (0, 1) if seasonal else (0,)
    for p, q, big_p, big_q in product((0, 1), (0, 1), seasonal_orders, seasonal_orders):
        seasonal_order = (big_p, 1, big_q, period) if seasonal else (0, 0, 0, 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on the grid's poor orders
            try:
                results = SARIMAX(y, order=(p, d, q), seasonal_order=seasonal_order).fit(disp=False)
            except (np.linalg.LinAlgError, ValueError):
                continue
        if np.isfinite(results.aic) and (best is None or results.aic < best.aic):
            best = _ColumnModel((p, d, q), seasonal_order, log, float(results.aic), results)
    if best is None:
        raise ValueError("no seasonal ARIMA could be fitted")
    return best


class SeriesPillarsSynthesizer(BasePillarsSynthesizer):
    """Synthesize one long series (module docstring).

    Args:
        sequence_index: the column ordering the rows (dates or numbers, growing); ``None``
            finds a column that grows over the whole table, else the row order is the order.
        seasonal_period: rows per season (12 for monthly data); ``None`` detects it.
        rules: keep cross-row rules (monotone columns, running totals).
        missingness: re-impose each column's nulls at its real rate.
        random_state: seed of the sampling shocks; ``None`` for fresh randomness.
        verbose: show progress while fitting.

    Fitted attributes: ``models_`` (per column), ``seasonal_period_`` and ``period_reason_``,
    ``sequence_rules_``, ``null_rates_``.
    """

    def __init__(self, sequence_index: str | None = None, seasonal_period: int | None = None,
                 rules: bool = True, missingness: bool = True, random_state: int | None = None,
                 verbose: bool = True):
        self.sequence_index = sequence_index
        self.seasonal_period = seasonal_period
        self.rules = rules
        self.missingness = missingness
        self.random_state = random_state
        self.verbose = verbose

    def _find_index(self, table: pd.DataFrame) -> str | None:
        if self.sequence_index is not None:
            if self.sequence_index not in table.columns:
                raise ValueError(f"sequence_index '{self.sequence_index}' is not a column of the "
                                 "table.")
            return self.sequence_index
        return find_index(*one_sequence(table))[0]

    def fit(self, data) -> "SeriesPillarsSynthesizer":
        """Fit one seasonal ARIMA per numeric column. Returns self.

        Raises:
            ValueError: naming the columns that are not numbers, or when the series is too short.
            ImportError: when statsmodels (the ``series`` extra) is not installed.
        """
        try:
            import statsmodels  # noqa: F401
        except ImportError as error:
            raise ImportError(f"One long series is modelled with statsmodels: {INSTALL_HINT}") \
                from error
        table_name, table, dtypes = checked_table(data)
        if self.seasonal_period is not None and not (isinstance(self.seasonal_period, int)
                                                     and self.seasonal_period >= 2):
            raise ValueError("seasonal_period must be an integer of at least 2, got "
                             f"{self.seasonal_period!r}.")
        index = self._find_index(table)
        if index is not None:
            table = table.sort_values(index, kind="stable")
        values = [c for c in table.columns if c != index]
        labels = [c for c in values
                  if not ptypes.is_numeric_dtype(table[c]) or ptypes.is_bool_dtype(table[c])]
        if labels:
            raise ValueError(f"Columns {labels} are not numbers: one series is modelled column by column "
                             "with seasonal ARIMA. Drop them, or give many sequences to "
                             "SequencePillarsSynthesizer.")
        if len(table) < MIN_SERIES_ROWS:
            raise ValueError(f"The series has {len(table)} rows; at least {MIN_SERIES_ROWS} are needed.")
        self._table_name, self._columns, self._dtypes = table_name, list(table.columns), dtypes
        self.index_ = index
        self._index = table[index].reset_index(drop=True) if index else None
        self.seasonal_period_, self.period_reason_ = (
            (self.seasonal_period, "period given") if self.seasonal_period
            else detect_period(self._index, table[values[0]]))
        self._seed = self.random_state if self.random_state is not None else fresh_seed()
        self.models_ = {}
        for column in values:
            filled = table[column].astype(float).interpolate(limit_direction="both").to_numpy()
            self.models_[column] = fit_column(filled, self.seasonal_period_)
        self.null_rates_ = table[values].isna().mean().to_dict()
        self._key = np.zeros(len(table))
        self.sequence_rules_: list[SequenceRule] = (
            find_sequence_rules(*one_sequence(table.reset_index(drop=True)), values)
            if self.rules else [])
        self._first = table.reset_index(drop=True)
        self._model = "sarima"
        self.reset_sampling()
        return self

    def reset_sampling(self) -> None:
        """Make the next samples repeat those drawn right after ``fit``."""
        self._check_fitted()
        self._draws = 0

    def _new_index(self, n: int) -> pd.Series | None:
        """The real start, then the real steps (repeated past the real length)."""
        if self.index_ is None:
            return None
        real = self._index
        steps = real.diff().dropna()
        repeated = np.resize(steps.to_numpy(), max(n - 1, 0))
        frequency = pd.infer_freq(pd.DatetimeIndex(real)) if ptypes.is_datetime64_any_dtype(real) else None
        if frequency:
            return pd.Series(pd.date_range(real.iloc[0], periods=n, freq=frequency))
        start = real.iloc[0]
        return pd.Series([start] + list(start + np.cumsum(repeated)))

    def sample(self, num_rows: int | None = None) -> pd.DataFrame:
        """A new series of ``num_rows`` rows (default: the real length), in the real columns
        and dtypes."""
        self._check_fitted()
        n = len(self._first) if num_rows is None else num_rows
        if not (isinstance(n, (int, np.integer)) and n >= 1):
            raise ValueError(f"num_rows must be a positive integer, got {num_rows!r}.")
        self._draws += 1
        rng = sampling_rng(self._seed, STREAM_SEQUENCE, self._draws)
        out = {}
        for column, model in self.models_.items():
            anchor = min(model.anchor, n)
            real = self._first[column].astype(float).interpolate(limit_direction="both").to_numpy()
            start = np.log(real[:anchor]) if model.log else real[:anchor]
            values = model.simulate(start, n, rng)
            values = np.exp(values) if model.log else values
            if np.nanmin(real) >= 0:
                values = np.maximum(values, 0.0)
            if ptypes.is_integer_dtype(self._dtypes[column]) or np.all(np.mod(real, 1) == 0):
                values = np.round(values)
            out[column] = values
        frame = pd.DataFrame(out)
        if self.index_ is not None:
            frame[self.index_] = self._new_index(n)
        frame, key = one_sequence(frame)
        frame, self.repairs_ = enforce_sequence_rules(frame, key, self.sequence_rules_)
        frame = frame.drop(columns=[key])
        if self.missingness:
            for column, rate in self.null_rates_.items():
                if rate > 0:
                    frame.loc[rng.random(n) < rate, column] = np.nan
        return restore_dtypes(frame[self._columns], self._dtypes)

    def summary(self) -> str:
        """The period, each column's model, and the rules across rows."""
        self._check_fitted()
        lines = [f"{type(self).__name__}, table '{self._table_name}', {len(self._first)} rows",
                 f"  index: {self.index_ or '(row order)'}; {self.period_reason_}", "", "Models:"]
        lines += [f"  {column}: {model}" for column, model in self.models_.items()]
        lines += ["", f"Rules across rows: {len(self.sequence_rules_)} kept"]
        lines += [f"  {rule}" for rule in self.sequence_rules_] or ["  none"]
        nulls = {c: r for c, r in self.null_rates_.items() if r > 0}
        lines += ["", "Nulls (re-imposed at random positions): "
                  + (", ".join(f"{c} {r:.1%}" for c, r in nulls.items()) or "none")]
        return "\n".join(lines)
