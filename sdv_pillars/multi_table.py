"""SDV's ``HMASynthesizer`` with each table's pillars added: change one import line.

    from sdv.multi_table import HMASynthesizer          # before
    from sdv_pillars.multi_table import HMASynthesizer  # after

It is SDV's class (a subclass), with the pillars' keyword-only parameters (``dropin``). At
``fit`` every table's own columns (not its keys: those are the relationships' business) get
their pillars (``TablePillars``), and the mined constraints are handed to SDV as
single-table constraints of that table, before the user's single-table constraints and
after the user's multi-table ones (SDV takes them in that order). SDV then models the
tables hierarchically as usual; on sampling, each table's rules are rebuilt and its nulls
re-imposed by its constraints. ``MultiTablePillarsSynthesizer`` remains the front door that
also cleans keys, detects metadata and offers the sequential mode for any backbone.
"""

from __future__ import annotations

import hashlib
import warnings

import pandas as pd
import sdv.multi_table as sdv_multi_table

from sdv_pillars.dropin import PillarsBase
from sdv_pillars.pillar_constraint import rows_fingerprint
from sdv_pillars.profiling import profile_from_metadata
from sdv_pillars.relational.keys import key_columns
from sdv_pillars.table_pillars import TablePillars
from sdv_pillars.user_constraints import reserved_columns


def tables_fingerprint(data: dict[str, pd.DataFrame]) -> str:
    """One hash of every table's rows, by table name."""
    digest = hashlib.sha1()
    for name in sorted(data):
        digest.update(f"{name}:{rows_fingerprint(data[name])}".encode())
    return digest.hexdigest()


class MultiTablePillarsMixin(PillarsBase):
    """Each table's pillars added to an SDV multi-table synthesizer (module docstring). Put
    first in the bases: ``class X(MultiTablePillarsMixin, SDVMultiTableSynthesizer)``.

    Fitted attributes, each ``{table: ...}``: ``pillars_``, ``profile_``, ``rule_set_``,
    ``rules_``, ``generation_order_``, ``missingness_``.

    ``_profile_override`` lets a front door (``MultiTablePillarsSynthesizer``) hand over the
    profiles it made from the data, ``{table: profile}``, in place of reading the metadata.
    """

    _profile_override: dict | None = None

    def _install_pillars(self, data) -> None:
        if not (isinstance(data, dict) and data
                and all(isinstance(t, pd.DataFrame) for t in data.values())):
            return  # SDV's own checks speak
        frames = {name: table.rename(columns=str) for name, table in data.items()}
        fingerprint = tables_fingerprint(frames)  # SDV reads integer column names as strings
        if fingerprint == self._pillars_fitted_on:
            return
        metadata = self.get_metadata("original")
        with warnings.catch_warnings():  # SDV's own validation warns once, a moment later
            warnings.simplefilter("ignore")
            metadata.validate_data(frames)  # SDV's errors, before any mining
        self.pillars_ = {}
        for name, frame in frames.items():
            profile = (self._profile_override or {}).get(name)
            if profile is None:
                profile = profile_from_metadata(
                    frame.drop(columns=key_columns(metadata, name)), metadata, name)
            reserved = reserved_columns(self._user_constraints, metadata, name)
            self.pillars_[name] = TablePillars(
                name, metadata, self.rules and bool(profile), self.missingness and bool(profile),
                self.rule_threshold, self.max_depth, self._pillars_seed, reserved,
            ).fit(frame, profile=profile)
        mined = [c for pillars in self.pillars_.values() for c in pillars.constraints()]
        if mined or self._pillars_fitted_on is not None:
            parameters = {name: self.get_table_parameters(name)["synthesizer_parameters"]
                          for name in metadata.tables}
            user_multi = [c for c in self._user_constraints if not c._is_single_table]
            user_single = [c for c in self._user_constraints if c._is_single_table]

            def restore_table_parameters():
                for name, table_parameters in parameters.items():
                    self.set_table_parameters(name, table_parameters)

            self._renew_sdv_state(user_multi + mined + user_single, restore_table_parameters)
        self._pillars_fitted_on = fingerprint

    def _reset_pillars(self) -> None:
        for pillars in self.pillars_.values():
            pillars.reset_sampling()

    def _per_table(self, attribute: str) -> dict:
        self._check_pillars_fitted()
        return {name: getattr(pillars, attribute) for name, pillars in self.pillars_.items()}

    @property
    def profile_(self) -> dict:
        return self._per_table("profile_")

    @property
    def rule_set_(self) -> dict:
        return self._per_table("rule_set_")

    @property
    def rules_(self) -> dict:
        return self._per_table("rules_")

    @property
    def generation_order_(self) -> dict:
        return self._per_table("generation_order_")

    @property
    def missingness_(self) -> dict:
        self._check_pillars_fitted()
        return {name: p.missingness_models() for name, p in self.pillars_.items()}

    def rule_compliance(self, data: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
        """Per table, the share of rows of ``data`` that keep each mined rule."""
        self._check_pillars_fitted()
        return {name: self.pillars_[name].rule_compliance(frame) for name, frame in data.items()
                if name in self.pillars_}

    def summary(self) -> str:
        """A readable text of what each table's pillars found."""
        self._check_pillars_fitted()
        lines = [f"{type(self).__name__} with pillars, {len(self.pillars_)} tables"]
        for name, pillars in self.pillars_.items():
            lines += ["", f"== table '{name}' ==", *pillars.summary_lines()]
        return "\n".join(lines)


class HMASynthesizer(MultiTablePillarsMixin, sdv_multi_table.HMASynthesizer):
    """SDV's ``HMASynthesizer`` with each table's pillars (module docstring)."""


__all__ = ["HMASynthesizer", "MultiTablePillarsMixin"]
