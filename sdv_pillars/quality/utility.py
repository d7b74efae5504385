"""Machine-learning utility: does a model trained on synthetic rows work on real ones?

The same model (scikit-learn's HistGradientBoosting, which reads nulls natively) is trained
twice, on the real training rows and on the synthetic rows, and both are scored on the same
real holdout rows: macro F1 (and accuracy) for a label target, R^2 for a numeric one.
``ml_utility`` is the synthetic score over the real score, clipped to [0, 1]. The models
run on ``MODEL_THREADS`` OpenMP threads (``runtime.limited_threads``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, f1_score, r2_score
from sklearn.pipeline import Pipeline

from sdv_pillars.defaults import MODEL_THREADS
from sdv_pillars.encoding import make_encoder, model_frame
from sdv_pillars.profiling import CATEGORY_KINDS, ColumnProfile, modelled_columns
from sdv_pillars.runtime import limited_threads


def _score(model: Pipeline, X: pd.DataFrame, y: pd.Series, classify: bool) -> dict[str, float]:
    predicted = model.predict(X)
    if classify:
        return {"f1_macro": float(f1_score(y, predicted, average="macro")),
                "accuracy": float(accuracy_score(y, predicted))}
    return {"r2": float(r2_score(y, predicted))}


def ml_utility(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    target: str,
    profile: dict[str, ColumnProfile],
    random_state: int | None = 0,
) -> tuple[dict[str, float | None], pd.DataFrame]:
    """The utility figures and a table of both models' scores on the holdout."""
    classify = profile[target].kind in CATEGORY_KINDS
    features = [c for c in modelled_columns(profile) if c != target]
    estimator = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor

    def prepare(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
        frame = model_frame(data[[*features, target]], profile)
        frame = frame[frame[target].notna()]
        return frame[features], frame[target]

    X_test, y_test = prepare(holdout)
    rows = {}
    for name, data in (("real", train), ("synthetic", synthetic)):
        X, y = prepare(data)
        if len(y) == 0 or len(y_test) == 0 or (classify and y.nunique() < 2):
            rows[name] = {}
            continue
        model = Pipeline([("encode", make_encoder(features, profile, one_hot=False)),
                          ("model", estimator(random_state=random_state))])
        with limited_threads(MODEL_THREADS):
            model.fit(X, y)
            rows[name] = _score(model, X_test, y_test, classify)
    table = pd.DataFrame(rows).T.rename_axis("trained_on").reset_index()
    metric = "f1_macro" if classify else "r2"
    real_score, synth_score = rows["real"].get(metric), rows["synthetic"].get(metric)
    ratio = None
    if real_score is not None and real_score > 0:
        ratio = float(np.clip((synth_score if synth_score is not None else 0.0) / real_score, 0, 1))
    table.insert(1, "metric", metric)
    return {"ml_utility": ratio, "ml_real_score": real_score, "ml_synthetic_score": synth_score}, table
