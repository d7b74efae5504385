"""sdmetrics' Quality and Diagnostic reports, run once and read into flat figures and tables.

The unified reports of ``sdmetrics.reports`` take single- and multi-table data alike. Their
pair threshold is kept at sdmetrics' default: a column pair counts towards Column Pair Trends
only when the real data shows a real relation, |correlation| > 0.5 for two numbers or
association (Cramer's V) > 0.3 otherwise; unrelated pairs would score near 1 whatever the
synthesizer did and hide the pairs that matter. All pairs, counted or not, are in the
``column_pair_trends`` details (column ``Meets Threshold?``).
"""

from __future__ import annotations

import contextlib
import io
import warnings

import pandas as pd
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
    return scores, details
