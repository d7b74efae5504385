"""Evaluation of related tables: sdmetrics' multi-table reports plus each table's pillars.

sdmetrics' multi-table Quality Report adds Cardinality (children per parent) and Intertable
Trends (parent-child column pairs) to Column Shapes and Column Pair Trends; its Diagnostic
Report adds Relationship Validity. Each table is then evaluated on its own (rules mined from
its real rows, missingness, exact copies, distances), and the figures are combined:
``rule_compliance`` and ``exact_copy_rate`` weighted by synthetic rows, ``missingness_fidelity``
averaged over the tables that have nulls. ``referential_integrity`` is the worst share, over
all relationships, of non-null synthetic foreign keys that match a synthetic parent.
``overall`` is defined as for one table (``single_table``), without ML utility.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sdv.metadata import Metadata

from sdv_pillars.quality.disclosure import empty_scores
from sdv_pillars.quality.result import EvaluationResult
from sdv_pillars.quality.sdmetrics_reports import sdmetrics_figures
from sdv_pillars.quality.single_table import evaluate_table
from sdv_pillars.quality.vocabulary import grade, percent, weighted_overall
from sdv_pillars.relational.keys import detect_metadata, key_columns
from sdv_pillars.table_pillars import TablePillars
from sdv_pillars.validation import checked_table


@dataclass
class MultiTableEvaluation(EvaluationResult):
    """An ``EvaluationResult`` for several tables; ``tables`` holds each table's own result."""

    tables: dict[str, EvaluationResult] = field(default_factory=dict)

    def verdicts(self) -> dict[str, str]:
        s = self.scores
        out = {
            "quality": (f"{grade(s['quality']).capitalize()} fidelity over {len(self.tables)} tables: "
                        f"column shapes {s['column_shapes']:.0%}, pair trends "
                        f"{percent(s['column_pair_trends'])}, children per parent "
                        f"{percent(s.get('cardinality'))}, parent-child trends "
                        f"{percent(s.get('intertable_trends'))} (sdmetrics)."),
            "keys": (f"{s['referential_integrity']:.1%} of synthetic foreign keys refer to an existing "
                     f"parent; primary keys unique in {s['primary_keys_unique']:.0%} of keyed tables."),
        }
        for name, result in self.tables.items():
            parts = result.verdicts()
            out[f"table {name}"] = f"{name}: {parts['rules']} {parts['missingness']}"
        out["privacy"] = (f"{s['exact_copy_rate']:.1%} of synthetic rows copy a real row. "
                          "These are empirical checks, not a privacy guarantee.")
        return out

    def summary(self) -> str:
        lines = [f"Evaluation of {len(self.tables)} synthetic tables: overall {self.overall:.3f} "
                 f"({grade(self.overall)})", ""]
        lines += [f"  {r.component:<22} {r.score:.3f}  weight {r.weight:.2f}"
                  for r in self.details["overall"].itertuples()]
        lines += ["", *[f"- {text}" for text in self.verdicts().values()]]
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)


def table_metadata(metadata: Metadata, name: str) -> Metadata:
    """One table of a multi-table metadata, as single-table metadata."""
    return Metadata.load_from_dict({"tables": {name: metadata.to_dict()["tables"][name]}})


def referential_integrity(synthetic: dict[str, pd.DataFrame], metadata: Metadata) -> pd.DataFrame:
    """Per relationship: share of non-null synthetic foreign keys matching a synthetic parent."""
    rows = []
    for r in metadata.relationships:
        keys = synthetic[r["child_table_name"]][r["child_foreign_key"]]
        parents = set(synthetic[r["parent_table_name"]][r["parent_primary_key"]])
        present = keys.dropna()
        rows.append((r["child_table_name"], r["child_foreign_key"], r["parent_table_name"],
                     float(present.isin(parents).mean()) if len(present) else 1.0,
                     float(keys.isna().mean())))
    return pd.DataFrame(rows, columns=["child", "foreign_key", "parent", "resolved", "null_share"])


def evaluate_tables(real: dict, synthetic: dict, metadata, *, random_state: int | None,
                    dcr_rows: int, verbose: bool = False) -> MultiTableEvaluation:
    """Evaluate ``{name: DataFrame}`` pairs (module docstring)."""
    missing = set(real) ^ set(synthetic)
    if missing:
        raise ValueError(f"The real and synthetic data have different tables: {sorted(missing)}.")
    real, synthetic = dict(real), dict(synthetic)
    for name in real:
        _, real[name], _ = checked_table({name: real[name]})
        _, synthetic[name], _ = checked_table({name: synthetic[name]}, real[name],
                                              f"synthetic '{name}'")
    if metadata is None:
        metadata, _ = detect_metadata(real)
    scores, details = sdmetrics_figures(real, synthetic, metadata.to_dict())
    per_table, notes = {}, []
    for name in real:
        if not [c for c in real[name].columns if c not in key_columns(metadata, name)]:
            notes.append(f"{name}: only key columns, checked by the relationship figures alone.")
            continue
        one = table_metadata(metadata, name)
        pillars = TablePillars(name, one, random_state=random_state).fit(real[name])
        per_table[name] = evaluate_table(real[name], synthetic[name], pillars, one,
                                         random_state=random_state, dcr_rows=dcr_rows,
                                         verbose=verbose)
    integrity = referential_integrity(synthetic, metadata)
    details["referential_integrity"] = integrity
    keyed = [n for n, t in metadata.tables.items() if t.primary_key]
    summary = pd.DataFrame([
        (name, len(synthetic[name]), res.scores["quality"], res.scores["rule_compliance"],
         res.scores["missingness_fidelity"], res.scores["exact_copy_rate"])
        for name, res in per_table.items()],
        columns=["table", "synthetic_rows", "quality", "rule_compliance", "missingness_fidelity",
                 "exact_copy_rate"])
    details["tables"] = summary

    def row_weighted(column: str) -> float | None:
        part = summary.dropna(subset=[column])
        weights = part["synthetic_rows"]
        return float(np.average(part[column], weights=weights)) if len(part) and weights.sum() else None

    scores["rule_compliance"] = row_weighted("rule_compliance")
    measured = summary["missingness_fidelity"].dropna()
    scores["missingness_fidelity"] = float(measured.mean()) if len(measured) else None
    scores["exact_copy_rate"] = row_weighted("exact_copy_rate") or 0.0
    scores["referential_integrity"] = float(integrity["resolved"].min()) if len(integrity) else 1.0
    scores["primary_keys_unique"] = (float(np.mean([synthetic[n][metadata.tables[n].primary_key].is_unique
                                                    for n in keyed])) if keyed else 1.0)
    for key in ("ml_utility", "dcr_share_closer_to_train", "dcr_overfitting_protection",
                "holdout_copy_rate", "quality_sdmetrics", "column_pair_trends_sdmetrics",
                "dp_epsilon", "dp_delta",
                *empty_scores()):
        scores.setdefault(key, None)
    overall, details["overall"] = weighted_overall(scores)
    notes += [f"{name}: {note}" for name, res in per_table.items() for note in res.notes]
    return MultiTableEvaluation(scores, overall, details, notes, f"{len(real)} tables", per_table)
