"""The one parameter-spec type, the one source of defaults and the method registry."""

from __future__ import annotations

import inspect

import pytest

from gtvviz.classification import ClassifyConfig
from gtvviz.config import SPECS, RunConfig
from gtvviz.data.generators import GENERATORS
from gtvviz.defaults import check_cluster_count
from gtvviz.errors import ConfigError
from gtvviz.nn.models import TVGNN
from gtvviz.params import ParamSpec
from gtvviz.registry import METHODS, REGISTRY


def test_ranges_closed_and_open() -> None:
    closed = ParamSpec("k", "int", 2, 2, 10)
    closed.check_number(2), closed.check_number(10)
    with pytest.raises(ConfigError, match=r"^k must be between 2 and 10, got 11\.$"):
        closed.check_number(11)
    fraction = ParamSpec("f", "float", 0.5, 0.0, 1.0, open_bounds=True)
    fraction.check_number(0.5)
    for bad in (0.0, 1.0):
        with pytest.raises(ConfigError, match=r"f must be in \(0, 1\)"):
            fraction.check_number(bad)
    with pytest.raises(ConfigError, match="must be greater than 0"):
        ParamSpec("lr", "float", 1e-3, 0.0, open_bounds=True).check_number(0.0)
    with pytest.raises(ConfigError, match="must be at least 1"):
        ParamSpec("n", "int", 1, 1).check_number(0)
    with pytest.raises(ConfigError, match="finite"):
        closed.check_number(float("nan"))
    with pytest.raises(ConfigError, match="must be one of a, b"):
        ParamSpec("c", "str", "a", choices=("a", "b")).check_choice("z")


def test_configs_generators_and_classification_share_the_type() -> None:
    assert all(isinstance(spec, ParamSpec) for spec in SPECS.values())
    assert all(isinstance(p, ParamSpec) for spec in GENERATORS.values() for p in spec.params)
    assert SPECS["hidden"].type == "ints" and SPECS["hidden"].default == RunConfig().hidden
    assert SPECS["method"].choices == METHODS
    ClassifyConfig(val_fraction=0.5)
    for bad in (0.0, 1.0):
        with pytest.raises(ConfigError, match="val_fraction"):
            ClassifyConfig(val_fraction=bad)
    with pytest.raises(ConfigError, match="lr"):
        ClassifyConfig(lr=0.0)


def test_the_model_s_defaults_are_the_run_s() -> None:
    defaults = inspect.signature(TVGNN).parameters
    config = RunConfig()
    assert defaults["delta_coeff"].default == config.delta and defaults["eps"].default == config.eps
    assert tuple(defaults["hidden_channels"].default) == config.hidden
    assert tuple(defaults["mlp_channels"].default) == config.mlp


def test_one_cluster_count_check() -> None:
    check_cluster_count(2)
    with pytest.raises(ConfigError, match=r"Pooling needs at least K = 2 clusters, got K = 1; choose K >= 2\."):
        check_cluster_count(1, "Pooling")


def test_every_registered_method_has_its_builder() -> None:
    assert METHODS[0] == "tvgnn" and set(METHODS) == {"tvgnn", "mincut", "dmon", "spectral", "kmeans"}
    for method in REGISTRY.values():
        assert callable(method.builder()) and method.summary
