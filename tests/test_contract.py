"""One public contract for both pillars synthesizers, over every backbone.

fit returns self; use before fit raises SDV's NotFittedError; get_parameters round-trips the
constructor; the fitted attributes exist under the same names; save/load round-trips; the
same seed gives the same sample.
"""

import inspect

import numpy as np
import pandas as pd
import pytest
from sdv.errors import NotFittedError

from sdv_pillars import MultiTablePillarsSynthesizer, PillarsSynthesizer
from sdv_pillars.datasets import load_customers
from sdv_pillars.table_pillars import TablePillars

FITTED = ("pillars_", "metadata_", "profile_", "rule_set_", "rules_", "generation_order_",
          "missingness_")
NEURAL = {"epochs": 1, "batch_size": 100}
# (synthesizer, backbone, backbone_kwargs, slow)
CASES = [(PillarsSynthesizer, "gaussian_copula", None, False),
         (PillarsSynthesizer, "cart", None, False),
         (PillarsSynthesizer, "ctgan", NEURAL, True),
         (PillarsSynthesizer, "tvae", NEURAL, True),
         (PillarsSynthesizer, "copulagan", NEURAL, True),
         (MultiTablePillarsSynthesizer, "hma", None, False),
         (MultiTablePillarsSynthesizer, "gaussian_copula", None, False),
         (MultiTablePillarsSynthesizer, "cart", None, True)]


def _related() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    customers = load_customers(120, seed=0).assign(customer_id=np.arange(120))
    owner = rng.integers(0, 120, 300)
    amount = rng.gamma(2, 50, 300).round(2)
    payments = pd.DataFrame({"payment_id": np.arange(300), "customer_id": owner, "amount": amount,
                             "size": np.where(amount > 100, "large", "small")})
    return {"customers": customers, "payments": payments}


def _cases():
    for cls, backbone, kwargs, slow in CASES:
        kind = "single" if cls is PillarsSynthesizer else "multi"
        yield pytest.param(cls, backbone, kwargs, marks=[pytest.mark.slow] if slow else [],
                           id=f"{kind}-{backbone}")


def _data(cls):
    return load_customers(300, seed=0) if cls is PillarsSynthesizer else _related()


def _sample(synth):
    return synth.sample_table(50) if isinstance(synth, PillarsSynthesizer) else synth.sample_scale(0.5)


def _assert_same(first, second):
    if isinstance(first, dict):
        assert first.keys() == second.keys()
        for name in first:
            pd.testing.assert_frame_equal(first[name], second[name])
    else:
        pd.testing.assert_frame_equal(first, second)


@pytest.mark.parametrize("cls, backbone, kwargs", list(_cases()))
def test_contract(tmp_path, cls, backbone, kwargs):
    synth = cls(backbone=backbone, backbone_kwargs=kwargs, random_state=0, verbose=False)
    for use in (lambda: _sample(synth), synth.get_metadata, synth.summary,
                lambda: synth.save(tmp_path / "x.pkl"), synth.reset_sampling):
        with pytest.raises(NotFittedError):
            use()

    parameters = synth.get_parameters()
    assert list(parameters) == [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert cls(**parameters).get_parameters() == parameters

    data = _data(cls)
    assert synth.fit(data) is synth
    for name in FITTED:
        assert hasattr(synth, name), name
    pillars = synth.pillars_ if cls is PillarsSynthesizer else next(iter(synth.pillars_.values()))
    assert isinstance(pillars, TablePillars)

    synth.reset_sampling()
    first = _sample(synth)
    path = tmp_path / "model.pkl"
    synth.save(path)
    loaded = cls.load(path)
    loaded.reset_sampling()
    _assert_same(_sample(loaded), first)

    again = cls(**parameters).fit(data)
    again.reset_sampling()
    _assert_same(_sample(again), first)
