"""The differentially private synthesizer: what it releases, what it learns, what it spends."""

import importlib.util
import os

import numpy as np
import pandas as pd
import pytest
from sdv.errors import NotFittedError
from sdv.metadata import Metadata
from sdv.sampling import Condition

from sdv_pillars import evaluate
from sdv_pillars.private import DPSynthesizer, PrivacyLedger
from sdv_pillars.private.domain import _passing_range, private_bounds, private_labels

if importlib.util.find_spec("opacus") is None:
    if os.environ.get("CI"):
        raise ImportError("opacus is missing: CI installs the [test] extra, which has [dp]")
    pytest.skip("opacus is not installed (pip install 'sdv-pillars[dp]')", allow_module_level=True)


def planted(rows: int = 2_000, seed: int = 0) -> pd.DataFrame:
    """Known truth: ``amount`` depends on ``plan`` (about 10 against 100), ``note`` is null
    on 60% of basic plans and 5% of premium ones (MAR on plan), ``flag`` has no nulls, and
    one row holds a label no other row has (``"Rare Disease X"``)."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "premium"], rows)
    amount = np.where(plan == "basic", rng.normal(10, 2, rows), rng.normal(100, 10, rows))
    null = rng.random(rows) < np.where(plan == "basic", 0.6, 0.05)
    diagnosis = rng.choice(["flu", "cold", "none"], rows).astype(object)
    diagnosis[7] = "Rare Disease X"
    return pd.DataFrame({"plan": plan, "amount": amount.round(2),
                         "note": np.where(null, None, "checked"), "flag": rng.random(rows) < 0.3,
                         "diagnosis": diagnosis})


@pytest.fixture(scope="module")
def fitted():
    data = planted()
    return data, DPSynthesizer(epsilon=10.0, epochs=10, random_state=0, verbose=False).fit(data)


def test_ledger_adds_up_and_refuses_to_overspend():
    ledger = PrivacyLedger(1.0, 1e-6)
    ledger.spend("a", "Laplace", 0.4)
    ledger.spend("b", "DP-SGD", 0.6, 1e-6)
    assert ledger.epsilon_spent == pytest.approx(1.0) and ledger.delta_spent == pytest.approx(1e-6)
    with pytest.raises(RuntimeError, match="'c' would spend"):
        ledger.spend("c", "Laplace", 0.01)
    assert list(ledger.table()["step"]) == ["a", "b"]


def test_a_label_one_row_holds_is_never_released():
    values = pd.Series(["a"] * 500 + ["b"] * 300 + ["only me"])
    for seed in range(50):
        labels, nulls = private_labels(values, 1.0, 1e-6, np.random.default_rng(seed))
        assert labels == ["a", "b"] and not nulls


def test_bounds_hold_the_values_and_see_nulls_and_zeros_only_when_there():
    rng = np.random.default_rng(0)
    values = rng.uniform(100, 900, 2_000)
    (low, high), nulls, zeros = private_bounds(values, 1.0, rng)
    assert 64 <= low <= 110 and 890 <= high <= 1024 and not nulls and not zeros
    with_gaps = np.concatenate([values, np.zeros(300), np.full(300, np.nan)])
    (low, high), nulls, zeros = private_bounds(with_gaps, 1.0, rng)
    assert 64 <= low <= 110 and 890 <= high <= 1024 and nulls and zeros
    years = rng.integers(1974, 2019, 2_000).astype(float)  # one octave: [1024, 2048)
    (low, high), _, _ = private_bounds(years, 1.0, rng)
    assert 1900 < low <= 1974 and 2018 <= high < 2100


def test_a_bin_that_passes_alone_does_not_stretch_the_bounds():
    noisy = np.array([0, 0, 50, 60, 45, 0, 0, 0, 0, 40, 0.0])  # bin 9: an empty bin's noise
    assert _passing_range(noisy, 30) == (2, 4, 3)
    noisy[9] = 400  # a real mass of its own, far from the rest, counts
    assert _passing_range(noisy, 30) == (2, 9, 4)
    assert _passing_range(np.array([0, 5, 0, 0.0]), 30) == (1, 1, 0)  # none passes: the fullest


def test_fit_spends_the_budget_and_says_so(fitted):
    data, synth = fitted
    ledger = synth.privacy_ledger_
    assert 9.0 < ledger.epsilon_spent <= 10.0 + 1e-9 and ledger.delta_spent <= 1e-6
    steps = list(ledger.table()["step"])
    assert steps[-1] == "joint distribution and nulls"
    assert "labels of 'plan'" in steps and "bounds of 'amount'" in steps and "nulls of 'flag'" in steps
    text = synth.summary()
    assert "epsilon=" in text and "Rules: not mined" in text and "profiled from the real rows" in text


def test_it_learns_the_planted_dependence_and_the_mar_nulls(fitted):
    data, synth = fitted
    fake = synth.sample_table(4_000)
    assert list(fake.columns) == list(data.columns) and fake["flag"].dtype == bool
    means = fake.groupby("plan")["amount"].mean()
    assert means["basic"] < 40 < means["premium"]
    null_rate = fake["note"].isna().groupby(fake["plan"]).mean()
    assert null_rate["basic"] > 0.4 and null_rate["premium"] < 0.2
    assert fake["flag"].notna().all() and fake["plan"].notna().all()  # no nulls grown from noise
    assert "Rare Disease X" not in synth.domains_["diagnosis"]
    assert "Rare Disease X" not in set(fake["diagnosis"])
    assert fake["amount"].between(*synth.bounds_["amount"]).all()
    assert data.equals(planted())  # the input is not modified


def test_sampling_repeats_after_reset_and_after_save_load(fitted, tmp_path):
    _, synth = fitted
    synth.reset_sampling()
    first = synth.sample_table(300)
    synth.save(tmp_path / "dp.pkl")
    loaded = DPSynthesizer.load(tmp_path / "dp.pkl")
    loaded.reset_sampling()
    pd.testing.assert_frame_equal(first, loaded.sample_table(300))
    assert DPSynthesizer(**loaded.get_parameters()).get_parameters() == loaded.get_parameters()
    assert loaded.get_parameters()["epsilon"] == 10.0 and loaded.get_parameters()["epochs"] == 10
    rows = loaded.sample_from_conditions([Condition({"plan": "premium"}, num_rows=25)])["table"]
    assert len(rows) == 25 and (rows["plan"] == "premium").all()


def test_public_schema_costs_nothing_and_covers_the_metadata():
    data = planted(1_000)
    metadata = Metadata.load_from_dict({"tables": {"t": {"columns": {
        "plan": {"sdtype": "categorical"}, "amount": {"sdtype": "numerical"},
        "note": {"sdtype": "categorical"}, "flag": {"sdtype": "boolean"},
        "diagnosis": {"sdtype": "categorical"}}}}})
    synth = DPSynthesizer(metadata, epsilon=2.0, epochs=3, random_state=1, verbose=False,
                          bounds={"amount": (0, 200)},
                          domains={"plan": ["basic", "premium"], "note": ["checked"],
                                   "diagnosis": ["flu", "cold", "none"], "flag": [False, True]})
    synth.fit(data)
    assert list(synth.privacy_ledger_.table()["step"]) == ["joint distribution and nulls"]
    assert synth.bounds_["amount"] == (0.0, 200.0)
    assert "the metadata (yours, public)" in synth.summary()
    assert len(synth.sample(50)["t"]) == 50


def test_bad_input_is_refused_by_name():
    data = planted(200)
    with pytest.raises(ValueError, match="epsilon must be a positive number"):
        DPSynthesizer(epsilon=0).fit(data)
    with pytest.raises(ValueError, match="bounds names 'plan'"):
        DPSynthesizer(bounds={"plan": (0, 1)}, verbose=False).fit(data)
    with_email = data.assign(contact="a@b.org")
    metadata = Metadata.load_from_dict({"tables": {"t": {"columns": {
        **{name: {"sdtype": "categorical"} for name in data.columns}, "contact": {"sdtype": "email"}}}}})
    with pytest.raises(ValueError, match="'contact': 'email'"):
        DPSynthesizer(metadata, verbose=False).fit(with_email)
    with pytest.raises(NotFittedError):
        DPSynthesizer().sample(5)
    with pytest.raises(ValueError, match="Batches of 4 rows are empty too often"):
        DPSynthesizer(batch_size=4, verbose=False).fit(planted(1_000))
    typo = data.assign(amount=data["amount"].astype(object))
    typo.loc[3, "amount"] = "12,5"  # a value the metadata's number cannot hold is not dropped
    metadata = Metadata.load_from_dict({"tables": {"t": {"columns": {
        **{name: {"sdtype": "categorical"} for name in data.columns}, "amount": {"sdtype": "numerical"}}}}})
    with pytest.raises(ValueError, match="Column 'amount' of table 't' is numerical .* '12,5'"):
        DPSynthesizer(metadata, verbose=False).fit(typo)


def test_evaluate_states_the_guarantee(fitted):
    data, synth = fitted
    result = evaluate(data, synth.sample_table(500), synthesizer=synth, attacks=False)
    assert result.scores["dp_epsilon"] == pytest.approx(synth.privacy_ledger_.epsilon_spent)
    assert any(note.startswith("Differential privacy") for note in result.notes)


def test_dates_come_back_as_dates_within_their_bounds():
    rng = np.random.default_rng(3)
    days = pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, 800), unit="D")
    data = pd.DataFrame({"opened": days, "closed": (days + pd.Timedelta(days=30)).strftime("%Y-%m-%d"),
                         "kind": rng.choice(["a", "b"], 800)})
    metadata = Metadata.load_from_dict({"tables": {"t": {"columns": {
        "opened": {"sdtype": "datetime"}, "kind": {"sdtype": "categorical"},
        "closed": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"}}}}})
    low, high = pd.Timestamp("2019-06-01").timestamp(), pd.Timestamp("2021-06-01").timestamp()
    synth = DPSynthesizer(metadata, epsilon=3.0, epochs=2, random_state=0, verbose=False,
                          bounds={"opened": (low, high), "closed": (low, high)}).fit(data)
    fake = synth.sample_table(300)
    assert pd.api.types.is_datetime64_any_dtype(fake["opened"])
    assert fake["opened"].dropna().between("2019-06-01", "2021-06-01").all()
    closed = pd.to_datetime(fake["closed"].dropna(), format="%Y-%m-%d")  # written as the real column
    assert len(closed) > 0 and closed.between("2019-06-01", "2021-06-01").all()
