"""Sampling and fitting on Dask (``pip install sdv-pillars[dask]``).

A fitted synthesizer samples one partition per Dask task. Each partition's random streams
(the backbone's, RDT's reverse transforms', the pillars' constraints') start from
``(seed, partition index)`` alone, so the rows are the same whichever worker draws a
partition and however many workers there are. Tasks share one copy of the fitted model per
worker (a single ``dask.delayed`` node) and each draws from a private copy of it, so threads
of one worker never share a random state.

Nothing here starts a cluster: the work runs on the Dask client the caller made (``Client()``
for this machine, ``Client("tcp://scheduler:8786")`` for a cluster), or on Dask's local
scheduler when there is none.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from copy import deepcopy

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sdv_pillars.runtime import limited_threads

INSTALL_HINT = "pip install 'sdv-pillars[dask]'"


def import_dask(module: str = "dask"):
    """``module`` of Dask, or an ImportError that says how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"Dask is needed for this ({error}); install it with: {INSTALL_HINT}") from None


def current_client():
    """The Dask client the caller made (``distributed.Client()``), or None."""
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:  # no client
        return None


@contextlib.contextmanager
def connect(address: str | None):
    """A Dask client for the block: to the scheduler at ``address``, or to a cluster of one
    single-threaded worker process per core on this machine when ``address`` is None."""
    distributed = import_dask("distributed")
    if address is not None:
        with distributed.Client(address) as client:
            yield client
        return
    with distributed.LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client


def partition_sizes(num_rows: int, partition_rows: int) -> list[int]:
    """Rows per partition: ``partition_rows`` each, the last one the rest."""
    full, rest = divmod(int(num_rows), int(partition_rows))
    return [int(partition_rows)] * full + ([rest] if rest else [])


def partition_seeds(seed: int, index: int, count: int) -> np.ndarray:
    """``count`` seeds of one partition, mixed from ``(seed, index)`` by SeedSequence."""
    return np.random.SeedSequence([seed, index]).generate_state(count).astype(np.int64)


def sample_partition(synthesizer, seed: int, index: int, num_rows: int) -> pd.DataFrame:
    """``num_rows`` rows of partition ``index``, from a private copy of a fitted
    ``PillarsSynthesizer`` whose every random stream is set from ``(seed, index)``."""
    model = deepcopy(synthesizer)
    backbone = model._model
    backbone.reset_sampling()
    transformers = [t for t in backbone.get_transformers().values() if t is not None]
    seeds = partition_seeds(seed, index, 1 + len(transformers))
    backbone._set_random_state(int(seeds[0]))
    for transformer, own in zip(transformers, seeds[1:]):
        transformer.set_random_state(np.random.RandomState(int(own)), "reverse_transform")
    backbone.pillars_.reset_sampling(seed, index)
    with limited_threads(1):  # one task per core: the worker's threads are the parallelism
        return model.sample_table(num_rows)


def sample_dask(synthesizer, num_rows: int, partition_rows: int, seed: int, meta: pd.DataFrame):
    """A Dask DataFrame of ``num_rows`` rows in partitions of ``partition_rows``."""
    dask = import_dask()
    dd = import_dask("dask.dataframe")
    shared = dask.delayed(synthesizer, pure=True)
    parts = [dask.delayed(sample_partition, pure=True)(shared, seed, index, size)
             for index, size in enumerate(partition_sizes(num_rows, partition_rows))]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def run_all(tasks: dict[str, tuple], desc: str, verbose: bool) -> dict[str, object]:
    """``{name: function(*arguments)}`` for ``{name: (function, *arguments)}``: as Dask tasks
    on the caller's client when there is one, one after the other in this process otherwise.
    The tasks must not depend on each other."""
    client = current_client()
    bar = tqdm(total=len(tasks), desc=desc, disable=not verbose, leave=False)
    if client is None:
        results = {}
        for name, (function, *arguments) in tasks.items():
            results[name] = function(*arguments)
            bar.update()
        bar.close()
        return results
    distributed = import_dask("distributed")
    futures = {client.submit(function, *arguments, pure=False): name
               for name, (function, *arguments) in tasks.items()}
    results = {}
    for future in distributed.as_completed(futures):
        results[futures[future]] = future.result()
        bar.update()
    bar.close()
    return {name: results[name] for name in tasks}
