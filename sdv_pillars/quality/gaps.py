"""Missingness fidelity: are the synthetic gaps where, and as often as, the real ones?

Three figures, each in [0, 1] with 1 meaning "as in the real table":

* null rates: ``1 - |real rate - synthetic rate|``, averaged over the columns with nulls;
* MAR dependence kept: the null-indicator model of each MAR column (fitted on real rows by
  pillar 3) is scored by AUC on the real rows and on the synthetic rows. A synthetic table
  whose nulls fall at random gets AUC 0.5 however good its rates are; the share of the real
  AUC's lift over 0.5 that survives, ``(AUC_synth - 0.5) / (AUC_real - 0.5)`` clipped to
  [0, 1], is the figure;
* co-occurrence: the correlation (phi) between the null indicators of every pair of columns
  with nulls, real against synthetic; the figure is ``1 - mean |phi_real - phi_synth| / 2``.

``missingness_fidelity`` is the mean of the figures that exist for the table (a table
with one nullable column has no co-occurrence, one with no MAR column no dependence).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from sdv_pillars.encoding import model_frame
from sdv_pillars.missingness.analysis import NULL_SUFFIX, MissingnessModel
from sdv_pillars.profiling import ColumnProfile


def _design(data: pd.DataFrame, profile: dict[str, ColumnProfile], nullable: list[str]) -> pd.DataFrame:
    """What a null-indicator model reads: the values, and the ``"x (null)"`` indicators."""
    values = [c for c, p in profile.items() if p.is_modelled_value and c in data.columns]
    design = model_frame(data[values], profile)
    for column in nullable:
        design[column + NULL_SUFFIX] = data[column].isna().to_numpy(dtype=float)
    return design


def _auc(model: MissingnessModel, design: pd.DataFrame, is_null: np.ndarray) -> float:
    if is_null.all() or not is_null.any():
        return 0.5  # no nulls (or only nulls): the indicator carries no dependence
    return float(roc_auc_score(is_null, model.model.decision_function(design[list(model.drivers)])))


def _phi(data: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return data[columns].isna().astype(float).corr().fillna(0.0)


def missingness_fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    profile: dict[str, ColumnProfile],
    models: dict[str, MissingnessModel],
) -> tuple[float | None, dict[str, pd.DataFrame]]:
    """The score (``None`` when neither table has nulls) and its tables (module docstring)."""
    nullable = [c for c in real.columns if real[c].isna().any() or synthetic[c].isna().any()]
    rates = pd.DataFrame({
        "column": nullable,
        "mechanism": [models[c].mechanism if c in models else "-" for c in nullable],
        "real_null_rate": [float(real[c].isna().mean()) for c in nullable],
        "synthetic_null_rate": [float(synthetic[c].isna().mean()) for c in nullable],
    })
    rates["difference"] = rates["synthetic_null_rate"] - rates["real_null_rate"]

    fitted = {c: m for c, m in models.items() if m.model is not None and c in real.columns}
    rows = []
    if fitted:
        real_design = _design(real, profile, nullable)
        synth_design = _design(synthetic, profile, nullable)
        for column, model in fitted.items():
            auc_real = _auc(model, real_design, real[column].isna().to_numpy())
            auc_synth = _auc(model, synth_design, synthetic[column].isna().to_numpy())
            lift = auc_real - 0.5
            kept = float(np.clip((auc_synth - 0.5) / lift, 0, 1)) if lift > 0 else np.nan
            rows.append((column, ", ".join(model.drivers), auc_real, auc_synth, kept))
    dependence = pd.DataFrame(rows, columns=["column", "drivers", "auc_real", "auc_synthetic",
                                             "dependence_kept"])

    pairs = []
    real_nullable = [c for c in nullable if real[c].isna().any()]
    if len(real_nullable) >= 2:
        phi_real, phi_synth = _phi(real, real_nullable), _phi(synthetic, real_nullable)
        for i, first in enumerate(real_nullable):
            for second in real_nullable[i + 1:]:
                pairs.append((first, second, phi_real.loc[first, second], phi_synth.loc[first, second]))
    cooccurrence = pd.DataFrame(pairs, columns=["column_1", "column_2", "phi_real", "phi_synthetic"])
    cooccurrence["difference"] = cooccurrence["phi_synthetic"] - cooccurrence["phi_real"]

    parts = []
    if len(rates):
        parts.append(1 - rates["difference"].abs().mean())
    if dependence["dependence_kept"].notna().any():
        parts.append(dependence["dependence_kept"].mean())
    if len(cooccurrence):
        parts.append(1 - cooccurrence["difference"].abs().mean() / 2)
    score = float(np.mean(parts)) if parts else None
    return score, {"null_rates": rates, "missingness_dependence": dependence,
                   "null_cooccurrence": cooccurrence}
