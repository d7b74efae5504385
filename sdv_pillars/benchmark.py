"""Backbones compared, plain SDV against the pillars, on real tables: one command.

Each run (a table, a backbone, plain or with the pillars) happens in a fresh process, so its
peak memory (the process's maximum resident set, read right after sampling) is its own.
The table is split 80/20 with the seed: the synthesizer is fitted on the 80%, samples as
many rows, and ``evaluate`` scores the synthetic rows against the 80% with the 20% as the
holdout (for ML utility on the table's natural target and for the DCR comparison). Plain
and pillars runs are scored against the same rules and null models (mined from the real
80% by ``evaluate``), so their figures compare. "Plain" for the CART backbone is
``CARTSynthesizer`` alone.

Both arms of a run draw from the run's seed: the fit under ``runtime.seeded(seed)``, the
samples from ``_set_random_state(seed)``, as ``PillarsSynthesizer(random_state=seed)`` does.
An unseeded SDV synthesizer samples from SDV's one fixed seed, so the plain arm used to draw
the same random stream for every seed: its spread left out sampling noise, and its mean was
one draw's luck. On penguins with GaussianCopula that draw was a good one: over 10 splits
the plain arm's ML utility was 0.705 against 0.567 with the pillars, while the same plain
model sampled from each split's own seed gave 0.585 (6 splits), level with the pillars.

Multi-table: plain SDV HMA, the pillars' HMA mode and the sequential mode (GaussianCopula
and CART per table) on Portal, nycflights13 and a three-level chain.

Times are also given as pillars / plain for the same backbone and table in the same run.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

QUICK, FULL = "quick", "full"
PROFILES = {
    QUICK: {"tables": ["customers", "hepatitis", "penguins"], "max_rows": 2_000,
            "backbones": ["gaussian_copula", "ctgan", "cart"], "epochs": 5,
            "relational": {"portal": {"surveys": 1_500}}},
    FULL: {"tables": ["customers", "hepatitis", "airquality", "titanic", "credit_data", "storms",
                      "penguins", "diamonds"], "max_rows": None,
           "backbones": ["gaussian_copula", "ctgan", "tvae", "copulagan", "cart"], "epochs": 100,
           "relational": {"portal": {"surveys": 10_000}, "nycflights13": {"flights": 10_000},
                          "portal_chain": {"surveys": 10_000}}},
}
MULTI_SETTINGS = {"pillars hma": {"backbone": "hma"},
                  "pillars sequential gaussian_copula": {"backbone": "gaussian_copula"},
                  "pillars sequential cart": {"backbone": "cart"}}
# the figures the pillars must not cost (issue 13), compared seed by seed in ``pillars_effect``
EFFECT_FIGURES = ("quality", "column_pair_trends", "ml_utility", "rule_compliance",
                  "missingness_fidelity")
SCORES = ("quality", "column_shapes", "column_pair_trends", "diagnostic", "rule_compliance",
          "missingness_fidelity", "ml_utility", "exact_copy_rate", "dcr_share_closer_to_train",
          "singling_out_risk", "linkability_risk", "inference_risk")


def timed(action):
    """``(result, seconds)`` of calling ``action``."""
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def write_table(frame: pd.DataFrame, stem: str | Path) -> None:
    """``<stem>.csv`` and ``<stem>.md`` (a Markdown table) of a results frame."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(stem.with_suffix(".csv"), index=False)
    stem.with_suffix(".md").write_text(frame.to_markdown(index=False) + "\n")


def fit_plain(synth, tables: dict, seed: int) -> float:
    """Fit a plain SDV synthesizer as ``PillarsSynthesizer(random_state=seed)`` fits: under
    the seed, then sampling from it (module docstring). Returns the fit's seconds."""
    from sdv_pillars.runtime import seeded

    with seeded(seed):
        _, fit_s = timed(lambda: synth.fit(tables))
    synth._set_random_state(seed)  # SDV's own seed setter
    return fit_s


def _rounded(value):
    return None if value is None else round(float(value), 4)


def run_single(table: str, backbone: str, variant: str, epochs: int, max_rows: int | None,
               seed: int) -> dict:
    """One run (module docstring); meant for a fresh process."""
    warnings.filterwarnings("ignore")
    from sdv_pillars import PillarsSynthesizer, evaluate
    from sdv_pillars.backbones import NEURAL, resolve_backbone
    from sdv_pillars.datasets import REAL_TABLES, load_real_table
    from sdv_pillars.profiling import build_metadata, profile_table

    data = load_real_table(table, max_rows, seed)
    holdout = data.sample(frac=0.2, random_state=seed)
    train = data.drop(index=holdout.index)
    kwargs = {"epochs": epochs} if backbone in NEURAL else {}
    if variant == "pillars":
        synth = PillarsSynthesizer(backbone=backbone, backbone_kwargs=kwargs or None,
                                   random_state=seed, verbose=False)
        _, fit_s = timed(lambda: synth.fit(train))
        fake, sample_s = timed(lambda: synth.sample_table(len(train)))
    else:
        metadata = build_metadata(profile_table(train), "table")
        synth = resolve_backbone(backbone)(metadata, **kwargs)
        fit_s = fit_plain(synth, {"table": train}, seed)
        fake, sample_s = timed(lambda: synth.sample(len(train))["table"][list(train.columns)])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = evaluate(train, fake, target=REAL_TABLES[table][1], holdout=holdout, random_state=seed)
    row = {"table": table, "rows": len(train), "columns": train.shape[1], "backbone": backbone,
           "variant": variant, "fit_s": round(fit_s, 2), "sample_s": round(sample_s, 3),
           "peak_mb": round(peak_mb), "overall": round(result.overall, 4)}
    row.update({key: _rounded(result.scores[key]) for key in SCORES})
    return row


def _run_into(queue, function, arguments: tuple) -> None:
    try:
        queue.put(("ok", function(*arguments)))
    except Exception as error:  # reported by the parent, with the run it belongs to
        queue.put(("error", f"{type(error).__name__}: {error}"))
    finally:
        # CTGAN's transformer runs joblib's process pool, whose idle workers would keep this
        # process alive for minutes after the run
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=False, kill_workers=True)


def in_fresh_process(context, function, arguments: tuple) -> dict:
    """``function(*arguments)`` in a new process, so its peak memory is its own. The process
    gets 30 s to exit once its result is in (one that trained torch models can linger at exit
    for minutes), then is ended."""
    queue = context.Queue()
    process = context.Process(target=_run_into, args=(queue, function, arguments))
    process.start()
    status, value = queue.get()
    process.join(timeout=30)
    if process.is_alive():
        process.terminate()
        process.join()
    if status == "error":
        raise RuntimeError(f"benchmark run {arguments[:3]} failed: {value}")
    return value


def run_relational(dataset: str, tables: dict, seed: int) -> list[dict]:
    """Plain HMA (where SDV takes the schema) against the pillars' multi-table modes."""
    from sdv.multi_table import HMASynthesizer

    from sdv_pillars import MultiTablePillarsSynthesizer, evaluate
    from sdv_pillars.relational.keys import clean_orphans

    def row(setting, fit_s, sample_s, real, fake, metadata) -> dict:
        s = evaluate(real, fake, metadata=metadata, random_state=seed).scores
        keys = ("quality", "column_pair_trends", "cardinality", "intertable_trends",
                "referential_integrity", "rule_compliance", "missingness_fidelity", "exact_copy_rate")
        return {"dataset": dataset, "tables": len(real), "rows": sum(len(t) for t in real.values()),
                "setting": setting, "fit_s": round(fit_s, 2), "sample_s": round(sample_s, 2),
                **{key: _rounded(s.get(key)) for key in keys}}

    rows, metadata, cleaned = [], None, None
    for setting, options in MULTI_SETTINGS.items():
        synth = MultiTablePillarsSynthesizer(random_state=seed, verbose=False, **options)
        try:
            _, fit_s = timed(lambda: synth.fit(tables))
        except ValueError as error:  # HMA's limits
            rows.append({"dataset": dataset, "setting": setting, "note": str(error).split(";")[0]})
            continue
        fake, sample_s = timed(lambda: synth.sample_scale())
        metadata = synth.get_metadata()
        cleaned = cleaned or clean_orphans(tables, metadata)[0]
        rows.append(row(setting, fit_s, sample_s, cleaned, fake, metadata))
    if len(metadata.tables) <= 5 and metadata._get_max_schema_depth() <= 2:
        plain = HMASynthesizer(metadata, verbose=False)
        _, fit_s = timed(lambda: plain.fit(cleaned))
        fake, sample_s = timed(lambda: plain.sample_scale(1.0))
        rows.append(row("plain hma", fit_s, sample_s, cleaned, fake, metadata))
        for entry in rows:
            if "fit_s" in entry:
                entry["fit_vs_plain_hma"] = round(entry["fit_s"] / rows[-1]["fit_s"], 2)
                entry["sample_vs_plain_hma"] = round(entry["sample_s"] / rows[-1]["sample_s"], 2)
    return rows


def _with_ratios(single: pd.DataFrame) -> pd.DataFrame:
    """Add pillars / plain time ratios for the same table, backbone and seed."""
    keys = ["table", "backbone", "seed"]
    plain = single[single["variant"] == "plain"].set_index(keys)
    out = single.copy()
    for column in ("fit_s", "sample_s"):
        reference = out.set_index(keys).index.map(plain[column].to_dict())
        out[column.replace("_s", "_ratio")] = (out[column] / reference.to_numpy(dtype=float)).round(2)
    return out


def pillars_effect(single: pd.DataFrame, figures=EFFECT_FIGURES) -> pd.DataFrame:
    """Per table, backbone and figure: plain and pillars as mean ± sd over the seeds, and the
    paired difference (pillars - plain, seed by seed) with a verdict the noise supports.

    The verdict reads the 95% interval of the mean difference over the ``n`` seeds,
    ``d ± t(0.975, n - 1) * se`` (Student's t: with 3 seeds the half-width is 4.3 standard
    errors, not 2): "better" when it lies above 0, "worse" when below, otherwise "within
    noise" (with one seed there is no spread, and no verdict).
    """
    from scipy.stats import t as student

    rows = []
    for (table, backbone), runs in single.groupby(["table", "backbone"], sort=False):
        by_variant = {v: part.set_index("seed") for v, part in runs.groupby("variant")}
        if set(by_variant) != {"plain", "pillars"}:
            continue
        for figure in figures:
            plain, pillars = (by_variant[v][figure].astype(float) for v in ("plain", "pillars"))
            diff = (pillars - plain).dropna()
            if diff.empty:
                continue
            n, mean = len(diff), diff.mean()
            half = (student.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
            verdict = ("n/a (one seed)" if np.isnan(half) else "better" if mean - half > 0
                       else "worse" if mean + half < 0 else "within noise")
            rows.append({"table": table, "backbone": backbone, "figure": figure,
                         "seeds": len(diff), "plain": _spread(plain), "pillars": _spread(pillars),
                         "difference": f"{mean:+.4f}", "verdict": verdict})
    return pd.DataFrame(rows)


def _spread(values: pd.Series) -> str:
    values = values.dropna()
    sd = values.std(ddof=1) if len(values) > 1 else 0.0
    return f"{values.mean():.4f} ± {sd:.4f}"


def chart(single: pd.DataFrame, path: Path) -> None:
    """Quality, rule compliance and fit-time ratio per backbone, plain vs pillars (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = ["quality", "rule_compliance", "missingness_fidelity"]
    means = single.groupby(["backbone", "variant"])[shown].mean()
    colours = {"plain": "#9e9e9e", "pillars": "#3b6ea8"}
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.5))
    for ax, column in zip(axes[:3], shown):
        means[column].unstack("variant").plot.bar(ax=ax, rot=30, color=colours)
        ax.set_title(f"{column} (mean over tables)")
        ax.set_ylim(0, 1.05)
        ax.legend(loc="lower right")
    ratios = single[single["variant"] == "pillars"].groupby("backbone")["fit_ratio"].median()
    ratios.plot.bar(ax=axes[3], rot=30, color="#e07b39")
    axes[3].axhline(1, color="black", linewidth=0.8)
    axes[3].set_title("fit time pillars / plain (median)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def comparison_report(single: pd.DataFrame, path: Path) -> None:
    """One HTML page: per table, every run's figures side by side, the best of each marked."""
    from sdv_pillars.quality.comparison import FIGURES, best_of
    from sdv_pillars.quality.report import Figures, comparison_section, page

    figures, sections = Figures(), []
    for table, runs in single.groupby("table", sort=False):
        arms = runs.assign(arm=runs["backbone"] + " " + runs["variant"])
        figures_shown = [f for f in FIGURES if f in arms.columns]
        shown = arms.groupby("arm", sort=False)[figures_shown].mean().T.astype(float)
        seeds = runs["seed"].nunique()
        sections.append(comparison_section(
            f"{table} ({int(runs['rows'].iloc[0]):,} rows)", shown, best_of(shown), figures,
            "Each backbone, plain SDV and with the pillars, evaluated against the same real "
            f"rows and rules{f' (means over {seeds} seeds)' if seeds > 1 else ''}."))
    path.write_text(page("Benchmark: backbones with and without the pillars", "".join(sections),
                         figures.count), encoding="utf-8")


def run_benchmark(profile: str = QUICK, out: str | Path = "benchmarks/results", seed: int = 0,
                  tables: list[str] | None = None, backbones: list[str] | None = None,
                  epochs: int | None = None, max_rows: int | None = None, relational: bool = True,
                  progress=print, seeds: list[int] | None = None) -> pd.DataFrame:
    """Run a profile; write ``<out>/compare_<profile>.{csv,md,png,html}``, the pillars' effect
    over the seeds (``_effect``, see ``pillars_effect``) and ``_relational``.

    ``tables``, ``backbones``, ``epochs`` and ``max_rows`` (rows kept per table) override the
    profile's. Every single-table run is repeated for each of ``seeds`` (default ``[seed]``:
    the split, the sample of rows and the synthesizer's seed); the relational runs use the
    first. The results table is rewritten after every run, so a stopped run keeps its rows.
    """
    seeds = list(seeds) if seeds else [seed]
    from sdv_pillars.datasets import RELATIONAL_DATASETS

    if profile not in PROFILES:
        raise ValueError(f"Unknown profile {profile!r}: one of {sorted(PROFILES)}.")
    settings = dict(PROFILES[profile])
    tables = tables or settings["tables"]
    backbones = backbones or settings["backbones"]
    epochs = epochs or settings["epochs"]
    max_rows = max_rows or settings["max_rows"]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    context = multiprocessing.get_context("spawn")
    for table in tables:
        for backbone in backbones:
            for run_seed in seeds:
                for variant in ("plain", "pillars"):
                    arguments = (table, backbone, variant, epochs, max_rows, run_seed)
                    row = {"seed": run_seed, **in_fresh_process(context, run_single, arguments)}
                    rows.append(row)
                    write_table(pd.DataFrame(rows), out / f"compare_{profile}")
                    progress(f"{table:<12} {backbone:<16} seed {run_seed} {variant:<8} fit "
                             f"{row['fit_s']:>7.2f}s quality {row['quality']} rules "
                             f"{row['rule_compliance']}")
    single = _with_ratios(pd.DataFrame(rows))
    stem = out / f"compare_{profile}"
    write_table(single, stem)
    write_table(pillars_effect(single), f"{stem}_effect")
    chart(single, stem.with_suffix(".png"))
    comparison_report(single, stem.with_suffix(".html"))
    if relational:
        multi = []
        for dataset, options in settings["relational"].items():
            multi += run_relational(dataset, RELATIONAL_DATASETS[dataset](**options, seed=seeds[0]),
                                    seeds[0])
            progress(f"{dataset}: done")
        write_table(pd.DataFrame(multi), f"{stem}_relational")
    return single
