"""What the drop-in SDV classes share (``single_table``, ``multi_table``).

Each drop-in class is ``class X(<pillars mixin>, <SDV synthesizer>)``. This base gives it:

* SDV's constructor with the pillars' keyword-only parameters added, under a signature that
  says so, so SDV's own ``get_parameters`` reports both and ``type(s)(metadata,
  **s.get_parameters())`` makes the same synthesizer;
* the pillars fitted before SDV sees the data, in every SDV entry point that takes raw data
  (``fit``, ``preprocess``, ``auto_assign_transformers``), through the subclass's
  ``_install_pillars``;
* the user's constraints kept apart from the mined ones: ``add_constraints`` records them,
  ``get_constraints`` lists only them, as SDV would;
* ``reset_sampling`` that replays the pillars' draws too.

Mined constraints come first in SDV's chain, the user's after them. SDV only appends, so
when the pillars are (re)fitted, SDV's state is created afresh with the same arguments and
the whole chain is added in one go.
"""

from __future__ import annotations

import inspect
import json
from copy import deepcopy
from pathlib import Path

from sdv.errors import NotFittedError
from sdv.single_table.base import FIXED_RNG_SEED

from sdv_pillars.defaults import MAX_DEPTH, RULE_THRESHOLD

PILLAR_PARAMETERS = (
    inspect.Parameter("rules", inspect.Parameter.KEYWORD_ONLY, default=True),
    inspect.Parameter("missingness", inspect.Parameter.KEYWORD_ONLY, default=True),
    inspect.Parameter("rule_threshold", inspect.Parameter.KEYWORD_ONLY, default=RULE_THRESHOLD),
    inspect.Parameter("max_depth", inspect.Parameter.KEYWORD_ONLY, default=MAX_DEPTH),
    inspect.Parameter("random_state", inspect.Parameter.KEYWORD_ONLY, default=None),
)


def write_constraints(constraints: list, filepath) -> None:
    """Save constraints as JSON, as SDV's ``get_constraints(filepath)`` does."""
    path = Path(filepath)
    if path.exists():
        raise ValueError(f"Cannot save constraints to file because '{filepath}' already exists.")
    path.write_text(json.dumps([c.get_constraint_dict() for c in constraints], indent=4))


class PillarsBase:
    """The shared base of the drop-in mixins (module docstring). Subclasses implement
    ``_install_pillars(data)``, which sets ``pillars_`` and ``_pillars_fitted_on``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        sdv_class = next((b for b in cls.__mro__[1:] if not issubclass(b, PillarsBase)), object)
        if sdv_class is object:
            return  # a mixin, not yet a synthesizer
        sdv_signature = inspect.signature(sdv_class.__init__)

        def __init__(self, *args, **kwargs):
            PillarsBase.__init__(self, *args, **kwargs)

        __init__.__signature__ = sdv_signature.replace(
            parameters=[*sdv_signature.parameters.values(), *PILLAR_PARAMETERS]
        )
        __init__.__doc__ = sdv_class.__init__.__doc__
        __init__.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = __init__

    def __init__(self, *args, rules: bool = True, missingness: bool = True,
                 rule_threshold: float = RULE_THRESHOLD, max_depth: int = MAX_DEPTH,
                 random_state: int | None = None, **kwargs):
        self.rules = rules
        self.missingness = missingness
        self.rule_threshold = rule_threshold
        self.max_depth = max_depth
        self.random_state = random_state
        bound = inspect.signature(super().__init__).bind(*args, **kwargs)
        bound.apply_defaults()
        self._sdv_arguments = dict(bound.arguments)
        self._user_constraints: list = []
        self._pillars_fitted_on: str | None = None
        super().__init__(*args, **kwargs)

    @property
    def _pillars_seed(self) -> int:
        """The pillars' seed: ``random_state``, or SDV's fixed seed, so that two fits of the
        same data sample the same rows, as SDV's synthesizers do."""
        return FIXED_RNG_SEED if self.random_state is None else self.random_state

    def _install_pillars(self, data) -> None:
        raise NotImplementedError

    def _renew_sdv_state(self, chain: list, prepare=None) -> None:
        """SDV's state created afresh, with the arguments the synthesizer was made with
        (then ``prepare()``, when given), and ``chain`` (mined constraints and the user's)
        given to SDV's own ``add_constraints`` (not this class's, which records the user's)."""
        super().__init__(**self._sdv_arguments)
        if prepare is not None:
            prepare()
        if chain:
            super().add_constraints(chain)

    def fit(self, data) -> None:
        """Fit the pillars, then SDV's synthesizer, on ``{table_name: DataFrame}``."""
        self._install_pillars(data)
        super().fit(data)
        if hasattr(self, "pillars_"):
            self.reset_sampling()

    def preprocess(self, data):
        """SDV's ``preprocess``, with the pillars fitted first (their constraints are part of
        the transformation)."""
        self._install_pillars(data)
        return super().preprocess(data)

    def auto_assign_transformers(self, data) -> None:
        """SDV's ``auto_assign_transformers``, for the columns the backbone will see once the
        pillars have taken the derived ones."""
        self._install_pillars(data)
        super().auto_assign_transformers(data)

    def add_constraints(self, constraints) -> None:
        """SDV's ``add_constraints``: the user's constraints, checked and kept as SDV does.
        Mined rules give way to them at the next ``fit``."""
        super().add_constraints(constraints)
        self._user_constraints.extend(constraints)
        self._pillars_fitted_on = None

    def get_constraints(self, filepath=None):
        """The user's constraints, as SDV lists them (copies, in the order added; SDV keeps
        the very objects it is given, so these carry what they learned at ``fit``). The
        pillars' findings are in their own attributes (``rules_``, ``missingness_``)."""
        constraints = [deepcopy(c) for c in self._user_constraints]
        return constraints if filepath is None else write_constraints(constraints, filepath)

    def _reset_pillars(self) -> None:
        raise NotImplementedError

    def reset_sampling(self) -> None:
        """Reset SDV's sampling and the pillars' draws to their state right after fitting."""
        super().reset_sampling()
        if hasattr(self, "pillars_"):
            self._reset_pillars()

    def _check_pillars_fitted(self) -> None:
        if not hasattr(self, "pillars_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet: call "
                                 "fit(data) first.")
