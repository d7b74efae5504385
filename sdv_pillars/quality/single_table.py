"""Pillar 5 for one table: a short sequence of steps, each adding figures and evidence.

``evaluate_table`` gathers sdmetrics' Quality and Diagnostic reports, per-column tests,
rule compliance (pillar 2), missingness fidelity (pillar 3), privacy and, given a target,
machine learning utility, into an ``EvaluationResult``. Rules and null models come from a
``TablePillars``: the synthesizer's own, or one fitted here on the real table.

``overall`` is the weighted mean of the components that could be measured, each a score
in [0, 1] where 1 means "as good as the real table" (``defaults.OVERALL_WEIGHTS``):

    quality               0.30  sdmetrics Quality Report score
    diagnostic            0.10  sdmetrics Diagnostic Report score
    rule_compliance       0.15  1 - |share of synthetic rows that keep every rule - that
                                share among real rows| (a near-rule's exceptions are real)
    missingness_fidelity  0.15  see ``gaps``
    ml_utility            0.15  synthetic-trained over real-trained holdout score
    privacy               0.15  the lowest of: 1 - the copy rate in excess of the natural
                                one, the DCR overfitting score, 1 - the highest attack risk

A component that cannot be measured (no rules, no nulls, no target, ...) is left out and the
others' weights are rescaled (``vocabulary.weighted_overall``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from tqdm.auto import tqdm

from sdv_pillars.defaults import HOLDOUT_SHARE, MIN_ATTACK_ROWS, SMALL_CONTROL_ROWS
from sdv_pillars.quality.columns import (
    association_matrix,
    column_tests,
    distributions,
    spearman_matrix,
)
from sdv_pillars.quality.disclosure import (
    INSTALL_HINT,
    anonymeter_available,
    disclosure_risks,
    empty_scores,
)
from sdv_pillars.quality.gaps import missingness_fidelity
from sdv_pillars.quality.privacy import privacy_figures
from sdv_pillars.quality.result import EvaluationResult
from sdv_pillars.quality.sdmetrics_reports import sdmetrics_figures
from sdv_pillars.quality.training import training_losses
from sdv_pillars.quality.utility import ml_utility
from sdv_pillars.quality.vocabulary import weighted_overall
from sdv_pillars.rules import rule_holds
from sdv_pillars.table_pillars import TablePillars


@dataclass
class _Inputs:
    """What every step reads."""

    real: pd.DataFrame
    synthetic: pd.DataFrame
    holdout: pd.DataFrame | None
    pillars: TablePillars
    metadata: object
    target: str | None
    random_state: int | None
    dcr_rows: int
    synthesizer: object = None
    secrets: list[str] | None = None
    attacks: bool = True


@dataclass
class _Findings:
    """What the steps write."""

    scores: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _sdmetrics(i: _Inputs, out: _Findings) -> None:
    name = i.pillars.table_name
    scores, details = sdmetrics_figures({name: i.real}, {name: i.synthetic}, i.metadata.to_dict())
    for key in ("quality", "column_shapes", "column_pair_trends", "diagnostic", "quality_sdmetrics",
                "column_pair_trends_sdmetrics"):
        scores.setdefault(key, None)
    out.scores.update(scores)
    out.details.update(details)


def _columns(i: _Inputs, out: _Findings) -> None:
    profile = i.pillars.profile_
    out.details.update(
        column_tests=column_tests(i.real, i.synthetic, profile),
        distributions=distributions(i.real, i.synthetic, profile),
        association_real=association_matrix(i.real, i.real, profile),
        association_synthetic=association_matrix(i.synthetic, i.real, profile),
        correlation_real=spearman_matrix(i.real, profile),
        correlation_synthetic=spearman_matrix(i.synthetic, profile),
    )


def _rules(i: _Inputs, out: _Findings) -> None:
    rules, checks, profile = i.pillars.rules_, i.pillars.rule_checks(), i.pillars.profile_
    keeps_all = {name: pd.Series(True, index=frame.index)
                 for name, frame in (("real", i.real), ("synthetic", i.synthetic))}
    rows = []
    for rule in rules:
        shares = {}
        for name, frame in (("real", i.real), ("synthetic", i.synthetic)):
            holds = rule_holds(frame, rule, checks, profile)
            keeps_all[name] &= holds.to_numpy()
            shares[name] = float(holds.mean())
        rows.append((str(rule), rule.kind, shares["real"], shares["synthetic"]))
    out.details["rules"] = pd.DataFrame(rows, columns=["rule", "kind", "real_compliance",
                                                       "synthetic_compliance"])
    if rules:
        real_share, synthetic_share = (float(keeps_all[n].mean()) for n in ("real", "synthetic"))
        out.scores["rule_compliance"] = 1.0 - abs(synthetic_share - real_share)
        out.scores["rows_keeping_every_rule"] = synthetic_share
        out.scores["real_rows_keeping_every_rule"] = real_share
    else:
        for key in ("rule_compliance", "rows_keeping_every_rule", "real_rows_keeping_every_rule"):
            out.scores[key] = None
        out.notes.append("No rule was found in the real table: rule_compliance is not measured.")


def _missingness(i: _Inputs, out: _Findings) -> None:
    score, gaps = missingness_fidelity(i.real, i.synthetic, i.pillars.profile_,
                                       i.pillars.missingness_models())
    out.scores["missingness_fidelity"] = score
    out.details.update(gaps)


def _privacy(i: _Inputs, out: _Findings) -> None:
    figures, out.details["privacy_distances"] = privacy_figures(
        i.real, i.synthetic, i.holdout, i.pillars.profile_, i.dcr_rows, i.random_state)
    out.scores.update(figures)
    out.scores.update(empty_scores())
    out.details["disclosure"] = pd.DataFrame()
    ledger = getattr(i.synthesizer, "privacy_ledger_", None)  # a DPSynthesizer's budget
    out.scores.update(dp_epsilon=None if ledger is None else ledger.epsilon_spent,
                      dp_delta=None if ledger is None else ledger.delta_spent)
    if ledger is not None:
        out.notes.append(f"Differential privacy: the synthesizer is {ledger.statement()}; the "
                         "attack figures below are measured, the guarantee is proven.")
    if i.holdout is None:
        out.notes.append("No holdout given: the attacks (singling out, linkability, inference) "
                         "and the DCR comparison with unseen real rows are not measured.")
    elif not i.attacks:
        out.notes.append("attacks=False: the anonymeter attacks were not run.")
    elif not anonymeter_available():
        out.notes.append(f"anonymeter is not installed, so the attacks were not run: {INSTALL_HINT}.")
    elif min(len(i.real), len(i.holdout)) < MIN_ATTACK_ROWS:
        out.notes.append(f"The attacks need at least {MIN_ATTACK_ROWS} training and {MIN_ATTACK_ROWS} "
                         "unseen rows to say anything; they were not run.")
    else:
        scores, out.details["disclosure"] = disclosure_risks(
            i.real, i.synthetic, i.holdout, i.pillars.profile_, i.secrets,
            random_state=i.random_state)
        out.scores.update(scores)
        rows = min(len(i.real), len(i.holdout))
        if rows < SMALL_CONTROL_ROWS:
            out.notes.append(f"The attacks compare {rows} training rows with {rows} unseen ones: "
                             "with so few rows their intervals are wide, so read the upper ends.")


def _utility(i: _Inputs, out: _Findings) -> None:
    out.scores.update(ml_utility=None, ml_real_score=None, ml_synthetic_score=None)
    out.details["ml_utility"] = pd.DataFrame()
    if i.target is None:
        return
    train, test = i.real, i.holdout
    if test is None:
        test = i.real.sample(frac=HOLDOUT_SHARE, random_state=i.random_state)
        train = i.real.drop(index=test.index)
        out.notes.append(f"No holdout given: ML utility tests on {HOLDOUT_SHARE:.0%} of the real "
                         "rows, which the synthesizer saw; pass holdout= for an unbiased figure.")
    figures, out.details["ml_utility"] = ml_utility(train, i.synthetic, test, i.target,
                                                    i.pillars.profile_, i.random_state)
    out.scores.update(figures)


def _training(i: _Inputs, out: _Findings) -> None:
    out.details["training"] = training_losses(i.synthesizer)


STEPS = {"sdmetrics reports": _sdmetrics, "columns": _columns, "rules": _rules,
         "missingness": _missingness, "privacy": _privacy, "ML utility": _utility,
         "training": _training}


def evaluate_table(real: pd.DataFrame, synthetic: pd.DataFrame, pillars: TablePillars, metadata,
                   target: str | None = None, holdout: pd.DataFrame | None = None, *,
                   random_state: int | None = 0, dcr_rows: int, verbose: bool = False,
                   synthesizer=None, secrets: list[str] | None = None,
                   attacks: bool = True) -> EvaluationResult:
    """Evaluate one synthetic table against the real one (module docstring); the inputs are
    checked by ``evaluation.evaluate``."""
    inputs = _Inputs(real, synthetic[list(real.columns)], holdout, pillars, metadata, target,
                     random_state, dcr_rows, synthesizer, secrets, attacks)
    out = _Findings()
    with tqdm(total=len(STEPS), desc="Evaluating", disable=not verbose, leave=False) as bar:
        for label, step in STEPS.items():
            bar.set_postfix_str(label)
            step(inputs, out)
            bar.update()
    overall, out.details["overall"] = weighted_overall(out.scores)
    return EvaluationResult(out.scores, overall, out.details, out.notes, pillars.table_name)
