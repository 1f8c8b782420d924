import numpy as np
import pytest

from gtvviz import metrics
from gtvviz.graph import Graph


@pytest.fixture
def two_triangles() -> Graph:
    # two triangles joined by one bridge 2-3; 7 edges
    return Graph.from_edges([[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5], [2, 3]], 6)


def test_label_metrics_perfect_and_permuted() -> None:
    y = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([2, 2, 0, 0, 1, 1])
    assert metrics.nmi(y, pred) == pytest.approx(1.0)
    assert metrics.ari(y, pred) == pytest.approx(1.0)
    assert metrics.acc(y, pred) == pytest.approx(1.0)


def test_acc_counts_by_hand() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    pred = np.array([1, 1, 0, 0, 0, 0])  # best match 1->0, 0->1: right on 0,1,3,4,5 -> 5/6
    assert metrics.acc(y, pred) == pytest.approx(5 / 6)


def test_unknown_labels_are_ignored() -> None:
    y = np.array([0, 0, -1, 1, 1])
    pred = np.array([1, 1, 0, 0, 0])
    assert metrics.acc(y, pred) == pytest.approx(1.0)


def test_graph_metrics_by_hand(two_triangles: Graph) -> None:
    labels = np.array([0, 0, 0, 1, 1, 1])
    assert metrics.cut_fraction(two_triangles, labels) == pytest.approx(1 / 7)
    # vol(C) = 7 for each side, cut = 1 -> conductance 1/7
    assert metrics.conductance(two_triangles, labels) == pytest.approx(1 / 7)
    # Q = sum_c [in_c/2m - (vol_c/2m)^2] = 2 * (6/14 - (7/14)^2)
    assert metrics.modularity(two_triangles, labels) == pytest.approx(2 * (6 / 14 - 0.25))
    import networkx as nx

    nx_q = nx.algorithms.community.modularity(two_triangles.to_networkx(), [{0, 1, 2}, {3, 4, 5}])
    assert metrics.modularity(two_triangles, labels) == pytest.approx(nx_q)


def test_sizes_sharpness_balance() -> None:
    s = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.2, 0.6]])
    assert metrics.sharpness(s) == pytest.approx((1 + 0.5 + 0.6) / 3)
    labels = s.argmax(1)
    assert metrics.cluster_sizes(labels, 3).tolist() == [2, 0, 1]
    assert metrics.n_nonempty(labels) == 2
    assert metrics.balance(labels, 3) == 0.0


def test_boundary_nodes() -> None:
    path = Graph.from_edges([[0, 1, 2, 3], [1, 2, 3, 4]], 5)
    np.testing.assert_array_equal(metrics.boundary_nodes(path, np.array([0, 0, 1, 1, 1])), [0, 1, 1, 0, 0])
    assert not metrics.boundary_nodes(path, np.zeros(5, dtype=int)).any()


def test_boundary_sharpness_by_hand(two_triangles: Graph) -> None:
    s = np.array([[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.3, 0.7], [0.1, 0.9], [0.0, 1.0]])
    # clusters {0, 1, 2} and {3, 4, 5}: only the bridge 2-3 is cut, so nodes 2 and 3 are the boundary
    np.testing.assert_array_equal(metrics.boundary_nodes(two_triangles, s.argmax(1)), [0, 0, 1, 1, 0, 0])
    assert metrics.boundary_sharpness(two_triangles, s) == pytest.approx((0.6 + 0.7) / 2)
    assert metrics.evaluate(two_triangles, s)["boundary_sharpness"] == pytest.approx(0.65)
    one_cluster = np.tile([0.7, 0.3], (6, 1))  # no edge is cut: no boundary
    assert np.isnan(metrics.boundary_sharpness(two_triangles, one_cluster))


def test_match_labels_gives_consistent_colours() -> None:
    ref = np.array([0, 0, 1, 1, 2, 2])
    other = np.array([1, 1, 2, 2, 0, 0])
    perm = metrics.match_labels(ref, other)
    assert (perm[other] == ref).all()


def test_evaluate_without_edges_or_labels() -> None:
    graph = Graph.from_edges(np.empty((0, 2), dtype=int), 4)
    out = metrics.evaluate(graph, np.eye(4)[:, :2] + 0.1)
    assert out["cut_fraction"] == 0.0 and out["modularity"] == 0.0 and "nmi" not in out


@pytest.mark.parametrize("seed", range(40))
def test_nmi_and_ari_equal_scikit_learn(seed: int) -> None:
    """The numpy contingency-table formulas against scikit-learn, an independent implementation, on random
    labelings with unknown (-1) nodes, empty label ids, single clusters and tiny inputs."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    y = rng.integers(-1, int(rng.integers(1, 6)), n)
    pred = rng.integers(0, int(rng.integers(1, 6)), n) * int(rng.integers(1, 3))  # some ids unused
    if seed % 5 == 0:
        pred = np.where(y >= 0, y, 0)  # equal partitions
    known = y >= 0
    assert metrics.nmi(y, pred) == pytest.approx(normalized_mutual_info_score(y[known], pred[known]), abs=1e-12)
    assert metrics.ari(y, pred) == pytest.approx(adjusted_rand_score(y[known], pred[known]), abs=1e-12)


def test_nmi_of_equal_partitions_is_one_and_never_past_it() -> None:
    """Equal partitions share all their information: NMI 1 up to rounding, and never a rounding error past 1 (5
    nodes in 3 clusters came out at 1 + 2e-16, which a report prints as 1.0000000000000002)."""
    for n in range(2, 60):
        for k in (2, 3, 4, 5):
            labels = np.arange(n) % k
            for renamed in (labels, (labels + 1) % k):
                assert 1.0 - 1e-12 <= metrics.nmi(labels, renamed) <= 1.0
