"""A masked autoregressive network over coded columns, trained with DP-SGD (opacus).

Every column is a code (a label, a bin of a number, or null), one-hot encoded. The network
is a MADE (Germain et al. 2015): masks on its linear layers make the logits of column ``k``
depend on columns ``1..k-1`` only, so one forward pass gives every conditional
``p(x_k | x_<k)`` and the loss is the table's exact negative log-likelihood. Sampling draws
the columns one after another. Exact likelihood and no adversary make it a calm target for
DP-SGD, whose clipped, noised gradients destabilise GANs.

Privacy is opacus': per-row gradients clipped to ``max_grad_norm``, Gaussian noise calibrated
by its accountant to reach (epsilon, delta) after ``epochs`` passes of Poisson-sampled
batches. The masks are plain tensors, not buffers (opacus refuses layers with buffers); they
are rebuilt from the column sizes, which are public once the domains are. Per-row gradients
are opacus' own for linear layers, masked (``_masked_grad_sample``).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import trange


class MaskedLinear(nn.Linear):
    """A linear layer whose weight is multiplied by a fixed 0/1 mask."""

    def __init__(self, in_features: int, out_features: int, mask: torch.Tensor):
        super().__init__(in_features, out_features)
        self.mask = mask

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.linear(inputs, self.weight * self.mask, self.bias)


def _masks(sizes: list[int], hidden: int, layers: int) -> list[torch.Tensor]:
    """MADE's masks: input column ``k`` (1-based) feeds hidden units of degree >= k, and the
    output block of column ``k`` reads hidden units of degree < k. Degrees cycle through
    ``1..K-1``, so every column but the last feeds some unit."""
    columns = len(sizes)
    inputs = np.repeat(np.arange(1, columns + 1), sizes)
    degrees = [np.arange(hidden) % max(columns - 1, 1) + 1 for _ in range(layers)]
    masks, previous = [], inputs
    for degree in degrees:
        masks.append(degree[:, None] >= previous[None, :])
        previous = degree
    masks.append(inputs[:, None] > previous[None, :])
    return [torch.tensor(m, dtype=torch.float32) for m in masks]


class MADE(nn.Module):
    """Logits of every column given the columns before it."""

    def __init__(self, sizes: list[int], hidden: int = 128, layers: int = 2):
        super().__init__()
        self.sizes = list(sizes)
        masks = _masks(self.sizes, hidden, layers)
        widths = [sum(sizes)] + [hidden] * layers + [sum(sizes)]
        blocks: list[nn.Module] = []
        for index, mask in enumerate(masks):
            blocks.append(MaskedLinear(widths[index], widths[index + 1], mask))
            if index < len(masks) - 1:
                blocks.append(nn.ReLU())
        self.net = nn.Sequential(*blocks)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])

    def forward(self, onehot: torch.Tensor) -> torch.Tensor:
        return self.net(onehot)

    def one_hot(self, codes: torch.Tensor) -> torch.Tensor:
        return torch.cat([F.one_hot(codes[:, k], size).float() for k, size in enumerate(self.sizes)], 1)

    def loss(self, codes: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood of the rows ``codes`` (one code per column)."""
        logits = self(self.one_hot(codes))
        return sum(F.cross_entropy(logits[:, self.offsets[k]:self.offsets[k + 1]], codes[:, k])
                   for k in range(len(self.sizes)))

    @torch.no_grad()
    def sample(self, num_rows: int, rng: np.random.Generator) -> np.ndarray:
        """``num_rows`` rows of codes, drawn column after column."""
        codes = np.zeros((num_rows, len(self.sizes)), dtype=np.int64)
        onehot = torch.zeros(num_rows, int(self.offsets[-1]))
        for k, size in enumerate(self.sizes):
            start = int(self.offsets[k])
            probs = torch.softmax(self(onehot)[:, start:start + size], 1).double().numpy()
            cumulative = np.cumsum(probs, 1)
            draws = (cumulative < rng.random((num_rows, 1)) * cumulative[:, -1:]).sum(1)
            codes[:, k] = np.minimum(draws, size - 1)
            onehot[np.arange(num_rows), start + codes[:, k]] = 1.0
        return codes


def _masked_grad_sample(layer: MaskedLinear, activations, backprops) -> dict:
    """Per-row gradients of a masked layer: the linear layer's (opacus' own einsum), masked.
    Registered for ``MaskedLinear`` so opacus does not fall back to functorch, which was
    ten times slower here."""
    from opacus.grad_sample.linear import compute_linear_grad_sample

    samples = compute_linear_grad_sample(layer, activations, backprops)
    samples[layer.weight].mul_(layer.mask)  # in place: the per-row gradients are the largest tensor here
    return samples


def train_private(model: MADE, codes: np.ndarray, epsilon: float, delta: float, epochs: int,
                  batch_size: int, max_grad_norm: float, learning_rate: float,
                  verbose: bool) -> dict:
    """Train ``model`` in place with DP-SGD at (``epsilon``, ``delta``) over ``epochs``.

    Poisson sampling can draw an empty batch, whose step is skipped: that reveals the batch
    was empty, which the Gaussian mechanism does not cover. So the chance that any batch is
    empty, ``steps * (1 - q)^n`` (below 1e-11 for batches of 32 rows or more), is taken out of
    ``delta`` before training and counted back in the delta returned (a bad-event bound).

    Returns what the accountant reports: the noise multiplier, the sample rate, the steps, the
    (epsilon, delta) spent (at most the budget), and the mean loss of each epoch.

    Raises:
        ValueError: when batches are so small that an empty one is likelier than half of delta.
    """
    from opacus import PrivacyEngine
    from opacus.grad_sample import register_grad_sampler

    register_grad_sampler(MaskedLinear)(_masked_grad_sample)

    batch_size = min(batch_size, len(codes))
    rate = batch_size / len(codes)
    empty = epochs / rate * np.exp(len(codes) * np.log1p(-rate)) if rate < 1 else 0.0
    if empty > delta / 2:
        raise ValueError(f"Batches of {batch_size} rows are empty too often for delta={delta:g} "
                         f"(chance {empty:.2g}): use a larger batch_size.")
    delta -= empty
    dataset = torch.utils.data.TensorDataset(torch.as_tensor(codes, dtype=torch.long))
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    with warnings.catch_warnings():
        # opacus warns about its non-secure RNG and about functorch for the masked layers
        warnings.simplefilter("ignore")
        engine = PrivacyEngine(accountant="rdp")
        wrapped, optimizer, loader = engine.make_private_with_epsilon(
            module=model, optimizer=optimizer, data_loader=loader, target_epsilon=epsilon,
            target_delta=delta, epochs=epochs, max_grad_norm=max_grad_norm)
        losses, steps = [], 0
        for _ in trange(epochs, desc="DP-SGD", disable=not verbose):
            total, seen = 0.0, 0
            for (batch,) in loader:
                if len(batch) == 0:  # the empty batch of the docstring
                    continue
                optimizer.zero_grad()
                loss = model.loss(batch)  # opacus hooks the layers, so the wrapped model is not needed
                loss.backward()
                optimizer.step()
                total, seen, steps = total + float(loss) * len(batch), seen + len(batch), steps + 1
            losses.append(total / max(seen, 1))
        spent = engine.get_epsilon(delta)
    wrapped._close()  # opacus' hooks and per-row gradients off the model: it samples and pickles plain
    return {"noise_multiplier": float(optimizer.noise_multiplier),
            "sample_rate": float(loader.sample_rate),
            "steps": steps, "epsilon": float(spent), "delta": float(delta + empty), "losses": losses}
