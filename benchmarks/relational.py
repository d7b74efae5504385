"""Multi-table synthesis: plain SDV HMA against the pillars' HMA and sequential modes.

Datasets (real, offline): the Portal surveys (surveys -> species, plots; clean keys; 763
surveys without species), nycflights13 (airlines, airports, planes, weather with a surrogate
key for its composite key, and a sample of flights; dirty keys), and a three-level chain from
the Portal tables (plot types -> plots -> surveys), which HMA refuses. The figures are those
of ``sdv_pillars.benchmark.run_relational``. Writes results/relational.{csv,md}.

    python benchmarks/relational.py                    # surveys 10k, flights 10k
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

from sdv_pillars.benchmark import run_relational, write_table
from sdv_pillars.datasets import load_nycflights, load_portal, load_portal_chain

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=10_000)
    parser.add_argument("--flights", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "relational")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    datasets = {"portal": load_portal(args.surveys, args.seed),
                "nycflights13": load_nycflights(args.flights, args.seed),
                "portal_chain_3_levels": load_portal_chain(args.surveys, args.seed)}
    rows = []
    for name, tables in datasets.items():
        rows += run_relational(name, tables, args.seed)
    frame = pd.DataFrame(rows)
    write_table(frame, args.out)
    print(frame.to_markdown(index=False))


if __name__ == "__main__":
    main()
