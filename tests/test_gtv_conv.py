import numpy as np
import pytest
import torch
import torch_geometric.typing
from torch_geometric import EdgeIndex

from gtvviz.errors import GraphFormatError
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


def test_weights_start_with_the_authors_variance() -> None:
    """Var(Θ) = 2/H whatever F_in (the authors' kaiming_normal_ on an F_in x H weight), drawn uniformly."""
    torch.manual_seed(0)
    for f_in, h in ((1433, 512), (34, 512), (8, 64)):
        weight = GTVConv(f_in, h).lin.weight.detach().numpy()
        bound = np.sqrt(6.0 / h)
        assert weight.shape == (h, f_in) and np.abs(weight).max() <= bound
        assert abs(weight.var() / (2.0 / h) - 1.0) < 0.05, (f_in, h, weight.var())


@pytest.mark.parametrize("sparse", [False, True])
def test_lazy_input_size_is_taken_from_the_first_input(sparse: bool) -> None:
    torch.manual_seed(0)
    conv = GTVConv(-1, 256)
    x = torch.rand(6, 40)
    edge_index = torch.tensor([[0, 1, 2, 3], [1, 0, 3, 2]])
    out = conv(x.to_sparse_coo() if sparse else x, edge_index)
    assert out.shape == (6, 256) and conv.in_channels == 40 and conv.lin.weight.shape == (256, 40)
    assert abs(conv.lin.weight.var().item() / (2.0 / 256) - 1.0) < 0.05
    assert torch.allclose(out, conv(x, edge_index), atol=1e-6)  # dense and sparse inputs agree afterwards


@pytest.mark.slow
@pytest.mark.parametrize("symmetric", [True, False])
def test_compiled_layer_equals_the_eager_one(symmetric: bool) -> None:
    """Compiled, the layer fuses the pair pass (a symmetric edge list) or the edge-wise PyG path (one direction of
    some edges missing) with its epilogue; outputs and gradients equal the eager layer's (weighted edges, an
    isolated node, two identical neighbours)."""
    graph = random_graph(3, 30, 0.2, weighted=True)
    keep = torch.ones(graph.edge_index.size(1), dtype=torch.bool)
    if not symmetric:
        keep[::3] = False
    edge_index, edge_weight = graph.edge_index[:, keep], graph.edge_weight[keep]
    torch.manual_seed(0)
    conv = GTVConv(6, 8, delta_coeff=0.9, act="elu")
    assert (conv._pair_cache.get(edge_index, edge_weight, graph.num_nodes, 8) is not None) == symmetric
    x = torch.randn(graph.num_nodes, 6)
    x[1] = x[2]
    grads = []
    for layer in (conv, torch.compile(conv)):
        xi = x.clone().requires_grad_(True)
        out = layer(xi, edge_index, edge_weight)
        (out * torch.linspace(-1, 1, out.numel()).view_as(out)).sum().backward()
        grads.append((out.detach(), xi.grad, conv.lin.weight.grad.clone()))
        conv.zero_grad(set_to_none=True)
    for eager, compiled in zip(*grads):
        torch.testing.assert_close(compiled, eager, atol=1e-5, rtol=1e-5)


def adjacency_forms(edge_index: torch.Tensor, edge_weight: torch.Tensor | None, n: int) -> dict[str, tuple]:
    """The graph as ``(adjacency, edge_weight)`` in each form GTVConv takes; the sparse ones are ``adj_t`` (row =
    target), built here by hand from the edge list, with the weights (or ones) as values."""
    values = torch.ones(edge_index.size(1), dtype=torch.float64) if edge_weight is None else edge_weight
    adj_t = torch.sparse_coo_tensor(torch.stack([edge_index[1], edge_index[0]]), values, (n, n)).coalesce()
    forms = {
        "EdgeIndex": (EdgeIndex(edge_index, sparse_size=(n, n)), edge_weight),
        "torch.sparse COO": (adj_t, None),
        "torch.sparse CSR": (adj_t.to_sparse_csr(), None),
    }
    if torch_geometric.typing.WITH_TORCH_SPARSE:  # torch_sparse is an optional PyG extension
        forms["SparseTensor"] = (torch_geometric.typing.SparseTensor(
            row=edge_index[1], col=edge_index[0], value=edge_weight, sparse_sizes=(n, n)), None)
    return forms


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("symmetric", [True, False])
def test_every_adjacency_form_gives_the_edge_index_result(weighted: bool, symmetric: bool) -> None:
    """A directed edge list (some reverse edges dropped) tells adj_t's transposition apart from A's. A
    SparseTensor is checked only where torch_sparse is installed (it is not in gtvviz's own environment)."""
    n = 14
    graph = random_graph(4, n, 0.35, weighted=weighted)
    edge_index = graph.edge_index
    edge_weight = None if graph.edge_weight is None else graph.edge_weight.double()
    if not symmetric:
        keep = torch.arange(edge_index.size(1)) % 3 != 0
        edge_index, edge_weight = edge_index[:, keep], None if edge_weight is None else edge_weight[keep]
    torch.manual_seed(0)
    conv = GTVConv(5, 4, delta_coeff=0.8, act="elu").double()
    torch.nn.init.normal_(conv.bias)
    x = torch.randn(n, 5, dtype=torch.float64)

    def run(adjacency: object, weight: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        xi = x.clone().requires_grad_(True)
        out = conv(xi, adjacency, weight)
        (out * torch.linspace(-1, 1, out.numel(), dtype=torch.float64).view_as(out)).sum().backward()
        return out.detach(), xi.grad

    expected_out, expected_grad = run(edge_index, edge_weight)
    forms = adjacency_forms(edge_index, edge_weight, n)
    assert len(forms) == (4 if torch_geometric.typing.WITH_TORCH_SPARSE else 3)
    for name, (adjacency, weight) in forms.items():
        for _ in range(2):  # the second call reuses the cached edge list
            out, grad = run(adjacency, weight)
            torch.testing.assert_close(out, expected_out, atol=1e-6, rtol=0, msg=name)
            torch.testing.assert_close(grad, expected_grad, atol=1e-6, rtol=0, msg=name)
    gamma = conv.edge_gamma(x, forms["torch.sparse COO"][0])
    order = torch.argsort(edge_index[1] * n + edge_index[0])  # the edge list [col, row] sorted by row (target)
    torch.testing.assert_close(gamma, conv.edge_gamma(x, edge_index, edge_weight)[order], atol=1e-12, rtol=0)


def test_bipartite_and_mismatched_inputs_give_one_clear_error() -> None:
    conv = GTVConv(3, 2)
    x = torch.randn(4, 3)
    edge_index = torch.tensor([[0, 1, 2], [1, 0, 3]])
    with pytest.raises(GraphFormatError, match="bipartite"):
        conv((x, x[:2]), edge_index)
    with pytest.raises(GraphFormatError, match="bipartite"):
        GTVConv(-1, 2)((x, x[:2]), edge_index)
    adj_t = torch.sparse_coo_tensor(edge_index.flip(0), torch.ones(3), (4, 4))
    with pytest.raises(GraphFormatError, match="values"):
        conv(x, adj_t, torch.ones(3))
    with pytest.raises(GraphFormatError, match="shape"):
        conv(x[:3], adj_t)
