import numpy as np
import pandas as pd
import pytest
from sdmetrics.reports import QualityReport
from sdv.cag import Inequality
from sdv.sampling import Condition
from sdv.single_table import GaussianCopulaSynthesizer

from sdv_pillars import NotFittedError, PillarsSynthesizer
from sdv_pillars.missingness import MissingnessConstraint
from sdv_pillars.rules import CARTRule
from sdv_pillars.rules.inequality import MinedInequality


@pytest.mark.parametrize("backbone", [
    "gaussian_copula",
    *(pytest.param(name, marks=pytest.mark.slow) for name in ("ctgan", "tvae", "copulagan")),
])
def test_every_backbone_keeps_the_rule_and_the_frame(customers, backbone):
    kwargs = None if backbone == "gaussian_copula" else {"epochs": 3, "batch_size": 500}
    synth = PillarsSynthesizer(backbone=backbone, backbone_kwargs=kwargs, random_state=0,
                               verbose=False).fit(customers)
    assert "customer_type" in {r.target for r in synth.rules_}
    fake = synth.sample_table(1500)
    assert len(fake) == 1500
    assert list(fake.columns) == list(customers.columns)
    assert fake.dtypes.to_dict() == customers.dtypes.to_dict()
    assert synth.rule_compliance(fake).min() == 1.0
    for column in ("education", "account_balance"):
        assert fake[column].isna().mean() == pytest.approx(customers[column].isna().mean(), abs=0.03)


def _quality(real, fake, metadata):
    report = QualityReport()
    report.generate({"table": real}, {"table": fake}, metadata.to_dict(), verbose=False)
    return report.get_score()


def test_quality_matches_plain_sdv_while_rules_hold(customers, fitted_customers):
    metadata = fitted_customers.get_metadata()
    plain = GaussianCopulaSynthesizer(metadata)
    plain.fit({"table": customers})
    plain_fake = plain.sample(len(customers))["table"]
    fitted_customers.reset_sampling()
    fake = fitted_customers.sample_table(len(customers))
    assert _quality(customers, fake, metadata) >= _quality(customers, plain_fake, metadata) - 0.01
    compliance = fitted_customers.rule_compliance
    assert compliance(fake).min() == 1.0
    assert compliance(plain_fake).min() < 0.95  # plain SDV does not keep the rule


def test_constraints_are_sdv_citizens_in_the_order_sdv_needs(customers):
    """Rules first, then missingness (so rules see real nulls), then SDV's own Inequality."""
    rng = np.random.default_rng(0)
    spend = (customers["income"] * rng.uniform(0.1, 0.9, len(customers))).round(2)
    synth = PillarsSynthesizer(random_state=0, verbose=False).fit(customers.assign(spend=spend))
    assert synth.get_constraints() == []  # the user's, as SDV lists them
    constraints = synth.pillars_.constraints()
    assert [type(c) for c in constraints] == [CARTRule, MissingnessConstraint, MinedInequality]
    assert isinstance(constraints[-1], Inequality)  # SDV's own, marked as mined
    fake = synth.sample_table(1000)
    assert (fake["spend"] <= fake["income"]).all()


def test_random_state_makes_sampling_reproducible(customers, fitted_customers):
    again = PillarsSynthesizer(random_state=0, verbose=False).fit(customers)
    fitted_customers.reset_sampling()
    first = again.sample_table(300)
    pd.testing.assert_frame_equal(first, fitted_customers.sample_table(300))
    assert not first.equals(again.sample_table(300))  # successive samples differ, as in SDV
    again.reset_sampling()
    pd.testing.assert_frame_equal(again.sample_table(300), first)
    other = PillarsSynthesizer(random_state=1, verbose=False).fit(customers)
    assert not other.sample_table(300).equals(first)


def test_save_and_load_round_trip(tmp_path, customers, fitted_customers):
    path = tmp_path / "model.pkl"
    fitted_customers.save(path)
    loaded = PillarsSynthesizer.load(path)
    assert [str(r) for r in loaded.rules_] == [str(r) for r in fitted_customers.rules_]
    fitted_customers.reset_sampling()
    loaded.reset_sampling()
    pd.testing.assert_frame_equal(loaded.sample_table(200), fitted_customers.sample_table(200))
    assert loaded.get_metadata().to_dict() == fitted_customers.get_metadata().to_dict()


def test_sample_from_conditions(fitted_customers):
    fake = fitted_customers.sample_from_conditions([
        Condition({"education": "PhD"}, num_rows=40),
        Condition({"region": "North"}, num_rows=30),
    ])["table"]
    assert len(fake) == 70
    assert (fake.education == "PhD").sum() >= 40 and (fake.region == "North").sum() >= 30
    assert fitted_customers.rule_compliance(fake).min() == 1.0


def test_input_is_not_modified(customers):
    before = customers.copy()
    PillarsSynthesizer(random_state=0, verbose=False).fit({"customers": customers})
    pd.testing.assert_frame_equal(customers, before)


def test_quiet_when_not_verbose(customers, capsys):
    synth = PillarsSynthesizer(random_state=0, verbose=False).fit(customers)
    synth.sample_table(100)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_summary_reports_every_pillar(fitted_customers):
    text = fitted_customers.summary()
    for expected in ("Profile (pillar 1)", "customer_type = CART(income)",
                     "education: MAR", "account_balance: MCAR", "pillar 4): customer_type"):
        assert expected in text


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (pd.DataFrame(), ValueError, "empty"),
        (pd.DataFrame({"a": [1, 2, 3], "b": [np.nan] * 3}), ValueError, "'b'.*entirely null"),
        ([[1, 2], [3, 4]], TypeError, "pandas DataFrame"),
        (pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"]), ValueError, "duplicate column names \\['a'\\]"),
        ({"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"x": [1]})}, ValueError, "one table"),
    ],
)
def test_bad_input_gets_a_clear_error(data, error, message):
    with pytest.raises(error, match=message):
        PillarsSynthesizer(verbose=False).fit(data)


def test_unknown_backbone_and_unfitted_use(customers):
    with pytest.raises(ValueError, match="Unknown backbone 'ctgn'.*Did you mean 'ctgan'"):
        PillarsSynthesizer(backbone="ctgn", verbose=False).fit(customers)
    with pytest.raises(NotFittedError, match="call fit"):
        PillarsSynthesizer().sample(10)


def test_a_table_with_no_modelled_column_is_synthesized():
    """Only an id and free text: no rule, no null model, rows still come back (a regression
    of the constraint fingerprint on a table without modelled columns)."""
    table = pd.DataFrame({"id": np.arange(40),
                          "note": [f"free text note number {i} here" for i in range(40)]})
    synth = PillarsSynthesizer(random_state=0, verbose=False).fit(table)
    fake = synth.sample_table(10)
    assert len(fake) == 10 and list(fake.columns) == ["id", "note"]
    assert synth.rules_ == [] and synth.missingness_ == {}


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_sample_to_file_streams_batches_that_keep_rules_and_gaps(tmp_path, customers,
                                                                 fitted_customers, suffix):
    path = fitted_customers.sample_to_file(2_500, tmp_path / f"fake{suffix}", batch_size=1_000)
    fake = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
    assert len(fake) == 2_500 and list(fake.columns) == list(customers.columns)
    assert fitted_customers.rule_compliance(fake).min() == 1.0
    assert fake["education"].isna().mean() == pytest.approx(customers["education"].isna().mean(),
                                                             abs=0.03)
    # batches go on from each other: no batch repeats the first
    assert not fake.iloc[:500].reset_index(drop=True).equals(fake.iloc[1000:1500].reset_index(drop=True))
    with pytest.raises(ValueError, match="cannot be written in batches"):
        fitted_customers.sample_to_file(10, tmp_path / "fake.json")
