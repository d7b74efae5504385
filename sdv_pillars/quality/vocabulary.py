"""The words and shapes every part of pillar 5 shares: grades, percentages, colours, the
weighted ``overall``, and what a renderer may read off an evaluation.

A leaf: it imports nothing of the package but its defaults, so the result type, the
evaluation steps and the renderers can all import it and never each other in a circle.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from sdv_pillars.defaults import GRADES, OVERALL_WEIGHTS

REAL, SYNTHETIC = "#3b6ea8", "#e07b39"
GRADE_COLOURS = {"excellent": "#2e7d32", "good": "#689f38", "fair": "#f9a825", "poor": "#c62828",
                 "not measured": "#9e9e9e"}


class Evaluated(Protocol):
    """What the renderers read: the fields and verdicts of an ``EvaluationResult``."""

    scores: dict[str, float | None]
    overall: float
    details: dict[str, pd.DataFrame]
    notes: list[str]
    table_name: str

    def verdicts(self) -> dict[str, str]: ...


def grade(score: float | None) -> str:
    """A word for a score in [0, 1]."""
    if score is None:
        return "not measured"
    return next((word for lowest, word in GRADES if score >= lowest), "poor")


def percent(value: float | None) -> str:
    """A score as a whole percentage, or "n/a" when it was not measured."""
    return "n/a" if value is None else f"{value:.0%}"


def weighted_overall(scores: dict) -> tuple[float, pd.DataFrame]:
    """``overall`` and the table of what it averaged.

    ``overall`` is the weighted mean (``OVERALL_WEIGHTS``) of the components that could be
    measured; a component that is ``None`` is left out and the others' weights rescaled.
    Privacy is the lowest of: 1 - the exact copy rate in excess of the natural one (held-out
    real rows that equal a training row), the DCR overfitting score, and 1 - the highest
    attack risk (``disclosure``).
    """
    copies = scores.get("exact_copy_rate")
    if copies is not None:
        copies = 1 - max(0.0, copies - (scores.get("holdout_copy_rate") or 0.0))
    risks = [scores.get(f"{attack}_risk") for attack in ("singling_out", "linkability", "inference")]
    attacked = None if all(r is None for r in risks) else 1 - max(r for r in risks if r is not None)
    privacy = [v for v in (copies, scores.get("dcr_overfitting_protection"), attacked) if v is not None]
    components = {
        "quality": scores.get("quality"),
        "diagnostic": scores.get("diagnostic"),
        "rule_compliance": scores.get("rule_compliance"),
        "missingness_fidelity": scores.get("missingness_fidelity"),
        "ml_utility": scores.get("ml_utility"),
        "privacy": min(privacy) if privacy else None,
    }
    present = {k: v for k, v in components.items() if v is not None}
    total = sum(OVERALL_WEIGHTS[k] for k in present)
    table = pd.DataFrame([(k, v, OVERALL_WEIGHTS[k] / total) for k, v in present.items()],
                         columns=["component", "score", "weight"])
    return float(np.sum(table["score"] * table["weight"])), table
