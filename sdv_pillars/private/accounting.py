"""The privacy ledger: every step that reads the real rows, with what it spent.

Steps compose by basic sequential composition: the total is the sum of the epsilons and the
sum of the deltas. It is loose (advanced composition or a common accountant would be
tighter), but it holds for any mix of mechanisms, here a pure-epsilon Laplace histogram, an
(epsilon, delta) stability histogram and DP-SGD's Renyi accountant converted to (epsilon,
delta). The ledger refuses a step that would go past the budget it was opened with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

TOLERANCE = 1e-9  # floating-point slack when the steps add up to the whole budget


@dataclass(frozen=True)
class Spend:
    """One step: what it learnt, by which mechanism, at what (epsilon, delta)."""

    step: str
    mechanism: str
    epsilon: float
    delta: float


class PrivacyLedger:
    """A budget of (``epsilon``, ``delta``) and the steps spent from it."""

    def __init__(self, epsilon: float, delta: float):
        self.epsilon = epsilon
        self.delta = delta
        self.spends: list[Spend] = []

    @property
    def epsilon_spent(self) -> float:
        return float(sum(s.epsilon for s in self.spends))

    @property
    def delta_spent(self) -> float:
        return float(sum(s.delta for s in self.spends))

    def spend(self, step: str, mechanism: str, epsilon: float, delta: float = 0.0) -> None:
        """Record a step. Raises RuntimeError when it would exceed the budget: a bug in the
        caller's split, never something to round away."""
        if epsilon < 0 or delta < 0:
            raise ValueError(f"A step spends a non-negative budget, got ({epsilon}, {delta}).")
        if (self.epsilon_spent + epsilon > self.epsilon + TOLERANCE
                or self.delta_spent + delta > self.delta + TOLERANCE):
            raise RuntimeError(
                f"'{step}' would spend ({epsilon:.4g}, {delta:.3g}) with "
                f"({self.epsilon_spent:.4g}, {self.delta_spent:.3g}) of "
                f"({self.epsilon:.4g}, {self.delta:.3g}) already spent."
            )
        self.spends.append(Spend(step, mechanism, float(epsilon), float(delta)))

    def table(self) -> pd.DataFrame:
        """One row per step: step, mechanism, epsilon, delta."""
        return pd.DataFrame([asdict(s) for s in self.spends],
                            columns=["step", "mechanism", "epsilon", "delta"])

    def statement(self) -> str:
        """The total in one sentence."""
        return (f"(epsilon={self.epsilon_spent:.3g}, delta={self.delta_spent:.2g})-differentially "
                f"private by basic composition of {len(self.spends)} steps, within a budget of "
                f"(epsilon={self.epsilon:.3g}, delta={self.delta:.2g})")
