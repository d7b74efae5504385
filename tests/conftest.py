import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sdv_pillars.datasets import load_customers, load_hepatitis

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def customers() -> pd.DataFrame:
    return load_customers(1000, seed=0)


@pytest.fixture(scope="session")
def hepatitis() -> pd.DataFrame:
    path = SHARED_DATA / "hepatitis.csv"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must run with ../shared beside the project")
        pytest.skip(f"{path} not found (../shared is not beside this checkout)")
    return load_hepatitis(path)


@pytest.fixture(scope="session")
def fitted_customers(customers):
    """One default PillarsSynthesizer on the customer table, shared by read-only tests."""
    from sdv_pillars import PillarsSynthesizer

    return PillarsSynthesizer(random_state=0, verbose=False).fit(customers)


def independent_table(num_rows: int = 1000, seed: int = 1) -> pd.DataFrame:
    """Columns with no relation to each other: no rule and no MAR pattern may be found."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "x": rng.normal(0, 1, num_rows),
        "y": rng.normal(5, 2, num_rows),
        "count": rng.poisson(30, num_rows),
        "colour": rng.choice(["red", "green", "blue"], num_rows),
        "flag": rng.choice(["yes", "no"], num_rows),
        "size": rng.choice(["S", "M", "L", "XL"], num_rows),
    })


def visits(n_patients: int = 150, seed: int = 0) -> pd.DataFrame:
    """A planted panel: per patient a sex and an arm (context), visits on growing dates,
    a height that never goes down, a balance that is the running total of its charges, a
    weight that follows its previous value, a lab value skipped far more often at later
    visits, a noise column with no rule, a stage that never goes back (mild, moderate,
    severe), a mood that comes and goes (no rule), and a retest mostly skipped after a low
    reading (its nulls depend on the previous row's value)."""
    rng = np.random.default_rng(seed)
    states = np.random.default_rng(seed + 100)  # its own stream: the other columns stay as they were
    rows = []
    for patient in range(n_patients):
        n = int(rng.integers(3, 11))
        sex, arm = rng.choice(["F", "M"]), rng.choice(["drug", "placebo"])
        dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(
            int(rng.integers(0, 300)) + np.cumsum(rng.integers(20, 60, n)), unit="D")
        height = 150 + np.cumsum(rng.uniform(0, 2, n)).round(1)
        charges = rng.integers(10, 100, n).astype(float)
        balance = 500 + np.cumsum(charges) - charges[0]
        weight = 70 + (5 if sex == "M" else 0) + np.cumsum(rng.normal(0, 1.5, n)).round(1)
        lab = rng.normal(5, 1, n).round(2)
        late = np.arange(n) >= 3
        lab[rng.random(n) < np.where(late, 0.8, 0.05)] = np.nan
        stage = np.minimum(np.cumsum(states.random(n) < 0.3), 2)
        mood = states.choice(["calm", "tense", "low"], n)
        retest = states.normal(5, 1, n).round(2)
        for t in range(1, n):  # re-tested after a high reading, mostly skipped after a low one
            low = not np.isnan(retest[t - 1]) and retest[t - 1] < 5
            if states.random() < (0.85 if low else 0.05):
                retest[t] = np.nan
        for t in range(n):
            rows.append({"patient_id": f"P{patient:04d}", "visit": dates[t], "sex": sex, "arm": arm,
                         "height": height[t], "charge": charges[t], "balance": balance[t],
                         "weight": weight[t], "lab": lab[t], "noise": rng.normal(),
                         "stage": ["mild", "moderate", "severe"][stage[t]], "mood": mood[t],
                         "retest": retest[t]})
    return pd.DataFrame(rows)


# Property-based tests: a short run by default, a long one on demand
# (HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py).
try:
    from hypothesis import HealthCheck, settings

    settings.register_profile("default", max_examples=15, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("long", max_examples=300, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
except ImportError:  # hypothesis is a test extra
    pass
