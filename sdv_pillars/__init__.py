"""sdv-pillars: synthetic tables that keep the rules and the gaps of real data."""

from sdv_pillars.quality import EvaluationResult, evaluate
from sdv_pillars.relational import MultiTablePillarsSynthesizer, load_tables
from sdv_pillars.synthesizer import NotFittedError, PillarsSynthesizer

__all__ = ["EvaluationResult", "MultiTablePillarsSynthesizer", "NotFittedError", "PillarsSynthesizer",
           "evaluate", "load_tables"]
__version__ = "0.1.0"
