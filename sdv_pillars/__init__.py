"""sdv-pillars: synthetic tables that keep the rules and the gaps of real data."""

from sdv_pillars._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "sdv.errors": ("NotFittedError",),
    "sdv_pillars.private.synthesizer": ("DPSynthesizer",),
    "sdv_pillars.quality.comparison": ("compare",),
    "sdv_pillars.quality.evaluation": ("evaluate",),
    "sdv_pillars.quality.result": ("EvaluationResult",),
    "sdv_pillars.quality.sequences": ("evaluate_sequences", "evaluate_series"),
    "sdv_pillars.relational.loading": ("load_tables",),
    "sdv_pillars.relational.synthesizer": ("MultiTablePillarsSynthesizer",),
    "sdv_pillars.sequences.series": ("SeriesPillarsSynthesizer",),
    "sdv_pillars.sequences.synthesizer": ("SequencePillarsSynthesizer",),
    "sdv_pillars.synthesizer": ("PillarsSynthesizer",),
    "sdv_pillars.table_pillars": ("TablePillars",),
})
__version__ = "0.1.0"
