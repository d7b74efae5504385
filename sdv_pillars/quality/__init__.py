"""Pillar 5: evaluate synthetic data, as figures and as a report a person reads."""

from sdv_pillars._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "sdv_pillars.quality.comparison": ("Comparison", "compare"),
    "sdv_pillars.quality.evaluation": ("evaluate",),
    "sdv_pillars.quality.multi_table": ("MultiTableEvaluation",),
    "sdv_pillars.quality.result": ("EvaluationResult",),
})
