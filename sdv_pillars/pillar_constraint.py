"""The base of the pillars' SDV constraints: learned once, with draws that can be replayed.

The pillars fit their constraints themselves, as explicit steps (``TablePillars.fit``), and
keep a reference to each object they hand to SDV (SDV wraps the very object it is given).
SDV then calls ``fit`` again, on the same rows, when the backbone is fitted. ``fit`` skips
the work when it has already learned from exactly these rows (a hash of the columns the
constraint reads) and learns again otherwise, so a constraint used on its own, or refitted
on other data, behaves like any ``sdv.cag`` constraint.

Each constraint draws from its own random stream (``draws.sampling_rng``). Without a
``random_state`` a seed is drawn at fit time, so ``reset_sampling`` still replays the
draws, as SDV's own synthesizers replay theirs.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from sdv.cag import SingleTableProgrammableConstraint

from sdv_pillars.draws import fresh_seed, sampling_rng


def rows_fingerprint(data: pd.DataFrame) -> str:
    """A hash of a table's columns and values, row order included."""
    digest = hashlib.sha1(repr((data.shape, list(data.columns))).encode())
    if data.shape[1]:  # pandas cannot hash the rows of a table without columns
        digest.update(pd.util.hash_pandas_object(data, index=False).to_numpy().tobytes())
    return digest.hexdigest()


class PillarConstraint(SingleTableProgrammableConstraint):
    """An ``sdv.cag`` programmable constraint that learns once (module docstring).

    Subclasses set ``random_state`` and ``table_name`` in ``__init__`` and implement
    ``_columns_read(data)``, ``_fit(data)`` and ``_stream()``.
    """

    random_state: int | None

    def _columns_read(self, data: pd.DataFrame) -> list[str]:
        raise NotImplementedError

    def _fit(self, data: pd.DataFrame) -> None:
        raise NotImplementedError

    def _stream(self) -> tuple[int, ...]:
        raise NotImplementedError

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "fitted_on_")

    def fit(self, data: pd.DataFrame, metadata=None) -> None:
        """Learn from ``data`` unless already learned from these very rows."""
        fingerprint = rows_fingerprint(data[self._columns_read(data)])
        if getattr(self, "fitted_on_", None) == fingerprint:
            return
        self.seed_ = self.random_state if self.random_state is not None else fresh_seed()
        self._fit(data)
        self.fitted_on_ = fingerprint
        self.reset_sampling()

    def reset_sampling(self, *partition: int) -> None:
        """Restart this constraint's random stream (as SDV's ``reset_sampling``); with
        ``partition``, a stream of its own for one partition of a distributed sample."""
        self._rng: np.random.Generator = sampling_rng(self.seed_, *self._stream(), *partition)


class DerivedColumn(PillarConstraint):
    """A constraint that rebuilds its ``target`` column from others at sampling time: the
    backbone never sees the target (``transform`` drops it, the metadata loses it), and
    ``reverse_transform`` puts it back. Subclasses set ``target`` and ``table_name``."""

    target: str
    table_name: str | None

    def reads(self) -> list[str]:
        """The columns the target is rebuilt from: they must be complete (rebuilt by any rule
        that derives them) before this constraint rebuilds its target."""
        raise NotImplementedError

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        return data.drop(columns=[self.target])

    def holds(self, data: pd.DataFrame) -> pd.Series:
        """Per row: does it keep the rule? The same as ``is_valid`` unless a subclass lets
        some valid rows break the rule (a near-rule's exceptions)."""
        return self.is_valid(data)

    def can_take(self, value) -> bool:
        """Whether a rebuilt row can hold exactly ``value``, so that rows conditioned on it
        can be found by drawing. False here: a sum of drawn parts meets a chosen total only by
        chance."""
        return False

    def get_updated_metadata(self, metadata):
        metadata.remove_column(self.target, self.table_name)
        return metadata
