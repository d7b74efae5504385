import numpy as np
import pandas as pd
from sdv.metadata import Metadata

from sdv_pillars import PillarsSynthesizer
from sdv_pillars.profiling import build_metadata, classify_column, profile_table


def test_kinds_on_known_columns():
    rng = np.random.default_rng(0)
    n = 200
    frame = pd.DataFrame({
        "customer_id": np.arange(1000, 1000 + n),
        "code": rng.choice([1, 2], n).astype(float),
        "count": rng.poisson(40, n).astype(float),
        "amount": rng.normal(10, 2, n),
        "joined": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "stamp": pd.date_range("2021-01-01", periods=n, freq="h"),
        "active": rng.choice([True, False], n),
        "country": ["NL"] * n,
        "label": rng.choice(["a", "b", "c"], n),
    })
    frame.loc[::7, "count"] = np.nan  # an integer column stored as float because of NaN
    profile = profile_table(frame)
    kinds = {name: p.kind for name, p in profile.items()}
    assert kinds == {
        "customer_id": "id", "code": "categorical", "count": "integer", "amount": "continuous",
        "joined": "datetime", "stamp": "datetime", "active": "boolean", "country": "constant",
        "label": "categorical",
    }
    assert profile["joined"].datetime_format == "%Y-%m-%d"
    assert "nulls" in profile["count"].reason

    metadata = build_metadata(profile, "t")
    metadata.validate_data({"t": frame})
    spec = metadata.tables["t"].columns
    assert metadata.tables["t"].primary_key == "customer_id"
    assert spec["count"] == {"sdtype": "numerical", "decimal_places": 0}
    assert spec["joined"]["datetime_format"] == "%Y-%m-%d"


def test_unique_whole_numbers_that_are_quantities_are_not_ids():
    values = pd.Series([5, 17, 3, 99, 42, 8, 61, 23, 77, 12, 150, 64], name="price")
    assert classify_column(values).kind == "integer"


def test_user_metadata_wins(customers):
    metadata = Metadata.load_from_dict({"tables": {"customers": {"columns": {
        "age": {"sdtype": "categorical"},
        "income": {"sdtype": "numerical"},
        "education": {"sdtype": "categorical"},
        "credit_score": {"sdtype": "numerical"},
        "region": {"sdtype": "categorical"},
        "account_balance": {"sdtype": "numerical"},
        "customer_type": {"sdtype": "categorical"},
    }}}})
    synth = PillarsSynthesizer(metadata=metadata, rules=False, random_state=0, verbose=False)
    synth.fit(customers)
    assert synth.profile_["age"].kind == "categorical"
    assert "user's metadata" in synth.profile_["age"].reason
    assert synth.get_metadata().to_dict() == metadata.to_dict()
    assert list(synth.sample_table(50).columns) == list(customers.columns)


def test_zero_one_codes_are_categorical_not_boolean():
    # 0 == False in Python: a 0/1 code column must not be taken for booleans.
    assert classify_column(pd.Series([0, 1, 1, 0, 1], name="smoker")).kind == "categorical"
    assert classify_column(pd.Series([True, False, True], name="ok")).kind == "boolean"
