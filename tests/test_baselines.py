"""The baselines: GCSConv math, spectral clustering and its relaxed solution, k-means, and their builders."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans, SpectralClustering

from gtvviz.baselines import FixedAssignment, kmeans_inertia, relaxed_solution, spectral_clustering
from gtvviz.registry import BASELINES as BASELINE_BUILDERS
from gtvviz.config import RunConfig
from gtvviz.graph import Graph
from gtvviz.methods import build_trainer
from gtvviz.metrics import ari, nmi
from gtvviz.nn.smooth_models import GCSConv, GCSNet

SMALL = dict(hidden=(16,), mlp=(8,), lr=1e-2, device="cpu")


def cliques(sizes: tuple[int, ...] = (6, 6), bridges: bool = True, isolated: int = 0,
            features: bool = False) -> Graph:
    """Cliques joined in a chain by one edge each (or not), plus isolated nodes; labels = clique."""
    edges, labels, start = [], [], 0
    for c, size in enumerate(sizes):
        nodes = range(start, start + size)
        edges += [(i, j) for i in nodes for j in nodes if i < j]
        if bridges and start:
            edges.append((start - 1, start))
        labels += [c] * size
        start += size
    labels += [0] * isolated
    n = start + isolated
    x = np.eye(len(sizes))[labels] + 0.05 * np.random.default_rng(0).random((n, len(sizes))) if features else None
    return Graph.from_edges(np.array(edges).T, n, y=labels, x=x)


def test_gcs_conv_matches_dense_formula() -> None:
    graph = cliques((3, 4), isolated=1)
    conv = GCSConv(5, 3, act="elu").double()
    x = torch.randn(graph.num_nodes, 5, dtype=torch.float64)
    a = torch.as_tensor(graph.to_scipy().toarray())
    d = a.sum(dim=1)
    inv_sqrt = torch.where(d > 0, d.clamp_min(1e-12).rsqrt(), torch.zeros_like(d))
    a_hat = inv_sqrt[:, None] * a * inv_sqrt[None, :]
    expected = torch.nn.functional.elu(a_hat @ x @ conv.lin_neighbours.weight.t() + conv.lin_skip(x))
    torch.testing.assert_close(conv(x, graph.edge_index), expected)
    torch.testing.assert_close(conv(x.to_sparse_coo(), graph.edge_index), expected)  # bag-of-words input


def test_gcs_net_rows_on_simplex_and_seeded_reset() -> None:
    graph = cliques()
    model = GCSNet(4, 3, hidden_channels=(8,), mlp_channels=(5,))
    x = torch.randn(graph.num_nodes, 4)
    s = model(x, graph.edge_index)
    assert s.shape == (graph.num_nodes, 3)
    torch.testing.assert_close(s.sum(dim=1), torch.ones(graph.num_nodes))
    torch.manual_seed(7)
    model.reset_parameters()
    first = model(x, graph.edge_index)
    torch.manual_seed(7)
    model.reset_parameters()
    torch.testing.assert_close(model(x, graph.edge_index), first)


def test_spectral_partition_is_scikit_learns_and_the_fiedler_vector_splits() -> None:
    graph = cliques((7, 5))
    labels, relaxed = spectral_clustering(graph, 2, seed=3)
    reference = SpectralClustering(2, affinity="precomputed", random_state=3).fit(graph.to_scipy()).labels_
    assert ari(reference, labels) == pytest.approx(1.0)  # the same partition, up to the labels' names
    assert relaxed.shape == (12, 2)
    assert np.ptp(relaxed[:, 0]) < 1e-6 * np.abs(relaxed[:, 0]).max()  # connected: constant first column
    fiedler = FixedAssignment(labels, 2, relaxed).fiedler
    assert fiedler is not None
    assert len(set(np.sign(fiedler[:7]))) == 1 and len(set(np.sign(fiedler[7:]))) == 1
    assert np.sign(fiedler[0]) != np.sign(fiedler[-1])
    assert nmi(graph.y, labels) == pytest.approx(1.0)


def test_relaxed_solution_is_spectral_clusterings_eigenvector_and_none_for_a_trained_model() -> None:
    graph = cliques((7, 5))
    spectral = build_trainer(graph, RunConfig(graph="g", clusters=2, method="spectral", **SMALL))
    _, relaxed = spectral_clustering(graph, 2, seed=0)
    np.testing.assert_allclose(np.abs(relaxed_solution(spectral.model)), np.abs(relaxed[:, 1]), atol=1e-6)
    trained = build_trainer(graph, RunConfig(graph="g", clusters=2, method="tvgnn", **SMALL))
    assert relaxed_solution(trained.model) is None


@pytest.mark.parametrize(("graph", "k"), [
    (cliques((4, 4), bridges=False, isolated=2), 3),   # two components and isolated nodes
    (Graph.from_edges(np.empty((2, 0)), 5), 2),         # no edges at all
    (cliques((3, 3)), 6),                               # K = N
])
def test_spectral_handles_degenerate_graphs_quietly(graph: Graph, k: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        labels, relaxed = spectral_clustering(graph, k)
    assert labels.shape == (graph.num_nodes,) and labels.min() >= 0 and labels.max() < k
    assert relaxed.shape == (graph.num_nodes, k) and np.isfinite(relaxed).all()


def test_parameter_free_baselines_behind_the_trainer() -> None:
    graph = cliques((5, 5, 5), features=True)
    for method in ("spectral", "kmeans"):
        trainer = build_trainer(graph, RunConfig(clusters=3, method=method, seed=1, **SMALL))
        assert trainer.done and trainer.one_shot and trainer.optimizer is None and list(trainer.step(5)) == []
        snapshot = trainer.last
        assert snapshot is not None and snapshot.epoch == 0
        assert set(np.unique(snapshot.s)) <= {0.0, 1.0}
        assert snapshot.metrics["sharpness"] == 1.0 and snapshot.metrics["nmi"] == pytest.approx(1.0)
    assert not build_trainer(graph, RunConfig(clusters=3, method="tvgnn", **SMALL)).one_shot
    spectral = build_trainer(graph, RunConfig(clusters=3, method="spectral", **SMALL)).model
    assert isinstance(spectral, FixedAssignment) and spectral.relaxed is not None
    assert spectral.relaxed.shape == (15, 3)
    assert "mincut" in build_trainer(graph, RunConfig(clusters=3, method="spectral", **SMALL)).last.losses


def test_kmeans_inertia_is_scikit_learns() -> None:
    x = torch.randn(30, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    fitted = KMeans(3, n_init=3, random_state=0).fit(x.numpy())
    s = torch.nn.functional.one_hot(torch.as_tensor(fitted.labels_, dtype=torch.long), 3).double()
    assert kmeans_inertia(s, x)["inertia"].item() == pytest.approx(fitted.inertia_, rel=1e-9)
    sparse = torch.where(x > 1.0, x, torch.zeros_like(x))
    soft = torch.softmax(torch.randn(30, 3, dtype=torch.float64), dim=-1)
    centroids = (soft.t() @ sparse) / soft.sum(dim=0).unsqueeze(-1)
    direct = ((sparse - soft @ centroids) ** 2).sum()
    assert kmeans_inertia(soft, sparse.to_sparse_coo())["inertia"].item() == pytest.approx(direct.item(), rel=1e-9)


def test_kmeans_runs_on_a_featureless_graph() -> None:
    trainer = build_trainer(cliques((4, 4)), RunConfig(clusters=2, method="kmeans", **SMALL))
    assert trainer.last is not None and trainer.last.s.shape == (8, 2)


def test_builders_are_registered() -> None:
    assert set(BASELINE_BUILDERS) == {"spectral", "mincut", "dmon", "kmeans"}


@pytest.mark.parametrize("method", ["mincut", "dmon"])
def test_smooth_gnns_train_and_lower_their_loss(method: str) -> None:
    graph = cliques((6, 6), features=True)
    trainer = build_trainer(graph, RunConfig(clusters=2, method=method, epochs=60, seed=0, **SMALL))
    first = trainer.last.losses["total"]  # type: ignore[union-attr]
    last = trainer.run()
    assert last.epoch == 60 and last.losses["total"] < first
    assert set(last.losses) == ({"total", "mincut", "ortho"} if method == "mincut" else
                                {"total", "spectral", "collapse"})
    assert last.metrics["nmi"] == pytest.approx(1.0)
