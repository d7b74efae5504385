"""Multi-table synthesis: keys, loading, and the HMA and sequential modes."""

from sdv_pillars._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "sdv_pillars.relational.keys": ("add_surrogate_key", "detect_metadata"),
    "sdv_pillars.relational.loading": ("load_tables",),
    "sdv_pillars.relational.synthesizer": ("MultiTablePillarsSynthesizer",),
})
