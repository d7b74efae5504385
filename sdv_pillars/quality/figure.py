"""A static one-page summary of an evaluation (matplotlib, PNG), for papers and slides.

Four panels: component scores, the columns that differ most (effect size), null rates, and
the change in association between columns (synthetic - real).
"""

from __future__ import annotations

from pathlib import Path

# A Figure of its own (no pyplot): no screen is needed and the caller's backend is untouched.
from matplotlib.figure import Figure

from sdv_pillars.quality.vocabulary import GRADE_COLOURS, REAL, SYNTHETIC, Evaluated, grade


def render_png(result: Evaluated, path: Path, dpi: int = 150) -> None:
    d = result.details
    fig = Figure(figsize=(13, 9))
    axes = fig.subplots(2, 2)
    ax = axes[0, 0]
    parts = d["overall"]
    labels = ["overall", *parts["component"]]
    values = [result.overall, *parts["score"]]
    ax.barh(labels, values, color=[GRADE_COLOURS[grade(v)] for v in values])
    ax.set_xlim(0, 1.05)
    ax.invert_yaxis()
    for y, v in enumerate(values):
        ax.text(min(v, 0.98), y, f" {v:.2f}", va="center", ha="right", color="white", fontweight="bold")
    ax.set_title(f"Scores (overall {result.overall:.2f}, {grade(result.overall)})")

    ax = axes[0, 1]
    tests = d["column_tests"].sort_values("effect_size", ascending=False).head(12)
    ax.barh(tests["column"], tests["effect_size"], color=SYNTHETIC)
    ax.invert_yaxis()
    ax.set_title("Largest column differences (KS statistic / TVD)")
    ax.set_xlabel("effect size (0 = same distribution)")

    ax = axes[1, 0]
    rates = d["null_rates"]
    if len(rates):
        x = range(len(rates))
        ax.bar([i - 0.2 for i in x], rates["real_null_rate"], 0.4, label="real", color=REAL)
        ax.bar([i + 0.2 for i in x], rates["synthetic_null_rate"], 0.4, label="synthetic", color=SYNTHETIC)
        ax.set_xticks(list(x), rates["column"], rotation=45, ha="right")
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no nulls", ha="center", va="center", transform=ax.transAxes)
    ax.set_title("Null rate per column")

    ax = axes[1, 1]
    diff = d["association_synthetic"] - d["association_real"]
    image = ax.imshow(diff.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(diff)), diff.columns, rotation=90, fontsize=7)
    ax.set_yticks(range(len(diff)), diff.index, fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title("Association change (Cramer's V, synthetic - real)")

    fig.suptitle(f"Synthetic data evaluation: {result.table_name}", fontsize=14)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
