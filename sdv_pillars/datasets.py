"""Tables with a known truth: the embedded demo table and a loader for the shared hepatitis data."""

from __future__ import annotations

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
