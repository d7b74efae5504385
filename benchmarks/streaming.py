"""Sampling to a file batch after batch: peak memory against the number of rows.

Each size runs in a fresh process (its peak resident memory is its own): a GaussianCopula
pillars model of the customer table (fitted once, saved) samples N rows either to Parquet with
``sample_to_file`` (100,000-row batches) or into memory with ``sample_table``. Also checks
every rule and the null rates on the written file. Writes results/streaming.{csv,md}.

    python benchmarks/streaming.py --rows 100000 1000000
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd

from sdv_pillars.benchmark import write_table

HERE = Path(__file__).resolve().parent


def _run(model_path: str, rows: int, mode: str, out: str, queue) -> None:
    from sdv_pillars import PillarsSynthesizer

    model = PillarsSynthesizer.load(model_path)
    start = time.perf_counter()
    if mode == "to parquet":
        model.sample_to_file(rows, out)
    else:
        model.sample_table(rows)
    seconds = time.perf_counter() - start
    queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", type=int, default=[100_000, 1_000_000])
    args = parser.parse_args()
    from sdv_pillars import PillarsSynthesizer
    from sdv_pillars.datasets import load_customers

    real = load_customers(5_000, seed=0)
    folder = Path(tempfile.mkdtemp())
    model = PillarsSynthesizer(random_state=0, verbose=False).fit(real)
    model.save(folder / "model.pkl")
    context = multiprocessing.get_context("spawn")
    results = []
    for rows in args.rows:
        for mode in ("to parquet", "in memory"):
            queue = context.Queue()
            out = str(folder / f"fake_{rows}.parquet")
            process = context.Process(target=_run, args=(str(folder / "model.pkl"), rows, mode, out, queue))
            process.start()
            seconds, peak = queue.get()
            process.join()
            row = {"rows": rows, "mode": mode, "seconds": round(seconds, 1), "peak_mb": round(peak)}
            if mode == "to parquet":
                fake = pd.read_parquet(out)
                row["rules_kept"] = round(float(model.rule_compliance(fake).min()), 4)
                row["max_null_rate_error"] = round(float(
                    (fake.isna().mean() - real.isna().mean()).abs().max()), 4)
            results.append(row)
            print(row, flush=True)
    write_table(pd.DataFrame(results), HERE / "results" / "streaming")


if __name__ == "__main__":
    main()
