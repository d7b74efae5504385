"""Pillar 3: MCAR vs MAR from held-out evidence, and nulls re-imposed as an SDV constraint."""

from sdv_pillars.missingness.analysis import MissingnessModel, analyse_column, analyse_missingness
from sdv_pillars.missingness.constraints import MissingnessConstraint
from sdv_pillars.missingness.hot_deck import HotDeck

__all__ = ["HotDeck", "MissingnessConstraint", "MissingnessModel", "analyse_column",
           "analyse_missingness"]
