"""The import swap: ``sdv_pillars.single_table`` / ``multi_table`` are SDV's synthesizers with
the pillars added. SDV's API over each class, and the pillars' job done under it."""

import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sdv.multi_table
import sdv.single_table
from sdv.cag import FixedCombinations, Inequality
from sdv.errors import SamplingError
from sdv.evaluation import evaluate_quality
from sdv.metadata import Metadata
from sdv.sampling import Condition
from sdv.utils import load_synthesizer

from sdv_pillars import multi_table, single_table

SWAPS = [
    (single_table.GaussianCopulaSynthesizer, sdv.single_table.GaussianCopulaSynthesizer, {}),
    (single_table.CTGANSynthesizer, sdv.single_table.CTGANSynthesizer, {"epochs": 2}),
    (single_table.TVAESynthesizer, sdv.single_table.TVAESynthesizer, {"epochs": 2}),
    (single_table.CopulaGANSynthesizer, sdv.single_table.CopulaGANSynthesizer, {"epochs": 2}),
]
PILLAR_NAMES = ["rules", "missingness", "rule_threshold", "max_depth", "random_state"]


def planted(n=600, seed=0) -> pd.DataFrame:
    """``band`` is a label function of ``a``; ``total = a + b`` on every row; ``note`` is
    null more often when ``grade`` is C (MAR)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "a": rng.integers(0, 100, n).astype(float),
        "b": rng.integers(0, 100, n).astype(float),
        "grade": rng.choice(list("ABC"), n),
    })
    frame["total"] = frame["a"] + frame["b"]
    frame["band"] = np.where(frame["a"] > 50, "high", "low")
    frame["note"] = rng.normal(size=n)
    frame.loc[(frame["grade"] == "C") & (rng.random(n) < 0.8), "note"] = np.nan
    return frame


def metadata_of(frame: pd.DataFrame, name: str = "guests") -> Metadata:
    metadata = Metadata.detect_from_dataframes({name: frame})
    metadata.update_column("band", name, sdtype="categorical")
    return metadata


@pytest.fixture(scope="module")
def fitted():
    real = planted()
    synthesizer = single_table.GaussianCopulaSynthesizer(metadata_of(real))
    synthesizer.fit({"guests": real})
    return real, synthesizer


@pytest.mark.parametrize("ours, theirs, options", SWAPS)
def test_same_class_constructor_and_parameters_as_sdv(ours, theirs, options):
    assert issubclass(ours, theirs)
    sdv_parameters = list(inspect.signature(theirs.__init__).parameters)
    assert list(inspect.signature(ours.__init__).parameters) == sdv_parameters + PILLAR_NAMES
    real = planted(60)
    synthesizer = ours(metadata_of(real), **options, rules=False)
    parameters = synthesizer.get_parameters()
    assert parameters["rules"] is False and set(parameters) == set(sdv_parameters[2:] + PILLAR_NAMES)
    again = ours(metadata_of(real), **parameters)
    assert again.get_parameters() == parameters


@pytest.mark.slow
@pytest.mark.parametrize("ours, theirs, options", SWAPS[1:])
def test_neural_swaps_keep_the_planted_rules(ours, theirs, options):
    real = planted(300)
    synthesizer = ours(metadata_of(real), **options)
    synthesizer.fit({"guests": real})
    synthetic = synthesizer.sample(100)["guests"]
    assert synthesizer.rule_compliance(synthetic).min() == 1.0
    assert len(synthetic.columns) == len(real.columns)


def test_sdv_script_runs_unchanged_and_the_rules_hold(fitted):
    real, synthesizer = fitted
    synthetic = synthesizer.sample(num_rows=500)
    assert list(synthetic) == ["guests"] and len(synthetic["guests"]) == 500
    report = evaluate_quality({"guests": real}, synthetic, synthesizer.get_metadata(), verbose=False)
    assert report.get_score() > 0.7
    rules = {str(r).split(" ")[0]: r for r in synthesizer.rules_}
    assert {"total", "band"} <= set(rules)
    assert synthesizer.rule_compliance(synthetic["guests"]).min() == 1.0
    assert synthesizer.missingness_["note"].mechanism == "MAR"
    by_grade = synthetic["guests"].groupby("grade")["note"].apply(lambda s: s.isna().mean())
    assert by_grade["C"] > 0.5 > by_grade["A"]


def test_plain_sdv_loses_what_the_pillars_keep(fitted):
    real, synthesizer = fitted
    plain = sdv.single_table.GaussianCopulaSynthesizer(metadata_of(real))
    plain.fit({"guests": real})
    synthetic = plain.sample(500)["guests"]
    assert synthesizer.rule_compliance(synthetic).min() < 0.5


def test_get_constraints_lists_only_the_users(fitted):
    _, synthesizer = fitted
    assert synthesizer.get_constraints() == []
    assert synthesizer.get_metadata().to_dict() == metadata_of(planted()).to_dict()


def test_user_constraint_wins_over_a_mined_rule_and_both_are_kept():
    real = planted()
    synthesizer = single_table.GaussianCopulaSynthesizer(metadata_of(real))
    combination = FixedCombinations(["band", "grade"])
    order = Inequality("a", "total")
    synthesizer.add_constraints([combination, order])
    synthesizer.fit({"guests": real})
    assert [type(c) for c in synthesizer.get_constraints()] == [FixedCombinations, Inequality]
    kept = {r.target for r in synthesizer.rules_}
    assert "band" not in kept and "total" not in kept  # the user's constraints own them
    assert "gives way" in synthesizer.summary() and "FixedCombinations" in synthesizer.summary()
    synthetic = synthesizer.sample(300)["guests"]
    synthesizer.validate_constraints(synthetic)  # SDV's own check of the user's constraints
    assert (synthetic["total"] >= synthetic["a"]).all()
    synthesizer.fit({"guests": real.sample(frac=0.8, random_state=1)})  # other rows: mined afresh...
    assert [type(c) for c in synthesizer.get_constraints()] == [FixedCombinations, Inequality]
    again = synthesizer.sample(300)["guests"]  # ...and neither list grows
    synthesizer.validate_constraints(again)
    assert len(again) == 300 and synthesizer.pillars_.constraints()[-1:] != []  # nulls of note


def test_condition_on_a_rule_label_is_met_and_an_impossible_one_fails_fast(fitted):
    _, synthesizer = fitted
    rows = synthesizer.sample_from_conditions([Condition({"band": "high"}, num_rows=20)])
    assert (rows["guests"]["band"] == "high").all() and len(rows["guests"]) == 20
    with pytest.raises(ValueError, match="total = 12.5.*a, b instead"):
        synthesizer.sample_from_conditions([Condition({"total": 12.5}, num_rows=5)])
    with pytest.raises(ValueError, match="band"):
        synthesizer.sample_remaining_columns(pd.DataFrame({"band": ["medium"]}))


def test_preprocess_and_fit_processed_data_path_keeps_the_rules():
    real = planted(300)
    synthesizer = single_table.GaussianCopulaSynthesizer(metadata_of(real))
    synthesizer.auto_assign_transformers({"guests": real})
    transformers = synthesizer.get_transformers()
    assert "total" not in transformers and "band" not in transformers  # rebuilt, not modelled
    processed = synthesizer.preprocess({"guests": real})
    synthesizer.fit_processed_data(processed)
    synthetic = synthesizer.sample(200)["guests"]
    assert synthesizer.rule_compliance(synthetic).min() == 1.0


def test_same_samples_after_reset_after_refit_and_after_load(fitted, tmp_path):
    real, synthesizer = fitted
    synthesizer.reset_sampling()
    first = synthesizer.sample(50)["guests"]
    synthesizer.reset_sampling()
    pd.testing.assert_frame_equal(first, synthesizer.sample(50)["guests"])
    twin = single_table.GaussianCopulaSynthesizer(metadata_of(real))
    twin.fit({"guests": real})
    pd.testing.assert_frame_equal(first, twin.sample(50)["guests"])
    path = tmp_path / "model.pkl"
    synthesizer.save(path)
    loaded = load_synthesizer(path)  # SDV 2 loads with a function, not a classmethod
    assert type(loaded) is single_table.GaussianCopulaSynthesizer
    assert loaded.get_info() == synthesizer.get_info()
    loaded.reset_sampling()
    pd.testing.assert_frame_equal(first, loaded.sample(50)["guests"])


def test_sdv_errors_before_fit_and_on_bad_data():
    real = planted(60)
    synthesizer = single_table.GaussianCopulaSynthesizer(metadata_of(real))
    with pytest.raises(SamplingError):
        synthesizer.sample(5)
    with pytest.raises(Exception, match="guests|table"):
        synthesizer.fit({"other": real})


def test_hma_swap_keeps_a_child_rule_and_the_table_parameters():
    rng = np.random.default_rng(1)
    parents = pd.DataFrame({"pid": np.arange(80), "region": rng.choice(["n", "s"], 80)})
    children = planted(500).assign(cid=np.arange(500), pid=rng.integers(0, 80, 500))
    data = {"parents": parents, "children": children}
    metadata = Metadata.detect_from_dataframes(data)
    metadata.update_column("band", "children", sdtype="categorical")
    synthesizer = multi_table.HMASynthesizer(metadata, verbose=False)
    assert isinstance(synthesizer, sdv.multi_table.HMASynthesizer)
    synthesizer.set_table_parameters("parents", {"default_distribution": "norm"})
    synthesizer.fit(data)
    params = synthesizer.get_table_parameters("parents")["synthesizer_parameters"]
    assert params["default_distribution"] == "norm"
    assert {"total", "band"} <= {r.target for r in synthesizer.rules_["children"]}
    synthetic = synthesizer.sample_scale(1.0)
    assert set(synthetic) == {"parents", "children"}
    assert synthesizer.rule_compliance(synthetic)["children"].min() == 1.0
    assert synthetic["children"]["pid"].isin(synthetic["parents"]["pid"]).all()
    assert synthesizer.get_constraints() == []


def test_readme_sdv_script_runs(tmp_path, monkeypatch):
    """The README's "change one import" script, run as written."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("### From an SDV script")[1]
    code = section.split("```python\n")[1].split("```")[0]
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    synthesizer, synthetic = namespace["synthesizer"], namespace["synthetic"]
    assert isinstance(synthesizer, sdv.single_table.GaussianCopulaSynthesizer)
    assert list(synthetic) == ["customers"] and len(synthetic["customers"]) == 500
    assert [type(c) for c in synthesizer.get_constraints()] == [FixedCombinations]
    assert synthesizer.rule_compliance(synthetic["customers"]).min() == 1.0


def test_tiny_tables_integer_column_names_and_numpy_strings():
    tiny = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": ["a", "b", "a"]})
    synthesizer = single_table.GaussianCopulaSynthesizer(Metadata.detect_from_dataframes({"t": tiny}))
    synthesizer.fit({"t": tiny})
    assert synthesizer.sample(4)["t"].shape == (4, 2)

    values = (np.arange(300) % 40).astype(float)
    numbered = pd.DataFrame({0: values, 1: np.where(values > 25, "h", "l")})
    synthesizer = single_table.GaussianCopulaSynthesizer(
        Metadata.detect_from_dataframes({"t": numbered}), rules=True)
    synthesizer.fit({"t": numbered})
    synthetic = synthesizer.sample(30)["t"]
    assert list(synthetic.columns) == [0, 1]  # SDV gives the caller's names back
    assert [(r.target, r.features) for r in synthesizer.rules_] == [("1", ("0",))]

    strings = pd.DataFrame({"v": np.arange(40.0) % 7, "y": [np.str_(v) for v in "ab" * 20]})
    synthesizer = single_table.GaussianCopulaSynthesizer(Metadata.detect_from_dataframes({"t": strings}))
    synthesizer.fit({"t": strings})
    assert set(synthesizer.sample(20)["t"]["y"]) <= {"a", "b"}


def test_condition_on_a_regression_rule_takes_real_values_only():
    """A regression rule rebuilds a leaf's mean plus one of its real residuals, that is a real
    value of the column: a condition on a real value is met by drawing, any other refused."""
    rng = np.random.default_rng(3)
    real = pd.DataFrame({"a": rng.integers(0, 50, 800).astype(float), "g": rng.choice(list("xy"), 800)})
    real["fee"] = real["a"] ** 2  # a function of a, not a formula: a CART regression rule
    synthesizer = single_table.GaussianCopulaSynthesizer(metadata_of_plain(real))
    synthesizer.fit({"t": real})
    assert {r.target: r.kind for r in synthesizer.rules_}["fee"] == "cart_regression"
    rows = synthesizer.sample_from_conditions([Condition({"fee": 400.0}, num_rows=5)])["t"]
    assert len(rows) == 5 and (rows["fee"] == 400.0).all()
    assert synthesizer.rule_compliance(rows).min() == 1.0
    with pytest.raises(ValueError, match="fee = 41.0"):
        synthesizer.sample_from_conditions([Condition({"fee": 41.0}, num_rows=5)])


def metadata_of_plain(frame: pd.DataFrame) -> Metadata:
    return Metadata.detect_from_dataframes({"t": frame})


def _parameters(function) -> list[tuple]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("ours, theirs", [(o, t) for o, t, _ in SWAPS]
                         + [(multi_table.HMASynthesizer, sdv.multi_table.HMASynthesizer)])
def test_every_public_sdv_method_is_there_with_sdvs_parameters(ours, theirs):
    public = [name for name, _ in inspect.getmembers(theirs, callable) if not name.startswith("_")]
    assert len(public) > 20
    for name in public:
        assert _parameters(getattr(ours, name)) == _parameters(getattr(theirs, name)), name


@pytest.mark.parametrize("front_door, sdv_class", [
    ("PillarsSynthesizer", sdv.single_table.GaussianCopulaSynthesizer),
    ("PillarsSynthesizer", sdv.single_table.CTGANSynthesizer),
    ("MultiTablePillarsSynthesizer", sdv.multi_table.HMASynthesizer),
])
def test_front_doors_have_sdvs_method_set(front_door, sdv_class):
    import sdv_pillars

    ours = getattr(sdv_pillars, front_door)
    public = {n for n, _ in inspect.getmembers(sdv_class, callable) if not n.startswith("_")}
    public -= {"raise_module_not_found_error"}  # an SDV helper, not a synthesizer method
    assert public - {n for n in dir(ours) if not n.startswith("_")} == set()


def test_front_door_sample_is_sdvs_and_takes_user_constraints():
    from sdv_pillars import MultiTablePillarsSynthesizer, PillarsSynthesizer

    real = planted(400)
    synth = PillarsSynthesizer(random_state=0, verbose=False)
    synth.add_constraints([Inequality("a", "total")])
    synth.fit({"guests": real})
    synthetic = synth.sample(100)
    assert list(synthetic) == ["guests"] and len(synthetic["guests"]) == 100
    assert [type(c) for c in synth.get_constraints()] == [Inequality]
    assert (synthetic["guests"]["total"] >= synthetic["guests"]["a"]).all()
    assert "total" not in {r.target for r in synth.rules_}  # gave way to the user's constraint
    assert synth.sample_table(7).shape == (7, real.shape[1])
    assert "total" not in synth.get_transformers()  # SDV's own method, on the backbone

    rng = np.random.default_rng(1)
    parents = pd.DataFrame({"pid": np.arange(60), "region": rng.choice(["n", "s"], 60)})
    children = real.assign(cid=np.arange(400), pid=rng.integers(0, 60, 400))
    multi = MultiTablePillarsSynthesizer(random_state=0, verbose=False)
    multi.add_constraints([Inequality("a", "total", table_name="children")])
    multi.fit({"parents": parents, "children": children})
    tables = multi.sample(30, main_table_name="parents")
    assert len(tables["parents"]) == 30
    assert (tables["children"]["total"] >= tables["children"]["a"]).all()
    assert [type(c) for c in multi.get_constraints()] == [Inequality]
