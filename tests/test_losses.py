import numpy as np
import pytest
import torch

from gtvviz.errors import ConfigError
from gtvviz.nn.losses import asym_cheeger_cut_loss, asym_norm_loss, gtv_loss
from tests.reference_math import asym_norm_loss as np_asym_norm
from tests.reference_math import dense_adjacency
from tests.reference_math import gtv_loss as np_gtv
from tests.test_gtv_conv import random_graph


def softmax_rows(rng: np.random.Generator, n: int, k: int, scale: float = 3.0) -> torch.Tensor:
    return torch.softmax(torch.as_tensor(rng.normal(size=(n, k)) * scale), dim=-1)


@pytest.mark.parametrize("seed", range(8))
def test_gtv_matches_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 16))
    graph = random_graph(seed, n, 0.3, weighted=seed % 2 == 0)
    k = int(rng.integers(2, n + 1))  # K up to N
    s = softmax_rows(rng, n, k)
    w = None if graph.edge_weight is None else graph.edge_weight.double()
    a = dense_adjacency(graph.edge_index.numpy(), n, None if w is None else w.numpy())
    assert abs(float(gtv_loss(s, graph.edge_index, w)) - np_gtv(s.numpy(), a)) < 1e-6


@pytest.mark.parametrize("seed", range(8))
def test_asym_norm_matches_numpy(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(2, 20))
    k = int(rng.integers(2, n + 1))
    s = softmax_rows(rng, n, k)
    assert abs(float(asym_norm_loss(s)) - np_asym_norm(s.numpy())) < 1e-6


def test_asym_norm_k_larger_than_n_clamps_the_quantile() -> None:
    s = softmax_rows(np.random.default_rng(0), 3, 5)
    assert abs(float(asym_norm_loss(s)) - np_asym_norm(s.numpy())) < 1e-6


def test_one_hot_gtv_is_the_cut_fraction() -> None:
    graph = random_graph(3, 15, 0.4, weighted=False)
    labels = np.random.default_rng(3).integers(0, 3, 15)
    s = torch.nn.functional.one_hot(torch.as_tensor(labels), 3).double()
    row, col = graph.edge_index.numpy()
    cut = (labels[row] != labels[col]).mean()
    assert abs(float(gtv_loss(s, graph.edge_index)) - cut) < 1e-12


def test_balance_identities() -> None:
    n, k = 12, 3
    balanced = torch.nn.functional.one_hot(torch.arange(n) % k, k).double()
    assert abs(float(asym_norm_loss(balanced))) < 1e-12
    assert abs(float(asym_norm_loss(torch.full((n, k), 1.0 / k, dtype=torch.float64))) - 1.0) < 1e-12
    one_cluster = torch.zeros(n, k, dtype=torch.float64)
    one_cluster[:, 0] = 1
    assert abs(float(asym_norm_loss(one_cluster)) - 1.0) < 1e-12


def test_no_edges_gives_zero_not_nan() -> None:
    s = torch.softmax(torch.randn(5, 3), -1)
    value = gtv_loss(s, torch.empty(2, 0, dtype=torch.long))
    assert float(value) == 0.0


def test_k_below_two_is_rejected() -> None:
    with pytest.raises(ConfigError, match="K >= 2"):
        asym_norm_loss(torch.ones(4, 1))
    with pytest.raises(ConfigError, match="K >= 2"):
        gtv_loss(torch.ones(4, 1), torch.empty(2, 0, dtype=torch.long))


def test_gradients_are_finite_including_through_the_quantile() -> None:
    graph = random_graph(5, 10, 0.5, weighted=True)
    logits = torch.randn(10, 4, requires_grad=True)
    terms = asym_cheeger_cut_loss(torch.softmax(logits, -1), graph.edge_index, graph.edge_weight, 0.7, 0.3)
    terms["total"].backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0
    assert set(terms) == {"total", "gtv", "balance"}
    assert torch.isclose(terms["total"], 0.7 * terms["gtv"] + 0.3 * terms["balance"])


def test_batch_computes_each_graph_on_its_own_nodes() -> None:
    rng = np.random.default_rng(7)
    g1, g2 = random_graph(1, 6, 0.5, False), random_graph(2, 9, 0.4, False)
    s1, s2 = softmax_rows(rng, 6, 3), softmax_rows(rng, 9, 3)
    s = torch.cat([s1, s2])
    edge_index = torch.cat([g1.edge_index, g2.edge_index + 6], dim=1)
    batch = torch.tensor([0] * 6 + [1] * 9)
    per_graph_balance = asym_norm_loss(s, batch=batch, reduce=False)
    assert torch.allclose(per_graph_balance, torch.stack([asym_norm_loss(s1), asym_norm_loss(s2)]))
    per_graph_gtv = gtv_loss(s, edge_index, batch=batch, reduce=False)
    expected = torch.stack([gtv_loss(s1, g1.edge_index), gtv_loss(s2, g2.edge_index)])
    assert torch.allclose(per_graph_gtv, expected)
    assert torch.isclose(asym_norm_loss(s, batch=batch), per_graph_balance.mean())
