"""Sampling to a file batch after batch: peak memory against the number of rows.

Each size runs in a fresh process (its peak resident memory is its own): a GaussianCopula
pillars model of the customer table (fitted once, saved) samples N rows either to Parquet with
``sample_to_file`` (100,000-row batches) or into memory with ``sample_table``. Also checks
every rule and the null rates on the written file, and the largest resident memory seen in
the first and in the second half of the run (polled every half second: memory that grows
batch after batch shows there). Writes results/streaming.{csv,md}.

    python benchmarks/streaming.py --rows 100000 1000000
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

from sdv_pillars.benchmark import write_table

HERE = Path(__file__).resolve().parent


def _run(model_path: str, rows: int, mode: str, out: str, queue) -> None:
    from sdv_pillars import PillarsSynthesizer

    model = PillarsSynthesizer.load(model_path)
    trace = []  # resident memory every half second: does it grow batch after batch?
    done = threading.Event()

    def watch():
        process = psutil.Process()
        while not done.wait(0.5):
            trace.append(process.memory_info().rss / 2**20)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    if mode == "to parquet":
        model.sample_to_file(rows, out)
    else:
        model.sample_table(rows)
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    half = len(trace) // 2
    queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               max(trace[:half], default=float("nan")), max(trace[half:], default=float("nan"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--modes", nargs="+", default=["to parquet", "in memory"])
    args = parser.parse_args()
    from sdv_pillars import PillarsSynthesizer
    from sdv_pillars.datasets import load_customers

    real = load_customers(5_000, seed=0)
    folder = Path(tempfile.mkdtemp())
    model = PillarsSynthesizer(random_state=0, verbose=False).fit(real)
    model.save(folder / "model.pkl")
    # forkserver: a child forked from a small server, so its peak memory (ru_maxrss) is its
    # own (a spawned child inherits the peak its parent had, here after reading a file back)
    context = multiprocessing.get_context("forkserver")
    results = []
    for rows in args.rows:
        for mode in args.modes:
            queue = context.Queue()
            out = str(folder / f"fake_{rows}.parquet")
            process = context.Process(target=_run, args=(str(folder / "model.pkl"), rows, mode, out, queue))
            process.start()
            seconds, peak, first_half, second_half = queue.get()
            process.join()
            row = {"rows": rows, "mode": mode, "seconds": round(seconds, 1), "peak_mb": round(peak),
                   "rss_first_half_mb": round(first_half), "rss_second_half_mb": round(second_half)}
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
