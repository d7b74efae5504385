"""Pillar 5: evaluate a synthetic table, as figures and as a report a person reads."""

from sdv_pillars.quality.evaluation import OVERALL_WEIGHTS, EvaluationResult, evaluate

__all__ = ["OVERALL_WEIGHTS", "EvaluationResult", "evaluate"]
