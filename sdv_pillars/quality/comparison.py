"""Several synthetic tables against one real table: the same figures side by side.

``compare({"gaussian_copula": fake1, "cart": fake2}, real, holdout=...)`` evaluates each
synthetic table (``evaluate``) and lines their figures up, one column per synthetic table,
with the best value of each row marked: the lowest exact-copy rate, the share of rows closer
to training rows nearest to 0.5 (no sign of memorisation), the highest score otherwise.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sdv_pillars.defaults import DCR_ROWS
from sdv_pillars.quality.evaluation import evaluate
from sdv_pillars.quality.report import Figures, comparison_section, page
from sdv_pillars.quality.result import EvaluationResult

FIGURES = ("overall", "quality", "column_shapes", "column_pair_trends", "diagnostic",
           "rule_compliance", "missingness_fidelity", "ml_utility", "exact_copy_rate",
           "dcr_share_closer_to_train", "dcr_overfitting_protection", "singling_out_risk",
           "linkability_risk", "inference_risk")
LOWER_IS_BETTER = ("exact_copy_rate", "singling_out_risk", "linkability_risk", "inference_risk")
NEAREST_HALF = ("dcr_share_closer_to_train",)


def best_of(table: pd.DataFrame) -> pd.Series:
    """Per row (figure) of ``table``, the columns (synthetic tables) with the best value; ties
    share the mark, and a row where every value is the same has none."""
    best = {}
    for figure, row in table.iterrows():
        values = pd.to_numeric(row, errors="coerce").dropna()
        if values.empty or (len(values) > 1 and values.nunique() == 1):
            continue
        if figure in LOWER_IS_BETTER:
            goodness = -values
        elif figure in NEAREST_HALF:
            goodness = -(values - 0.5).abs()
        else:
            goodness = values
        best[figure] = list(goodness.index[goodness == goodness.max()])
    return pd.Series(best, dtype=object)


@dataclass
class Comparison:
    """Each synthetic table's ``EvaluationResult`` and their figures side by side."""

    results: dict[str, EvaluationResult]

    @property
    def table(self) -> pd.DataFrame:
        """Figures as rows, synthetic tables as columns."""
        return pd.DataFrame({name: {f: (r.overall if f == "overall" else r.scores.get(f))
                                    for f in FIGURES} for name, r in self.results.items()},
                            dtype=float)

    def best(self) -> pd.Series:
        """The best synthetic table per figure."""
        return best_of(self.table)

    def summary(self) -> str:
        """The side-by-side figures as text, the best of each row starred."""
        table, best = self.table, self.best()
        shown = pd.DataFrame(
            [["-" if pd.isna(v) else f"{v:.3f}{'*' if name in best.get(figure, []) else ''}"
              for name, v in row.items()] for figure, row in table.iterrows()],
            index=table.index, columns=table.columns)
        return ("Comparison of " + ", ".join(self.results) + " (* best)\n" + shown.to_string())

    def to_html(self, path: str | Path) -> Path:
        """One self-contained page: the comparison, then each table's headline verdicts."""
        figures = Figures()
        body = comparison_section("Side by side", self.table, self.best(), figures)
        verdicts = "".join(
            f"<h3>{html.escape(name)}</h3><ul>"
            + "".join(f"<li>{html.escape(v)}</li>" for v in r.verdicts().values())
            + "</ul>" for name, r in self.results.items())
        body += f"<section><h2>Verdicts</h2>{verdicts}</section>"
        path = Path(path)
        path.write_text(page("Synthetic data comparison", body, figures.count), encoding="utf-8")
        return path

    def to_json(self, path: str | Path | None = None) -> str:
        """The side-by-side figures and the best of each row, as JSON."""
        text = json.dumps({"figures": json.loads(self.table.to_json()),
                           "best": self.best().to_dict()}, indent=2)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def compare(synthetic: dict[str, pd.DataFrame], real, metadata=None, holdout=None,
            target: str | None = None, synthesizers: dict | None = None, *,
            random_state: int | None = 0, dcr_rows: int = DCR_ROWS,
            secrets: list[str] | None = None, attacks: bool = True,
            verbose: bool = False) -> Comparison:
    """Evaluate every synthetic table of ``{name: DataFrame}`` against ``real`` with the same
    options (``evaluate``'s), and line the figures up (module docstring).

    ``synthesizers`` (``{name: fitted synthesizer}``, optional) lets each table's own rules,
    null models and training losses be used, as ``evaluate(..., synthesizer=...)`` does.
    """
    if not isinstance(synthetic, dict) or len(synthetic) < 1:
        raise ValueError("compare takes {name: synthetic DataFrame}, one entry per synthetic "
                         "table, e.g. compare({'gaussian_copula': fake1, 'cart': fake2}, real).")
    results = {str(name): evaluate(real, fake, metadata, (synthesizers or {}).get(name), target,
                                   holdout, random_state=random_state, dcr_rows=dcr_rows,
                                   secrets=secrets, attacks=attacks, verbose=verbose)
               for name, fake in synthetic.items()}
    return Comparison(results)
