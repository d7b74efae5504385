"""sdmetrics' Quality and Diagnostic reports, run once and read into flat figures and tables.

The unified reports of ``sdmetrics.reports`` take single- and multi-table data alike. Their
pair threshold is kept at sdmetrics' default: a column pair counts towards Column Pair Trends
only when the real data shows a real relation, |correlation| > 0.5 for two numbers or
association (Cramer's V) > 0.3 otherwise; unrelated pairs would score near 1 whatever the
synthesizer did and hide the pairs that matter. All pairs, counted or not, are in the
``column_pair_trends`` details (column ``Meets Threshold?``).

One correction: the reports' Column Pair Trends property (sdmetrics 0.32) cuts a number or
date column into ten bins of the real table's range for the real rows and of the synthetic
table's own range for the synthetic rows, so the bins of a label-number pair do not match:
one synthetic outlier in 2,000 rows takes a perfect pair from 1.0 to 0.04, and a synthetic
table that does not reach the real table's most extreme value loses the pair (on diamonds,
a missing depth of 44 took cut x depth from 0.97 to 0.14). sdmetrics' own
``ContingencySimilarity`` with ``continuous_column_names`` bins both on the real table's
edges, open at both ends, as its maintainers specified (SDMetrics PR #368); those pairs are
rescored with it, and the property and ``quality`` recomputed as the report averages them.
The report's own figures stay as ``column_pair_trends_sdmetrics`` and ``quality_sdmetrics``.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
from sdmetrics.column_pairs import ContingencySimilarity
from sdmetrics.reports import DiagnosticReport, QualityReport

QUALITY_PROPERTIES = {"Column Shapes": "column_shapes", "Column Pair Trends": "column_pair_trends",
                      "Cardinality": "cardinality", "Intertable Trends": "intertable_trends"}
DIAGNOSTIC_PROPERTIES = {"Data Validity": "data_validity", "Data Structure": "data_structure",
                         "Relationship Validity": "relationship_validity"}


def _generate(report, real: dict, synthetic: dict, metadata: dict):
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        report.generate(real, synthetic, metadata, verbose=False)
    return report


def _nan_to_none(value) -> float | None:
    return None if pd.isna(value) else float(value)


def _as_numbers(values: pd.Series, spec: dict) -> pd.Series:
    if spec["sdtype"] != "datetime":
        return pd.to_numeric(values, errors="coerce")
    stamps = pd.to_datetime(values, format=spec.get("datetime_format"), errors="coerce")
    return stamps.astype("int64").where(stamps.notna()).astype(float)


def shared_bin_pair_trends(details: pd.DataFrame, real: dict[str, pd.DataFrame],
                           synthetic: dict[str, pd.DataFrame], metadata: dict) -> pd.DataFrame:
    """Column Pair Trends details with every label-number pair rescored on the real table's
    bins (module docstring)."""
    out = details.copy()
    for index, row in details.iterrows():
        if row["Metric"] != "ContingencySimilarity":
            continue
        table = row["Table"]
        specs = metadata["tables"][table]["columns"]
        pair = [row["Column 1"], row["Column 2"]]
        continuous = [c for c in pair if specs[c]["sdtype"] in ("numerical", "datetime")]
        if not continuous:
            continue
        frames = []
        for data in (real[table], synthetic[table]):
            frame = data[pair].copy()
            for column in continuous:
                frame[column] = _as_numbers(frame[column], specs[column])
            frames.append(frame.dropna())
        # bins need a real range: one real value (a date in nanoseconds, say) has none that
        # numpy can cut into ten, and sdmetrics' own score stands for that pair
        if min(len(f) for f in frames) and all(frames[0][c].nunique() > 1 for c in continuous):
            out.at[index, "Score"] = ContingencySimilarity.compute(
                frames[0], frames[1], continuous_column_names=continuous)
    return out


def score_empty_columns(details: pd.DataFrame, real: dict[str, pd.DataFrame],
                        synthetic: dict[str, pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Rows of a report's details about a column a synthetic table leaves entirely null (and
    the real one does not) score 0. sdmetrics cannot compute them and drops them from its
    average, which would reward a synthesizer for giving up on a column."""
    out = details.copy()
    for table, frame in synthetic.items():
        empty = [c for c in frame.columns if frame[c].isna().all() and real[table][c].notna().any()]
        if empty and len(out):
            touched = (out["Table"] == table) & out[columns].isin(empty).any(axis=1) & out["Score"].isna()
            out.loc[touched, "Score"] = 0.0
    return out


def _property_score(details: pd.DataFrame) -> float | None:
    """The report's average: over the pairs that meet the threshold when the column exists."""
    if "Meets Threshold?" in details:
        details = details[details["Meets Threshold?"].astype("boolean").fillna(False)]
    return _nan_to_none(details["Score"].mean())


def sdmetrics_figures(
    real: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame], metadata: dict
) -> tuple[dict[str, float | None], dict[str, pd.DataFrame]]:
    """Scores (``quality``, ``diagnostic`` and each property) and per-property details."""
    scores: dict[str, float | None] = {}
    details: dict[str, pd.DataFrame] = {}
    for report, names, overall in ((QualityReport(), QUALITY_PROPERTIES, "quality"),
                                   (DiagnosticReport(), DIAGNOSTIC_PROPERTIES, "diagnostic")):
        _generate(report, real, synthetic, metadata)
        scores[overall] = _nan_to_none(report.get_score())
        properties = report.get_properties().set_index("Property")["Score"]
        for prop, key in names.items():
            if prop in properties.index:
                scores[key] = _nan_to_none(properties[prop])
                details[key] = report.get_details(prop)
    if "column_shapes" in details:
        details["column_shapes"] = score_empty_columns(details["column_shapes"], real, synthetic,
                                                       ["Column"])
        scores["column_shapes"] = _property_score(details["column_shapes"])
    if "column_pair_trends" in details and len(details["column_pair_trends"]):
        scores["column_pair_trends_sdmetrics"] = scores["column_pair_trends"]
        scores["quality_sdmetrics"] = scores["quality"]
        trends = shared_bin_pair_trends(details["column_pair_trends"], real, synthetic, metadata)
        details["column_pair_trends"] = score_empty_columns(trends, real, synthetic,
                                                            ["Column 1", "Column 2"])
        scores["column_pair_trends"] = _property_score(details["column_pair_trends"])
    parts = [scores.get(k) for k in QUALITY_PROPERTIES.values() if k in details]
    if parts:  # the report's average of its properties, after the rescoring above
        scores["quality"] = _nan_to_none(np.nanmean([np.nan if v is None else v for v in parts]))
    return scores, details
