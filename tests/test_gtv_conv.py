import numpy as np
import pytest
import torch

from gtvviz.graph import Graph
from gtvviz.nn import GTVConv
from tests.reference_math import dense_adjacency, gtv_conv


def random_graph(seed: int, n: int, p: float, weighted: bool) -> Graph:
    rng = np.random.default_rng(seed)
    pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < p]).reshape(-1, 2)
    weights = rng.uniform(0.1, 3.0, len(pairs)) if weighted else None
    return Graph.from_edges(pairs, n, weights=weights)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("act", ["relu", "elu", None])
def test_matches_dense_numpy_equations(seed: int, act: str | None) -> None:
    n = 12
    graph = random_graph(seed, n, 0.3, weighted=seed % 2 == 1)  # sparse enough to leave isolated nodes
    torch.manual_seed(seed)
    conv = GTVConv(5, 4, delta_coeff=0.7, eps=1e-3, act=act).double()
    torch.nn.init.normal_(conv.bias)
    x = torch.randn(n, 5, dtype=torch.float64)
    x[3] = x[4]  # two identical rows: the eps clamp is exercised when they are neighbours
    out = conv(x, graph.edge_index, None if graph.edge_weight is None else graph.edge_weight.double())
    a = dense_adjacency(graph.edge_index.numpy(), n,
                        None if graph.edge_weight is None else graph.edge_weight.double().numpy())
    expected = gtv_conv(x.numpy(), a, conv.lin.weight.detach().numpy().T, conv.bias.detach().numpy(), 0.7, 1e-3, act)
    np.testing.assert_allclose(out.detach().numpy(), expected, atol=1e-6, rtol=1e-6)


def test_eps_clamp_bounds_gamma() -> None:
    graph = Graph.from_edges([[0, 1]], 2)
    conv = GTVConv(2, 2, eps=0.5, act=None, bias=False).double()
    x = torch.tensor([[1.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    gamma = conv.edge_gamma(x, graph.edge_index)
    assert torch.allclose(gamma, torch.full((2,), 2.0, dtype=torch.float64))


def test_gradients_flow_through_gamma() -> None:
    graph = random_graph(1, 10, 0.4, weighted=False)
    conv = GTVConv(3, 3, act="elu")
    x = torch.randn(10, 3, requires_grad=True)
    conv(x, graph.edge_index).pow(2).sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    assert torch.isfinite(conv.lin.weight.grad).all()


def test_no_edges_is_a_linear_layer() -> None:
    conv = GTVConv(3, 2, act=None)
    x = torch.randn(4, 3)
    out = conv(x, torch.empty(2, 0, dtype=torch.long))
    assert torch.allclose(out, conv.lin(x) + conv.bias)


def test_repr_and_invalid_arguments() -> None:
    assert "delta_coeff=0.311" in repr(GTVConv(4, 8, delta_coeff=0.311, act="elu"))
    with pytest.raises(ValueError, match="eps"):
        GTVConv(2, 2, eps=0.0)
    with pytest.raises(ValueError, match="activation"):
        GTVConv(2, 2, act="swishy")
