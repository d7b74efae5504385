"""Unit tests of the small pure helpers the pillars are built on, on inputs with known answers."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from sdv_pillars.draws import draw_in_ranges, sampling_rng
from sdv_pillars.missingness.analysis import calibrated_offset
from sdv_pillars.pillar_constraint import rows_fingerprint
from sdv_pillars.profiling import ColumnProfile
from sdv_pillars.quality.columns import _cramers_v
from sdv_pillars.quality.training import training_losses, training_verdict
from sdv_pillars.quality.vocabulary import grade, weighted_overall
from sdv_pillars.relational.sequential import match_to_parents
from sdv_pillars.sequential_cart import _silverman


def test_draw_in_ranges_stays_in_each_range_and_covers_it():
    rng = np.random.default_rng(0)
    start, stop = np.repeat([0, 10, 7], 2000), np.repeat([3, 12, 7], 2000)
    drawn = draw_in_ranges(rng, start, stop)
    assert set(drawn[:2000]) == {0, 1, 2} and set(drawn[2000:4000]) == {10, 11}
    assert (drawn[4000:] == 7).all()  # an empty range gives its start
    counts = np.bincount(drawn[:2000])
    assert counts.min() > 550  # uniform: about 667 each


def test_sampling_streams_are_apart_and_repeat():
    first = sampling_rng(1, 2).random(5)
    assert np.array_equal(first, sampling_rng(1, 2).random(5))
    # seed + stream made these two the same generator; they must not be
    assert not np.array_equal(first, sampling_rng(2, 1).random(5))
    assert not np.array_equal(sampling_rng(1, 2, 7).random(5), sampling_rng(1, 2, 8).random(5))


def test_calibrated_offset_hits_the_rate_and_keeps_the_order():
    logit = np.linspace(-3, 3, 500)
    for rate in (0.02, 0.3, 0.9):
        shift = calibrated_offset(logit, rate)
        assert expit(logit + shift).mean() == pytest.approx(rate, abs=1e-9)
    assert calibrated_offset(logit, 0.0) == 0.0 and calibrated_offset(logit, 1.0) == 0.0


def test_silverman_matches_r_bw_nrd0():
    # R: bw.nrd0(c(1, 2, 3, 4, 10)) = 0.9 * min(sd, IQR/1.34) * 5^(-1/5)
    values = np.array([1.0, 2, 3, 4, 10])
    expected = 0.9 * min(np.std(values, ddof=1), 2 / 1.34) * 5 ** -0.2
    assert _silverman(values) == pytest.approx(expected)
    assert _silverman(np.array([3.0])) == 0.0
    constant_iqr = np.array([5.0, 5, 5, 5, 9])  # IQR 0: falls back to the sd
    assert _silverman(constant_iqr) == pytest.approx(0.9 * np.std(constant_iqr, ddof=1) * 5 ** -0.2)


def test_cramers_v_known_values():
    x = np.repeat([0, 1], 50)
    assert _cramers_v(x, x, 2, 2) == pytest.approx(1.0)
    independent = np.tile([0, 1], 50)
    assert _cramers_v(x, independent, 2, 2) == pytest.approx(0.0)
    # nulls (code -1) are left out, and a table with one category has no association
    assert _cramers_v(np.r_[x, -1], np.r_[x, 0], 2, 2) == pytest.approx(1.0)
    assert _cramers_v(np.zeros(10, int), np.arange(10) % 2, 1, 2) == 0.0


def test_weighted_overall_rescales_over_the_measured_parts():
    scores = {"quality": 0.8, "diagnostic": 1.0, "rule_compliance": None,
              "missingness_fidelity": None, "ml_utility": None, "exact_copy_rate": 0.5,
              "dcr_overfitting_protection": None}
    overall, table = weighted_overall(scores)
    # quality .30, diagnostic .10, privacy .15 rescaled to sum to one
    assert overall == pytest.approx((0.30 * 0.8 + 0.10 * 1.0 + 0.15 * 0.5) / 0.55)
    assert set(table["component"]) == {"quality", "diagnostic", "privacy"}
    assert table["weight"].sum() == pytest.approx(1.0)
    # privacy takes the lower of 1 - copies and the DCR score
    lower, _ = weighted_overall({**scores, "exact_copy_rate": 0.0, "dcr_overfitting_protection": 0.2})
    assert lower == pytest.approx((0.30 * 0.8 + 0.10 * 1.0 + 0.15 * 0.2) / 0.55)


def test_grade_words():
    assert [grade(s) for s in (0.95, 0.85, 0.7, 0.2, None)] == [
        "excellent", "good", "fair", "poor", "not measured"]


def test_match_to_parents_respects_capacity_and_nearness():
    profile = {"size": ColumnProfile("size", "continuous", "numerical", "", 0.0, 3)}
    parents = pd.DataFrame({"size": [0.0, 100.0, 200.0]})
    context = pd.DataFrame({"size": [1.0, 2.0, 99.0, 101.0, 199.0, 198.0]})
    capacity = np.array([2, 2, 2])
    assigned = match_to_parents(context, parents, capacity, profile, np.random.default_rng(0))
    assert list(assigned) == [0, 0, 1, 1, 2, 2]
    # capacities win over nearness: every child near parent 0, each parent still gets two
    crowded = pd.DataFrame({"size": [0.0] * 6})
    assigned = match_to_parents(crowded, parents, capacity, profile, np.random.default_rng(0))
    assert np.bincount(assigned, minlength=3).tolist() == [2, 2, 2]


def test_rows_fingerprint_sees_values_order_and_names():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    assert rows_fingerprint(frame) == rows_fingerprint(frame.copy())
    assert rows_fingerprint(frame) != rows_fingerprint(frame.iloc[::-1])
    assert rows_fingerprint(frame) != rows_fingerprint(frame.assign(a=[1, 2, 4]))
    assert rows_fingerprint(frame) != rows_fingerprint(frame.rename(columns={"a": "c"}))
    # a table with no modelled column (only ids or free text) still has a fingerprint
    assert rows_fingerprint(frame[[]]) != rows_fingerprint(frame.head(2)[[]])


def test_training_verdict_reads_the_trend_of_the_last_epochs():
    epochs = np.arange(30)
    falling = pd.DataFrame({"epoch": epochs, "series": "Loss", "loss": 10 - 0.3 * epochs})
    assert "still falling" in training_verdict(falling)
    flat = pd.DataFrame({"epoch": epochs, "series": "Loss",
                         "loss": np.r_[10 - np.arange(15), np.full(15, -4.0)]})
    assert "levelled off" in training_verdict(flat)
    assert training_verdict(training_losses(object())) is None  # a backbone without losses


def test_training_losses_average_batches_per_epoch():
    class Backbone:
        def get_loss_values(self):
            return pd.DataFrame({"Epoch": [0, 0, 1, 1], "Batch": [0, 1, 0, 1],
                                 "Loss": [4.0, 2.0, 1.0, 1.0]})

    losses = training_losses(Backbone())
    assert losses["loss"].tolist() == [3.0, 1.0] and set(losses["series"]) == {"Loss"}


def test_pillars_effect_judges_the_paired_difference_against_its_spread():
    from sdv_pillars.benchmark import pillars_effect

    rows = []
    for seed, plain, pillars in ((0, 0.90, 0.95), (1, 0.80, 0.86), (2, 0.85, 0.90)):
        rows += [{"table": "t", "backbone": "gc", "seed": seed, "variant": "plain", "quality": plain},
                 {"table": "t", "backbone": "gc", "seed": seed, "variant": "pillars", "quality": pillars}]
    better = pillars_effect(pd.DataFrame(rows), figures=("quality",)).iloc[0]
    # the arms spread by 0.05 across seeds, but every seed gains 0.05-0.06: a paired gain
    assert better["verdict"] == "better" and better["difference"] == "+0.0533"
    assert better["plain"] == "0.8500 ± 0.0500"
    noisy = pd.DataFrame(rows).assign(quality=lambda f: np.where(
        (f["variant"] == "pillars") & (f["seed"] == 1), 0.70, f["quality"]))
    assert pillars_effect(noisy, figures=("quality",)).iloc[0]["verdict"] == "within noise"
