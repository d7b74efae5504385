"""Pillar 3 (evidence): is a column's missingness random (MCAR) or driven by other columns (MAR)?

For each column with nulls a logistic model of its null indicator is fitted on the other
columns and scored on held-out rows (out-of-fold probabilities). Its held-out AUC is tested
against 0.5, the AUC of a model with no information, with a one-sided Mann-Whitney U test
on those probabilities. A column is called MAR only when the test rejects at ``alpha`` and
the AUC reaches ``min_auc`` (so a tiny, useless dependence in a huge table is not "MAR").
Otherwise it is MCAR: the evidence does not show a dependence.

Columns are visited in a fixed order (most nulls first). A column's model may also use
whether each *earlier* column is null, so nulls that come together (a whole lab panel
missing, say) are reproduced together; in the report such a driver reads ``"x (null)"``.

The drivers of a MAR column are the columns whose univariate association with its null
indicator is significant after a Bonferroni correction; the final model uses only those and
is calibrated (a shift of its logit) so its mean probability on the real rows equals the
real null rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from sdv_pillars.defaults import CV_FOLDS, MAR_ALPHA, MAR_MIN_AUC, MIN_NULLS, MISSINGNESS_MAX_ROWS
from sdv_pillars.encoding import make_encoder, model_frame
from sdv_pillars.missingness.hot_deck import HotDeck
from sdv_pillars.profiling import CATEGORY_KINDS, ColumnProfile

NULL_SUFFIX = " (null)"


@dataclass
class MissingnessModel:
    """How one column's nulls arise, and a model to re-impose them."""

    column: str
    mechanism: str
    rate: float
    drivers: tuple[str, ...]
    auc: float | None
    p_value: float | None
    reason: str
    model: Pipeline | None = None
    offset: float = 0.0

    def null_probability(self, design: pd.DataFrame, recalibrate: bool = False) -> np.ndarray:
        """P(null) for each row of ``design`` (columns and ``"x (null)"`` indicators).

        ``recalibrate`` shifts the logit so the mean probability over ``design`` equals the
        real rate, instead of using the shift learned on the real rows: the dependence on
        the drivers is kept, and the rate no longer follows a backbone's error in the drivers.
        """
        if self.model is None:
            return np.full(len(design), self.rate)
        logit = self.model.decision_function(design[list(self.drivers)])
        offset = calibrated_offset(logit, self.rate) if recalibrate else self.offset
        return expit(logit + offset)

    def __str__(self) -> str:
        text = f"{self.column}: {self.mechanism}, {self.rate:.1%} null"
        if self.drivers:
            text += f", drivers: {', '.join(self.drivers)}"
        return f"{text}  ({self.reason})"


def indicator_profile(column: str) -> ColumnProfile:
    """How a null indicator is read by a model: a 0/1 number."""
    return ColumnProfile(column + NULL_SUFFIX, "continuous", "numerical", "null indicator", 0.0, 2)


def _logistic(columns: list[str], profile: dict[str, ColumnProfile], seed) -> Pipeline:
    return Pipeline(
        [
            ("encode", make_encoder(columns, profile, one_hot=True)),
            ("model", LogisticRegression(max_iter=2000, random_state=seed)),
        ]
    )


def _univariate_p(values: pd.Series, is_null: np.ndarray, kind: str) -> float:
    """p-value of the association between one column and a null indicator."""
    if kind in CATEGORY_KINDS:
        codes, labels = pd.factorize(values, use_na_sentinel=False)
        table = np.zeros((len(labels), 2))
        np.add.at(table, (codes, is_null.astype(int)), 1)
        if len(labels) < 2:
            return 1.0
        return float(stats.chi2_contingency(table)[1])
    x = values.to_numpy(dtype=float)
    keep = np.isfinite(x)
    a, b = x[keep & is_null], x[keep & ~is_null]
    if len(a) == 0 or len(b) == 0 or np.ptp(x[keep]) == 0:
        return 1.0
    return float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def calibrated_offset(logit: np.ndarray, rate: float) -> float:
    """The logit shift that makes the mean P(null) over these rows equal ``rate``."""
    gap = lambda shift: expit(logit + shift).mean() - rate  # noqa: E731
    return float(brentq(gap, -50, 50)) if 0 < rate < 1 else 0.0


def encode_one(values: pd.DataFrame, profile: dict[str, ColumnProfile]) -> np.ndarray:
    """The one-hot/scaled design block of one column (see ``encoding.make_encoder``)."""
    return make_encoder(list(values.columns), profile, one_hot=True).fit_transform(values)


def analyse_column(
    column: str,
    design: pd.DataFrame,
    encoded: np.ndarray,
    is_null: np.ndarray,
    profile: dict[str, ColumnProfile],
    alpha: float = MAR_ALPHA,
    min_auc: float = MAR_MIN_AUC,
    min_nulls: int = MIN_NULLS,
    random_state: int | None = None,
    rate: float | None = None,
) -> MissingnessModel:
    """Decide MCAR vs MAR for one column from held-out evidence (see module docstring).

    ``design`` holds the candidate drivers (values of other columns, with no nulls, and
    earlier columns' null indicators), one row per real row, and ``encoded`` the same
    columns as a numeric design matrix (encoded once by the caller, for speed); ``is_null``
    is the indicator. ``rate`` is the column's null rate when the rows are a sample of the
    table (a count over every row is cheap and exact); ``None`` takes it from ``is_null``.
    """
    rate = float(is_null.mean()) if rate is None else rate
    n_null, n_present = int(is_null.sum()), int((~is_null).sum())
    if min(n_null, n_present) < min_nulls or design.shape[1] == 0:
        return MissingnessModel(
            column, "MCAR", rate, (), None, None,
            f"only {min(n_null, n_present)} rows on one side: too few to test, kept at its rate",
        )
    candidates = list(design.columns)
    folds = StratifiedKFold(min(CV_FOLDS, n_null, n_present), shuffle=True, random_state=random_state)
    held_out = cross_val_predict(
        LogisticRegression(max_iter=2000, random_state=random_state), encoded, is_null,
        cv=folds, method="decision_function",
    )
    auc = float(roc_auc_score(is_null, held_out))
    p_value = float(stats.mannwhitneyu(held_out[is_null], held_out[~is_null], alternative="greater").pvalue)
    evidence = f"held-out AUC {auc:.3f}, p={p_value:.2g}"
    if p_value >= alpha or auc < min_auc:
        return MissingnessModel(
            column, "MCAR", rate, (), auc, p_value, f"{evidence}: no evidence of a dependence"
        )
    p_values = {c: _univariate_p(design[c], is_null, profile[c].kind) for c in candidates}
    ranked = sorted(candidates, key=p_values.get)
    drivers = [c for c in ranked if p_values[c] < alpha / len(candidates)] or ranked[:1]
    model = _logistic(drivers, profile, random_state).fit(design[drivers], is_null)
    offset = calibrated_offset(model.decision_function(design[drivers]), rate)
    return MissingnessModel(
        column, "MAR", rate, tuple(drivers), auc, p_value, evidence, model, offset
    )


def null_order(data: pd.DataFrame, columns: list[str]) -> list[str]:
    """The columns of ``columns`` that have nulls, most nulls first (the visiting order)."""
    nulls = data[columns].isna().sum()
    return [c for c in nulls.sort_values(ascending=False, kind="stable").index if nulls[c]]


def analyse_missingness(
    data: pd.DataFrame,
    profile: dict[str, ColumnProfile],
    value_columns: list[str],
    hot_deck: HotDeck,
    alpha: float = MAR_ALPHA,
    min_auc: float = MAR_MIN_AUC,
    max_rows: int = MISSINGNESS_MAX_ROWS,
    random_state: int | None = None,
) -> dict[str, MissingnessModel]:
    """MCAR or MAR, with a null model, for every column of ``hot_deck`` (module docstring).

    Columns are visited in the hot deck's order (most nulls first); each one's candidate
    drivers are the other ``value_columns`` (their nulls filled by ``hot_deck``) and the null
    indicators of the columns visited before it. The models are fitted on a random sample
    of at most ``max_rows`` rows; every null rate is counted on all rows (a sample's rate
    would stay off by its sampling error however many rows are generated).
    """
    rates = data[list(hot_deck.donors_)].isna().mean()
    sample = data if len(data) <= max_rows else data.sample(max_rows, random_state=random_state)
    filled = hot_deck.fill(sample, np.random.default_rng(random_state))
    design = model_frame(filled[value_columns], profile)
    profile = dict(profile)
    blocks = {c: encode_one(design[[c]], profile) for c in design.columns}
    models: dict[str, MissingnessModel] = {}
    for column in hot_deck.donors_:
        is_null = sample[column].isna().to_numpy()
        candidates = [c for c in design.columns if c != column]
        encoded = (np.hstack([blocks[c] for c in candidates]) if candidates
                   else np.empty((len(design), 0)))
        models[column] = analyse_column(column, design[candidates], encoded, is_null, profile,
                                        alpha, min_auc, random_state=random_state,
                                        rate=float(rates[column]))
        indicator = column + NULL_SUFFIX
        design[indicator] = is_null.astype(float)
        profile[indicator] = indicator_profile(column)
        blocks[indicator] = design[[indicator]].to_numpy()
    return models
