"""Per-column and per-pair comparisons of a real and a synthetic table.

The column tests are the original framework's (Kolmogorov-Smirnov for numbers and dates,
chi-squared for labels) reported with an effect size beside the p-value: the KS statistic
(largest gap between the two cumulative distributions) and the total variation distance
(half the summed gap between the two category shares). A p-value alone shrinks with the
number of rows, so on 100,000 rows a negligible difference is "significant"; the effect size
says how large the difference is.

The association matrices feed the report's heatmaps: Spearman correlation between numeric
columns, and Cramer's V between every pair of columns (numbers cut into deciles of the real
values), so label columns are shown too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sdv_pillars.encoding import model_frame
from sdv_pillars.profiling import NUMERIC_KINDS, ColumnProfile, modelled_columns

NUMBER_KINDS = (*NUMERIC_KINDS, "datetime")
MAX_CATEGORIES = 15
NUM_BINS = 30


def compared_frames(
    first: pd.DataFrame, second: pd.DataFrame, profile: dict[str, ColumnProfile]
) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """The compared columns, and both tables as a model reads them (``model_frame``)."""
    columns = modelled_columns(profile)
    return columns, model_frame(first[columns], profile), model_frame(second[columns], profile)


def _labels(values: pd.Series) -> pd.Series:
    return values.dropna().astype(str)


def column_tests(
    real: pd.DataFrame, synthetic: pd.DataFrame, profile: dict[str, ColumnProfile]
) -> pd.DataFrame:
    """One row per column: test, statistic, p-value and effect size (see module docstring)."""
    columns, real_f, synth_f = compared_frames(real, synthetic, profile)
    rows = []
    for column in columns:
        kind = profile[column].kind
        if kind in NUMBER_KINDS:
            a, b = real_f[column].dropna(), synth_f[column].dropna()
            if len(a) == 0 or len(b) == 0:
                continue
            result = stats.ks_2samp(a, b)
            rows.append((column, kind, "Kolmogorov-Smirnov", result.statistic, result.pvalue,
                         "KS statistic", result.statistic))
            continue
        a, b = _labels(real_f[column]), _labels(synth_f[column])
        if len(a) == 0 or len(b) == 0:
            continue
        counts = pd.concat([a.value_counts(), b.value_counts()], axis=1).fillna(0).to_numpy()
        tvd = 0.5 * np.abs(counts[:, 0] / counts[:, 0].sum() - counts[:, 1] / counts[:, 1].sum()).sum()
        if len(counts) < 2:
            chi2, p_value = 0.0, 1.0
        else:
            chi2, p_value = stats.chi2_contingency(counts.T)[:2]
        rows.append((column, kind, "chi-squared", chi2, p_value, "total variation distance", tvd))
    return pd.DataFrame(
        rows, columns=["column", "kind", "test", "statistic", "p_value", "effect", "effect_size"]
    )


def distributions(
    real: pd.DataFrame, synthetic: pd.DataFrame, profile: dict[str, ColumnProfile]
) -> pd.DataFrame:
    """Shares of real and synthetic values per bin (numbers) or category, for plotting.

    Numbers share ``NUM_BINS`` bins between the 0.5% and 99.5% quantiles of the real values
    (the tails are folded into the end bins); labels show the most frequent real categories,
    the rest as ``"(other)"``. Nulls are left to the missingness figures.
    """
    columns, real_f, synth_f = compared_frames(real, synthetic, profile)
    parts = []
    for column in columns:
        a, b = real_f[column].dropna(), synth_f[column].dropna()
        if len(a) == 0:
            continue
        if profile[column].kind in NUMBER_KINDS:
            low, high = np.quantile(a, [0.005, 0.995])
            if low == high:
                low, high = a.min() - 0.5, a.max() + 0.5
            edges = np.linspace(low, high, NUM_BINS + 1)
            real_share = np.histogram(np.clip(a, low, high), edges)[0] / len(a)
            synth_share = np.histogram(np.clip(b, low, high), edges)[0] / max(len(b), 1)
            centres = (edges[:-1] + edges[1:]) / 2
            labels = [f"{v:.6g}" for v in centres]
            date = profile[column].kind == "datetime"
            if date:  # bins are in seconds; labels and positions read as dates
                labels = [str(v) for v in pd.to_datetime(centres, unit="s")]
            frame = pd.DataFrame({"value": labels, "position": centres, "date": date,
                                  "real": real_share, "synthetic": synth_share})
        else:
            a, b = a.astype(str), b.astype(str)
            top = a.value_counts().index[:MAX_CATEGORIES]
            fold = lambda s: s.where(s.isin(top), "(other)")  # noqa: E731
            shares = pd.concat(
                [fold(a).value_counts(normalize=True), fold(b).value_counts(normalize=True)], axis=1
            ).fillna(0.0)
            shares.columns = ["real", "synthetic"]
            order = [v for v in [*top, "(other)"] if v in shares.index]
            frame = shares.loc[order].rename_axis("value").reset_index()
            frame["position"] = np.nan
            frame["date"] = False
        frame.insert(0, "column", column)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["column", "value", "position", "date", "real", "synthetic"])


def spearman_matrix(data: pd.DataFrame, profile: dict[str, ColumnProfile]) -> pd.DataFrame:
    """Spearman correlation between the numeric and date columns."""
    columns = [c for c in modelled_columns(profile) if profile[c].kind in NUMBER_KINDS]
    return model_frame(data[columns], profile).corr(method="spearman").fillna(0.0)


def _codes(values: pd.Series, kind: str, reference: pd.Series) -> tuple[np.ndarray, int]:
    """Category codes (-1 for null) and the number of categories of ``reference``: numbers by
    deciles of ``reference``, labels by value (a label ``reference`` lacks gets one more code)."""
    if kind in NUMBER_KINDS:
        edges = np.unique(np.nanquantile(reference.to_numpy(dtype=float), np.linspace(0, 1, 11)[1:-1]))
        codes = np.searchsorted(edges, values.to_numpy(dtype=float), side="right")
        return np.where(values.isna(), -1, codes), len(edges) + 1
    labels = pd.Index(reference.dropna().astype(str).unique())
    codes = labels.get_indexer(values.astype(str))
    return np.where(values.isna(), -1, np.where(codes < 0, len(labels), codes)), len(labels)


def _cramers_v(x: np.ndarray, y: np.ndarray, kx: int, ky: int) -> float:
    """Cramer's V of two code arrays, normalised by the reference's category counts, so a
    category the synthetic table never draws does not inflate its V."""
    keep = (x >= 0) & (y >= 0)
    x, y = x[keep], y[keep]
    if len(x) < 2 or min(kx, ky) < 2:
        return 0.0
    width = ky + 1
    table = np.bincount(x * width + y, minlength=(kx + 1) * width).reshape(kx + 1, width).astype(float)
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    chi2 = ((table - expected) ** 2 / np.where(expected > 0, expected, 1)).sum()
    return float(min(1.0, np.sqrt(chi2 / (table.sum() * (min(kx, ky) - 1)))))


def association_matrix(
    data: pd.DataFrame, reference: pd.DataFrame, profile: dict[str, ColumnProfile]
) -> pd.DataFrame:
    """Cramer's V between every pair of compared columns of ``data``, cut as ``reference``."""
    columns, data_f, ref_f = compared_frames(data, reference, profile)
    codes = {c: _codes(data_f[c], profile[c].kind, ref_f[c]) for c in columns}
    matrix = pd.DataFrame(np.eye(len(columns)), index=columns, columns=columns)
    for i, first in enumerate(columns):
        for second in columns[i + 1:]:
            (x, kx), (y, ky) = codes[first], codes[second]
            matrix.loc[first, second] = matrix.loc[second, first] = _cramers_v(x, y, kx, ky)
    return matrix
