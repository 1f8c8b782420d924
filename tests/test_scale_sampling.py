import numpy as np
import pytest
import torch

from gtvviz.errors import ConfigError
from gtvviz.scale.distributed import rank_seed
from gtvviz.scale.sampling import (ClusterSampler, RandomNodeSampler, induced_subgraph, make_sampler,
                                   neighbour_rescaled_weights, weighted_degree)
from tests.reference_math import dense_adjacency
from tests.test_gtv_conv import random_graph


@pytest.mark.parametrize("seed", range(5))
def test_induced_subgraph_is_the_dense_submatrix(seed: int) -> None:
    n = 30
    graph = random_graph(seed, n, 0.25, weighted=seed % 2 == 0)
    rng = np.random.default_rng(seed)
    nodes = np.sort(rng.choice(n, size=int(rng.integers(2, n)), replace=False))
    sub = induced_subgraph(graph, torch.as_tensor(nodes))
    w = None if graph.edge_weight is None else graph.edge_weight.numpy()
    expected = dense_adjacency(graph.edge_index.numpy(), n, w)[np.ix_(nodes, nodes)]
    got = dense_adjacency(sub.edge_index.numpy(), len(nodes),
                          None if sub.edge_weight is None else sub.edge_weight.numpy())
    np.testing.assert_allclose(got, expected)
    assert torch.equal(sub.nodes, torch.as_tensor(nodes))


def _one_pass(sampler, seed: int = 0) -> list[torch.Tensor]:
    return list(sampler.batches(torch.Generator().manual_seed(seed)))


def test_random_sampler_visits_every_node_once_per_pass() -> None:
    sampler = RandomNodeSampler(103, 10)
    batches = _one_pass(sampler)
    assert len(batches) == sampler.num_batches == 11
    assert torch.equal(torch.cat(batches).sort().values, torch.arange(103))
    assert all(bool((b[1:] > b[:-1]).all()) for b in batches)  # sorted ids
    assert not torch.equal(torch.cat(batches), torch.cat(_one_pass(sampler, seed=1)))


def test_cluster_sampler_joins_parts_that_cover_the_graph() -> None:
    graph = random_graph(0, 120, 0.08, weighted=False)
    sampler = ClusterSampler(graph, batch_nodes=30, parts_per_batch=2)
    assert torch.equal(torch.cat(sampler.parts).sort().values, torch.arange(120))
    batches = _one_pass(sampler)
    assert len(batches) == sampler.num_batches
    assert torch.equal(torch.cat(batches).sort().values, torch.arange(120))


def test_cluster_batches_keep_more_edges_than_random_sets() -> None:
    from gtvviz.data import generate

    graph = generate("csbm", n=2000, blocks=4, degree=10.0, homophily=0.9, features=0, seed=0)

    def kept(sampler) -> int:
        return sum(induced_subgraph(graph, b).edge_index.size(1) for b in _one_pass(sampler))

    assert kept(make_sampler("cluster", graph, 250)) > 3 * kept(make_sampler("random", graph, 250))


def test_count_draws_past_one_pass_and_rank_seeds_differ() -> None:
    sampler = RandomNodeSampler(20, 5)
    assert len(list(sampler.batches(torch.Generator().manual_seed(0), count=9))) == 9
    assert len({rank_seed(0, r) for r in range(4)} | {rank_seed(1, r) for r in range(4)}) == 8


def test_bad_settings_are_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="at least 2"):
        RandomNodeSampler(10, 1)
    with pytest.raises(ConfigError, match="Unknown sampler"):
        make_sampler("nope", random_graph(0, 10, 0.3, weighted=False), 4)


@pytest.mark.parametrize("seed", range(4))
def test_neighbour_rescaled_weights_restore_each_nodes_degree(seed: int) -> None:
    """Entry j -> i of the batch gets a_ij * d_i / d_i^B (d over the whole graph, d^B over the batch; numpy on the
    dense adjacency); a batch of every node keeps the graph's weights."""
    n = 30
    graph = random_graph(seed, n, 0.25, weighted=seed % 2 == 0)
    rng = np.random.default_rng(seed)
    nodes = np.sort(rng.choice(n, size=12, replace=False))
    w = None if graph.edge_weight is None else graph.edge_weight.numpy()
    a = dense_adjacency(graph.edge_index.numpy(), n, w)
    degree = weighted_degree(graph.edge_index, n, graph.edge_weight)
    np.testing.assert_allclose(degree.numpy(), a.sum(axis=1), rtol=1e-6)
    sub = induced_subgraph(graph, torch.as_tensor(nodes))
    got = neighbour_rescaled_weights(sub, degree).numpy()
    kept = a[np.ix_(nodes, nodes)].sum(axis=1)
    src, dst = nodes[sub.edge_index[0].numpy()], nodes[sub.edge_index[1].numpy()]
    expected = a[dst, src] * a.sum(axis=1)[dst] / kept[sub.edge_index[1].numpy()]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    whole = induced_subgraph(graph, torch.arange(n))
    original = torch.ones(whole.edge_index.size(1)) if whole.edge_weight is None else whole.edge_weight
    torch.testing.assert_close(neighbour_rescaled_weights(whole, degree), original)


def test_rescaled_step_moves_a_node_as_far_as_its_whole_neighbourhood() -> None:
    """A GTVConv (identity weight, no activation) on a star whose centre keeps one of its four leaves: with the
    rescaled weights the centre takes the full graph's step when the kept leaf is typical (all leaves alike)."""
    from gtvviz.graph import Graph
    from gtvviz.nn.gtv_conv import GTVConv

    graph = Graph.from_edges(np.array([[0, 1], [0, 2], [0, 3], [0, 4]]), 5)
    conv = GTVConv(1, 1, act=None, bias=False).double()
    torch.nn.init.ones_(conv.lin.weight)
    x = torch.tensor([[0.0], [1.0], [1.0], [1.0], [1.0]], dtype=torch.float64)
    full = conv(x, graph.edge_index)[0]
    sub = induced_subgraph(graph, torch.tensor([0, 2]))
    weights = neighbour_rescaled_weights(sub, weighted_degree(graph.edge_index, 5)).double()
    assert conv(x[[0, 2]], sub.edge_index, weights)[0].item() == pytest.approx(full.item())
    assert conv(x[[0, 2]], sub.edge_index)[0].item() != pytest.approx(full.item())
