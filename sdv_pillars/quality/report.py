"""The HTML report: one self-contained file a person can open offline and read top to bottom.

plotly.js is embedded once in the page (no CDN), each figure is a plotly div, and the tables
are plain HTML. The page starts with a headline panel (overall score, one card per component,
plain-language verdicts) and then shows the evidence: column distributions, relations between
columns, missingness, rules, privacy and ML utility.
"""

from __future__ import annotations

import html
import re
import textwrap
from datetime import datetime, timezone
from importlib.metadata import version

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from sdv_pillars.quality.vocabulary import GRADE_COLOURS, REAL, SYNTHETIC, Evaluated, grade
from sdv_pillars.validation import DEFAULT_TABLE_NAME

MAX_COLUMN_PLOTS = 60
CARD_LABELS = {"quality": "Statistical fidelity", "diagnostic": "Validity", "rule_compliance": "Rules kept",
               "missingness_fidelity": "Missingness", "ml_utility": "ML utility", "privacy": "Privacy"}

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1f2d3d;color:#fff;padding:24px 40px}header h1{margin:0 0 4px;font-size:26px}
header p{margin:0;opacity:.8}main{padding:8px 40px 40px;max-width:1400px}
section{background:#fff;border-radius:8px;padding:16px 24px;margin:20px 0;box-shadow:0 1px 3px #0002}
h2{margin-top:4px}.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.card{border-radius:8px;padding:12px 16px;color:#fff}
.card .value{font-size:30px;font-weight:600}.card .label{font-size:13px;opacity:.9}
.overall{outline:3px solid #0003}.verdicts li{margin:4px 0}.note{color:#8a6d00}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:8px}
table.data{border-collapse:collapse;font-size:13px;margin:8px 0}
table.data td,table.data th{border-bottom:1px solid #e3e3e3;padding:4px 10px;text-align:right}
table.data th{background:#f0f2f5}table.data td:first-child,table.data th:first-child{text-align:left}
.muted{color:#666;font-size:13px}.table-title{margin:36px 0 0;font-size:24px}
nav{position:sticky;top:0;z-index:10;background:#fffffff2;border-bottom:1px solid #dde;padding:8px 40px;
font-size:14px}nav a{margin-right:14px;color:#1f4e8c;text-decoration:none;white-space:nowrap}
nav a:hover{text-decoration:underline}nav b{margin-right:8px}section{scroll-margin-top:48px}
table.compare td.best{background:#d7ecd9;font-weight:600}
"""
RULE_LABEL_WIDTH = 48  # characters per line of a rule's label on the compliance chart


class Figures:
    """Collects plotly figures as HTML divs and counts them (the browser test checks the count)."""

    def __init__(self):
        self.count = 0

    def div(self, figure: go.Figure, height: int = 320) -> str:
        self.count += 1
        # the toolbar stands upright at the right edge, clear of the title at the top left
        figure.update_layout(height=height, margin=dict(l=50, r=40, t=50, b=50),
                             template="plotly_white", legend=dict(orientation="h", y=-0.2),
                             modebar=dict(orientation="v"))
        return pio.to_html(figure, full_html=False, include_plotlyjs=False,
                           div_id=f"figure-{self.count}",
                           config={"displaylogo": False, "responsive": True,
                                   "displayModeBar": "hover"})


def _table(frame: pd.DataFrame, max_rows: int = 50) -> str:
    if frame is None or frame.empty:
        return '<p class="muted">Nothing to show.</p>'
    shown = frame.head(max_rows)
    text = shown.to_html(index=False, classes="data", border=0, na_rep="-",
                         float_format=lambda v: f"{v:.4g}")
    if len(frame) > max_rows:
        text += f'<p class="muted">First {max_rows} of {len(frame)} rows.</p>'
    return text


def _section(title: str, intro: str, *blocks: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2><p class='muted'>{intro}</p>{''.join(blocks)}</section>"


_HEADING = re.compile(r'<section><h2>(.*?)</h2>|<h2 class="table-title">(.*?)</h2>')


def _navigation(body: str) -> tuple[str, str]:
    """``body`` with an id on every section, and a bar of links to them (tables as groups)."""
    links, seen = [], {}

    def anchor(match: re.Match) -> str:
        title = match.group(1) or match.group(2)
        slug = re.sub(r"[^a-z0-9]+", "-", html.unescape(title).lower()).strip("-") or "section"
        seen[slug] = seen.get(slug, 0) + 1
        key = slug if seen[slug] == 1 else f"{slug}-{seen[slug]}"
        if match.group(2) is not None:
            links.append(f'<b><a href="#{key}">{title}</a></b>')
            return f'<h2 class="table-title" id="{key}">{title}</h2>'
        links.append(f'<a href="#{key}">{title}</a>')
        return f'<section id="{key}"><h2>{title}</h2>'

    body = _HEADING.sub(anchor, body)
    return body, f"<nav>{''.join(links)}</nav>"


def _headline(result: Evaluated) -> str:
    components = result.details["overall"].set_index("component")["score"]
    overall_grade = grade(result.overall)
    cards = [f'<div class="card overall" style="background:{GRADE_COLOURS[overall_grade]}">'
             f'<div class="value">{result.overall:.2f}</div><div class="label">Overall '
             f'({overall_grade})</div></div>']
    for key, label in CARD_LABELS.items():
        score = components.get(key)
        word = grade(score)
        shown = "-" if score is None else f"{score:.2f}"
        cards.append(f'<div class="card" style="background:{GRADE_COLOURS[word]}">'
                     f'<div class="value">{shown}</div><div class="label">{label} ({word})</div></div>')
    verdicts = "".join(f"<li>{html.escape(text)}</li>" for text in result.verdicts().values())
    notes = "".join(f'<li class="note">{html.escape(text)}</li>' for text in result.notes)
    weights = ", ".join(f"{r.component} {r.weight:.2f}" for r in result.details["overall"].itertuples())
    return _section(
        "At a glance",
        "Scores run from 0 to 1; 1 means the synthetic table is as good as the real one on that "
        f"check. Overall is the weighted mean of the measured components ({html.escape(weights)}).",
        f'<div class="cards">{"".join(cards)}</div><ul class="verdicts">{verdicts}{notes}</ul>',
    )


def _columns(result: Evaluated, figures: Figures) -> str:
    tests = result.details["column_tests"].copy()
    shapes = result.details.get("column_shapes")
    if shapes is not None and len(shapes):
        tests = tests.merge(shapes[["Column", "Score"]].rename(
            columns={"Column": "column", "Score": "sdmetrics_shape_score"}), on="column", how="left")
    dist = result.details["distributions"]
    effect = tests.set_index("column")["effect_size"] if len(tests) else pd.Series(dtype=float)
    plots = []
    for column in list(dict.fromkeys(dist["column"]))[:MAX_COLUMN_PLOTS]:
        part = dist[dist["column"] == column]
        numeric = part["position"].notna().all()
        x = part["position"] if numeric else part["value"]
        if numeric and part["date"].astype(bool).all():
            x = pd.to_datetime(part["position"], unit="s")
        fig = go.Figure([go.Bar(x=x, y=part["real"], name="real", marker_color=REAL, opacity=0.65),
                         go.Bar(x=x, y=part["synthetic"], name="synthetic", marker_color=SYNTHETIC,
                                opacity=0.65)])
        label = f" (effect size {effect[column]:.3f})" if column in effect.index else ""
        fig.update_layout(title=f"{column}{label}", barmode="overlay" if numeric else "group",
                          yaxis_title="share of rows")
        plots.append(figures.div(fig, 280))
    return _section(
        "Column distributions",
        "Each column, real against synthetic. Tests: Kolmogorov-Smirnov for numbers and dates, "
        "chi-squared for labels; the effect size (KS statistic, total variation distance) says "
        "how large a difference is, the p-value only whether it is detectable with this many rows.",
        _table(tests.sort_values("effect_size", ascending=False)),
        f'<div class="grid">{"".join(plots)}</div>',
    )


def _heatmaps(title: str, real: pd.DataFrame, synthetic: pd.DataFrame, signed: bool,
              figures: Figures) -> str:
    if real.shape[0] < 2:
        return ""
    fig = make_subplots(1, 3, subplot_titles=("real", "synthetic", "synthetic - real"),
                        horizontal_spacing=0.08)
    low = -1 if signed else 0
    for i, matrix in enumerate((real, synthetic)):
        fig.add_trace(go.Heatmap(z=matrix.to_numpy(), x=list(matrix.columns), y=list(matrix.index),
                                 zmin=low, zmax=1, colorscale="RdBu_r" if signed else "Blues",
                                 showscale=i == 1, coloraxis=None), 1, i + 1)
    fig.add_trace(go.Heatmap(z=(synthetic - real).to_numpy(), x=list(real.columns), y=list(real.index),
                             zmin=-1, zmax=1, colorscale="RdBu_r", showscale=False), 1, 3)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=title)
    return figures.div(fig, 360 + 12 * real.shape[0])


def _relations(result: Evaluated, figures: Figures) -> str:
    d = result.details
    blocks = [
        _heatmaps("Association between columns (Cramer's V, 0 = none, 1 = determined)",
                  d["association_real"], d["association_synthetic"], False, figures),
        _heatmaps("Spearman correlation between numeric columns", d["correlation_real"],
                  d["correlation_synthetic"], True, figures),
    ]
    pairs = d.get("column_pair_trends")
    if pairs is not None and len(pairs):
        counted = pairs[pairs["Meets Threshold?"].astype("boolean").fillna(False)]
        blocks.append("<h3>Pairs counted by sdmetrics, worst first</h3>"
                      + _table(counted.sort_values("Score").drop(columns=["Error"], errors="ignore"), 20))
    return _section(
        "Relations between columns",
        "sdmetrics' Column Pair Trends counts a pair only when the real table relates it "
        "(|correlation| > 0.5, or association > 0.3); the heatmaps show every pair.",
        *blocks,
    )


def _missingness(result: Evaluated, figures: Figures) -> str:
    d = result.details
    rates = d["null_rates"]
    if rates.empty:
        return _section("Missingness", "Neither table has nulls.")
    fig = go.Figure([go.Bar(x=rates["column"], y=rates["real_null_rate"], name="real", marker_color=REAL),
                     go.Bar(x=rates["column"], y=rates["synthetic_null_rate"], name="synthetic",
                            marker_color=SYNTHETIC)])
    fig.update_layout(title="Share of nulls per column", barmode="group", yaxis_tickformat=".0%")
    blocks = [figures.div(fig), _table(rates)]
    if len(d["missingness_dependence"]):
        blocks += ["<h3>Do MAR gaps still depend on their drivers?</h3><p class='muted'>AUC of the "
                   "real null-indicator model on real and on synthetic rows (0.5 = nulls at random)."
                   "</p>", _table(d["missingness_dependence"])]
    pairs = d["null_cooccurrence"]
    if len(pairs):
        columns = list(dict.fromkeys([*pairs["column_1"], *pairs["column_2"]]))
        matrices = []
        for value in ("phi_real", "phi_synthetic"):
            m = pd.DataFrame(np.eye(len(columns)), index=columns, columns=columns)
            for row in pairs.itertuples():
                m.loc[row.column_1, row.column_2] = m.loc[row.column_2, row.column_1] = getattr(row, value)
            matrices.append(m)
        blocks.append(_heatmaps("Nulls that come together (phi between null indicators)",
                                *matrices, True, figures))
    return _section("Missingness", "Null rates, whether gaps kept their dependence on other "
                    "columns (MAR), and which columns are null together.", *blocks)


def _rules(result: Evaluated, figures: Figures) -> str:
    rules = result.details["rules"]
    if rules.empty:
        return _section("Rules", "No rule was found in the real table.")
    labels = ["<br>".join(textwrap.wrap(rule, RULE_LABEL_WIDTH)) for rule in rules["rule"]]
    fig = go.Figure(go.Bar(x=rules["synthetic_compliance"], y=labels, orientation="h",
                           marker_color=[GRADE_COLOURS["excellent"] if v >= 1 else GRADE_COLOURS["poor"]
                                         for v in rules["synthetic_compliance"]]))
    fig.update_layout(title="Share of synthetic rows that keep each rule", xaxis_range=[0, 1.02],
                      xaxis_tickformat=".0%", yaxis_automargin=True)
    return _section("Rules", "Rules mined from the real table (CART functions, inequalities) and "
                    "how often the synthetic rows keep them.",
                    figures.div(fig, 160 + 60 * len(rules)), _table(rules))


def _privacy(result: Evaluated, figures: Figures) -> str:
    s, distances = result.scores, result.details["privacy_distances"]
    fig = go.Figure()
    for column, colour, name in (("dcr_to_train", SYNTHETIC, "synthetic to training rows"),
                                 ("dcr_to_holdout", REAL, "synthetic to holdout rows")):
        if column in distances:
            fig.add_trace(go.Histogram(x=distances[column], name=name, marker_color=colour,
                                       opacity=0.6, nbinsx=40))
    fig.update_layout(title="Distance to the closest real record (0 = an exact copy)",
                      barmode="overlay", xaxis_title="distance (sdmetrics DCR scale, 0 to 1)")
    figures_table = pd.DataFrame(
        [(k, v) for k, v in s.items() if k.startswith(("exact_copy", "holdout_copy", "dcr_"))],
        columns=["figure", "value"])
    blocks = [_attacks(result, figures), figures.div(fig), _table(figures_table)]
    return _section("Privacy", "Attacks on the synthetic rows, exact copies of real rows, and how "
                    "close synthetic rows come to real ones. Empirical checks, not a guarantee: "
                    "nothing here is differential privacy.", *blocks)


def _attacks(result: Evaluated, figures: Figures) -> str:
    """Each attack's risk with its interval, beside a full leak's and unseen real rows'."""
    attacks = result.details.get("disclosure", pd.DataFrame())
    if attacks.empty:
        return ""
    labels = [f"{a.replace('_', ' ')}: {t}" for a, t in zip(attacks["attack"], attacks["target"])]
    fig = go.Figure([
        go.Scatter(x=attacks["full_leak_risk"], y=labels, mode="markers", name="training rows handed out",
                   marker=dict(symbol="x", size=10, color=GRADE_COLOURS["poor"])),
        go.Scatter(x=attacks["natural_risk"], y=labels, mode="markers", name="unseen real rows handed out",
                   marker=dict(symbol="diamond-open", size=10, color=REAL),
                   error_x=dict(type="data", symmetric=False, thickness=1,
                                array=attacks["natural_ci_high"] - attacks["natural_risk"],
                                arrayminus=0 * attacks["natural_risk"])),
        go.Scatter(x=attacks["risk"], y=labels, mode="markers", name="synthetic rows",
                   marker=dict(size=11, color=SYNTHETIC),
                   error_x=dict(type="data", symmetric=False, array=attacks["ci_high"] - attacks["risk"],
                                arrayminus=attacks["risk"] - attacks["ci_low"])),
    ])
    fig.update_layout(title="Attack risk (anonymeter, 95% interval): 0 = no more than unseen real "
                      "rows give away", xaxis_range=[-0.02, 1.02], yaxis_automargin=True,
                      legend_orientation="h")
    return figures.div(fig, 160 + 45 * len(attacks)) + _table(attacks)


def _utility(result: Evaluated, figures: Figures) -> str:
    table = result.details["ml_utility"]
    if table.empty:
        return ""
    metric = table["metric"].iloc[0]
    fig = go.Figure(go.Bar(x=table["trained_on"], y=table[metric], marker_color=[REAL, SYNTHETIC]))
    fig.update_layout(title=f"{metric} on real holdout rows, by training data", width=520)
    return _section("ML utility", "The same model trained on real rows and on synthetic rows, "
                    "scored on the same real holdout rows.", figures.div(fig, 300), _table(table))


def _training(result: Evaluated, figures: Figures) -> str:
    losses = result.details.get("training")
    if losses is None or losses.empty:
        return ""
    fig = go.Figure([go.Scatter(x=part["epoch"], y=part["loss"], mode="lines", name=str(name))
                     for name, part in losses.groupby("series", sort=False)])
    fig.update_layout(title="Loss per epoch", xaxis_title="epoch", yaxis_title="loss")
    verdict = result.verdicts().get("training", "")
    return _section("Training", "The backbone's losses while it trained (batches averaged per "
                    f"epoch). {html.escape(verdict)}", figures.div(fig, 340))


def _diagnostic(result: Evaluated) -> str:
    blocks = [f"<h3>{name.replace('_', ' ').capitalize()}</h3>" + _table(result.details[name])
              for name in ("data_validity", "data_structure") if name in result.details]
    return _section("Diagnostic (sdmetrics)", "Are values within the real ranges and categories, "
                    "and are the columns the real ones?", *blocks)


def _evidence(result: Evaluated, figures: Figures) -> str:
    """Every section of one table's evidence, after its headline."""
    return "".join([
        _columns(result, figures), _relations(result, figures), _missingness(result, figures),
        _rules(result, figures), _privacy(result, figures), _utility(result, figures),
        _training(result, figures), _diagnostic(result),
    ])


def _relational(result: Evaluated) -> str:
    d = result.details
    blocks = ["<h3>Foreign keys</h3>", _table(d["referential_integrity"]),
              "<h3>Tables</h3>", _table(d["tables"])]
    for name in ("cardinality", "intertable_trends", "relationship_validity"):
        if name in d:
            blocks += [f"<h3>{name.replace('_', ' ').capitalize()} (sdmetrics)</h3>", _table(d[name], 30)]
    return _section("Relationships", "Do synthetic keys resolve, do parents have as many children "
                    "as in the real data, and do parent and child columns relate as they did?", *blocks)


def render_html(result: Evaluated) -> str:
    """The whole report as one HTML string (one table, or related tables one after another)."""
    figures = Figures()
    tables = getattr(result, "tables", None)
    if tables:
        body = _headline(result) + _relational(result) + "".join(
            f'<h2 class="table-title">Table {html.escape(name)}</h2>{_evidence(part, figures)}'
            for name, part in tables.items())
    else:
        body = _headline(result) + _evidence(result, figures)
    title = "Synthetic data report"
    if result.table_name != DEFAULT_TABLE_NAME:  # a name the user gave, or the file's
        title += f": {html.escape(result.table_name)}"
    return page(title, body, figures.count)


def page(title: str, body: str, figure_count: int) -> str:
    """A whole self-contained page: plotly.js embedded, a navigation bar to its sections."""
    body, nav = _navigation(body)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(f"{p} {version(p)}" for p in ("sdv-pillars", "sdv", "sdmetrics"))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style>"
        "<script>window.reportErrors=[];window.addEventListener('error',"
        "function(e){window.reportErrors.push(String(e.message));});</script>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f'<body data-figures="{figure_count}"><header><h1>{title}</h1>'
        f"<p>{stamp} &middot; {html.escape(versions)}</p></header>{nav}<main>{body}</main></body></html>"
    )


def comparison_section(title: str, table: pd.DataFrame, best: pd.Series, figures: Figures,
                       intro: str = "") -> str:
    """One comparison: figures as rows, synthetic tables as columns, the best value of each
    row marked (``best``: figure -> the best columns), and a grouped bar chart of the scores
    in [0, 1] where higher is better."""
    cells = []
    for figure, row in table.iterrows():
        tds = []
        for name, value in row.items():
            text = "-" if pd.isna(value) else f"{value:.4g}"
            mark = ' class="best"' if name in best.get(figure, []) else ""
            tds.append(f"<td{mark}>{text}</td>")
        cells.append(f"<tr><td>{html.escape(str(figure))}</td>{''.join(tds)}</tr>")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    grid = (f'<table class="data compare"><tr><th>figure</th>{head}</tr>{"".join(cells)}</table>'
            '<p class="muted">The best value of each row is marked (lowest for exact copies, '
            "closest to 50% for the share closer to training rows, highest otherwise).</p>")
    scores = table.loc[[f for f in SCORE_ROWS if f in table.index]]
    fig = go.Figure([go.Bar(x=list(scores.index), y=scores[name], name=str(name))
                     for name in scores.columns])
    fig.update_layout(title="Scores (higher is better)", barmode="group", yaxis_range=[0, 1.02])
    return _section(title, intro or "The same figures for every synthetic table, side by side.",
                    grid, figures.div(fig, 380))


SCORE_ROWS = ("overall", "quality", "column_shapes", "column_pair_trends", "diagnostic",
              "rule_compliance", "missingness_fidelity", "ml_utility")
