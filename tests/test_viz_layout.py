"""Layouts: positions from the graph when it has them, deterministic per seed, scaled into [-1, 1]^2."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gtvviz import Graph
from gtvviz.data import load_graph
from gtvviz.viz.layout import KAMADA_KAWAI_LIMIT, compute_layout, landscape, normalise

#: A graph past Kamada-Kawai's limit, drawn by the force layout.
LARGE = 600


def two_blocks(n: int, seed: int = 0) -> Graph:
    """Two dense blocks of n/2 nodes joined by a handful of edges."""
    rng = np.random.default_rng(seed)
    half = n // 2
    pairs = []
    for offset in (0, half):
        a, b = rng.integers(0, half, size=(2, 6 * half))
        pairs.append(np.stack([a + offset, b + offset]))
    pairs.append(np.array([[0, 1, 2], [half, half + 1, half + 2]]))
    edges = np.concatenate(pairs, axis=1)
    return Graph.from_edges(edges, n, y=np.repeat([0, 1], half))


def test_uses_the_graphs_own_positions() -> None:
    pos = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 5.0]])
    graph = Graph.from_edges([[0, 1], [1, 2]], 3, pos=pos)
    out = compute_layout(graph)
    np.testing.assert_allclose(out, normalise(pos))
    assert out.min() == pytest.approx(-1.0) and out.max() == pytest.approx(1.0)
    assert np.ptp(out[:, 1]) == pytest.approx(1.0)  # aspect kept


@pytest.mark.parametrize("n", [40, LARGE])
def test_layout_is_deterministic_and_bounded(n: int) -> None:
    graph = two_blocks(n)
    first, second = compute_layout(graph, seed=3), compute_layout(graph, seed=3)
    np.testing.assert_array_equal(first, second)
    assert first.shape == (n, 2) and np.all(np.isfinite(first))
    assert np.abs(first).max() <= 1.0 + 1e-9


def test_large_layout_separates_communities() -> None:
    graph = two_blocks(LARGE)
    pos = compute_layout(graph)
    y = graph.y.numpy()
    centres = np.stack([pos[y == c].mean(axis=0) for c in (0, 1)])
    spread = np.mean([np.linalg.norm(pos[y == c] - centres[c], axis=1).mean() for c in (0, 1)])
    assert np.linalg.norm(centres[0] - centres[1]) > spread


def test_landscape_turns_the_longest_extent_across_without_a_mirror_image() -> None:
    upright = np.array([[0.0, 0.0], [0.0, 4.0], [1.0, 2.0], [-1.0, 2.0]])  # a diamond 4 tall, 2 wide
    turned = landscape(upright)
    # by hand: centred at (0, 2); the principal axis is y, turned onto x by -90 degrees: (x, y) -> (y, -x)
    np.testing.assert_allclose(turned, [[-2.0, 0.0], [2.0, 0.0], [0.0, -1.0], [0.0, 1.0]], atol=1e-12)
    rng = np.random.default_rng(0)
    cloud = rng.standard_normal((50, 2)) * [0.3, 3.0] @ np.array([[0.8, 0.6], [-0.6, 0.8]])
    out = landscape(cloud)
    assert np.ptp(out[:, 0]) > np.ptp(out[:, 1])
    distances = lambda p: np.linalg.norm(p[:, None] - p[None], axis=-1)  # noqa: E731
    np.testing.assert_allclose(distances(out), distances(cloud), atol=1e-9)  # a rigid motion
    a, b = cloud[1] - cloud[0], cloud[2] - cloud[0]
    c, d = out[1] - out[0], out[2] - out[0]
    assert np.sign(a[0] * b[1] - a[1] * b[0]) == np.sign(c[0] * d[1] - c[1] * d[0])  # no mirror image
    assert landscape(np.zeros((1, 2))).shape == (1, 2)


@pytest.mark.parametrize("n", [40, LARGE])
def test_two_communities_are_drawn_side_by_side(n: int) -> None:
    graph = two_blocks(n)
    pos = compute_layout(graph)
    y = graph.y.numpy()
    assert np.ptp(pos[:, 0]) == pytest.approx(2.0) and np.ptp(pos[:, 1]) < 2.0
    gap = pos[y == 0].mean(axis=0) - pos[y == 1].mean(axis=0)
    assert abs(gap[0]) > abs(gap[1])  # the communities sit left and right, not above each other


def test_a_block_model_of_a_few_hundred_nodes_is_drawn_with_its_blocks_apart() -> None:
    """The csbm sample (3 blocks of 100 nodes, homophily 0.75), past Kamada-Kawai's limit: the force layout's
    spectral start draws the blocks apart, where a spring layout from random positions drew one tangled ball
    (benchmarks/results/layout_quality.md)."""
    from sklearn.metrics import silhouette_score

    graph = load_graph("csbm")
    assert graph.num_nodes > KAMADA_KAWAI_LIMIT
    assert silhouette_score(compute_layout(graph), graph.y.numpy()) > 0.3


def test_a_small_graph_in_pieces_is_drawn_by_the_force_layout() -> None:
    one_way = np.array([[0, 1, 2, 3, 4, 5], [1, 2, 0, 4, 5, 3]])
    pieces = Graph.from_edges(np.hstack([one_way, one_way[::-1]]), 8)  # two triangles, two lone nodes
    pos = compute_layout(pieces, seed=1)
    np.testing.assert_array_equal(pos, compute_layout(pieces, seed=1))
    assert pos.shape == (8, 2) and np.all(np.isfinite(pos)) and np.abs(pos).max() <= 1.0 + 1e-9
    assert len({tuple(p) for p in np.round(pos, 6)}) == 8  # no two nodes on one spot


def test_empty_and_edgeless_graphs() -> None:
    assert compute_layout(Graph(edge_index=torch.empty(2, 0, dtype=torch.long), num_nodes=0)).shape == (0, 2)
    isolated = compute_layout(Graph(edge_index=torch.empty(2, 0, dtype=torch.long), num_nodes=5))
    assert isolated.shape == (5, 2) and np.all(np.isfinite(isolated))


def test_assignment_layout_by_hand() -> None:
    from gtvviz.viz.layout import assignment_layout

    s = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    pos = np.array([[0.0, 1.0], [0.0, -1.0], [0.0, 0.0], [0.0, 0.0]])
    # barycentres (-1, 0), (-1, 0), (1, 0), (0, 0) plus 0.25 * pos: x in [-1, 1], y in [-0.25, 0.25]; normalise
    # scales the larger side (x, span 2) to [-1, 1]: unchanged
    expected = np.array([[-1.0, 0.25], [-1.0, -0.25], [1.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(assignment_layout(s, pos), expected, atol=1e-12)
