"""Property-based robustness (issue 12): on any generated table, ``fit``/``sample``/``save``/
``load``/``evaluate`` and the CLI give correct synthetic data or a clear error raised by
sdv_pillars; on any generated pair of related tables with dirty keys, keys that resolve.

Correct means: the asked number of rows, the real columns in their order and dtypes, labels
among the real labels, numbers and dates within the real range, nulls only in columns that
have them. A clear error is a ValueError/TypeError raised from sdv_pillars' own code that
names a column or the table. Tables mix numpy, pandas-nullable and pyarrow dtypes, nulls,
constants, near-constants, duplicates, extreme finite values and odd names, 1 to 60 rows.
"""

import contextlib
import io
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from sdv_pillars import PillarsSynthesizer, evaluate

PACKAGE = str(Path(__file__).resolve().parents[1] / "sdv_pillars")
NAMES = st.sampled_from(["a", "b c", "ünï", "__parent__x", "__children__y", "id", "x_1", "Total",
                         "2nd", "date"])
KINDS = ("float", "int", "int_nulls", "Int64", "labels", "string", "boolean", "datetime",
         "date_text", "constant", "near_constant", "extreme", "pyarrow_float", "pyarrow_text")


def _column(kind: str, rows: int, rng: np.random.Generator, null_rate: float) -> pd.Series:
    nulls = rng.random(rows) < null_rate
    if kind == "float":
        values = pd.Series(rng.normal(10, 3, rows)).mask(nulls)
    elif kind == "int":
        values = pd.Series(rng.integers(0, 50, rows))
    elif kind == "int_nulls":
        values = pd.Series(rng.integers(0, 50, rows).astype(float)).mask(nulls)
    elif kind == "Int64":
        values = pd.Series(pd.array(rng.integers(0, 9, rows), dtype="Int64")).mask(nulls)
    elif kind == "labels":
        values = pd.Series(rng.choice(["red", "green", "blue"], rows), dtype=object).mask(nulls)
    elif kind == "string":
        values = pd.Series(rng.choice(["x", "y"], rows), dtype="string").mask(nulls)
    elif kind == "boolean":
        values = pd.Series(pd.array(rng.random(rows) < 0.5, dtype="boolean")).mask(nulls)
    elif kind == "datetime":
        values = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, rows), "D"))
    elif kind == "date_text":
        days = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 400, rows), "D")
        values = pd.Series(days.strftime("%d/%m/%Y"), dtype=object)
    elif kind == "constant":
        values = pd.Series(["same"] * rows, dtype=object)
    elif kind == "near_constant":
        values = pd.Series(np.where(rng.random(rows) < 0.97, 1.5, 2.5))
    elif kind == "extreme":
        values = pd.Series(rng.choice([-1e30, 0.0, 1e30, 5.0], rows))
    elif kind == "pyarrow_float":
        values = pd.Series(rng.normal(size=rows)).mask(nulls).astype("double[pyarrow]")
    else:  # pyarrow_text
        values = pd.Series(rng.choice(["p", "q", "r"], rows)).mask(nulls).astype("string[pyarrow]")
    return values


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 60))
    names = draw(st.lists(NAMES, min_size=1, max_size=6, unique=True))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=len(names), max_size=len(names)))
    rates = draw(st.lists(st.sampled_from([0.0, 0.0, 0.1, 0.5]), min_size=len(names),
                          max_size=len(names)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    frame = pd.DataFrame({n: _column(k, rows, rng, r) for n, k, r in zip(names, kinds, rates)})
    if draw(st.booleans()) and rows > 1:  # duplicated rows
        frame = pd.concat([frame, frame.head(rows // 2)], ignore_index=True)
    return frame


def _is_clear_error(error: Exception, table: pd.DataFrame) -> bool:
    raised_in = traceback.extract_tb(error.__traceback__)[-1].filename
    named = "table" in str(error) or any(f"'{c}'" in str(error) for c in table.columns)
    return isinstance(error, (ValueError, TypeError)) and raised_in.startswith(PACKAGE) and named


def _check_sample(real: pd.DataFrame, fake: pd.DataFrame, rows: int, profile: dict) -> None:
    assert len(fake) == rows
    assert list(fake.columns) == list(real.columns)
    assert fake.dtypes.to_dict() == real.dtypes.to_dict()
    for name in real.columns:
        r, f, kind = real[name], fake[name], profile[name]
        if r.notna().all():
            assert f.notna().all(), f"nulls invented in '{name}'"
        observed, made = r.dropna(), f.dropna()
        if len(made) == 0:
            continue
        if kind.kind in ("continuous", "integer"):
            low, high = float(observed.min()), float(observed.max())
            slack = 1e-6 * max(1.0, abs(low), abs(high))
            assert made.astype(float).between(low - slack, high + slack).all(), name
        elif kind.kind == "datetime":
            read = lambda v: pd.to_datetime(v, format=kind.datetime_format)  # noqa: E731
            assert read(made).between(read(observed).min(), read(observed).max()).all(), name
        elif kind.kind in ("categorical", "boolean", "constant"):
            assert set(made.astype(str)) <= set(observed.astype(str)), name


@pytest.mark.parametrize("backbone", ["gaussian_copula", "cart"])
@given(table=tables())
def test_any_table_gives_correct_data_or_a_clear_error(tmp_path_factory, backbone, table):
    before = table.copy()
    try:
        synth = PillarsSynthesizer(backbone=backbone, random_state=0, verbose=False).fit(table)
    except Exception as error:  # noqa: BLE001 - the property is about which errors
        event(f"clear error: {str(error)[:40]}")
        assert _is_clear_error(error, table), f"{type(error).__name__}: {error}"
        return
    event("synthetic data")
    pd.testing.assert_frame_equal(table, before)  # the caller's data is never modified
    fake = synth.sample_table(25)
    _check_sample(table, fake, 25, synth.profile_)
    path = tmp_path_factory.mktemp("model") / "model.pkl"
    synth.save(path)
    loaded = PillarsSynthesizer.load(path)
    loaded.reset_sampling()
    synth.reset_sampling()
    pd.testing.assert_frame_equal(loaded.sample_table(10), synth.sample_table(10))
    result = evaluate(table, fake, synthesizer=synth)
    assert 0 <= result.overall <= 1


@st.composite
def related_tables(draw):
    """A parent and a child table with dirty keys: orphans, null keys, a parent key with
    duplicates (so it is no key), integer or text keys."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    parents = draw(st.integers(5, 40))
    children = draw(st.integers(5, 120))
    text_keys = draw(st.booleans())
    keys = np.arange(parents)
    parent = pd.DataFrame({"parent_id": [f"P{k:04d}" for k in keys] if text_keys else keys,
                           "size": rng.normal(10, 2, parents)})
    if draw(st.booleans()):  # a duplicated parent key
        parent.loc[parents - 1, "parent_id"] = parent.loc[0, "parent_id"]
    owner = parent["parent_id"].to_numpy()[rng.integers(0, parents, children)].astype(object)
    dirt = rng.random(children)
    orphan_rate, null_rate = draw(st.sampled_from([0.0, 0.1])), draw(st.sampled_from([0.0, 0.1]))
    owner[dirt < orphan_rate] = "P9999" if text_keys else 9999
    owner[(dirt >= orphan_rate) & (dirt < orphan_rate + null_rate)] = None
    child = pd.DataFrame({"child_id": np.arange(children), "parent_id": owner,
                          "amount": rng.gamma(2, 5, children).round(2)})
    if not text_keys:
        child["parent_id"] = pd.to_numeric(child["parent_id"])
    return {"parent": parent, "child": child}


@pytest.mark.parametrize("backbone", ["hma", "gaussian_copula"])
@given(tables=related_tables())
def test_any_related_tables_give_resolving_keys_or_a_clear_error(backbone, tables):
    from sdv_pillars import MultiTablePillarsSynthesizer

    try:
        synth = MultiTablePillarsSynthesizer(backbone=backbone, random_state=0, verbose=False)
        fake = synth.fit(tables).sample_scale()
    except Exception as error:  # noqa: BLE001 - the property is about which errors
        event(f"clear error: {str(error)[:40]}")
        assert _is_clear_error(error, pd.concat(tables.values())), f"{type(error).__name__}: {error}"
        return
    event("synthetic data")
    assert set(fake) == set(tables)
    for name, frame in tables.items():
        assert list(fake[name].columns) == list(frame.columns)
        assert len(fake[name]) == len(frame)
    for r in synth.get_metadata().relationships:
        keys = fake[r["child_table_name"]][r["child_foreign_key"]].dropna()
        parents = set(fake[r["parent_table_name"]][r["parent_primary_key"]])
        assert keys.isin(parents).all()


@settings(max_examples=max(5, settings().max_examples // 3))
@given(table=tables())
def test_the_cli_gives_a_csv_or_a_one_line_error(tmp_path_factory, table):
    from sdv_pillars.cli import main

    folder = tmp_path_factory.mktemp("cli")
    source, model, out = folder / "real.csv", folder / "model.pkl", folder / "fake.csv"
    table.to_csv(source, index=False)
    written = pd.read_csv(source)  # what the CLI sees: the table as CSV holds it
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(["fit", str(source), "-o", str(model), "--quiet", "--backbone", "cart"])
        if code == 0:
            code = main(["sample", str(model), "-n", "20", "-o", str(out)])
    if code != 0:
        event("one-line error")
        lines = err.getvalue().strip().splitlines()
        assert code == 2 and len(lines) == 1 and lines[0].startswith("sdv-pillars: error:")
        return
    event("synthetic csv")
    fake = pd.read_csv(out)
    assert len(fake) == 20 and list(fake.columns) == list(written.columns)
