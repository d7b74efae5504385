"""Pillar 5: one call that says whether a synthetic table is faithful, useful and safe to share.

``evaluate`` gathers sdmetrics' Quality and Diagnostic reports, rule compliance (pillar 2),
missingness fidelity (pillar 3), per-column tests, privacy and, given a target, machine
learning utility, into an ``EvaluationResult`` (figures, tables, text, HTML, PNG, JSON).

``overall`` is the weighted mean of the components below that could be measured, each a
score in [0, 1] where 1 means "as good as the real table" (weights in ``OVERALL_WEIGHTS``):

    quality               0.30  sdmetrics Quality Report score
    diagnostic            0.10  sdmetrics Diagnostic Report score
    rule_compliance       0.15  share of synthetic rows that keep every rule
    missingness_fidelity  0.15  see ``gaps``
    ml_utility            0.15  synthetic-trained over real-trained holdout score
    privacy               0.15  1 - exact_copy_rate, or the DCR overfitting score if lower

A component that cannot be measured (no rules, no nulls, no target, ...) is left out and the
others' weights are rescaled, so ``overall`` always means "weighted mean of what could be
checked"; ``details["overall"]`` lists what was averaged, with the weights used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sdv_pillars.missingness import MissingnessConstraint
from sdv_pillars.profiling import build_metadata, profile_from_metadata, profile_table
from sdv_pillars.quality.columns import (
    association_matrix,
    column_tests,
    compared_columns,
    distributions,
    spearman_matrix,
)
from sdv_pillars.quality.gaps import missingness_fidelity
from sdv_pillars.quality.privacy import privacy_figures
from sdv_pillars.quality.sdmetrics_reports import sdmetrics_figures
from sdv_pillars.quality.utility import ml_utility
from sdv_pillars.rules import fit_rule_checks, mine_rules, rule_holds
from sdv_pillars.validation import validate_table

OVERALL_WEIGHTS = {"quality": 0.30, "diagnostic": 0.10, "rule_compliance": 0.15,
                   "missingness_fidelity": 0.15, "ml_utility": 0.15, "privacy": 0.15}
HOLDOUT_SHARE = 0.25  # of the real rows, for ML utility when no holdout is given


def grade(score: float | None) -> str:
    """A word for a score in [0, 1]."""
    if score is None:
        return "not measured"
    return "excellent" if score >= 0.9 else "good" if score >= 0.8 else "fair" if score >= 0.65 else "poor"


@dataclass
class EvaluationResult:
    """What ``evaluate`` found. ``scores`` has every key always; ``None`` means not measured
    (``notes`` says why)."""

    scores: dict[str, float | None]
    overall: float
    details: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)
    table_name: str = "table"

    def verdicts(self) -> dict[str, str]:
        """One plain-language sentence per component."""
        s = self.scores
        out = {}
        if s["quality"] is not None:
            out["quality"] = (
                f"{grade(s['quality']).capitalize()} statistical fidelity: column shapes "
                f"{s['column_shapes']:.0%} and column pair trends "
                f"{percent(s['column_pair_trends'])} alike (sdmetrics Quality Report)."
            )
        if s["diagnostic"] is not None:
            out["diagnostic"] = (f"Validity and structure {s['diagnostic']:.0%} "
                                 "(sdmetrics Diagnostic Report: ranges, categories, columns).")
        rules = self.details["rules"]
        if len(rules):
            broken = rules[rules["synthetic_compliance"] < 1]
            if broken.empty:
                out["rules"] = f"All {len(rules)} rule(s) hold on every synthetic row."
            else:
                worst = broken.sort_values("synthetic_compliance").iloc[0]
                out["rules"] = (
                    f"{len(broken)} of {len(rules)} rule(s) are broken on some rows; "
                    f"{s['rule_compliance']:.1%} of rows keep every rule. Worst: "
                    f"'{worst['rule']}' holds on {worst['synthetic_compliance']:.1%} of rows."
                )
        else:
            out["rules"] = "No rule was found in the real table, so none was checked."
        rates = self.details["null_rates"]
        if len(rates):
            text = (f"Null rates within {rates['difference'].abs().max() * 100:.1f} points of the "
                    "real ones")
            dependence = self.details["missingness_dependence"]["dependence_kept"].dropna()
            if len(dependence):
                text += f"; dependence of MAR gaps on other columns kept at {dependence.mean():.0%}"
            out["missingness"] = text + "."
        else:
            out["missingness"] = "Neither table has nulls."
        copies = s["exact_copy_rate"]
        text = ("No synthetic row copies a real row." if copies == 0 else
                f"{copies:.1%} of synthetic rows copy a real row exactly: remove them before sharing.")
        share = s["dcr_share_closer_to_train"]
        if share is not None:
            text += (f" {share:.0%} of synthetic rows are closer to the training rows than to unseen "
                     "real rows (50% means no sign of memorisation).")
        out["privacy"] = text + " These are empirical checks, not a privacy guarantee."
        if s["ml_utility"] is not None:
            out["ml_utility"] = (
                f"A model trained on synthetic rows reaches {s['ml_utility']:.0%} of the score "
                f"of one trained on real rows ({s['ml_synthetic_score']:.3f} vs "
                f"{s['ml_real_score']:.3f} on real holdout rows)."
            )
        return out

    def summary(self) -> str:
        """Readable text: the headline, one line per component, the notes."""
        lines = [f"Evaluation of synthetic table '{self.table_name}': overall {self.overall:.3f} "
                 f"({grade(self.overall)})", ""]
        for row in self.details["overall"].itertuples():
            lines.append(f"  {row.component:<22} {row.score:.3f}  weight {row.weight:.2f}")
        lines.append("")
        lines += [f"- {text}" for text in self.verdicts().values()]
        tests = self.details["column_tests"]
        if len(tests):
            worst = tests.sort_values("effect_size", ascending=False).head(3)
            lines.append("- Largest column differences: " + ", ".join(
                f"{r.column} ({r.effect} {r.effect_size:.3f})" for r in worst.itertuples()))
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Figures, notes and every table, as plain JSON-ready values."""
        return {
            "table": self.table_name,
            "overall": self.overall,
            "scores": self.scores,
            "verdicts": self.verdicts(),
            "notes": self.notes,
            "details": {name: json.loads(frame.to_json(orient="records", date_format="iso"))
                        for name, frame in self.details.items()},
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """The ``to_dict`` content as JSON text, written to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2, default=str)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_html(self, path: str | Path) -> Path:
        """One self-contained HTML report (plotly embedded: it opens offline)."""
        from sdv_pillars.quality.report import render_html

        path = Path(path)
        path.write_text(render_html(self), encoding="utf-8")
        return path

    def to_png(self, path: str | Path) -> Path:
        """A static one-page summary figure, for papers and slides."""
        from sdv_pillars.quality.figure import render_png

        path = Path(path)
        render_png(self, path)
        return path


def weighted_overall(scores: dict) -> tuple[float, pd.DataFrame]:
    """``overall`` and the table of what it averaged (module docstring)."""
    privacy = [v for v in (1 - scores["exact_copy_rate"], scores.get("dcr_overfitting_protection"))
               if v is not None]
    components = {
        "quality": scores.get("quality"),
        "diagnostic": scores.get("diagnostic"),
        "rule_compliance": scores.get("rule_compliance"),
        "missingness_fidelity": scores.get("missingness_fidelity"),
        "ml_utility": scores.get("ml_utility"),
        "privacy": min(privacy),
    }
    present = {k: v for k, v in components.items() if v is not None}
    total = sum(OVERALL_WEIGHTS[k] for k in present)
    table = pd.DataFrame([(k, v, OVERALL_WEIGHTS[k] / total) for k, v in present.items()],
                         columns=["component", "score", "weight"])
    return float(np.sum(table["score"] * table["weight"])), table


def percent(value: float | None) -> str:
    """A score as a whole percentage, or "n/a" when it was not measured."""
    return "n/a" if value is None else f"{value:.0%}"


def _same_columns(name: str, frame: pd.DataFrame, real: pd.DataFrame) -> None:
    missing, extra = set(real.columns) - set(frame.columns), set(frame.columns) - set(real.columns)
    if missing or extra:
        raise ValueError(
            f"The {name} table does not have the real table's columns: missing {sorted(missing)}, "
            f"extra {sorted(extra)}. Evaluate tables with the same columns."
        )


def _pillars_synthesizer(synthesizer):
    """The synthesizer when it is a fitted PillarsSynthesizer, else None."""
    from sdv_pillars.synthesizer import PillarsSynthesizer

    if isinstance(synthesizer, PillarsSynthesizer):
        synthesizer._check_fitted()
        return synthesizer
    return None


def evaluate(
    real,
    synthetic,
    metadata=None,
    synthesizer=None,
    target: str | None = None,
    holdout: pd.DataFrame | None = None,
    *,
    random_state: int | None = 0,
    dcr_rows: int = 2_000,
    verbose: bool = False,
) -> EvaluationResult:
    """Evaluate ``synthetic`` against ``real`` (see the module docstring for ``overall``).

    Args:
        real: the real table the synthesizer was fitted on (DataFrame or ``{name: DataFrame}``);
            several tables (``{name: DataFrame}``) are evaluated as related tables (``tables``).
        synthetic: the synthetic table(s), with the same columns.
        metadata: ``sdv.metadata.Metadata``; by default the synthesizer's, else profiled (for
            several tables: keys detected as ``MultiTablePillarsSynthesizer`` does).
        synthesizer: a fitted ``PillarsSynthesizer`` (its own rules and missingness models are
            checked) or any SDV synthesizer (its metadata is used); ``None`` mines the rules
            and missingness models from ``real``.
        target: a column to predict for ML utility.
        holdout: real rows the synthesizer never saw, for ML utility and the DCR comparison.
            Without it ML utility tests on 25% of ``real`` (flagged in ``notes``) and the DCR
            comparison is not made.
        random_state: seed for the samples and models of the evaluation.
        dcr_rows: synthetic rows used for distances to closest records.
        verbose: show a progress bar.
    """
    if isinstance(real, dict) and len(real) > 1:
        from sdv_pillars.quality.tables import evaluate_tables

        if target is not None or holdout is not None:
            raise ValueError("ML utility and the holdout comparison take one table: evaluate "
                             "that table on its own, e.g. evaluate(real[name], synthetic[name], ...).")
        if metadata is None and synthesizer is not None:
            metadata = synthesizer.get_metadata()
        return evaluate_tables(real, synthetic, metadata, evaluate, random_state=random_state,
                               dcr_rows=dcr_rows, verbose=verbose)
    table_name, real = validate_table(real)
    _, synthetic = validate_table(synthetic)
    _same_columns("synthetic", synthetic, real)
    if holdout is not None:
        _, holdout = validate_table(holdout)
        _same_columns("holdout", holdout, real)
    if target is not None and target not in real.columns:
        raise ValueError(f"target '{target}' is not a column of the real table: pick one of "
                         f"{list(real.columns)}.")
    pillars = _pillars_synthesizer(synthesizer)
    if metadata is None and synthesizer is not None:
        metadata = synthesizer.get_metadata()
    if metadata is not None and len(metadata.tables) == 1:
        table_name = next(iter(metadata.tables))
    if pillars is not None:
        profile = pillars.profile_
    elif metadata is not None:
        profile = profile_from_metadata(real, metadata, table_name)
    else:
        profile = profile_table(real)
    if metadata is None:
        metadata = build_metadata(profile, table_name)
    if target is not None and target not in compared_columns(profile):
        raise ValueError(f"target '{target}' is a {profile[target].kind} column: ML utility needs "
                         "a numeric, date or label column to predict.")
    synthetic = synthetic[list(real.columns)]
    notes: list[str] = []
    steps = tqdm(total=6, desc="Evaluating", disable=not verbose, leave=False)

    steps.set_postfix_str("sdmetrics reports")
    scores, details = sdmetrics_figures({table_name: real}, {table_name: synthetic}, metadata.to_dict())
    for key in ("quality", "column_shapes", "column_pair_trends", "diagnostic"):
        scores.setdefault(key, None)
    steps.update()

    steps.set_postfix_str("columns")
    details["column_tests"] = column_tests(real, synthetic, profile)
    details["distributions"] = distributions(real, synthetic, profile)
    details["association_real"] = association_matrix(real, real, profile)
    details["association_synthetic"] = association_matrix(synthetic, real, profile)
    details["correlation_real"] = spearman_matrix(real, profile)
    details["correlation_synthetic"] = spearman_matrix(synthetic, profile)
    steps.update()

    steps.set_postfix_str("rules")
    if pillars is not None:
        rules, checks = pillars.rules_, pillars.rule_checks()
    else:
        rules = mine_rules(real, profile, random_state=random_state).rules
        checks = fit_rule_checks(real, rules, profile, random_state=random_state)
    holds_all = pd.Series(True, index=synthetic.index)
    rows = []
    for rule in rules:
        holds = rule_holds(synthetic, rule, checks, profile)
        holds_all &= holds.to_numpy()
        rows.append((str(rule), rule.kind, float(rule_holds(real, rule, checks, profile).mean()),
                     float(holds.mean())))
    details["rules"] = pd.DataFrame(rows, columns=["rule", "kind", "real_compliance",
                                                   "synthetic_compliance"])
    scores["rule_compliance"] = float(holds_all.mean()) if rules else None
    if not rules:
        notes.append("No rule was found in the real table: rule_compliance is not measured.")
    steps.update()

    steps.set_postfix_str("missingness")
    if pillars is not None:
        models = pillars.missingness_
    else:
        analysis = MissingnessConstraint(profile, random_state=random_state)
        analysis.fit(real, None)
        models = analysis.models_
    scores["missingness_fidelity"], gaps = missingness_fidelity(real, synthetic, profile, models)
    details.update(gaps)
    steps.update()

    steps.set_postfix_str("privacy")
    figures, details["privacy_distances"] = privacy_figures(
        real, synthetic, holdout, profile, dcr_rows, random_state)
    scores.update(figures)
    if holdout is None:
        notes.append("No holdout given: the DCR comparison with unseen real rows "
                     "(dcr_share_closer_to_train) is not measured.")
    steps.update()

    steps.set_postfix_str("ML utility")
    scores.update(ml_utility=None, ml_real_score=None, ml_synthetic_score=None)
    details["ml_utility"] = pd.DataFrame()
    if target is not None:
        train, test = real, holdout
        if holdout is None:
            test = real.sample(frac=HOLDOUT_SHARE, random_state=random_state)
            train = real.drop(index=test.index)
            notes.append(f"No holdout given: ML utility tests on {HOLDOUT_SHARE:.0%} of the real "
                         "rows, which the synthesizer saw; pass holdout= for an unbiased figure.")
        figures, details["ml_utility"] = ml_utility(train, synthetic, test, target, profile, random_state)
        scores.update(figures)
    steps.update()
    steps.close()

    overall, details["overall"] = weighted_overall(scores)
    return EvaluationResult(scores, overall, details, notes, table_name)
