import warnings

import numpy as np
import pandas as pd
import pytest
from sdv.errors import SamplingError
from sdv.sampling import Condition

from sdv_pillars import PillarsSynthesizer, evaluate
from sdv_pillars.profiling import build_metadata, profile_table
from sdv_pillars.sequential_cart import CARTSynthesizer


def _cart(data, **kwargs):
    return PillarsSynthesizer(backbone="cart", backbone_kwargs=kwargs or None, random_state=0,
                              verbose=False).fit(data)


@pytest.fixture(scope="module")
def cart_customers(customers):
    return _cart(customers)


def test_cart_keeps_rules_gaps_and_frame(customers, cart_customers):
    fake = cart_customers.sample_table(2000)
    assert isinstance(cart_customers._model, CARTSynthesizer)
    assert list(fake.columns) == list(customers.columns)
    assert fake.dtypes.to_dict() == customers.dtypes.to_dict()
    assert cart_customers.rule_compliance(fake).min() == 1.0
    for column in ("education", "account_balance"):
        assert fake[column].isna().mean() == pytest.approx(customers[column].isna().mean(), abs=0.03)
    # the planted MAR dependence of education on age survives: older customers leave it
    # blank 2.2 times as often in the real table (1.0 would be independence; seeds give
    # 1.8-3.2 in 2,000 synthetic rows)
    old = fake["age"] > fake["age"].median()
    assert fake.loc[old, "education"].isna().mean() > 1.5 * fake.loc[~old, "education"].isna().mean()


def test_every_tree_is_fitted_on_every_row(customers, cart_customers):
    model = cart_customers._model._model
    assert model.order_[0] == "income"  # the rule's driver is visited first
    for column in model.columns_[1:]:
        assert column.tree.tree_.n_node_samples[0] == len(customers)
        assert column.count.sum() == len(customers)


def test_pair_trends_at_least_gaussian_copula_on_the_customer_table(customers, cart_customers):
    copula = PillarsSynthesizer(random_state=0, verbose=False).fit(customers)
    cart_pairs = evaluate(customers, cart_customers.sample_table(1000)).scores["column_pair_trends"]
    copula_pairs = evaluate(customers, copula.sample_table(1000)).scores["column_pair_trends"]
    assert cart_pairs >= copula_pairs


def test_cart_on_hepatitis_keeps_nulls_and_whole_numbers(hepatitis):
    synth = _cart(hepatitis)
    fake = synth.sample_table(1000)
    errors = (fake.isna().mean() - hepatitis.isna().mean()).abs()
    assert errors.max() < 0.05
    for column in ("age", "alk_phosphate", "sgot", "protime"):
        values = fake[column].dropna()
        assert (values == values.round()).all()


def test_exact_copies_are_reported_or_redrawn(customers):
    keep = _cart(customers, min_leaf=1)
    kept = keep.sample_table(1000)
    assert evaluate(customers, kept).scores["exact_copy_rate"] > 0.01
    redraw = _cart(customers, min_leaf=1, exact_copies="redraw")
    fake = redraw.sample_table(1000)
    assert len(fake) == 1000
    assert evaluate(customers, fake).scores["exact_copy_rate"] == 0.0


def test_redraw_that_cannot_succeed_says_why():
    rng = np.random.default_rng(0)
    coarse = pd.DataFrame({"a": rng.choice(["x", "y"], 300), "b": rng.choice(["u", "v"], 300)})
    synth = _cart(coarse, exact_copies="redraw")
    with pytest.raises(SamplingError, match="too few distinct rows for exact_copies='redraw'"):
        synth.sample_table(50)


def test_density_smoothing_draws_new_values_inside_the_leaf_ranges(customers):
    synth = _cart(customers, smoothing="density")
    fake = synth.sample_table(1000)
    income = fake["income"]
    assert not income.isin(customers["income"]).all()  # smoothed, not copied donors
    assert income.between(customers["income"].min(), customers["income"].max()).all()
    assert (fake["age"] == fake["age"].round()).all()  # integers stay whole
    assert synth.rule_compliance(fake).min() == 1.0


def test_default_smoothing_moves_rare_values_and_keeps_common_ones():
    """A value twenty real rows share points at no one and stays exact (a loan term); a
    value only one row has would single it out and is smoothed."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"term": rng.choice([12, 24, 36, 60], 600),
                         "amount": np.round(rng.lognormal(8, 0.5, 600), 2),
                         "grade": rng.choice(list("ABC"), 600)})
    fake = _cart(data).sample_table(2000)
    assert set(fake["term"]) <= {12, 24, 36, 60}
    copied = fake["amount"].isin(data["amount"]).mean()
    assert copied < 0.01, copied  # reflected, not clipped onto the leaf's extreme values
    legacy = _cart(data, min_leaf=5, smoothing=None).sample_table(2000)
    assert legacy["amount"].isin(data["amount"]).all()  # synthpop's defaults copy donor values


def test_seeded_cart_repeats_itself_and_survives_save_load(tmp_path, customers, cart_customers):
    cart_customers.reset_sampling()
    first = cart_customers.sample_table(300)
    cart_customers.reset_sampling()
    pd.testing.assert_frame_equal(first, cart_customers.sample_table(300))
    pd.testing.assert_frame_equal(first, _cart(customers).sample_table(300))
    cart_customers.save(tmp_path / "cart.pkl")
    loaded = PillarsSynthesizer.load(tmp_path / "cart.pkl")
    loaded.reset_sampling()
    pd.testing.assert_frame_equal(first, loaded.sample_table(300))


def test_conditions_on_the_first_visited_column_and_beyond(customers):
    synth = _cart(customers, visit_sequence=["region", "income"])
    model = synth._model._model
    assert (model.sample(40, {"region": "North"})["region"] == "North").all()  # set, not rejected
    with pytest.raises(NotImplementedError):
        model.sample(40, {"education": "PhD"})  # off the start: SDV falls back to reject sampling
    north = synth.sample_from_conditions([Condition({"region": "North"}, num_rows=60)])["table"]
    assert len(north) == 60 and (north["region"] == "North").all()
    # a column later in the sequence is met by SDV's reject sampling
    phd = synth.sample_from_conditions([Condition({"education": "PhD"}, num_rows=20)])["table"]
    assert len(phd) == 20 and (phd["education"] == "PhD").all()


def test_bad_cart_options_get_clear_errors(customers):
    with pytest.raises(ValueError, match="smoothing must be one of"):
        _cart(customers, smoothing="kde")
    with pytest.raises(ValueError, match="min_leaf must be a positive integer"):
        _cart(customers, min_leaf=0)
    with pytest.raises(ValueError, match=r"visit_sequence names columns .* \['salary'\]"):
        _cart(customers, visit_sequence=["salary"])
    with pytest.raises(ValueError, match="exact_copies must be one of"):
        _cart(customers, exact_copies="sometimes")


def test_cart_synthesizer_alone_is_an_sdv_synthesizer(hepatitis):
    """Without the pillars the backbone meets real nulls itself: they are donors like values."""
    metadata = build_metadata(profile_table(hepatitis), "hepatitis")
    synth = CARTSynthesizer(metadata, min_leaf=5)
    synth.fit({"hepatitis": hepatitis})
    fake = synth.sample(1000)["hepatitis"]
    assert list(fake.columns) == list(hepatitis.columns)
    assert (fake.isna().mean() - hepatitis.isna().mean()).abs().max() < 0.06
    assert synth.get_parameters()["min_leaf"] == 5


def test_a_table_too_small_for_its_leaves_is_told_at_fit(hepatitis):
    """155 rows cannot hold two leaves of 100: the columns would come out unrelated."""
    metadata = build_metadata(profile_table(hepatitis), "hepatitis")
    with pytest.warns(UserWarning, match=r"155 rows cannot be split into leaves of min_leaf=100"):
        CARTSynthesizer(metadata).fit({"hepatitis": hepatitis})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.filterwarnings("ignore", message=".*save_to_json.*")
        CARTSynthesizer(metadata, min_leaf=20).fit({"hepatitis": hepatitis})
