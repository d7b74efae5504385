"""Sequences benchmark on the three built-in longitudinal tables (``sdv_pillars.sequences.
benchmark`` says what runs). The committed results came from:

    python benchmarks/sequences.py --seeds 0 1 2 --epochs 32
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sdv_pillars.sequences.benchmark import TABLES, load, run_sequence_benchmark

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=32, help="PAR's epochs, in both PAR arms")
    parser.add_argument("--tables", nargs="+", default=list(TABLES))
    parser.add_argument("--backbones", nargs="+", default=["cart", "par"])
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    tables = {name: (*load(name), None) for name in args.tables}
    run_sequence_benchmark(tables, args.out, args.seeds, args.epochs, args.backbones)


if __name__ == "__main__":
    main()
