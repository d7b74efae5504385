import json
import os
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
from sdmetrics.column_pairs import ContingencySimilarity
from sdmetrics.reports import DiagnosticReport, QualityReport
from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr

from sdv_pillars import evaluate
from sdv_pillars.datasets import load_customers
from sdv_pillars.profiling import build_metadata, profile_table
from sdv_pillars.quality.columns import column_tests
from sdv_pillars.quality.privacy import distance_to_closest_record

RULE = "customer_type"


@pytest.fixture(scope="module")
def fresh():
    """A second draw from the customer table's generator: a faithful synthetic table."""
    return load_customers(1000, seed=1)


def _shuffle_columns(data: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: data[c].to_numpy()[rng.permutation(len(data))] for c in data.columns})


def test_exact_copy_of_the_real_table_is_flagged(customers):
    result = evaluate(customers, customers.copy())
    assert result.scores["exact_copy_rate"] == 1.0
    assert result.scores["dcr_median"] == 0.0
    assert "100.0% of synthetic rows copy a real row" in result.verdicts()["privacy"]
    assert result.details["overall"].set_index("component")["score"]["privacy"] == 0.0


def test_independent_shuffle_keeps_shapes_and_loses_pair_trends(customers, fresh):
    faithful = evaluate(customers, fresh)
    shuffled = evaluate(customers, _shuffle_columns(customers))
    assert shuffled.scores["column_shapes"] > 0.99
    assert faithful.scores["column_pair_trends"] > 0.85
    # sdmetrics scores a pair 1 - |r_real - r_synth| / 2: losing r = 0.7 costs 0.35 per pair
    assert shuffled.scores["column_pair_trends"] < 0.75
    assert shuffled.scores["column_pair_trends"] < faithful.scores["column_pair_trends"] - 0.2
    assert shuffled.scores["exact_copy_rate"] < 0.01


def test_a_broken_rule_shows_below_full_compliance(customers, fresh):
    broken = fresh.copy()
    rows = np.random.default_rng(0).choice(len(broken), 200, replace=False)
    broken.loc[rows, RULE] = np.where(broken.loc[rows, RULE] == "Standard", "VIP", "Standard")
    kept, lost = evaluate(customers, fresh), evaluate(customers, broken)
    rule = lambda r: r.details["rules"].set_index("kind").loc["cart_classification"]  # noqa: E731
    assert rule(kept)["rule"].startswith(f"{RULE} = CART(income")
    assert rule(kept)["real_compliance"] == 1.0
    assert rule(kept)["synthetic_compliance"] >= 0.99  # a fresh draw may fall between leaves
    assert rule(lost)["synthetic_compliance"] == pytest.approx(0.8, abs=0.005)
    assert lost.scores["rule_compliance"] == pytest.approx(0.8, abs=0.005)
    assert "hold more or less often than in the real rows" in lost.verdicts()["rules"]


def test_the_synthesizers_own_rules_and_models_are_checked(customers, fitted_customers):
    fake = fitted_customers.sample_table(1000)
    result = evaluate(customers, fake, synthesizer=fitted_customers)
    assert list(result.details["rules"]["rule"]) == [str(r) for r in fitted_customers.rules_]
    assert result.scores["rule_compliance"] == 1.0
    dependence = result.details["missingness_dependence"].set_index("column")
    assert list(dependence.index) == ["education"]  # the planted MAR column, and only it
    assert dependence.loc["education", "dependence_kept"] > 0.6


def test_nulls_moved_at_random_lose_the_mar_dependence(customers, fresh):
    moved = fresh.copy()
    values = moved["education"].dropna().to_numpy()
    rng = np.random.default_rng(0)
    moved["education"] = np.nan
    moved["education"] = moved["education"].astype(object)
    keep = rng.choice(len(moved), len(values), replace=False)
    moved.loc[keep, "education"] = values
    kept, lost = evaluate(customers, fresh), evaluate(customers, moved)
    dep = lambda r: r.details["missingness_dependence"].set_index("column").loc["education"]  # noqa: E731
    assert dep(kept)["auc_real"] > 0.6
    assert dep(kept)["dependence_kept"] > 0.6
    assert dep(lost)["auc_synthetic"] == pytest.approx(0.5, abs=0.06)
    assert dep(lost)["dependence_kept"] < 0.35
    # the rate alone does not see the damage: both keep education's null rate exactly
    rates = lambda r: r.details["null_rates"].set_index("column").loc["education"]  # noqa: E731
    assert rates(lost)["synthetic_null_rate"] == rates(kept)["synthetic_null_rate"]
    assert lost.scores["missingness_fidelity"] < kept.scores["missingness_fidelity"] - 0.15


def test_sdmetrics_figures_agree_with_direct_sdmetrics_calls(customers, fresh):
    result = evaluate(customers, fresh)
    metadata = build_metadata(profile_table(customers), "table").to_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quality, diagnostic = QualityReport(), DiagnosticReport()
        quality.generate({"table": customers}, {"table": fresh}, metadata, verbose=False)
        diagnostic.generate({"table": customers}, {"table": fresh}, metadata, verbose=False)
    properties = quality.get_properties().set_index("Property")["Score"]
    assert result.scores["quality_sdmetrics"] == pytest.approx(quality.get_score())
    assert result.scores["column_shapes"] == pytest.approx(properties["Column Shapes"])
    assert result.scores["column_pair_trends_sdmetrics"] == pytest.approx(properties["Column Pair Trends"])
    # pairs without a number keep the report's score; label-number pairs are sdmetrics' own
    # ContingencySimilarity on the real table's bins (test_pair_trends_bins_both_tables...)
    theirs = quality.get_details("Column Pair Trends")
    ours = result.details["column_pair_trends"]
    specs = metadata["tables"]["table"]["columns"]
    for (_, mine), (_, report) in zip(ours.iterrows(), theirs.iterrows()):
        pair = [mine["Column 1"], mine["Column 2"]]
        numbers = [c for c in pair if specs[c]["sdtype"] == "numerical"]
        if mine["Metric"] == "ContingencySimilarity" and numbers:
            both = [frame[pair].dropna() for frame in (customers, fresh)]
            expected = ContingencySimilarity.compute(*both, continuous_column_names=numbers)
            assert mine["Score"] == pytest.approx(expected)
        else:
            assert mine["Score"] == pytest.approx(report["Score"], nan_ok=True)
    counted = ours[ours["Meets Threshold?"].astype(bool)]["Score"].mean()
    assert result.scores["column_pair_trends"] == pytest.approx(counted)
    assert result.scores["quality"] == pytest.approx(
        (result.scores["column_shapes"] + result.scores["column_pair_trends"]) / 2)
    assert result.scores["diagnostic"] == pytest.approx(diagnostic.get_score())
    # the KS effect sizes are the complements of sdmetrics' KSComplement scores
    shapes = quality.get_details("Column Shapes").set_index("Column")["Score"]
    tests = result.details["column_tests"].set_index("column")["effect_size"]
    assert tests["income"] == pytest.approx(1 - shapes["income"])


def test_distance_to_closest_record_matches_sdmetrics(customers, fresh):
    profile = profile_table(customers)
    metadata = build_metadata(profile, "table").to_dict()["tables"]["table"]
    ours = distance_to_closest_record(fresh.head(150), customers.head(300), profile)
    theirs = calculate_dcr(fresh.head(150), customers.head(300), metadata)
    np.testing.assert_allclose(ours, theirs.to_numpy(), atol=1e-9)


def test_column_tests_report_effect_sizes():
    x = np.arange(100) * 0.37 + 0.1
    real = pd.DataFrame({"x": x, "label": ["a"] * 50 + ["b"] * 50})
    synthetic = pd.DataFrame({"x": x + 19.5 * 0.37, "label": ["a"] * 75 + ["b"] * 25})
    tests = column_tests(real, synthetic, profile_table(real)).set_index("column")
    assert tests.loc["x", "effect_size"] == pytest.approx(0.2)  # KS: 20 of 100 values shifted past the rest
    assert tests.loc["label", "effect_size"] == pytest.approx(0.25)  # TVD: |.75-.5|
    assert tests.loc["label", "p_value"] < 0.01


def test_holdout_separates_memorised_from_fresh_rows(customers, fresh):
    train, holdout = customers.iloc[:500], customers.iloc[500:]
    memorised = evaluate(train, train.sample(500, replace=True, random_state=0), holdout=holdout)
    honest = evaluate(train, fresh.head(500), holdout=holdout)
    assert memorised.scores["dcr_share_closer_to_train"] == 1.0
    assert memorised.scores["dcr_overfitting_protection"] == 0.0
    assert 0.35 < honest.scores["dcr_share_closer_to_train"] < 0.65


def test_ml_utility_compares_synthetic_and_real_training(customers, fresh):
    train, holdout = customers.iloc[:700], customers.iloc[700:]
    target = "credit_score"  # a function of age and income plus noise: R^2 near 0.9
    good = evaluate(train, fresh, target=target, holdout=holdout)
    scrambled = fresh.assign(**{target: fresh[target].sample(frac=1, random_state=0).to_numpy()})
    bad = evaluate(train, scrambled, target=target, holdout=holdout)
    assert good.details["ml_utility"]["metric"].iloc[0] == "r2"
    assert good.scores["ml_real_score"] > 0.8
    assert good.scores["ml_utility"] > 0.9
    assert bad.scores["ml_utility"] < 0.1
    assert not any("holdout" in note for note in good.notes if "ML utility" in note)


def test_overall_leaves_out_what_was_not_measured(customers, fresh):
    """No target and no holdout: ML utility and the DCR comparison are None and left out of
    ``overall`` (not counted as 0 or 1); the arithmetic is tested in test_helpers."""
    result = evaluate(customers, fresh)
    assert set(result.details["overall"]["component"]) == {
        "quality", "diagnostic", "rule_compliance", "missingness_fidelity", "privacy"}
    assert result.scores["ml_utility"] is None and result.scores["dcr_share_closer_to_train"] is None
    with_target = evaluate(customers, fresh, target=RULE)
    assert "ml_utility" in set(with_target.details["overall"]["component"])


def test_outputs_json_png_html(tmp_path, customers, fresh):
    result = evaluate(customers, fresh, target=RULE)
    data = json.loads(result.to_json(tmp_path / "r.json"))
    assert data["scores"]["quality"] == pytest.approx(result.scores["quality"])
    assert {"rules", "null_rates", "column_tests"} <= set(data["details"])
    result.to_png(tmp_path / "r.png")
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = result.to_html(tmp_path / "r.html").read_text()
    assert "<script src=" not in page  # plotly.js is embedded: the report opens offline
    assert "Plotly" in page and "Rules" in page and "Privacy" in page and "ML utility" in page
    assert result.summary().startswith("Evaluation of synthetic table 'table': overall")


def test_bad_input_gets_a_clear_error(customers, fresh):
    with pytest.raises(ValueError, match=r"missing \['region'\]"):
        evaluate(customers, fresh.drop(columns=["region"]))
    with pytest.raises(ValueError, match="target 'nope' is not a column"):
        evaluate(customers, fresh, target="nope")
    with pytest.raises(TypeError, match="Expected a pandas DataFrame"):
        evaluate(customers, "fake.csv")


def test_inputs_are_not_modified(customers, fresh):
    before_real, before_fake = customers.copy(), fresh.copy()
    evaluate(customers, fresh, target=RULE)
    pd.testing.assert_frame_equal(customers, before_real)
    pd.testing.assert_frame_equal(fresh, before_fake)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _open_in_chromium(path, script: str):
    """Open ``path`` headless, wait for every plotly figure, return (errors, script's value)."""
    if _chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("no Chromium on this machine")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(path.as_uri())
        expected = int(page.evaluate("document.body.dataset.figures"))
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected}", timeout=30_000)
        value = page.evaluate(script)
        browser.close()
    return errors, expected, value


READ_PAGE = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const byTitle = {};
  for (const p of plots) {
    const title = (p.layout.title && (p.layout.title.text || p.layout.title)) || '';
    byTitle[title] = {xaxis: p._fullLayout.xaxis.type, traces: p.data.length};
  }
  const links = [...document.querySelectorAll('nav a')].map(a => a.getAttribute('href'));
  return {drawn: plots.length, byTitle: byTitle, links: links,
          broken: links.filter(h => !document.getElementById(h.slice(1))),
          bars: document.querySelectorAll('.js-plotly-plot .bars .point').length,
          title: document.title};
}"""


@pytest.mark.slow
def test_report_renders_in_headless_chromium(tmp_path, customers, fresh):
    """No console errors, every figure drawn, dates on a date axis, navigation that resolves,
    one curve per loss series, the table's own name in the title."""
    from sdv_pillars import PillarsSynthesizer

    days = pd.Timestamp("2021-01-01") + pd.to_timedelta(np.arange(len(customers)) % 365, "D")
    real = customers.assign(opened=days)
    synth = PillarsSynthesizer(backbone="ctgan", backbone_kwargs={"epochs": 3}, random_state=0,
                               verbose=False).fit({"loans": real})
    result = evaluate({"loans": real}, synth.sample(len(real)), synthesizer=synth, target=RULE)
    path = result.to_html(tmp_path / "report.html")
    errors, expected, page = _open_in_chromium(path, READ_PAGE)
    assert errors == []
    assert expected >= 10 and page["drawn"] == expected  # 8 columns, heatmaps, nulls, rules, ...
    assert page["bars"] > 50  # the bars are really drawn, not empty axes
    opened = next(v for t, v in page["byTitle"].items() if t.startswith("opened"))
    assert opened["xaxis"] == "date"
    assert next(v for t, v in page["byTitle"].items() if t.startswith("income"))["xaxis"] == "linear"
    assert len(page["links"]) >= 8 and page["broken"] == []
    series = result.details["training"]["series"].nunique()
    assert series == 2 and page["byTitle"]["Loss per epoch"]["traces"] == series
    assert page["title"] == "Synthetic data report: loans"


@pytest.mark.slow
def test_comparison_page_renders_and_marks_the_best(tmp_path, customers, fresh):
    from sdv_pillars import compare

    comparison = compare({"faithful": fresh, "copy": customers}, customers)
    path = comparison.to_html(tmp_path / "compare.html")
    errors, expected, page = _open_in_chromium(path, READ_PAGE)
    assert errors == [] and page["drawn"] == expected == 1 and page["broken"] == []


def test_compare_lines_figures_up_and_marks_the_best(customers, fresh):
    from sdv_pillars import compare

    comparison = compare({"faithful": fresh, "copy": customers}, customers)
    best = comparison.best()
    assert best["exact_copy_rate"] == ["faithful"]  # lowest is best
    assert best["quality"] == ["copy"]  # highest is best
    from sdv_pillars.quality.comparison import best_of

    ties = best_of(pd.DataFrame({"a": [1.0, 0.5, 0.0], "b": [1.0, 0.4, 0.0]},
                                index=["diagnostic", "dcr_share_closer_to_train", "exact_copy_rate"]))
    assert "diagnostic" not in ties.index  # a tie everywhere marks nothing
    assert ties["dcr_share_closer_to_train"] == ["a"]  # nearest to 0.5
    table = comparison.table
    assert list(table.columns) == ["faithful", "copy"]
    assert table.loc["exact_copy_rate", "copy"] == 1.0
    assert "0.000*" in comparison.summary() or "0.000 *" in comparison.summary()
    assert json.loads(comparison.to_json())["best"]["quality"] == ["copy"]
    with pytest.raises(ValueError, match="one entry per synthetic table"):
        compare(fresh, customers)


def test_ml_utility_models_run_on_capped_threads(customers, fresh, monkeypatch):
    """The OpenMP pool is capped at MODEL_THREADS while the utility models fit and predict,
    and given back afterwards (a busy machine slowed the uncapped fit 100x)."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_info, threadpool_limits

    from sdv_pillars.defaults import MODEL_THREADS

    seen = []
    original = HistGradientBoostingRegressor.fit

    def spy(self, *args, **kwargs):
        seen.append([p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HistGradientBoostingRegressor, "fit", spy)
    with threadpool_limits(limits=MODEL_THREADS + 1):  # a larger pool, whatever the machine
        before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"]
        evaluate(customers.iloc[:700], fresh, target="credit_score", holdout=customers.iloc[700:])
        after = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"]
    assert before and after == before == [MODEL_THREADS + 1] * len(before)
    assert seen and all(threads == [MODEL_THREADS] * len(threads) for threads in seen)


def test_pair_trends_bins_both_tables_on_the_real_edges():
    """sdmetrics 0.32's report bins each table on its own range: one synthetic outlier in
    2,000 rows took this label-number pair from 1.0 to 0.04. Rescored on the real table's
    edges it stays near 1, and the report's own figure is kept beside it."""
    rng = np.random.default_rng(0)
    group = rng.choice(["a", "b"], 2000)
    real = pd.DataFrame({"group": group,
                         "x": np.where(group == "a", rng.normal(0, 1, 2000), rng.normal(2, 1, 2000))})
    outlier = pd.concat([real.iloc[:-1], pd.DataFrame({"group": ["a"], "x": [40.0]})],
                        ignore_index=True)
    result = evaluate(real, outlier, attacks=False)
    assert result.scores["column_pair_trends"] > 0.99
    assert result.scores["column_pair_trends_sdmetrics"] < 0.1
    assert result.scores["quality"] > result.scores["quality_sdmetrics"]
    shuffled = evaluate(real, real.assign(group=rng.permutation(group)), attacks=False)
    assert shuffled.scores["column_pair_trends"] < 0.7  # a lost relation is still lost


def test_pair_trends_keep_sdmetrics_score_where_the_real_column_has_one_value():
    """A date with a single real value beside a label has no range to cut into bins (numpy
    refuses ten bins of width 0 around 1.6e18 ns): the pair keeps sdmetrics' own score (found
    by the property test on a two-row table)."""
    from sdv_pillars.quality.sdmetrics_reports import shared_bin_pair_trends

    details = pd.DataFrame([{"Table": "t", "Column 1": "day", "Column 2": "kind",
                             "Metric": "ContingencySimilarity", "Score": 0.5}])
    real = {"t": pd.DataFrame({"day": ["2020-10-04", None], "kind": ["x", "y"]})}
    fake = {"t": pd.DataFrame({"day": ["2020-02-06", "2020-10-04"], "kind": ["x", "x"]})}
    metadata = {"tables": {"t": {"columns": {"day": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"},
                                             "kind": {"sdtype": "categorical"}}}}}
    assert shared_bin_pair_trends(details, real, fake, metadata)["Score"].tolist() == [0.5]


def test_a_synthetic_column_left_entirely_null_scores_zero_not_nothing():
    """sdmetrics cannot score an all-null synthetic column and leaves it out of its average;
    a differentially private synthesizer may legitimately return one (no label released), so
    evaluate takes it and scores its shape 0."""
    real, fake = load_customers(600, seed=0), load_customers(600, seed=2)
    before = evaluate(real, fake, attacks=False)
    fake["customer_type"] = None
    after = evaluate(real, fake, attacks=False)
    shapes = after.details["column_shapes"].set_index("Column")["Score"]
    assert shapes["customer_type"] == 0.0
    others = before.details["column_shapes"].set_index("Column")["Score"].drop("customer_type")
    assert after.scores["column_shapes"] == pytest.approx(others.sum() / len(shapes))
    assert after.scores["quality"] < before.scores["quality"] - 0.05
