"""What both pillars synthesizers share: parameters, fitted checks, silence, saving.

Written once here so the single- and multi-table synthesizers cannot drift apart: the same
``get_parameters`` (every constructor argument, as scikit-learn's ``get_params``), SDV's
``NotFittedError`` before ``fit``, cloudpickle ``save``/``load`` as SDV's.
"""

from __future__ import annotations

import inspect

from sdv.errors import NotFittedError

from sdv_pillars.defaults import MAX_DEPTH, RULE_THRESHOLD
from sdv_pillars.runtime import load_model, quiet, save_model


class BasePillarsSynthesizer:
    """Base of ``PillarsSynthesizer`` and ``MultiTablePillarsSynthesizer``: one constructor,
    so both take the same parameters under the same names, stored unchanged.

    Subclasses set ``default_backbone`` (used when ``backbone`` is None) and ``_model`` (the
    fitted SDV model) in ``fit``.
    """

    default_backbone: str

    def __init__(
        self,
        metadata=None,
        backbone=None,
        backbone_kwargs: dict | None = None,
        rules: bool = True,
        rule_threshold: float = RULE_THRESHOLD,
        max_depth: int = MAX_DEPTH,
        missingness: bool = True,
        random_state: int | None = None,
        verbose: bool = True,
    ):
        self.metadata = metadata
        self.backbone = backbone
        self.backbone_kwargs = backbone_kwargs
        self.rules = rules
        self.rule_threshold = rule_threshold
        self.max_depth = max_depth
        self.missingness = missingness
        self.random_state = random_state
        self.verbose = verbose

    @property
    def _backbone(self):
        """The backbone asked for: ``backbone``, or the class's default when it is None."""
        return self.default_backbone if self.backbone is None else self.backbone

    @classmethod
    def _parameter_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_parameters(self) -> dict:
        """The parameters the synthesizer was created with, every one (as SDV's
        ``get_parameters``): ``type(s)(**s.get_parameters())`` makes the same synthesizer."""
        return {name: getattr(self, name) for name in self._parameter_names()}

    def _check_fitted(self) -> None:
        if not hasattr(self, "_model"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet: call fit(data) first."
            )

    def _quiet(self):
        return quiet(self.verbose)

    def save(self, filepath) -> None:
        """Save the fitted synthesizer (cloudpickle, as SDV's ``save``)."""
        self._check_fitted()
        save_model(self, filepath)

    @classmethod
    def load(cls, filepath):
        """Load a synthesizer saved with ``save``."""
        return load_model(filepath, cls)
