"""Pillars vs plain SDV, same data, same metadata, same run.

For each table and backbone: fit and sample seconds of plain SDV and of PillarsSynthesizer,
their ratio (the overhead a user pays), rule compliance of both, the largest null-rate error
and the sdmetrics Quality score of both. Writes CSV and Markdown under benchmarks/results/.

    python benchmarks/overhead.py                 # GaussianCopula on all tables
    python benchmarks/overhead.py --backbones gaussian_copula ctgan tvae copulagan --epochs 50
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd
from bench_tables import benchmark_tables, timed
from sdmetrics.reports.single_table import QualityReport

from sdv_pillars import PillarsSynthesizer
from sdv_pillars.backbones import NEURAL, resolve_backbone

HERE = Path(__file__).resolve().parent


def _quality(real, fake, metadata, table_name):
    report = QualityReport()
    report.generate(real, fake, metadata.to_dict()["tables"][table_name], verbose=False)
    return report.get_score()


def _worst_null_error(real: pd.DataFrame, fake: pd.DataFrame) -> float:
    """Largest |synthetic - real| null rate over the columns that have nulls."""
    return float((fake.isna().mean() - real.isna().mean()).abs().max())


def run_one(name: str, real: pd.DataFrame, backbone: str, epochs: int, seed: int) -> dict:
    kwargs = {"epochs": epochs} if backbone in NEURAL else None
    pillars = PillarsSynthesizer(backbone=backbone, backbone_kwargs=kwargs, random_state=seed,
                                 verbose=False)
    _, pillars_fit = timed(lambda: pillars.fit(real))
    metadata = pillars.get_metadata()
    table_name = next(iter(metadata.tables))
    plain = resolve_backbone(backbone)(metadata, **(kwargs or {}))
    _, plain_fit = timed(lambda: plain.fit({table_name: real}))
    n = len(real)
    fake, pillars_sample = timed(lambda: pillars.sample(n))
    plain_fake, plain_sample = timed(lambda: plain.sample(n)[table_name])
    compliance, plain_compliance = pillars.rule_compliance(fake), pillars.rule_compliance(plain_fake)
    return {
        "table": name, "rows": n, "columns": real.shape[1], "backbone": backbone,
        "rules": len(pillars.rules_),
        "mar_columns": sum(m.mechanism == "MAR" for m in pillars.missingness_.values()),
        "fit_plain_s": round(plain_fit, 2), "fit_pillars_s": round(pillars_fit, 2),
        "fit_ratio": round(pillars_fit / plain_fit, 2),
        "sample_plain_s": round(plain_sample, 3), "sample_pillars_s": round(pillars_sample, 3),
        "sample_ratio": round(pillars_sample / plain_sample, 2),
        "compliance_plain": round(plain_compliance.min(), 4) if len(compliance) else None,
        "compliance_pillars": round(compliance.min(), 4) if len(compliance) else None,
        "max_null_error_plain": round(_worst_null_error(real, plain_fake), 4),
        "max_null_error_pillars": round(_worst_null_error(real, fake), 4),
        "quality_plain": round(_quality(real, plain_fake, metadata, table_name), 4),
        "quality_pillars": round(_quality(real, fake, metadata, table_name), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbones", nargs="+", default=["gaussian_copula"])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--large-rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(HERE / "results" / "overhead"))
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rows = []
    for name, real in benchmark_tables(args.large_rows).items():
        for backbone in args.backbones:
            row = run_one(name, real, backbone, args.epochs, args.seed)
            print(row, flush=True)
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame.to_csv(f"{args.out}.csv", index=False)
    Path(f"{args.out}.md").write_text(frame.to_markdown(index=False) + "\n")
    print(frame.to_string(index=False))


if __name__ == "__main__":
    main()
