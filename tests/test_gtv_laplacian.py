"""The pairwise GTV Laplacian: its decomposition of symmetric edge lists, its hand-written backward pass (checked
by finite differences), its agreement with PyG message passing, its cache and what it keeps for backward."""

import numpy as np
import pytest
import torch

from gtvviz.graph import Graph
from gtvviz.nn import GTVConv
from gtvviz.nn import gtv_laplacian as module
from gtvviz.nn.gtv_laplacian import PairCache, edge_pairs, gtv_laplacian


def weighted_graph(seed: int, n: int = 14, p: float = 0.35) -> Graph:
    rng = np.random.default_rng(seed)
    pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < p])
    return Graph.from_edges(pairs, n, weights=rng.uniform(0.2, 2.0, len(pairs)))


def test_pairs_of_a_symmetric_edge_list() -> None:
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 2], [1, 0, 2, 1, 2, 2]])[:, :4]
    pairs = edge_pairs(edge_index, None, 3, channels=4)
    assert pairs is not None
    assert pairs.a.tolist() == [0, 1] and pairs.b.tolist() == [1, 2]
    assert pairs.forward.tolist() == [0, 2] and pairs.reverse.tolist() == [1, 3]
    (chunk,) = pairs.chunks
    by_pair, by_node = chunk.by_pair, chunk.by_node  # pair 0 = {0, 1}, pair 1 = {1, 2}
    assert by_pair.rows.offsets.tolist() == [0, 2, 4] and by_pair.rows.columns.tolist() == [0, 1, 1, 2]
    assert by_pair.rows.values.tolist() == [1, -1, 1, -1] and by_pair.edges.tolist() == [1, 0, 3, 2]
    assert by_node.rows.offsets.tolist() == [0, 1, 3, 4] and by_node.rows.columns.tolist() == [0, 0, 1, 1]
    assert by_node.rows.values.tolist() == [1, -1, 1, -1] and by_node.edges.tolist() == [1, 0, 3, 2]
    assert len(edge_pairs(edge_index, None, 3, channels=module.CHUNK_ELEMENTS).chunks) == 2  # one pair per chunk
    with_loop = torch.tensor([[0, 1, 2], [1, 0, 2]])
    assert edge_pairs(with_loop, None, 3, channels=4).a.tolist() == [0]  # the self-loop adds nothing and is dropped


@pytest.mark.parametrize("edge_index, weight", [
    ([[0, 1, 1], [1, 0, 2]], None),  # 1 -> 2 has no reverse
    ([[0, 1, 0, 1], [1, 0, 1, 0]], None),  # a repeated edge
])
def test_edge_lists_that_need_the_directed_form(edge_index: list, weight: list | None) -> None:
    ei = torch.tensor(edge_index)
    assert edge_pairs(ei, None if weight is None else torch.tensor(weight), 3, channels=4) is None


@pytest.mark.parametrize("seed", range(3))
def test_backward_matches_finite_differences(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "CHUNK_ELEMENTS", 8)  # many small chunks
    graph = weighted_graph(seed)
    torch.manual_seed(seed)
    xt = torch.randn(graph.num_nodes, 3, dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        xt[5] = xt[6] + 1e-4  # a pair inside the eps clamp (when they are neighbours)
    weight = graph.edge_weight.double().requires_grad_(True)
    pairs = edge_pairs(graph.edge_index, weight.detach(), graph.num_nodes, channels=3)
    assert pairs is not None

    def laplacian(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return gtv_laplacian(x, pairs._replace(weight=w), eps=1e-2)

    assert torch.autograd.gradcheck(laplacian, (xt, weight), eps=1e-7, atol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_pairs_and_message_passing_agree_with_gradients(weighted: bool) -> None:
    graph = weighted_graph(4, n=40, p=0.15)
    weight = graph.edge_weight.double() * torch.rand(graph.edge_index.size(1), dtype=torch.float64) if weighted \
        else None  # (weights that differ between the two directions of an edge, too)
    torch.manual_seed(0)
    conv = GTVConv(6, 5, delta_coeff=0.4, eps=1e-2, act="elu").double()
    x = torch.randn(graph.num_nodes, 6, dtype=torch.float64)
    x[7] = x[8]
    results = []
    for cache in (PairCache(), None):
        if cache is None:  # the directed PyG path, as for a non-symmetric edge list
            conv._pair_cache.get = lambda *args: None
        xg = x.clone().requires_grad_(True)
        wg = None if weight is None else weight.clone().requires_grad_(True)
        out = conv(xg, graph.edge_index, wg)
        grads = torch.autograd.grad(out.pow(3).sum(), [xg, conv.lin.weight] + ([wg] if weighted else []))
        results.append((out, *grads))
    for fast, slow in zip(*results):
        torch.testing.assert_close(fast, slow, rtol=1e-10, atol=1e-12)


def test_the_cache_follows_the_edge_list(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = module.edge_pairs
    monkeypatch.setattr(module, "edge_pairs", lambda *args: calls.append(1) or original(*args))
    cache, graph = PairCache(), weighted_graph(1)
    edge_index = graph.edge_index.clone()
    first = cache.get(edge_index, None, graph.num_nodes, 4)
    assert cache.get(edge_index, None, graph.num_nodes, 4) is first and len(calls) == 1
    assert cache.get(edge_index.clone(), None, graph.num_nodes, 4) is not None and len(calls) == 2  # a new tensor
    cache.get(edge_index, None, graph.num_nodes, 4)
    edge_index[0, 0] = edge_index[1, 0]  # changed in place: now a self-loop plus an edge without its reverse
    assert cache.get(edge_index, None, graph.num_nodes, 4) is None and len(calls) == 4


def test_no_edge_by_channel_tensor_is_kept_for_backward() -> None:
    graph = weighted_graph(2, n=60, p=0.2)
    edges, channels = graph.edge_index.size(1), 32
    conv = GTVConv(4, channels, act="elu")
    saved: list[tuple[int, ...]] = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(tuple(t.shape)) or t, lambda t: t):
        conv(torch.randn(graph.num_nodes, 4), graph.edge_index)
    assert saved and all(shape[0] * (shape[1] if len(shape) > 1 else 1) <= graph.num_nodes * channels
                         for shape in saved), saved
    conv._pair_cache.get = lambda *args: None
    saved.clear()
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(tuple(t.shape)) or t, lambda t: t):
        conv(torch.randn(graph.num_nodes, 4), graph.edge_index)
    assert (edges, channels) in saved  # the directed path does keep them: the test can tell the difference


def test_a_layer_that_has_cached_pairs_can_be_saved_and_copied(tmp_path) -> None:
    import copy

    graph = weighted_graph(3)
    conv = GTVConv(4, 3)
    x = torch.randn(graph.num_nodes, 4)
    expected = conv(x, graph.edge_index)
    torch.save(conv, tmp_path / "conv.pt")
    loaded = torch.load(tmp_path / "conv.pt", weights_only=False)  # our own file, written just above
    for twin in (loaded, copy.deepcopy(conv)):
        torch.testing.assert_close(twin(x, graph.edge_index), expected)
