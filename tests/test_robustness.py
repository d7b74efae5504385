"""Messy real inputs: correct synthetic data or a clear early error, one test per defect found
(issue 12). Each failed on the main of 2026-11-23 (a crash inside a dependency, or wrong
data without a word)."""

import numpy as np
import pandas as pd
import pytest
from sdv.metadata import Metadata

from sdv_pillars import MultiTablePillarsSynthesizer, PillarsSynthesizer, evaluate
from sdv_pillars.cli import main
from sdv_pillars.datasets import load_customers
from sdv_pillars.profiling import classify_column


def _fit(table, **options):
    return PillarsSynthesizer(random_state=0, verbose=False, **options).fit(table)


@pytest.fixture(scope="module")
def small():
    return load_customers(300, seed=0)


@pytest.mark.parametrize("backend", ["numpy_nullable", "pyarrow"])
def test_nullable_and_pyarrow_dtypes_come_back_as_given(small, backend):
    table = small.convert_dtypes(dtype_backend=backend).assign(
        flag=pd.array([True, False, None] * 100, dtype="boolean"))
    synth = _fit(table)
    fake = synth.sample_table(200)
    assert fake.dtypes.to_dict() == table.dtypes.to_dict()
    assert synth.rule_compliance(fake).min() == 1.0
    assert fake["flag"].isna().mean() == pytest.approx(1 / 3, abs=0.1)
    assert evaluate(table, fake).scores["quality"] > 0.7


@pytest.mark.parametrize("value, words", [(np.inf, "infinite"), (-np.inf, "infinite"),
                                           (1e39, "beyond")])
def test_infinite_and_huge_values_get_a_clear_error(small, value, words):
    table = small.assign(x=np.r_[value, np.arange(len(small) - 1.0)])
    with pytest.raises(ValueError, match=f"Column 'x' of table 'table' has 1 .*{words}"):
        _fit(table)
    with pytest.raises(ValueError, match="Column 'x'"):
        evaluate(small.assign(x=1.0), table)
    related = _related()
    broken = dict(related, children=related["children"].assign(v=value))
    with pytest.raises(ValueError, match="Column 'v' of table 'children'"):
        evaluate(related, broken)


@pytest.mark.parametrize("rows", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("backbone", ["gaussian_copula", "cart"])
def test_tiny_tables_are_synthesized_without_rules(small, rows, backbone):
    synth = _fit(small.head(rows), backbone=backbone)
    fake = synth.sample_table(20)
    assert len(fake) == 20 and list(fake.columns) == list(small.columns)
    assert synth.rules_ == [] and "too few" in synth.summary()


def test_a_table_of_ids_only_says_what_to_do():
    with pytest.raises(ValueError, match="Every column of table 'table' is an id.*sep=';'"):
        _fit(pd.DataFrame({"id": np.arange(50)}))


def test_semicolon_csv_is_read_with_its_separator(tmp_path, small, capsys):
    path = tmp_path / "customers.csv"
    small.to_csv(path, index=False, sep=";")
    assert main(["fit", str(path), "-o", str(tmp_path / "m.pkl"), "--quiet"]) == 0
    assert main(["sample", str(tmp_path / "m.pkl"), "-n", "20", "-o", str(tmp_path / "f.csv")]) == 0
    assert list(pd.read_csv(tmp_path / "f.csv").columns) == list(small.columns)


def test_unknown_backbone_kwargs_fail_before_any_work(small):
    with pytest.raises(ValueError, match="'epochz'.*Did you mean 'epochs'"):
        PillarsSynthesizer(backbone="ctgan", backbone_kwargs={"epochz": 3}, verbose=False).fit(small)
    with pytest.raises(ValueError, match="'epochs', which HMASynthesizer does not take"):
        MultiTablePillarsSynthesizer(backbone_kwargs={"epochs": 3}, verbose=False).fit(_related())


@pytest.mark.parametrize("scale", [float("nan"), float("inf"), 0, -1, True])
def test_bad_scale_is_refused(scale):
    synth = MultiTablePillarsSynthesizer(backbone="gaussian_copula", random_state=0,
                                         verbose=False).fit(_related())
    with pytest.raises(ValueError, match="scale must be a positive, finite number"):
        synth.sample_scale(scale)


def test_evaluate_refuses_numbers_stored_as_text(small):
    with pytest.raises(ValueError, match="Column 'age' holds numbers in the real table"):
        evaluate(small, small.assign(age=small["age"].astype(str)))


def test_unique_names_keep_their_values_and_day_first_dates_parse():
    rng = np.random.default_rng(0)
    names = [f"{first} {last}" for first, last in zip(rng.choice(["Ann", "Bob", "Eve"], 300),
                                                      [f"Smith{i}" for i in range(300)])]
    with pytest.warns(UserWarning, match="kept as labels"):
        profile = classify_column(pd.Series(names, name="name"))
    assert profile.kind == "categorical"
    dates = pd.Series(pd.date_range("2020-01-01", periods=300).strftime("%d/%m/%Y"), name="day")
    assert classify_column(dates).datetime_format == "%d/%m/%Y"
    codes = pd.Series([f"C{i:05d}" for i in range(300)], name="ref")
    assert classify_column(codes).kind == "id"


def test_corrupt_model_file_is_a_one_line_error(tmp_path, small, capsys):
    path = tmp_path / "model.pkl"
    _fit(small).save(path)
    path.write_bytes(path.read_bytes()[:200])  # truncated
    assert main(["sample", str(path), "-n", "5", "-o", str(tmp_path / "f.csv")]) == 2
    err = capsys.readouterr().err
    assert "is not a readable model file" in err and err.count("\n") == 1


def test_bad_file_in_a_folder_is_named(tmp_path, capsys):
    folder = tmp_path / "tables"
    folder.mkdir()
    pd.DataFrame({"a": [1, 2]}).to_csv(folder / "good.csv", index=False)
    (folder / "bad.parquet").write_bytes(b"not parquet")
    assert main(["profile", str(folder)]) == 2
    assert "bad.parquet" in capsys.readouterr().err


def _related(prefix: str = "") -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    parents = pd.DataFrame({"pid": np.arange(60), "size": rng.normal(10, 2, 60)})
    children = pd.DataFrame({"cid": np.arange(200), "pid": rng.integers(0, 60, 200),
                             "v": rng.normal(size=200)})
    if prefix:
        parents[f"{prefix}parent__size"] = rng.normal(100, 1, 60)
        children[f"{prefix}children__x"] = rng.integers(5, 8, 200)
    return {"parents": parents, "children": children}


def test_user_columns_named_like_internal_ones_survive_the_sequential_mode():
    tables = _related(prefix="__")
    synth = MultiTablePillarsSynthesizer(backbone="gaussian_copula", random_state=0,
                                         verbose=False).fit(tables)
    fake = synth.sample_scale()
    assert fake["parents"]["__parent__size"].mean() == pytest.approx(100, abs=1)
    assert set(fake["children"]["__children__x"]) <= {5, 6, 7}
    assert fake["children"]["pid"].dtype == tables["children"]["pid"].dtype


@pytest.mark.parametrize("backbone", ["hma", "gaussian_copula"])
def test_orphans_keep_their_rows_with_a_null_key_in_both_modes(backbone):
    """SDV's detection marks an integer key with no nulls as not nullable; setting orphans to
    null then made SDV's HMA refuse the data deep inside its validation."""
    tables = _related()
    tables["children"].loc[:19, "pid"] = 999  # twenty orphans
    synth = MultiTablePillarsSynthesizer(backbone=backbone, random_state=0, verbose=False)
    fake = synth.fit(tables).sample_scale()
    assert any("children.pid: 20 of 200 rows" in note for note in synth.notes_)
    assert len(fake["children"]) == 200
    assert fake["children"]["pid"].isna().mean() == pytest.approx(0.1, abs=0.05)


def _metadata(relationships):
    tables = {"parents": {"primary_key": "pid", "columns": {
        "pid": {"sdtype": "id"}, "size": {"sdtype": "numerical"}, "cid": {"sdtype": "id"}}},
        "children": {"primary_key": "cid", "columns": {
            "cid": {"sdtype": "id"}, "pid": {"sdtype": "id"}, "v": {"sdtype": "numerical"}}}}
    return Metadata.load_from_dict({"tables": tables, "relationships": relationships})


def test_user_keys_with_duplicates_or_a_cycle_get_a_clear_error():
    tables = _related()
    tables["parents"]["cid"] = np.arange(60)
    down = {"parent_table_name": "parents", "parent_primary_key": "pid",
            "child_table_name": "children", "child_foreign_key": "pid"}
    up = {"parent_table_name": "children", "parent_primary_key": "cid",
          "child_table_name": "parents", "child_foreign_key": "cid"}
    dirty = dict(tables, parents=pd.concat([tables["parents"], tables["parents"].head(2)]))
    with pytest.raises(ValueError, match="'parents.pid' a primary key, but it has 0 null"):
        MultiTablePillarsSynthesizer(metadata=_metadata([down]), verbose=False).fit(dirty)
    with pytest.raises(ValueError, match="cycle"):
        MultiTablePillarsSynthesizer(metadata=_metadata([down, up]), backbone="gaussian_copula",
                                     verbose=False).fit(tables)


def test_a_detected_parent_key_with_duplicates_is_reported_not_dropped_silently():
    from sdv_pillars.relational.keys import detect_metadata

    tables = _related()
    tables["parents"].loc[59, "pid"] = 0  # one duplicated key
    tables["children"]["pid"] = tables["children"]["pid"] % 59
    metadata, notes = detect_metadata(tables)
    assert not metadata.relationships
    assert any("parents.pid looks like the key children.pid refers to" in n for n in notes)


def test_a_label_rule_is_checked_on_nullable_dtypes_with_nulls():
    """pandas' nullable dtypes (convert_dtypes) carry pd.NA, which has no truth value: the
    rule check compares only present labels (openintro's ncbirths raised a TypeError)."""
    rng = np.random.default_rng(0)
    weeks = rng.integers(30, 44, 1000).astype(float)
    weeks[:20] = np.nan
    table = pd.DataFrame({"weeks": weeks, "premie": np.where(weeks < 37, "premie", "full term")})
    table.loc[:19, "premie"] = None
    table = table.convert_dtypes()
    assert str(table["premie"].dtype) == "string" and table["premie"].isna().sum() == 20
    synth = PillarsSynthesizer(random_state=0, verbose=False).fit(table)
    assert [r.target for r in synth.rule_set_.cart_rules] == ["premie"]
    assert synth.rule_compliance(table).min() == 1.0
    assert synth.rule_compliance(synth.sample_table(500)).min() == 1.0
