"""Disclosure risk measured by attacks: anonymeter's singling out, linkability and attribute
inference, each with a 95% confidence interval and two reference points.

An attacker holds the synthetic table and tries to learn something about the real rows the
synthesizer was trained on. anonymeter (Giomi et al., PoPETs 2023) runs each attack twice:
against the training rows and against a control set of real rows the synthesizer never saw
(the holdout). What succeeds on the control rows as often as on the training rows is what the
data teaches about anyone, not a leak; the risk is the excess success on the training rows,
``(train_rate - control_rate) / (1 - control_rate)``, 0 when there is none.

* singling out: predicates written from synthetic rows ("age == 41.79", "sex == f and
  stage == 4 and bili > 20") that match exactly one training row;
* linkability: the columns split in two halves, as two databases an attacker might hold;
  a training row whose nearest synthetic row by one half is among its nearest by the other
  half is linked;
* inference: the nearest synthetic row on every other column guesses a secret column of a
  training row (``secrets``, or up to three label columns chosen here).

Every figure comes with the same attack run on two tables the synthesizer never made:

* a full leak, the training rows themselves handed out as "synthetic" (the worst case);
* the natural rate, half of the holdout handed out, attacked against the other half as control
  (real rows of the same population, so about 0: what sharing non-members would score).

A synthetic table is as safe as these attacks can tell when its interval reaches down to the
natural rate, and a figure near the full leak's means the table discloses nearly as much as
the training rows. Nothing here is a guarantee, and nothing here is differential privacy.

Preparation, so the attacks are valid: the compared columns only (no keys or free text), the
training rows cut to the holdout's size so anonymeter needs no size correction (its fitted
correction is unstable on small control sets), dates as seconds, labels as strings with
nulls as one label, and a numeric column with nulls as its median plus a ``<column> is null``
label (anonymeter's distance is NaN on numeric nulls). anonymeter is an optional dependency
(README, "Is it safe to share?"); without it the figures are ``None`` with a note.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sdv_pillars.defaults import ATTACK_ROWS, ATTACK_SYNTHETIC_ROWS, ATTACKS, MAX_SECRETS, MODEL_THREADS
from sdv_pillars.profiling import CATEGORY_KINDS, ColumnProfile
from sdv_pillars.quality.columns import compared_frames
from sdv_pillars.runtime import limited_threads, seeded

ATTACK_NAMES = ("singling_out", "linkability", "inference")
INSTALL_HINT = ("pip install --no-deps anonymeter==1.1.0 && pip install 'sdv-pillars[privacy]' "
                "(anonymeter pins numpy<1.27, which SDV's stack has left behind; --no-deps keeps "
                "your numpy, and the [privacy] extra installs what anonymeter does need)")
NULL_LABEL = "<null>"


def anonymeter_available() -> bool:
    """Whether the optional attack toolkit can be imported."""
    try:
        import anonymeter.evaluators  # noqa: F401
    except ImportError:
        return False
    return True


def attack_frame(data: pd.DataFrame, profile: dict[str, ColumnProfile],
                 medians: dict[str, float]) -> pd.DataFrame:
    """``data`` as the attacks read it (module docstring), with a fresh index."""
    columns, frame, _ = compared_frames(data, data.head(0), profile)
    out = {}
    for column in columns:
        values = frame[column]
        if profile[column].kind in CATEGORY_KINDS:
            out[column] = values.fillna(NULL_LABEL).astype(str)
        elif column in medians:
            out[column] = values.fillna(medians[column])
            out[f"{column} is null"] = np.where(values.isna(), "yes", "no")
        else:
            out[column] = values
    return pd.DataFrame(out).reset_index(drop=True)


def default_secrets(profile: dict[str, ColumnProfile], data: pd.DataFrame) -> list[str]:
    """Up to ``MAX_SECRETS`` label columns to attack, the least predictable first: a column
    whose label is nearly constant teaches an attacker nothing either way."""
    columns, frame, _ = compared_frames(data, data.head(0), profile)
    entropy = {}
    for column in columns:
        if profile[column].kind not in CATEGORY_KINDS:
            continue
        shares = frame[column].value_counts(normalize=True, dropna=False).to_numpy()
        if 2 <= len(shares) <= 50:
            entropy[column] = float(-(shares * np.log(shares)).sum())
    return sorted(entropy, key=entropy.get, reverse=True)[:MAX_SECRETS]


@dataclass
class _Arm:
    """One table handed to the attacker, with the real rows it is attacked against."""

    name: str
    syn: pd.DataFrame
    ori: pd.DataFrame
    control: pd.DataFrame


def _risk(evaluator) -> tuple[float, float, float]:
    risk = evaluator.risk(confidence_level=0.95)
    return float(risk.value), float(risk.ci[0]), float(risk.ci[1])


def _attacks(arm: _Arm, secrets: list[str], n_attacks: int, seed: int):
    """(attack, target, risk, ci_low, ci_high) for each attack on one arm."""
    from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator, SinglingOutEvaluator

    n = min(n_attacks, len(arm.control), len(arm.ori))
    for mode in ("univariate", "multivariate"):
        so = SinglingOutEvaluator(ori=arm.ori, syn=arm.syn, control=arm.control, n_attacks=n,
                                  max_attempts=50 * n, seed=seed)
        yield ("singling_out", mode, *_risk(so.evaluate(mode=mode)))
    columns = list(arm.ori.columns)
    halves = [columns[0::2], columns[1::2]]
    link = LinkabilityEvaluator(ori=arm.ori, syn=arm.syn, control=arm.control, n_attacks=n,
                                aux_cols=halves)
    yield ("linkability", "two halves", *_risk(link.evaluate(n_jobs=1)))
    for secret in secrets:
        aux = [c for c in columns if c not in (secret, f"{secret} is null")]
        regression = pd.api.types.is_numeric_dtype(arm.ori[secret])
        inference = InferenceEvaluator(ori=arm.ori, syn=arm.syn, control=arm.control, aux_cols=aux,
                                       secret=secret, regression=regression, n_attacks=n)
        yield ("inference", secret, *_risk(inference.evaluate(n_jobs=1)))


def disclosure_risks(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    profile: dict[str, ColumnProfile],
    secrets: list[str] | None = None,
    *,
    n_attacks: int = ATTACKS,
    random_state: int | None = 0,
) -> tuple[dict[str, float | None], pd.DataFrame]:
    """The three attacks on ``synthetic`` and on both reference tables (module docstring).

    Returns the headline scores (the highest risk of each attack on the synthetic table and the
    upper end of its interval) and one row per attack, target and arm.
    """
    rng = np.random.default_rng(random_state)
    seed = int(rng.integers(2**31 - 1))
    columns, real_f, _ = compared_frames(real, real.head(0), profile)
    medians = {c: float(real_f[c].median()) for c in columns
               if profile[c].kind not in CATEGORY_KINDS and real_f[c].isna().any()}
    size = min(len(real), len(holdout), ATTACK_ROWS)
    train = attack_frame(real.sample(size, random_state=seed), profile, medians)
    control = attack_frame(holdout.sample(size, random_state=seed), profile, medians)
    synth = attack_frame(synthetic.sample(min(len(synthetic), ATTACK_SYNTHETIC_ROWS),
                                          random_state=seed), profile, medians)
    half = size // 2
    arms = [_Arm("synthetic", synth, train, control),
            _Arm("full leak", train, train, control),
            _Arm("natural", control.iloc[:half].reset_index(drop=True), train.iloc[:half],
                 control.iloc[half:2 * half].reset_index(drop=True))]
    chosen = default_secrets(profile, real) if secrets is None else list(secrets)
    unknown = [s for s in chosen if s not in train.columns]
    if unknown:
        raise ValueError(f"secrets {unknown} are not compared columns of the table: pick among "
                         f"{[c for c in train.columns if not c.endswith(' is null')]}.")
    rows = []
    logger = logging.getLogger("anonymeter")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "reached max number of attempts" on small tables
    try:
        # anonymeter draws its targets from numpy's global generator: seeded, the same
        # evaluation gives the same figures (singling out within a little: anonymeter lists
        # rare values through an unordered polars group_by before its seeded shuffle)
        with warnings.catch_warnings(), limited_threads(MODEL_THREADS), seeded(seed):
            warnings.filterwarnings("ignore", message="Attack is as good or worse")
            for arm in arms:
                rows += [(arm.name, *row) for row in _attacks(arm, chosen, n_attacks, seed)]
    finally:
        logger.setLevel(level)
    table = pd.DataFrame(rows, columns=["arm", "attack", "target", "risk", "ci_low", "ci_high"])
    table = table.pivot_table(index=["attack", "target"], columns="arm",
                              values=["risk", "ci_low", "ci_high"], sort=False)
    table.columns = [f"{value}" if arm == "synthetic" else f"{arm.replace(' ', '_')}_{value}"
                     for value, arm in table.columns]
    table = table.reset_index()[["attack", "target", "risk", "ci_low", "ci_high", "natural_risk",
                                 "natural_ci_high", "full_leak_risk"]]
    scores: dict[str, float | None] = {}
    for attack in ATTACK_NAMES:
        part = table[table["attack"] == attack]
        worst = part.loc[part["risk"].idxmax()] if len(part) else None
        scores[f"{attack}_risk"] = None if worst is None else float(worst["risk"])
        scores[f"{attack}_risk_ci_high"] = None if worst is None else float(worst["ci_high"])
        scores[f"{attack}_full_leak_risk"] = None if worst is None else float(worst["full_leak_risk"])
    return scores, table


def empty_scores() -> dict[str, None]:
    """The disclosure keys of ``scores`` when the attacks were not run."""
    return {f"{attack}_{suffix}": None for attack in ATTACK_NAMES
            for suffix in ("risk", "risk_ci_high", "full_leak_risk")}
