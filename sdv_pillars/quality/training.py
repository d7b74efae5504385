"""Training of the neural backbones: loss curves per epoch and a plain verdict.

CTGAN and CopulaGAN record a generator and a discriminator loss per epoch, TVAE a loss per
batch; ``training_losses`` reads them through SDV's ``get_loss_values`` (a pillars
synthesizer passes it on to its backbone) as one row per epoch and series. A series is
"still falling" when a straight line through its last third of epochs drops by more than
``STILL_FALLING`` of the series' whole range over that stretch: training longer would
probably help. GAN losses oscillate, so the verdict reads the trend, not the last value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STILL_FALLING = 0.10


def training_losses(synthesizer) -> pd.DataFrame:
    """``epoch, series, loss`` per epoch (batches averaged), or an empty frame when the
    synthesizer records no losses."""
    getter = getattr(synthesizer, "get_loss_values", None)
    try:
        losses = getter() if getter is not None else None
    except Exception:  # a backbone without losses, or SDV's error for an unfitted one
        losses = None
    if not isinstance(losses, pd.DataFrame) or losses.empty or "Epoch" not in losses:
        return pd.DataFrame(columns=["epoch", "series", "loss"])
    series = [c for c in losses.columns if c not in ("Epoch", "Batch")]
    per_epoch = losses.groupby("Epoch")[series].mean().reset_index()
    long = per_epoch.melt(id_vars="Epoch", var_name="series", value_name="loss")
    return long.rename(columns={"Epoch": "epoch"})


def training_verdict(losses: pd.DataFrame) -> str | None:
    """One sentence on whether training converged, or None without losses."""
    if losses.empty:
        return None
    falling = []
    for name, part in losses.groupby("series", sort=False):
        values = part.sort_values("epoch")["loss"].to_numpy(dtype=float)
        tail = values[-max(3, len(values) // 3):]
        spread = np.ptp(values)
        if len(tail) >= 3 and spread > 0:
            slope = np.polyfit(np.arange(len(tail)), tail, 1)[0]
            if slope * (len(tail) - 1) < -STILL_FALLING * spread:
                falling.append(str(name))
    epochs = int(losses["epoch"].max()) + 1
    if falling:
        return (f"Trained {epochs} epochs; {', '.join(falling)} still falling at the last epoch: "
                "train longer (more epochs).")
    return f"Trained {epochs} epochs; the losses have levelled off."
