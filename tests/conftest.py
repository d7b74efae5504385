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
