"""Pillar 5's front door: one call that says whether synthetic data is faithful, useful and
safe to share.

``evaluate`` checks its inputs, then hands one table to ``single_table.evaluate_table`` and
related tables to ``multi_table.evaluate_tables``. Rules and null models are a
``TablePillars``: the synthesizer's own when it is a pillars synthesizer (its ``pillars_``),
otherwise fitted here on the real table. Quality only reads them.
"""

from __future__ import annotations

import pandas as pd

from sdv_pillars.defaults import DCR_ROWS
from sdv_pillars.profiling import modelled_columns
from sdv_pillars.quality.multi_table import evaluate_tables
from sdv_pillars.quality.result import EvaluationResult
from sdv_pillars.quality.single_table import evaluate_table
from sdv_pillars.table_pillars import TablePillars
from sdv_pillars.validation import checked_table


def _synthesizer_pillars(synthesizer) -> TablePillars | None:
    """The fitted ``TablePillars`` of a single-table pillars synthesizer, else None."""
    if synthesizer is None:
        return None
    synthesizer.get_metadata()  # SDV's NotFittedError for an unfitted synthesizer
    pillars = getattr(synthesizer, "pillars_", None)
    return pillars if isinstance(pillars, TablePillars) else None


def evaluate(
    real,
    synthetic,
    metadata=None,
    synthesizer=None,
    target: str | None = None,
    holdout: pd.DataFrame | None = None,
    *,
    random_state: int | None = 0,
    dcr_rows: int = DCR_ROWS,
    secrets: list[str] | None = None,
    attacks: bool = True,
    verbose: bool = False,
) -> EvaluationResult:
    """Evaluate ``synthetic`` against ``real`` (``single_table`` says how ``overall`` is made).

    Args:
        real: the real table the synthesizer was fitted on (DataFrame or ``{name: DataFrame}``);
            several tables (``{name: DataFrame}``) are evaluated as related tables.
        synthetic: the synthetic table(s), with the same columns.
        metadata: ``sdv.metadata.Metadata``; by default the synthesizer's, else profiled (for
            several tables: keys detected as ``MultiTablePillarsSynthesizer`` does).
        synthesizer: a fitted ``PillarsSynthesizer`` (its own rules and missingness models are
            checked) or any SDV synthesizer (its metadata is used); ``None`` fits the rules
            and missingness models on ``real``.
        target: a column to predict for ML utility.
        holdout: real rows the synthesizer never saw, for ML utility, the DCR comparison and
            the attacks (``disclosure``: they need unseen rows as their control). Without it
            ML utility tests on 25% of ``real`` (flagged in ``notes``) and the privacy figures
            are exact copies and distances only.
        random_state: seed for the samples and models of the evaluation.
        dcr_rows: synthetic rows used for distances to closest records.
        secrets: columns an attacker tries to infer (attribute inference); by default up to
            three label columns, the least predictable first.
        attacks: run the anonymeter attacks when a holdout is given (they take seconds to a
            minute; anonymeter is an optional install, see the README).
        verbose: show a progress bar.
    """
    if metadata is None and synthesizer is not None:
        metadata = synthesizer.get_metadata()
    if isinstance(real, dict) and len(real) > 1:
        if target is not None or holdout is not None:
            raise ValueError("ML utility and the holdout comparison take one table: evaluate "
                             "that table on its own, e.g. evaluate(real[name], synthetic[name], ...).")
        return evaluate_tables(real, synthetic, metadata, random_state=random_state,
                               dcr_rows=dcr_rows, verbose=verbose)
    table_name, real, _ = checked_table(real)
    _, synthetic, _ = checked_table(synthetic, real, "synthetic")
    if holdout is not None:
        _, holdout, _ = checked_table(holdout, real, "holdout")
    missing = [c for c in (secrets or []) if c not in real.columns]
    if missing:
        raise ValueError(f"secrets {missing} are not columns of the real table: pick among "
                         f"{list(real.columns)}.")
    if target is not None and target not in real.columns:
        raise ValueError(f"target '{target}' is not a column of the real table: pick one of "
                         f"{list(real.columns)}.")
    if metadata is not None and len(metadata.tables) == 1:
        table_name = next(iter(metadata.tables))
    pillars = _synthesizer_pillars(synthesizer)
    if pillars is None:
        pillars = TablePillars(table_name, metadata, random_state=random_state).fit(real)
    if target is not None and target not in modelled_columns(pillars.profile_):
        raise ValueError(f"target '{target}' is a {pillars.profile_[target].kind} column: ML "
                         "utility needs a numeric, date or label column to predict.")
    return evaluate_table(real, synthetic, pillars, metadata or pillars.metadata_, target, holdout,
                          random_state=random_state, dcr_rows=dcr_rows, verbose=verbose,
                          synthesizer=synthesizer, secrets=secrets, attacks=attacks)
