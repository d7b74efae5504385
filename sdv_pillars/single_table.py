"""SDV's single-table synthesizers with the pillars added: change one import line.

    from sdv.single_table import GaussianCopulaSynthesizer          # before
    from sdv_pillars.single_table import GaussianCopulaSynthesizer  # after

Each class here *is* the SDV class (a subclass: same constructor keywords, methods, return
types, errors, ``isinstance``), with five keyword-only parameters added: ``rules``,
``missingness``, ``rule_threshold``, ``max_depth`` and ``random_state``. What changes is
what ``fit`` learns: before SDV preprocesses the data, the pillars profile it, mine its
rules and analyse its missingness (``TablePillars``), and hand SDV their constraints. The
synthesizer's constraint chain is then ``[mined constraints..., the user's constraints...]``:
SDV transforms in list order and reverse-transforms in reverse, so at sampling the user's
constraints are rebuilt first and the mined rules after, from columns the user's
constraints have already settled. A mined rule never writes a column a user's constraint
owns (``user_constraints``); it gives way, with a note in ``summary()``.

The pillars' findings are in their own attributes (``pillars_``, ``rules_``,
``missingness_``, ...); ``get_constraints()`` lists the user's constraints, as SDV does.
"""

from __future__ import annotations

import warnings

import pandas as pd
import sdv.single_table as sdv_single_table
from sdv.sampling import Condition, DataFrameCondition
from tqdm.auto import tqdm

from sdv_pillars.defaults import VALIDATION_ROWS
from sdv_pillars.dropin import PillarsBase
from sdv_pillars.pillar_constraint import rows_fingerprint
from sdv_pillars.sequential_cart import CARTSynthesizer as _CARTBackbone
from sdv_pillars.table_pillars import TablePillars
from sdv_pillars.user_constraints import ownership, reading_mined_columns


def single_table(data) -> pd.DataFrame | None:
    """The table of ``{table_name: DataFrame}``, or None when ``data`` is not that shape
    (SDV's own check then raises its own error)."""
    if isinstance(data, dict) and len(data) == 1:
        table = next(iter(data.values()))
        if isinstance(table, pd.DataFrame):
            return table
    return None


def condition_frames(conditions) -> list[pd.DataFrame]:
    """The column values of SDV ``Condition``/``DataFrameCondition`` objects, as frames."""
    frames = []
    for condition in conditions if isinstance(conditions, (list, tuple)) else []:
        if isinstance(condition, Condition):
            frames.append(pd.DataFrame([condition.get_column_values()]))
        elif isinstance(condition, DataFrameCondition):
            frames.append(condition.get_dataframe())
    return frames


def _rewritten(condition, pillars):
    """One SDV condition with the conditions on affine targets moved to their parts."""
    if isinstance(condition, Condition):
        values = pillars.rewrite_conditions(pd.DataFrame([condition.get_column_values()]))
        return Condition(values.iloc[0].to_dict(), num_rows=condition.get_num_rows(),
                         table_name=getattr(condition, "table_name", None))
    if isinstance(condition, DataFrameCondition):
        return DataFrameCondition(pillars.rewrite_conditions(condition.get_dataframe()),
                                  table_name=condition.get_table_name())
    return condition  # SDV's own check names what it takes


class PillarsMixin(PillarsBase):
    """The pillars added to an SDV single-table synthesizer (module docstring). Put first
    in the bases: ``class X(PillarsMixin, SDVSynthesizer)``.

    Two attributes let a front door (``PillarsSynthesizer``) steer the pillars without
    adding SDV-visible parameters: ``_profile_override`` (a profile made from the data, used
    in place of reading the metadata) and ``_show_progress`` (the pillars' progress bar;
    ``None`` follows the backbone's own ``verbose``).
    """

    _profile_override: dict | None = None
    _show_progress: bool | None = None

    # -- the pillars, installed before SDV sees the data ------------------------------------
    def _install_pillars(self, data) -> None:
        """Fit the pillars on ``data`` and rebuild SDV's constraint chain as
        ``[mined..., user's...]``; nothing to do when they already learned from these rows."""
        table = single_table(data)
        if table is None:
            return
        frame = table.rename(columns=str)  # SDV reads integer column names as strings
        fingerprint = rows_fingerprint(frame)
        if fingerprint == self._pillars_fitted_on:
            return
        metadata = self.get_metadata("original")
        with warnings.catch_warnings():  # SDV's own validation warns once, a moment later
            warnings.simplefilter("ignore")
            # SDV's errors before any mining, on a sample: SDV's own fit validates every row
            # again a moment later, and parsing dates value by value twice cost a sixth of a fit
            early = frame if len(frame) <= VALIDATION_ROWS else frame.sample(VALIDATION_ROWS, random_state=0)
            metadata.validate_data({self._table_name: early})
        show = self._show_progress
        show = getattr(self, "verbose", False) if show is None else show
        steps = tqdm(total=4, desc="Pillars", leave=False, disable=not show)
        reserved, user_rules = ownership(self._user_constraints, metadata, self._table_name)
        pillars = TablePillars(self._table_name, metadata, self.rules, self.missingness,
                               self.rule_threshold, self.max_depth, self._pillars_seed,
                               reserved, user_rules=user_rules)
        pillars.fit(frame, profile=self._profile_override, progress=steps)
        steps.close()
        placed = reading_mined_columns(self._user_constraints, self._table_name,
                                       set(pillars.rule_set_.order))
        mined = pillars.constraints(placed)
        if mined or self._pillars_fitted_on is not None:
            rest = [c for c in self._user_constraints if not any(c is p for p in placed)]
            self._renew_sdv_state(mined + rest)  # (dropin)
            if mined:
                # add_constraints rebuilds the data processor and forgets the backbone's own
                # transformer choices (CTGAN, TVAE and CART take labels as they are)
                self._update_default_transformers()
        self.pillars_ = pillars
        self._pillars_fitted_on = fingerprint

    @property
    def metadata_(self):
        return self.pillars_.metadata_

    @property
    def profile_(self) -> dict:
        return self.pillars_.profile_

    @property
    def rule_set_(self):
        return self.pillars_.rule_set_

    @property
    def rules_(self) -> list:
        return self.pillars_.rules_

    @property
    def generation_order_(self) -> list[str]:
        return self.pillars_.generation_order_

    @property
    def missingness_(self) -> dict:
        return self.pillars_.missingness_models()

    # -- SDV's methods, with the pillars ----------------------------------------------------
    def _reset_pillars(self) -> None:
        self.pillars_.reset_sampling()

    def _check_derived_conditions(self, frames: list[pd.DataFrame]) -> None:
        if hasattr(self, "pillars_"):
            for frame in frames:
                self.pillars_.check_conditions(frame)

    def sample_from_conditions(self, conditions, max_tries_per_batch=100, batch_size=None,
                               output_folder_path=None):
        """SDV's ``sample_from_conditions``. A condition on an affine formula's target is met
        by construction (it becomes one on the part the target is rebuilt from); one that no
        rebuilt row can meet is refused at once, not after minutes of rejected draws."""
        if hasattr(self, "pillars_") and isinstance(conditions, (list, tuple)):
            conditions = [_rewritten(c, self.pillars_) for c in conditions]
        self._check_derived_conditions(condition_frames(conditions))
        return super().sample_from_conditions(conditions, max_tries_per_batch, batch_size,
                                              output_folder_path)

    def sample_remaining_columns(self, known_columns, max_tries_per_batch=100, batch_size=None,
                                 output_folder_path=None):
        """SDV's ``sample_remaining_columns``, with the same early refusal as
        ``sample_from_conditions``."""
        if isinstance(known_columns, pd.DataFrame) and hasattr(self, "pillars_"):
            known_columns = self.pillars_.rewrite_conditions(known_columns)
            self._check_derived_conditions([known_columns])
        return super().sample_remaining_columns(known_columns, max_tries_per_batch, batch_size,
                                                output_folder_path)

    # -- the pillars' own --------------------------------------------------------------------
    def rule_compliance(self, data: pd.DataFrame) -> pd.Series:
        """Share of rows of ``data`` that keep each mined rule (1.0 = always)."""
        self._check_pillars_fitted()
        return self.pillars_.rule_compliance(data)

    def summary(self) -> str:
        """A readable text of what each pillar found."""
        self._check_pillars_fitted()
        title = f"{type(self).__name__} with pillars, table '{self._table_name}'"
        return "\n".join([title, "", *self.pillars_.summary_lines()])


class GaussianCopulaSynthesizer(PillarsMixin, sdv_single_table.GaussianCopulaSynthesizer):
    """SDV's ``GaussianCopulaSynthesizer`` with the pillars (module docstring)."""


class CTGANSynthesizer(PillarsMixin, sdv_single_table.CTGANSynthesizer):
    """SDV's ``CTGANSynthesizer`` with the pillars (module docstring)."""


class TVAESynthesizer(PillarsMixin, sdv_single_table.TVAESynthesizer):
    """SDV's ``TVAESynthesizer`` with the pillars (module docstring)."""


class CopulaGANSynthesizer(PillarsMixin, sdv_single_table.CopulaGANSynthesizer):
    """SDV's ``CopulaGANSynthesizer`` with the pillars (module docstring)."""


class CARTSynthesizer(PillarsMixin, _CARTBackbone):
    """The sequential CART backbone (``sequential_cart``) with the pillars. Without a
    ``visit_sequence``, the rules' drivers are generated first, before what they drive."""

    def _visit_sequence(self) -> list[str] | None:
        if self.visit_sequence is None and hasattr(self, "pillars_"):
            return self.pillars_.drivers_first() or None
        return self.visit_sequence


DROP_INS = {cls.__bases__[1]: cls for cls in (GaussianCopulaSynthesizer, CTGANSynthesizer,
                                              TVAESynthesizer, CopulaGANSynthesizer,
                                              CARTSynthesizer)}


def with_pillars(sdv_class: type) -> type:
    """The drop-in class for an SDV single-table synthesizer class: one of this module's, or
    for any other (a user's own subclass of SDV's base) a subclass made here."""
    if sdv_class in DROP_INS:
        return DROP_INS[sdv_class]
    if issubclass(sdv_class, PillarsMixin):
        return sdv_class
    return type(sdv_class.__name__, (PillarsMixin, sdv_class),
                {"__doc__": f"SDV's ``{sdv_class.__name__}`` with the pillars.",
                 "__module__": __name__})


__all__ = [
    "CARTSynthesizer", "CTGANSynthesizer", "CopulaGANSynthesizer", "GaussianCopulaSynthesizer",
    "PillarsMixin", "TVAESynthesizer", "with_pillars",
]
