"""The graph builders of gtvviz.data.synthetic, checked against counts computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from gtvviz.data.synthetic import ring_of_cliques, sbm
from gtvviz.errors import ConfigError


def test_ring_of_cliques_has_every_clique_edge_and_one_edge_between_neighbours() -> None:
    graph = ring_of_cliques(4, 5)
    # 4 cliques of 5 nodes: 4 * C(5, 2) = 40 edges inside, plus 4 ring edges; each stored in both directions
    assert graph.num_nodes == 20 and graph.edge_index.size(1) == 2 * (40 + 4)
    src, dst = graph.edge_index.numpy()
    labels = graph.y.numpy()
    assert np.sum(labels[src] != labels[dst]) == 2 * 4


def test_a_block_model_with_p_in_1_and_p_out_0_is_disjoint_complete_blocks() -> None:
    graph = sbm((3, 4), p_in=1.0, p_out=0.0, snr=1.0, features=5, seed=0)
    assert graph.edge_index.size(1) == 2 * (3 + 6)  # C(3, 2) + C(4, 2), both directions
    src, dst = graph.edge_index.numpy()
    assert (graph.y.numpy()[src] == graph.y.numpy()[dst]).all()
    assert tuple(graph.x.shape) == (7, 5) and graph.y.tolist() == [0, 0, 0, 1, 1, 1, 1]


def test_the_same_seed_builds_the_same_graph() -> None:
    a, b = (sbm((30, 30), p_in=0.2, p_out=0.05, snr=1.0, features=4, seed=3) for _ in range(2))
    assert np.array_equal(a.edge_index.numpy(), b.edge_index.numpy()) and np.array_equal(a.x.numpy(), b.x.numpy())


def test_a_block_model_over_the_size_limit_is_refused_before_it_is_built() -> None:
    with pytest.raises(ConfigError, match="over the generator limit"):
        sbm((2_000_000, 2_000_000), p_in=0.5, p_out=0.5, snr=1.0, features=0, seed=0)
