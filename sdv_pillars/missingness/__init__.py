"""Pillar 3: MCAR vs MAR from held-out evidence, and nulls re-imposed as an SDV constraint."""

from sdv_pillars.missingness.analysis import MissingnessModel, analyse_column
from sdv_pillars.missingness.constraints import MissingnessConstraint

__all__ = ["MissingnessConstraint", "MissingnessModel", "analyse_column"]
