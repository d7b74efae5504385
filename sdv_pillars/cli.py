"""The ``sdv-pillars`` command line."""

from __future__ import annotations

import argparse
import sys

import pandas as pd


def _demo(args: argparse.Namespace) -> int:
    """Fit on the embedded customer table, sample, and show what was found and kept,
    beside the plain SDV backbone on the same data and metadata."""
    from sdv_pillars import PillarsSynthesizer
    from sdv_pillars.backbones import resolve_backbone
    from sdv_pillars.datasets import load_customers

    real = load_customers(args.rows, seed=args.seed)
    kwargs = {"epochs": args.epochs} if args.epochs else None
    synth = PillarsSynthesizer(backbone=args.backbone, backbone_kwargs=kwargs,
                               random_state=args.seed, verbose=not args.quiet)
    synth.fit(real)
    fake = synth.sample(args.samples)
    print(synth.summary())
    print("\nHow well it was kept, on", len(fake), "synthetic rows:")
    metadata = synth.get_metadata()
    table_name = next(iter(metadata.tables))
    plain = resolve_backbone(args.backbone)(metadata, **(kwargs or {}))
    plain.fit({table_name: real})
    plain_fake = plain.sample(args.samples)[table_name]
    print("\nRule compliance (share of synthetic rows that satisfy each rule):")
    print(pd.DataFrame({"pillars": synth.rule_compliance(fake),
                        "plain SDV": synth.rule_compliance(plain_fake)}).round(4).to_string())
    print("\nNull rates, real vs synthetic:")
    nulls = pd.DataFrame({"real": real.isna().mean(), "pillars": fake.isna().mean(),
                          "plain SDV": plain_fake.isna().mean()})
    print(nulls[nulls.max(axis=1) > 0].round(3).to_string())
    for column, model in synth.missingness_.items():
        numeric = [d for d in model.drivers if d in real and pd.api.types.is_numeric_dtype(real[d])]
        if model.mechanism != "MAR" or not numeric:
            continue
        driver = numeric[0]
        print(f"\nMAR gradient of '{column}' over thirds of '{driver}' (null share):")
        table = {}
        for name, frame in (("real", real), ("pillars", fake), ("plain SDV", plain_fake)):
            thirds = pd.qcut(frame[driver].rank(method="first"), 3, labels=["low", "mid", "high"])
            table[name] = frame[column].isna().groupby(thirds, observed=True).mean()
        print(pd.DataFrame(table).round(3).to_string())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdv-pillars", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="fit and sample the embedded customer table")
    demo.add_argument("--backbone", default="gaussian_copula",
                      help="gaussian_copula, ctgan, tvae or copulagan")
    demo.add_argument("--epochs", type=int, default=None, help="epochs of a neural backbone")
    demo.add_argument("--rows", type=int, default=1000, help="rows of the real table")
    demo.add_argument("--samples", type=int, default=5000, help="synthetic rows to draw")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--quiet", action="store_true", help="no progress bars")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ValueError, TypeError, FileNotFoundError) as error:
        print(f"sdv-pillars: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
