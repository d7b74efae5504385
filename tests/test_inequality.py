"""The mined inequality reads dates column by column and gives SDV's results, value for value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sdv.cag import Inequality
from sdv.metadata import Metadata

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


@pytest.mark.parametrize("as_text", [False, True])
def test_dates_give_sdvs_results(as_text):
    frame, metadata = loans(as_text)
    ours, theirs = MinedInequality("opened", "closed"), Inequality("opened", "closed")
    for constraint in (ours, theirs):
        constraint.fit(frame, metadata)
    transformed = ours.transform(frame.copy())
    pd.testing.assert_frame_equal(transformed, theirs.transform(frame.copy()))
    pd.testing.assert_series_equal(pd.Series(ours.is_valid(frame, metadata)),
                                   pd.Series(theirs.is_valid(frame, metadata)), check_names=False)
    pd.testing.assert_frame_equal(ours.reverse_transform(transformed.copy()),
                                  theirs.reverse_transform(transformed.copy()))


def test_a_broken_order_is_invalid_and_unparsable_dates_go_to_sdvs_code():
    frame, metadata = loans(as_text=True)
    constraint = MinedInequality("opened", "closed")
    constraint.fit(frame, metadata)
    broken = frame.copy()
    broken.loc[0, "closed"] = "2019-01-01"
    assert not constraint.is_valid(broken, metadata)[0] and constraint.is_valid(broken, metadata)[1]
    odd = frame.copy()
    odd.loc[1, "closed"] = "31/12/2021"  # not the column's format: SDV's own parser decides
    assert constraint._dates(odd) is None
