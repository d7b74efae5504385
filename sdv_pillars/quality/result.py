"""What ``evaluate`` returns: figures, tables, plain-language verdicts, and its renderings.

Rendering lives in ``report`` (HTML) and ``figure`` (PNG), which read the result through
the ``vocabulary.Evaluated`` interface and import nothing of this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sdv_pillars.defaults import RULE_SHARE_SLACK
from sdv_pillars.quality.figure import render_png
from sdv_pillars.quality.report import render_html
from sdv_pillars.quality.training import training_verdict
from sdv_pillars.quality.vocabulary import grade, percent
from sdv_pillars.validation import DEFAULT_TABLE_NAME


@dataclass
class EvaluationResult:
    """What ``evaluate`` found. ``scores`` has every key always; ``None`` means not measured
    (``notes`` says why)."""

    scores: dict[str, float | None]
    overall: float
    details: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)
    table_name: str = DEFAULT_TABLE_NAME

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
            gap = rules["synthetic_compliance"] - rules["real_compliance"]
            off = rules[gap.abs() > RULE_SHARE_SLACK]
            if off.empty:
                out["rules"] = (f"All {len(rules)} rule(s) hold on the synthetic rows as often as "
                                "on the real ones (every row, for exact rules).")
            else:
                worst = off.loc[gap[off.index].abs().idxmax()]
                out["rules"] = (
                    f"{len(off)} of {len(rules)} rule(s) hold more or less often than in the real "
                    f"rows; {s['rows_keeping_every_rule']:.1%} of synthetic rows keep every rule "
                    f"(real: {s['real_rows_keeping_every_rule']:.1%}). Furthest: "
                    f"'{worst['rule']}' holds on {worst['synthetic_compliance']:.1%} of rows "
                    f"(real: {worst['real_compliance']:.1%})."
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
        out["privacy"] = self._privacy_verdict()
        training = training_verdict(self.details.get("training", pd.DataFrame()))
        if training is not None:
            out["training"] = training
        if s["ml_utility"] is not None:
            out["ml_utility"] = (
                f"A model trained on synthetic rows reaches {s['ml_utility']:.0%} of the score "
                f"of one trained on real rows ({s['ml_synthetic_score']:.3f} vs "
                f"{s['ml_real_score']:.3f} on real holdout rows)."
            )
        return out

    def _privacy_verdict(self) -> str:
        s = self.scores
        copies, natural = s["exact_copy_rate"], s.get("holdout_copy_rate")
        if copies == 0:
            text = "No synthetic row copies a real row."
        elif natural is None:
            text = (f"{copies:.1%} of synthetic rows copy a real row exactly (give a holdout to "
                    "see how often unseen real rows do).")
        else:
            text = (f"{copies:.1%} of synthetic rows copy a training row exactly; unseen real rows "
                    f"do {natural:.1%} of the time.")
        share = s["dcr_share_closer_to_train"]
        if share is not None:
            text += (f" {share:.0%} of synthetic rows are closer to the training rows than to unseen "
                     "real rows (50% means no sign of memorisation).")
        attacks = self.details.get("disclosure", pd.DataFrame())
        if len(attacks):
            worst = attacks.loc[attacks["ci_high"].idxmax()]
            target = "" if worst["attack"] != "inference" else f" of '{worst['target']}'"
            words = {"singling_out": "singling out", "linkability": "linkability",
                     "inference": "inference"}
            text += (" Attack risks (anonymeter; 0 = no more than unseen real rows give away, 1 = "
                     "everything): " + ", ".join(
                         f"{words[a]} {s[f'{a}_risk']:.2f}" for a in words if s[f"{a}_risk"] is not None)
                     + f". Highest upper bound: {worst['ci_high']:.2f}, {words[worst['attack']]}"
                     f"{target} (handing out the training rows would score {worst['full_leak_risk']:.2f}).")
        return text + " These are empirical checks, not a privacy guarantee."

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
        path = Path(path)
        path.write_text(render_html(self), encoding="utf-8")
        return path

    def to_png(self, path: str | Path) -> Path:
        """A static one-page summary figure, for papers and slides."""
        path = Path(path)
        render_png(self, path)
        return path
