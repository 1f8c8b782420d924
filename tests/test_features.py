"""Node features (gtvviz.features): the reference row normalisation, the standardisation of real-valued features,
the rule that chooses between them, and the option that selects one (RunConfig.normalize, the CLI, the estimator),
checked against numpy and PyG's own NormalizeFeatures."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.transforms import NormalizeFeatures

from gtvviz import Graph, RunConfig, build_trainer
from gtvviz.cluster import TVGNNClustering
from gtvviz.defaults import NORMALIZATIONS
from gtvviz.errors import ConfigError
from gtvviz.features import (
    neighbourhood_features,
    node_features,
    row_normalize,
    scale_features,
    standardize,
)


def _pyg_normalized(x: torch.Tensor) -> torch.Tensor:
    return NormalizeFeatures()(Data(x=x.clone())).x


def _numpy_standardized(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    z = (x - x.mean(axis=0)) / x.std(axis=0)  # population deviation (ddof 0)
    return z / np.abs(z).sum(axis=1).mean()


def _path_graph(x: torch.Tensor | None) -> Graph:
    n = 6 if x is None else x.size(0)
    return Graph.from_edges(np.array([[i, i + 1] for i in range(n - 1)]).T, n, x=x, directed=False)


@pytest.fixture
def gaussian() -> torch.Tensor:
    return torch.randn(50, 7, generator=torch.Generator().manual_seed(0)) * torch.arange(1.0, 8.0) + 3.0


@pytest.fixture
def counts() -> torch.Tensor:
    return torch.randint(0, 3, (40, 30), generator=torch.Generator().manual_seed(1)).float()


def test_row_normalisation_is_pyg_normalize_features(gaussian: torch.Tensor, counts: torch.Tensor) -> None:
    for x in (gaussian, counts, gaussian / 100):  # the last: row sums below 1, divided by 1
        assert torch.equal(row_normalize(x), _pyg_normalized(x))
    x = torch.tensor([[0.0, 2.0, 2.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    torch.testing.assert_close(row_normalize(x), torch.tensor([[0, 0.5, 0.5], [1, 0, 0], [0, 0, 0]]))


def test_standardisation_by_hand() -> None:
    x = torch.tensor([[0.0, 1.0], [2.0, 1.0], [4.0, 4.0]])
    # columns: mean 2 and 2, deviations sqrt(8/3) and sqrt(2); z rows (-1.2247, -0.7071), (0, -0.7071),
    # (1.2247, 1.4142); row l1 norms 1.9319, 0.7071, 2.6390, mean 1.7593
    expected = torch.tensor([[-1.2247, -0.7071], [0.0, -0.7071], [1.2247, 1.4142]]) / 1.7593
    torch.testing.assert_close(standardize(x), expected, atol=1e-4, rtol=0)


def test_standardisation_matches_numpy_and_has_unit_mean_row_norm(gaussian: torch.Tensor) -> None:
    z = standardize(gaussian)
    np.testing.assert_allclose(z.numpy(), _numpy_standardized(gaussian.numpy()), atol=1e-5)
    assert z.abs().sum(dim=1).mean().item() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(z.mean(dim=0).numpy(), 0.0, atol=1e-6)
    stds = z.std(dim=0, unbiased=False)
    torch.testing.assert_close(stds, torch.full_like(stds, stds[0].item()))  # every column the same deviation


def test_standardisation_ignores_each_column_s_shift_and_scale(gaussian: torch.Tensor) -> None:
    moved = gaussian * torch.tensor([0.01, 1, 5, 100, 0.5, 2, 3]) - torch.tensor([10, 0, 5, -7, 0.1, 2, 3])
    torch.testing.assert_close(standardize(moved), standardize(gaussian), atol=1e-4, rtol=1e-3)


def test_a_constant_column_becomes_zero_without_nan(gaussian: torch.Tensor) -> None:
    x = torch.cat([gaussian, torch.full((50, 1), 0.1), torch.zeros(50, 1)], dim=1)  # 0.1: no exact float
    z = standardize(x)
    assert torch.isfinite(z).all() and (z[:, -2:] == 0).all()
    np.testing.assert_allclose(z[:, :-2].numpy(), _numpy_standardized(gaussian.numpy()), atol=1e-5)
    assert torch.equal(standardize(torch.ones(4, 3)), torch.zeros(4, 3))


def test_features_near_the_float32_limit_standardise_without_overflow() -> None:
    x = np.zeros((6, 2), dtype=np.float32)
    x[0, 0], x[1, 1], x[2, 1] = 3e38, -3e38, 1e38
    z = standardize(torch.from_numpy(x))
    assert torch.isfinite(z).all()
    np.testing.assert_allclose(z.numpy(), _numpy_standardized(x), atol=1e-6)


def test_auto_keeps_the_reference_for_non_negative_features_and_standardises_signed_ones(
        gaussian: torch.Tensor, counts: torch.Tensor) -> None:
    assert torch.equal(scale_features(counts), _pyg_normalized(counts))  # bit for bit the reference
    assert torch.equal(scale_features(gaussian.abs()), _pyg_normalized(gaussian.abs()))  # dense, non-negative
    signed = gaussian
    assert (signed < 0).any()
    assert torch.equal(scale_features(signed), standardize(signed))
    assert torch.equal(scale_features(signed, "row"), _pyg_normalized(signed))
    assert torch.equal(scale_features(counts, "standard"), standardize(counts))
    assert torch.equal(scale_features(signed, "none"), signed)
    with pytest.raises(ConfigError, match="normalize must be one of auto, row"):
        scale_features(signed, "zscore")


def test_node_features_applies_the_rule_and_keeps_bag_of_words_sparse(counts: torch.Tensor) -> None:
    signed = torch.randn(12, 3, generator=torch.Generator().manual_seed(2))
    graph = _path_graph(signed)
    torch.testing.assert_close(node_features(graph), torch.from_numpy(_numpy_standardized(signed.numpy())).float())
    assert torch.equal(node_features(graph, "row"), _pyg_normalized(signed))
    sparse_words = torch.zeros(40, 30)
    sparse_words[torch.arange(40), torch.arange(40) % 30] = 2.0
    x = node_features(_path_graph(sparse_words))
    assert x.is_sparse and torch.equal(x.to_dense(), _pyg_normalized(sparse_words))


def test_featureless_graphs_get_their_neighbourhoods_whatever_the_rule() -> None:
    graph = _path_graph(None)
    expected = neighbourhood_features(graph).to_dense()
    for rule in NORMALIZATIONS:
        assert torch.equal(node_features(graph, rule).to_dense(), expected)
    with pytest.raises(ConfigError, match="normalize"):
        node_features(graph, "bogus")


def test_the_option_flows_from_config_cli_and_estimator_to_the_model_s_input() -> None:
    signed = torch.randn(12, 3, generator=torch.Generator().manual_seed(3))
    graph = _path_graph(signed)
    small = {"clusters": 2, "hidden": (4,), "mlp": (), "epochs": 1, "device": "cpu"}
    for rule in NORMALIZATIONS:
        trainer = build_trainer(graph, RunConfig(normalize=rule, **small))
        assert torch.equal(trainer.features, scale_features(signed, rule)), rule
    assert RunConfig().normalize == "auto"
    with pytest.raises(ConfigError, match="normalize"):
        RunConfig(normalize="zscore")
    parser = argparse.ArgumentParser()
    RunConfig.add_arguments(parser)
    assert RunConfig.from_args(parser.parse_args(["--normalize", "row"])).normalize == "row"
    assert RunConfig.from_query({"normalize": "none"})[0].normalize == "none"
    estimator = TVGNNClustering(2, normalize="row", hidden=(4,), mlp=(), epochs=1, device="cpu")
    assert estimator.get_params()["normalize"] == "row" and estimator._config(0).normalize == "row"
    estimator.fit(graph)
    assert torch.equal(estimator.trainer_.features, _pyg_normalized(signed))
