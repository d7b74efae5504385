"""Differential privacy: a synthesizer whose every use of the real rows is counted in one
(epsilon, delta) budget (``synthesizer.DPSynthesizer``)."""

from sdv_pillars.private.accounting import PrivacyLedger
from sdv_pillars.private.synthesizer import DPSynthesizer

__all__ = ["DPSynthesizer", "PrivacyLedger"]
