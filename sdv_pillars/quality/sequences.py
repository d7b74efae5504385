"""Pillar 5 for sequences: are the synthetic sequences shaped like the real ones?

``evaluate_sequences`` puts the per-row evaluation (``evaluate`` on the rows, keys left out:
column shapes, pair trends, rules within a row, null rates) beside what only sequences have:

* ``length_similarity``: 1 - the Kolmogorov-Smirnov distance between the real and synthetic
  distributions of sequence lengths (1 = the same distribution);
* ``gap_similarity``: the same for the index steps between consecutive rows;
* ``autocorrelation_similarity``: per numeric column, the lag-1 autocorrelation inside
  sequences (each sequence's mean taken out; and at ``seasonal_lag``, when given), scored
  ``1 - |real - synthetic| / 2``;
* ``missingness_by_position``: per column with nulls, the null rate at each position of a
  sequence (positions from the real 90th-percentile length on pooled), scored
  ``1 - mean |real - synthetic|``;
* ``sequence_rule_compliance``: each cross-row rule's share of steps, real and synthetic;
* ``discriminator``: a gradient-boosting classifier tries to tell real from synthetic
  sequences by their summaries (length, and per numeric column its mean, spread, first and
  last value and mean step; per label column its number of values): 5-fold held-out AUC,
  scored ``1 - (2 * max(AUC, 0.5) - 1)`` as sdmetrics' detection metrics do (1 = it cannot tell).

``overall`` is the mean of the row evaluation's overall and the sequence scores' mean.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pandas.api import types as ptypes
from scipy.signal import periodogram
from scipy.stats import ks_2samp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score

from sdv_pillars.defaults import MAX_CODES, MODEL_THREADS
from sdv_pillars.quality.evaluation import evaluate
from sdv_pillars.quality.report import Figures, _evidence, _headline, _section, _table, page
from sdv_pillars.quality.result import EvaluationResult
from sdv_pillars.quality.vocabulary import grade
from sdv_pillars.runtime import limited_threads
from sdv_pillars.sequences.rules import find_sequence_rules
from sdv_pillars.sequences.statistics import as_float, autocorrelation
from sdv_pillars.sequences.structure import SequenceStructure, find_structure, one_sequence, sort_sequences
from sdv_pillars.validation import checked_table

SEQUENCE_SCORES = ("length_similarity", "gap_similarity", "autocorrelation_similarity",
                   "spectrum_similarity", "missingness_by_position", "sequence_rule_compliance",
                   "discriminator")
PLOTTED_SEQUENCES = 5  # real and synthetic sequences drawn in the report, per numeric column
PLOTTED_COLUMNS = 4  # numeric columns with more than MAX_CODES values drawn over the index
POSITION_QUANTILE = 0.9  # positions past the real lengths' 90th percentile are pooled
MIN_CLASSIFIER_SEQUENCES = 10  # fewer sequences of either kind and no discriminator is trained
MIN_SPECTRUM_ROWS = 24  # sequences at least this long have a spectrum worth comparing
SPECTRUM_BINS = 32  # frequencies (0, 0.5] the spectra are compared on


def _numbers(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    return [c for c in columns
            if (ptypes.is_numeric_dtype(frame[c]) or ptypes.is_datetime64_any_dtype(frame[c]))
            and not ptypes.is_bool_dtype(frame[c])]


def _similarity(real: np.ndarray, synthetic: np.ndarray) -> float | None:
    real, synthetic = real[np.isfinite(real)], synthetic[np.isfinite(synthetic)]
    if len(real) == 0 or len(synthetic) == 0:
        return None
    return float(1 - ks_2samp(real, synthetic).statistic)


def _positions(key: pd.Series, cap: int) -> pd.Series:
    return key.groupby(key, sort=False).cumcount().clip(upper=cap)


def spectrum(values: pd.Series, key: pd.Series) -> np.ndarray | None:
    """The mean normalised periodogram of a column's steps (row to row differences, gaps
    interpolated) over the sequences of at least ``MIN_SPECTRUM_ROWS`` rows, on
    ``SPECTRUM_BINS`` frequencies: where the variation lies, from slow swings to fast ones (a
    seasonal cycle is a peak at 1/period). Steps, not levels: one path of a trending series
    has its own slow wander, which says nothing about the process; its steps' cycles do."""
    grid = np.linspace(0.5 / SPECTRUM_BINS, 0.5, SPECTRUM_BINS)
    spectra = []
    for _, part in as_float(values).groupby(key, sort=False):
        series = np.diff(part.interpolate(limit_direction="both").to_numpy())
        if len(series) < MIN_SPECTRUM_ROWS or not np.isfinite(series).all() or series.std() == 0:
            continue
        frequencies, power = periodogram(series, detrend="linear")
        power = np.interp(grid, frequencies[1:], power[1:])
        if power.sum() > 0:
            spectra.append(power / power.sum())
    return np.mean(spectra, axis=0) if spectra else None


def sequence_summaries(data: pd.DataFrame, structure: SequenceStructure, columns: list[str],
                       labels: dict[str, pd.Index]) -> pd.DataFrame:
    """One row per sequence: its length and per-column summaries (the discriminator's view);
    a label column gives its number of values and its first value, coded by ``labels``."""
    groups = data.groupby(structure.key, sort=False)
    parts = {"length": groups.size()}
    for column in columns:
        if column in _numbers(data, columns):
            values = as_float(data[column]).groupby(data[structure.key], sort=False)
            steps = as_float(data[column]).groupby(data[structure.key], sort=False).diff()
            parts.update({f"{column} mean": values.mean(), f"{column} std": values.std(),
                          f"{column} first": values.first(), f"{column} last": values.last(),
                          f"{column} step": steps.groupby(data[structure.key], sort=False).mean()})
        else:
            parts[f"{column} values"] = groups[column].nunique()
            first = groups[column].first().astype(object)
            parts[f"{column} first"] = pd.Series(labels[column].get_indexer(first), index=first.index)
    return pd.DataFrame(parts).reset_index(drop=True)


def discriminator_auc(real: pd.DataFrame, synthetic: pd.DataFrame, random_state: int | None) -> float | None:
    """Held-out AUC of a classifier telling real from synthetic summaries (equal numbers)."""
    n = min(len(real), len(synthetic))
    if n < MIN_CLASSIFIER_SEQUENCES:
        return None
    rng = np.random.default_rng(random_state)
    real = real.iloc[rng.choice(len(real), n, replace=False)]
    synthetic = synthetic.iloc[rng.choice(len(synthetic), n, replace=False)]
    X = pd.concat([real, synthetic], ignore_index=True)
    y = np.r_[np.ones(n), np.zeros(n)]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=random_state)
    model = HistGradientBoostingClassifier(max_iter=100, random_state=random_state)
    with limited_threads(MODEL_THREADS):
        return float(np.mean(cross_val_score(model, X, y, cv=folds, scoring="roc_auc")))


@dataclass
class SequenceEvaluation:
    """What ``evaluate_sequences`` found: sequence ``scores`` (``None`` = not measured, see
    ``notes``), their ``details``, and ``rows``, the per-row ``EvaluationResult``."""

    scores: dict[str, float | None]
    overall: float
    details: dict[str, pd.DataFrame]
    rows: EvaluationResult
    structure: SequenceStructure
    notes: list[str] = field(default_factory=list)
    samples: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def verdicts(self) -> dict[str, str]:
        s = self.scores
        out = {"lengths": f"Sequence lengths {s['length_similarity']:.0%} alike (1 - KS distance)."}
        if s["gap_similarity"] is not None:
            out["gaps"] = f"Steps of '{self.structure.index}' between rows {s['gap_similarity']:.0%} alike."
        auto = self.details["autocorrelation"]
        if len(auto):
            worst = auto.loc[(auto["real"] - auto["synthetic"]).abs().idxmax()]
            out["autocorrelation"] = (
                f"Autocorrelation inside sequences {s['autocorrelation_similarity']:.0%} alike; furthest: "
                f"'{worst['column']}' at lag {worst['lag']} ({worst['synthetic']:.2f} vs real "
                f"{worst['real']:.2f}).")
        rules = self.details["sequence_rules"]
        if len(rules):
            out["rules"] = (f"{len(rules)} rule(s) across rows; the lowest synthetic share of steps keeping "
                            f"one is {rules['synthetic_compliance'].min():.1%} (real "
                            f"{rules.loc[rules['synthetic_compliance'].idxmin(), 'real_compliance']:.1%}).")
        if s["spectrum_similarity"] is not None:
            out["spectrum"] = (f"Spectra (where the variation lies, from slow swings to seasonal "
                               f"cycles) {s['spectrum_similarity']:.0%} alike.")
        if s["missingness_by_position"] is not None:
            out["missingness"] = (f"Null rates by position in the sequence "
                                  f"{s['missingness_by_position']:.0%} alike.")
        if s["discriminator"] is not None:
            out["discriminator"] = (f"A classifier on sequence summaries tells real from synthetic with "
                                    f"AUC {s['discriminator_auc']:.2f} (0.5 = it cannot).")
        return out

    def summary(self) -> str:
        lines = [f"Evaluation of synthetic sequences: overall {self.overall:.3f} ({grade(self.overall)})",
                 f"  rows (per-row evaluation) {self.rows.overall:.3f}"]
        lines += [f"  {name:<28} {'-' if self.scores[name] is None else f'{self.scores[name]:.3f}'}"
                  for name in SEQUENCE_SCORES]
        lines += ["", *[f"- {text}" for text in self.verdicts().values()]]
        lines += [f"- note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_html(self, path: str | Path) -> Path:
        """One self-contained HTML report: the sequence figures, a few real and synthetic
        sequences drawn over the index, then the per-row report."""
        figures = Figures()
        body = _sequence_section(self, figures) + _headline(self.rows) + _evidence(self.rows, figures)
        path = Path(path)
        path.write_text(page("Synthetic sequences report", body, figures.count), encoding="utf-8")
        return path


def _sequence_section(result: SequenceEvaluation, figures: Figures) -> str:
    verdicts = "".join(f"<li>{html.escape(t)}</li>" for t in result.verdicts().values())
    scores = pd.DataFrame({"score": [result.scores[n] for n in SEQUENCE_SCORES]}, index=list(SEQUENCE_SCORES))
    blocks = [f'<ul class="verdicts">{verdicts}</ul>', _table(scores.reset_index(names="figure"))]
    lengths = result.details["lengths"]
    if (lengths["data"] == "real").sum() > 1:  # one series has no distribution of lengths
        fig = go.Figure([go.Histogram(x=lengths.loc[lengths["data"] == d, "length"], name=d, opacity=0.6,
                                      histnorm="probability") for d in ("real", "synthetic")])
        fig.update_layout(title="Sequence lengths", barmode="overlay")
        blocks.append(figures.div(fig))
    auto = result.details["autocorrelation"]
    if len(auto):
        labels = auto["column"] + " (lag " + auto["lag"].astype(str) + ")"
        fig = go.Figure([go.Bar(x=labels, y=auto[d], name=d) for d in ("real", "synthetic")])
        fig.update_layout(title="Autocorrelation inside sequences", barmode="group")
        blocks.append(figures.div(fig))
    spectra = result.details["spectrum"]
    if len(spectra):
        grid = np.linspace(0.5 / SPECTRUM_BINS, 0.5, SPECTRUM_BINS)
        fig = go.Figure()
        for row in spectra.itertuples():
            for data in ("real", "synthetic"):
                fig.add_trace(go.Scatter(x=grid, y=getattr(row, data), name=f"{row.column} ({data})",
                                         line=dict(dash="solid" if data == "real" else "dot")))
        fig.update_layout(title="Spectrum (share of variance by frequency, cycles per row)",
                          xaxis_title="frequency")
        blocks.append(figures.div(fig))
    by_position = result.details["missingness_by_position"]
    if len(by_position):
        fig = go.Figure()
        for (column, data), part in by_position.groupby(["column", "data"]):
            fig.add_trace(go.Scatter(x=part["position"], y=part["null_rate"], name=f"{column} ({data})",
                                     line=dict(dash="solid" if data == "real" else "dot")))
        fig.update_layout(title="Null rate by position in the sequence", xaxis_title="position",
                          yaxis_title="null rate")
        blocks.append(figures.div(fig))
    for column, frame in result.samples.items():
        fig = go.Figure()
        for (data, sequence), part in frame.groupby(["data", "sequence"], sort=False):
            fig.add_trace(go.Scatter(x=part["x"], y=part["y"], mode="lines+markers",
                                     name=f"{data} {sequence}",
                                     line=dict(color="#1f4e8c" if data == "real" else "#d9822b")))
        fig.update_layout(title=f"{column}: real (blue) and synthetic (orange) sequences",
                          showlegend=False)
        blocks.append(figures.div(fig))
    return _section("Sequences", "What only sequences have: lengths, steps, memory from row to row, "
                    "rules across rows, gaps by position, and whether a classifier can tell them apart.",
                    *blocks)


def evaluate_sequences(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    synthesizer=None,
    sequence_key: str | None = None,
    sequence_index: str | None = None,
    *,
    seasonal_lag: int | None = None,
    random_state: int | None = 0,
) -> SequenceEvaluation:
    """Evaluate synthetic sequences against real ones (module docstring).

    Args:
        real, synthetic: tables with one row per time step and the same columns.
        synthesizer: a fitted ``SequencePillarsSynthesizer``: its structure and rules are used.
        sequence_key, sequence_index: the structure, when no synthesizer gives it (found from
            ``real`` when neither does).
        seasonal_lag: a second lag for the autocorrelation (12 for monthly data, 7 for daily).
        random_state: seed of the classifier and of the sequences drawn in the report.
    """
    _, real, _ = checked_table(real)
    _, synthetic, _ = checked_table(synthetic, real, "synthetic")
    if synthesizer is not None:
        synthesizer._check_fitted()
        structure, rules = synthesizer.structure_, synthesizer.sequence_rules_
    else:
        structure = find_structure(real, sequence_key, sequence_index)
        rules = None
    return _evaluate(real, synthetic, structure, rules, seasonal_lag, random_state)


def evaluate_series(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    synthesizer=None,
    sequence_index: str | None = None,
    *,
    seasonal_lag: int | None = None,
    random_state: int | None = 0,
) -> SequenceEvaluation:
    """Evaluate one synthetic long series against the real one: the sequence figures of one
    sequence (autocorrelation at lag 1 and at the seasonal lag, the spectrum, rules across
    rows) and the per-row evaluation.

    Args:
        synthesizer: a fitted ``SeriesPillarsSynthesizer``: its index, period and rules are used.
        sequence_index: the index column, when no synthesizer gives it.
        seasonal_lag: the seasonal lag (default: the synthesizer's period).
    """
    _, real, _ = checked_table(real)
    _, synthetic, _ = checked_table(synthetic, real, "synthetic")
    rules = None
    if synthesizer is not None:
        synthesizer._check_fitted()
        sequence_index, rules = synthesizer.index_, synthesizer.sequence_rules_
        seasonal_lag = seasonal_lag or synthesizer.seasonal_period_
    real, key = one_sequence(real)
    synthetic, _ = one_sequence(synthetic)
    structure = SequenceStructure(key, sequence_index, (), {"key": "one series"})
    return _evaluate(real, synthetic, structure, rules, seasonal_lag, random_state)


def _evaluate(real: pd.DataFrame, synthetic: pd.DataFrame, structure: SequenceStructure,
              rules: list | None, seasonal_lag: int | None, random_state: int | None) -> SequenceEvaluation:
    real, synthetic = sort_sequences(real, structure), sort_sequences(synthetic, structure)
    varying = structure.varying(real.columns)
    if rules is None:
        rules = find_sequence_rules(real, structure.key, varying)
    notes: list[str] = []
    details: dict[str, pd.DataFrame] = {}
    scores: dict[str, float | None] = dict.fromkeys(SEQUENCE_SCORES)
    key = structure.key

    sizes = {d: f.groupby(key, sort=False).size() for d, f in (("real", real), ("synthetic", synthetic))}
    details["lengths"] = pd.concat([pd.DataFrame({"data": d, "length": s.to_numpy()})
                                    for d, s in sizes.items()])
    scores["length_similarity"] = _similarity(sizes["real"].to_numpy(float),
                                              sizes["synthetic"].to_numpy(float))
    if structure.index:
        steps = {d: as_float(f[structure.index]).groupby(f[key], sort=False).diff().dropna().to_numpy()
                 for d, f in (("real", real), ("synthetic", synthetic))}
        scores["gap_similarity"] = _similarity(steps["real"], steps["synthetic"])

    lags = [1] + ([seasonal_lag] if seasonal_lag else [])
    auto = [{"column": c, "lag": lag, "real": autocorrelation(real[c], real[key], lag),
             "synthetic": autocorrelation(synthetic[c], synthetic[key], lag)}
            for c in _numbers(real, varying) for lag in lags]
    details["autocorrelation"] = pd.DataFrame(auto, columns=["column", "lag", "real", "synthetic"]).dropna()
    if len(details["autocorrelation"]):
        gap = (details["autocorrelation"]["real"] - details["autocorrelation"]["synthetic"]).abs()
        scores["autocorrelation_similarity"] = float(1 - gap.mean() / 2)

    cap = int(np.quantile(sizes["real"], POSITION_QUANTILE)) - 1
    nullable = [c for c in varying if real[c].isna().any()]
    rates = []
    for data, frame in (("real", real), ("synthetic", synthetic)):
        position = _positions(frame[key], max(cap, 0))
        for column in nullable:
            rate = frame[column].isna().groupby(position).mean()
            rates += [{"column": column, "data": data, "position": int(p), "null_rate": float(r)}
                      for p, r in rate.items()]
    details["missingness_by_position"] = pd.DataFrame(
        rates, columns=["column", "data", "position", "null_rate"])
    if nullable:
        table = details["missingness_by_position"].pivot_table(
            index=["column", "position"], columns="data", values="null_rate")
        gap = (table["real"] - table["synthetic"]).abs().fillna(1)
        scores["missingness_by_position"] = float(1 - gap.mean())

    details["sequence_rules"] = pd.DataFrame(
        [{"rule": str(r), "real_compliance": r.compliance(real, key),
          "synthetic_compliance": r.compliance(synthetic, key)} for r in rules],
        columns=["rule", "real_compliance", "synthetic_compliance"])
    if rules:
        scores["sequence_rule_compliance"] = float(
            1 - (details["sequence_rules"]["real_compliance"]
                 - details["sequence_rules"]["synthetic_compliance"]).abs().mean())
    else:
        notes.append("No rule across rows (monotone column, running total) in the real sequences.")

    spectra = []
    for column in _numbers(real, varying):
        pair = spectrum(real[column], real[key]), spectrum(synthetic[column], synthetic[key])
        if pair[0] is not None and pair[1] is not None:
            spectra.append({"column": column, "real": pair[0], "synthetic": pair[1],
                            "similarity": float(1 - 0.5 * np.abs(pair[0] - pair[1]).sum())})
    details["spectrum"] = pd.DataFrame(spectra, columns=["column", "real", "synthetic", "similarity"])
    if spectra:
        scores["spectrum_similarity"] = float(details["spectrum"]["similarity"].mean())

    described = [*varying, *structure.context]
    labels = {c: pd.Index(real[c].dropna().astype(object).unique()) for c in described
              if c not in _numbers(real, described)}
    summaries = [sequence_summaries(f, structure, described, labels) for f in (real, synthetic)]
    auc = discriminator_auc(*summaries, random_state)
    scores["discriminator_auc"] = auc
    if auc is None:
        notes.append(f"Fewer than {MIN_CLASSIFIER_SEQUENCES} sequences: no discriminator was trained.")
    else:
        scores["discriminator"] = float(1 - (2 * max(auc, 0.5) - 1))

    rows = evaluate(real.drop(columns=[key]), synthetic.drop(columns=[key]), attacks=False,
                    random_state=random_state)
    measured = [scores[n] for n in SEQUENCE_SCORES if scores[n] is not None]
    overall = float(np.mean([rows.overall, np.mean(measured)]))
    measures = [c for c in _numbers(real, varying) if real[c].nunique() > MAX_CODES]
    samples = _drawn_sequences(real, synthetic, structure, measures, random_state)
    return SequenceEvaluation(scores, overall, details, rows, structure, notes, samples)


def _drawn_sequences(real: pd.DataFrame, synthetic: pd.DataFrame, structure: SequenceStructure,
                     columns: list[str], random_state: int | None) -> dict[str, pd.DataFrame]:
    """A few real and synthetic sequences per numeric column, for the report's line plots."""
    rng = np.random.default_rng(random_state)
    out = {}
    picked = {}
    for data, frame in (("real", real), ("synthetic", synthetic)):
        keys = frame[structure.key].unique()
        picked[data] = rng.choice(keys, min(PLOTTED_SEQUENCES, len(keys)), replace=False)
    for column in columns[:PLOTTED_COLUMNS]:
        parts = []
        for data, frame in (("real", real), ("synthetic", synthetic)):
            chosen = frame[frame[structure.key].isin(picked[data])]
            x = chosen[structure.index] if structure.index else chosen.groupby(structure.key).cumcount()
            parts.append(pd.DataFrame({"data": data, "sequence": chosen[structure.key].astype(str).to_numpy(),
                                       "x": x.to_numpy(), "y": chosen[column].to_numpy()}))
        out[column] = pd.concat(parts, ignore_index=True)
    return out

