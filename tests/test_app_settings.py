"""The settings the app shows per method are exactly the ones that change that method's run."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from gtvviz import RunConfig, build_trainer
from gtvviz.data import load_graph
from gtvviz.registry import METHODS
from gtvviz_app.settings import METHOD_FIELDS, NOT_IN_FORM

BASE = RunConfig(graph="karate", hidden=(8,), mlp=(4,), epochs=3, device="cpu", lr=0.01)
#: A different valid value of every setting the form edits (but the method and the device).
OTHER = {"clusters": 3, "alpha1": 0.3, "alpha2": 0.2, "delta": 2.0, "eps": 0.5, "hidden": (6,), "mlp": (5,),
         "lr": 0.05, "epochs": 4, "seed": 1, "warmup": 2, "balance_weight": "fixed"}


@pytest.fixture(scope="module")
def graph():
    return load_graph("karate")


def _result(graph, config: RunConfig) -> np.ndarray:
    trainer = build_trainer(graph, config)
    trainer.run()
    return trainer.last.s


def test_every_method_has_its_fields() -> None:
    assert set(METHOD_FIELDS) == set(METHODS)
    editable = {f.name for f in fields(RunConfig)} - set(NOT_IN_FORM)
    assert set(METHOD_FIELDS["tvgnn"]) == editable


@pytest.mark.parametrize("method", METHODS)
def test_a_setting_is_shown_if_and_only_if_it_changes_the_method_s_result(graph, method: str) -> None:
    base = BASE.replace(method=method)
    reference = _result(graph, base)
    for name, value in OTHER.items():
        changed = _result(graph, base.replace(**{name: value}))
        differs = changed.shape != reference.shape or not np.allclose(changed, reference)
        if name not in METHOD_FIELDS[method]:
            assert not differs, (method, name)  # a hidden setting would change the run unseen
        elif name != "balance_weight" and not (name == "seed" and method in ("spectral", "kmeans")):
            # (the balance weight acts only after a run has sat at the uniform assignment, not within 3 epochs;
            # k-means' restarts reach the same clusters of karate from any seed)
            assert differs, (method, name)
