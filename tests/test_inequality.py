"""The mined inequality: the backbone sees both columns; rows that break the order are repaired
with real differences of rows like them; validity is SDV's, dates read column by column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sdv.cag import Inequality
from sdv.metadata import Metadata

from sdv_pillars import PillarsSynthesizer
from sdv_pillars.rules.inequality import MinedInequality


def loans(as_text: bool, rows: int = 400) -> tuple[pd.DataFrame, Metadata]:
    rng = np.random.default_rng(0)
    opened = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, rows), unit="D")
    closed = opened + pd.to_timedelta(rng.integers(1, 400, rows), unit="D")
    frame = pd.DataFrame({"opened": opened, "closed": closed, "amount": rng.normal(1000, 50, rows)})
    frame.loc[[3, 10], "opened"] = pd.NaT
    frame.loc[[5, 10, 20], "closed"] = pd.NaT
    if as_text:
        frame["opened"] = frame["opened"].dt.strftime("%Y-%m-%d")
        frame["closed"] = frame["closed"].dt.strftime("%Y-%m-%d")
    metadata = Metadata.load_from_dict({"tables": {"loans": {"columns": {
        "opened": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"},
        "closed": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"},
        "amount": {"sdtype": "numerical"}}}}})
    return frame, metadata


def prices(rows: int = 2000) -> tuple[pd.DataFrame, Metadata]:
    """A price is its amount plus a margin of 5-15% of it: the difference grows with the low side."""
    rng = np.random.default_rng(1)
    amount = np.round(rng.lognormal(7, 0.6, rows))
    frame = pd.DataFrame({"amount": amount, "price": np.round(amount * rng.uniform(1.05, 1.15, rows)),
                          "term": rng.integers(12, 60, rows)})
    metadata = Metadata.load_from_dict({"tables": {"t": {"columns": {
        c: {"sdtype": "numerical"} for c in frame.columns}}}})
    return frame, metadata


@pytest.mark.parametrize("as_text", [False, True])
def test_the_backbone_sees_both_columns_and_validity_is_sdvs(as_text):
    frame, metadata = loans(as_text)
    ours, theirs = MinedInequality("opened", "closed"), Inequality("opened", "closed")
    for constraint in (ours, theirs):
        constraint.fit(frame, metadata)
    pd.testing.assert_frame_equal(ours.transform(frame.copy()), frame)
    assert ours.get_updated_metadata(metadata).to_dict() == metadata.to_dict()
    pd.testing.assert_series_equal(pd.Series(ours.is_valid(frame, metadata)),
                                   pd.Series(theirs.is_valid(frame, metadata)), check_names=False)
    # rows that keep the order (or have a null) come back as they went in
    pd.testing.assert_frame_equal(ours.reverse_transform(frame.copy()), frame)


@pytest.mark.parametrize("as_text", [False, True])
def test_broken_dates_are_repaired_in_the_columns_format(as_text):
    frame, metadata = loans(as_text)
    constraint = MinedInequality("opened", "closed", strict_boundaries=True)
    constraint.fit(frame, metadata)
    broken = frame.copy()
    broken.loc[[0, 1, 2], "closed"] = broken.loc[[0, 1, 2], "opened"]  # equal: breaks strict
    assert not constraint.is_valid(broken, metadata)[:3].any()
    repaired = constraint.reverse_transform(broken.copy())
    assert constraint.is_valid(repaired, metadata).all()
    pd.testing.assert_frame_equal(repaired.iloc[3:], broken.iloc[3:])
    if as_text:
        assert repaired["closed"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    days = (pd.to_datetime(repaired["closed"]) - pd.to_datetime(repaired["opened"])).dt.days
    real_days = set((pd.to_datetime(frame["closed"]) - pd.to_datetime(frame["opened"])).dt.days.dropna())
    assert set(days[:3]) <= real_days  # each is the difference of a real row


def test_a_repair_draws_the_difference_of_rows_with_a_similar_low_value():
    frame, metadata = prices()
    constraint = MinedInequality("amount", "price")
    constraint.fit(frame, metadata)
    broken = frame.copy()
    rows = np.arange(0, 2000, 10)
    broken.loc[rows, "price"] = broken.loc[rows, "amount"] - 50
    repaired = constraint.reverse_transform(broken.copy())
    assert constraint.is_valid(repaired, metadata).all()
    margin = repaired.loc[rows, "price"] / repaired.loc[rows, "amount"] - 1
    # a difference drawn from anywhere would give margins from -0.9 to +9 (amounts span 20x)
    assert margin.between(0.0, 0.25).mean() > 0.95
    assert repaired.drop(index=rows).equals(broken.drop(index=rows))
    # the draws are replayed after reset_sampling, as SDV's
    constraint.reset_sampling()
    pd.testing.assert_frame_equal(constraint.reverse_transform(broken.copy()), repaired)


def test_unparsable_dates_are_left_to_sdvs_rejection():
    frame, metadata = loans(as_text=True)
    constraint = MinedInequality("opened", "closed")
    constraint.fit(frame, metadata)
    odd = frame.copy()
    odd.loc[0, "closed"] = "2019-01-01"  # breaks the order
    odd.loc[1, "closed"] = "31/12/2021"  # not the column's format
    out = constraint.reverse_transform(odd.copy())
    pd.testing.assert_frame_equal(out, odd)  # no repair: SDV's sampling drops row 0
    assert not constraint.is_valid(out, metadata)[0]


def test_the_high_column_keeps_its_shape_with_a_gaussian_copula():
    """With SDV's log-difference, GaussianCopula moved credit_data's Price quantiles by half;
    here the backbone models price itself and only breaking rows are repaired."""
    frame, _ = prices()
    synth = PillarsSynthesizer(random_state=0, verbose=False).fit(frame)
    assert [(r.features[0], r.target) for r in synth.rule_set_.inequalities] == [("amount", "price")]
    fake = synth.sample_table(2000)
    assert (fake["price"] >= fake["amount"]).all()
    for q in (0.05, 0.5, 0.95):
        assert fake["price"].quantile(q) == pytest.approx(frame["price"].quantile(q), rel=0.15)
