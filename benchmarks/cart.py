"""The sequential CART backbone against GaussianCopula, same tables, same run.

Settings per table: each backbone with the pillars (and CART with smoothing and exact-copy
redraw), and each backbone alone on the same SDV metadata (no rules, no missingness model).
Figures: fit and sample seconds and their ratio to GaussianCopula in the same group (pillars
or plain; below 1 means CART is faster), sdmetrics quality and Column Pair Trends, the worst
rule's compliance, the largest null-rate error and the exact-copy rate. Every synthetic table
is checked against the same rules and null models (those of pillars+GaussianCopula).
Writes results/cart.{csv,md}.

    python benchmarks/cart.py                       # all tables, diamonds 50k, flights 20k
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd
from sdv.single_table import GaussianCopulaSynthesizer

from sdv_pillars import PillarsSynthesizer, evaluate
from sdv_pillars.benchmark import fit_plain, timed, write_table
from sdv_pillars.datasets import load_customers, load_flights, load_real_table
from sdv_pillars.sequential_cart import CARTSynthesizer

HERE = Path(__file__).resolve().parent
PILLARS = {"gaussian_copula": ("gaussian_copula", None),
           "cart": ("cart", None),
           "cart_redraw_density": ("cart", {"smoothing": "density", "exact_copies": "redraw"})}
PLAIN = {"gaussian_copula": GaussianCopulaSynthesizer, "cart": CARTSynthesizer}


def _row(name, real, label, fit_s, sample_s, fake, checker) -> dict:
    """Figures of one synthetic table, all checked against the same rules and null models."""
    result = evaluate(real, fake, synthesizer=checker)
    compliance = checker.rule_compliance(fake)
    return {
        "table": name, "rows": len(real), "columns": real.shape[1], "setting": label,
        "fit_s": round(fit_s, 2), "sample_s": round(sample_s, 2),
        "quality": round(result.scores["quality"], 4),
        "pair_trends": round(result.scores["column_pair_trends"], 4),
        "rule_compliance": round(compliance.min(), 4) if len(compliance) else None,
        "max_null_error": round(float((fake.isna().mean() - real.isna().mean()).abs().max()), 4),
        "exact_copy_rate": round(result.scores["exact_copy_rate"], 4),
    }


def run_table(name: str, real: pd.DataFrame, seed: int) -> list[dict]:
    rows, fitted = [], {}
    for label, (backbone, kwargs) in PILLARS.items():
        synth = PillarsSynthesizer(backbone=backbone, backbone_kwargs=kwargs, random_state=seed,
                                   verbose=False)
        _, fit_s = timed(lambda: synth.fit(real))
        fake, sample_s = timed(lambda: synth.sample_table(len(real)))
        fitted[label] = synth
        rows.append(_row(name, real, f"pillars+{label}", fit_s, sample_s, fake, fitted["gaussian_copula"]))
    checker = fitted["gaussian_copula"]
    metadata = checker.get_metadata()
    table_name = next(iter(metadata.tables))
    for label, synthesizer_class in PLAIN.items():
        plain = synthesizer_class(metadata)
        fit_s = fit_plain(plain, {table_name: real}, seed)
        fake, sample_s = timed(lambda: plain.sample(len(real))[table_name])
        rows.append(_row(name, real, f"plain {label}", fit_s, sample_s, fake, checker))
    by_setting = {row["setting"]: row for row in rows}
    for row in rows:
        reference = by_setting["pillars+gaussian_copula" if row["setting"].startswith("pillars")
                               else "plain gaussian_copula"]
        row["fit_vs_gc"] = round(row["fit_s"] / reference["fit_s"], 2)
        row["sample_vs_gc"] = round(row["sample_s"] / max(reference["sample_s"], 0.01), 2)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-rows", type=int, default=50_000)
    parser.add_argument("--flight-rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "cart")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rows = []
    tables = {"customers_1k": load_customers(1000), "customers_10k": load_customers(10_000),
              "hepatitis": load_real_table("hepatitis"), "credit_data": load_real_table("credit_data"),
              f"diamonds_{args.large_rows // 1000}k": load_real_table("diamonds", args.large_rows),
              f"flights_{args.flight_rows // 1000}k": load_flights(args.flight_rows)}
    for name, real in tables.items():
        rows += run_table(name, real, args.seed)
        print(pd.DataFrame(rows[-5:]).to_string(index=False), flush=True)
    frame = pd.DataFrame(rows)
    write_table(frame, args.out)
    print(frame.to_markdown(index=False))


if __name__ == "__main__":
    main()
