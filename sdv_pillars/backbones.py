"""Backbone registry: the SDV single-table synthesizers the pillars run over, by name."""

from __future__ import annotations

import difflib

from sdv.single_table import (
    CopulaGANSynthesizer,
    CTGANSynthesizer,
    GaussianCopulaSynthesizer,
    TVAESynthesizer,
)
from sdv.single_table.base import BaseSingleTableSynthesizer

from sdv_pillars.sequential_cart import CARTSynthesizer

BACKBONES: dict[str, type[BaseSingleTableSynthesizer]] = {
    "gaussian_copula": GaussianCopulaSynthesizer,
    "ctgan": CTGANSynthesizer,
    "tvae": TVAESynthesizer,
    "copulagan": CopulaGANSynthesizer,
    "cart": CARTSynthesizer,
}
NEURAL = ("ctgan", "tvae", "copulagan")


def resolve_backbone(backbone) -> type[BaseSingleTableSynthesizer]:
    """The SDV synthesizer class for a backbone name (or the class itself).

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if isinstance(backbone, type) and issubclass(backbone, BaseSingleTableSynthesizer):
        return backbone
    if isinstance(backbone, str) and backbone.lower() in BACKBONES:
        return BACKBONES[backbone.lower()]
    close = difflib.get_close_matches(str(backbone), BACKBONES, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ValueError(
        f"Unknown backbone {backbone!r}. Use one of {sorted(BACKBONES)} or an SDV "
        f"single-table synthesizer class.{hint}"
    )


def backbone_name(backbone) -> str:
    """A readable name for a backbone given by name or class."""
    cls = resolve_backbone(backbone)
    return next((name for name, known in BACKBONES.items() if known is cls), cls.__name__)
