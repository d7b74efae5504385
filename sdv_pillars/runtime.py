"""What both synthesizers need around SDV: seeding, silence, thread caps, saving to a file."""

from __future__ import annotations

import contextlib
import io
import random
import warnings
from pathlib import Path

import cloudpickle
import numpy as np
from threadpoolctl import threadpool_limits


@contextlib.contextmanager
def seeded(random_state: int | None):
    """Seed the global generators the backbones draw from (numpy, random, torch), then restore."""
    if random_state is None:
        yield
        return
    import torch

    np_state, py_state, torch_state = np.random.get_state(), random.getstate(), torch.get_rng_state()
    np.random.seed(random_state)
    random.seed(random_state)
    torch.manual_seed(random_state)
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
        torch.set_rng_state(torch_state)


def limited_threads(threads: int):
    """Cap the native thread pools (OpenMP, BLAS) at ``threads`` inside the block.

    Thread pools sized to every core oversubscribe a machine that is busy with other work,
    and OpenMP's waiting threads then spin against each other: slow by orders of magnitude
    rather than in proportion to the load.
    """
    return threadpool_limits(limits=threads)


def quiet(verbose: bool):
    """Silence SDV's own bars and warnings unless ``verbose``."""
    if verbose:
        return contextlib.nullcontext()
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return stack


def save_model(model, filepath) -> None:
    """Write a fitted synthesizer with cloudpickle, as SDV's ``save`` does."""
    with open(filepath, "wb") as output:
        cloudpickle.dump(model, output)


def load_model(filepath, expected: type | tuple[type, ...]):
    """Read a synthesizer written by ``save_model``, checking that it is one of ``expected``."""
    if not Path(filepath).exists():
        raise FileNotFoundError(f"No such model file: {filepath}")
    with open(filepath, "rb") as source:
        try:
            model = cloudpickle.load(source)
        except Exception as error:  # a truncated or foreign file fails in many ways
            raise ValueError(
                f"{filepath} is not a readable model file ({type(error).__name__}: {error}): it "
                "may be truncated or not saved by sdv-pillars; save the synthesizer again."
            ) from error
    if not isinstance(model, expected):
        names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise TypeError(f"{filepath} holds a {type(model).__name__}, not a {names}.")
    return model
