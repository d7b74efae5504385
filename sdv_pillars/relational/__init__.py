"""Multi-table synthesis: keys, loading, and the HMA and sequential modes."""

from sdv_pillars.relational.keys import add_surrogate_key, detect_metadata
from sdv_pillars.relational.loading import load_tables
from sdv_pillars.relational.synthesizer import MultiTablePillarsSynthesizer

__all__ = ["MultiTablePillarsSynthesizer", "add_surrogate_key", "detect_metadata", "load_tables"]
