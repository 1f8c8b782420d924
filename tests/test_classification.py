import numpy as np
import pytest
import torch
from torch_geometric.data import Batch, Data

from gtvviz.classification import (POOL_METHODS, SETTINGS, ClassifierTrainer, ClassifyConfig, GraphClassifier,
                                   build_classifier, cross_validate, laplacian_features, make_synthetic_graphs,
                                   pool_sizes, pooling_setting, prepare_graphs, stratified_splits)
from gtvviz.errors import ConfigError


@pytest.fixture(scope="module")
def small_dataset():
    return prepare_graphs("synthetic", make_synthetic_graphs(num_graphs=24, min_nodes=8, max_nodes=14, seed=1))


def test_synthetic_graphs_are_deterministic_balanced_and_valid() -> None:
    graphs = make_synthetic_graphs(num_graphs=30, seed=4)
    again = make_synthetic_graphs(num_graphs=30, seed=4)
    assert all(torch.equal(a.edge_index, b.edge_index) for a, b in zip(graphs, again))
    assert np.bincount([int(g.y) for g in graphs]).tolist() == [10, 10, 10]
    for g in graphs:
        row, col = g.edge_index
        assert (row != col).all() and g.x is None
        pairs = set(zip(row.tolist(), col.tolist()))
        assert pairs == {(j, i) for i, j in pairs} and len(pairs) == g.edge_index.size(1)
        assert 16 <= g.num_nodes <= 40
    with pytest.raises(ConfigError):
        make_synthetic_graphs(num_graphs=10, min_nodes=5)


def test_featureless_graphs_get_one_hot_degree(small_dataset) -> None:
    g = small_dataset.graphs[0]
    degree = torch.bincount(g.edge_index[0], minlength=g.num_nodes)
    assert torch.equal(g.x.argmax(1), degree.clamp(max=small_dataset.num_features - 1))
    assert torch.equal(g.x.sum(1), torch.ones(g.num_nodes))
    assert "one-hot degree" in small_dataset.features and small_dataset.num_classes == 3


def test_pool_sizes_from_max_or_mean(small_dataset) -> None:
    n = small_dataset.num_nodes
    assert pool_sizes(small_dataset, "max") == (n.max() // 2, n.max() // 4)
    assert pool_sizes(small_dataset, "mean") == (round(n.mean()) // 2, max(round(n.mean()) // 4, 2))
    with pytest.raises(ConfigError):
        pool_sizes(small_dataset, "median")  # type: ignore[arg-type]
    mean = round(n.mean())
    assert pool_sizes(small_dataset, "mean", (1 / 3, 1 / 6, 1 / 12)) == (mean // 3, max(mean // 6, 2), 2)
    for ratios in ((), (0.5, 0.0), (1.5,)):
        with pytest.raises(ConfigError, match="ratios"):
            pool_sizes(small_dataset, "max", ratios)
        with pytest.raises(ConfigError, match="ratios"):
            ClassifyConfig(pool_ratios=ratios)


def test_settings_build_their_configs(small_dataset) -> None:
    assert pooling_setting("paper").config() == ClassifyConfig()  # the reference stays the default
    teaching = pooling_setting("teaching").config(seed=4, pool="mincut")
    assert teaching.seed == 4 and teaching.pool == "mincut" and teaching.pool_size_base == "mean"
    assert build_classifier(small_dataset, teaching).pool_sizes == pool_sizes(small_dataset, "mean",
                                                                               teaching.pool_ratios)
    assert {"teaching", "paper", "paper-mean"} <= set(SETTINGS)
    with pytest.raises(ConfigError, match="teaching"):
        pooling_setting("fast")


def _two_cliques(size: int, bridges: int = 1) -> Data:
    """Two cliques of ``size`` nodes joined by ``bridges`` edges (node i to node size + i)."""
    i, j = np.triu_indices(size, 1)
    pairs = np.concatenate([np.stack([i, j], 1), np.stack([i + size, j + size], 1),
                            np.stack([np.arange(bridges), np.arange(bridges) + size], 1)])
    edges = torch.as_tensor(pairs.T, dtype=torch.long)
    return Data(edge_index=torch.cat([edges, edges.flip(0)], 1), num_nodes=2 * size)


def _normalised_laplacian(data: Data) -> np.ndarray:
    n = data.num_nodes
    adj = np.zeros((n, n))
    adj[data.edge_index[0].numpy(), data.edge_index[1].numpy()] = 1.0
    d = 1 / np.sqrt(adj.sum(1))
    return np.eye(n) - d[:, None] * adj * d[None, :]


def test_laplacian_features_are_the_low_eigenvectors_after_the_first() -> None:
    data = _two_cliques(6)
    features = laplacian_features(data, 3).numpy()
    values, vectors = np.linalg.eigh(_normalised_laplacian(data))
    assert features.shape == (12, 3)
    laplacian = _normalised_laplacian(data)
    # Orthonormal eigenvectors of the 2nd to 4th smallest eigenvalues (the last two share an eigenspace, so only
    # the eigen-equation pins them down); the Fiedler vector is unique up to its sign, fixed by the largest entry.
    np.testing.assert_allclose(laplacian @ features, features * values[1:4], atol=1e-5)
    np.testing.assert_allclose(features.T @ features, np.eye(3), atol=1e-5)
    expected = vectors[:, 1] * np.sign(vectors[np.abs(vectors[:, 1]).argmax(), 1])
    np.testing.assert_allclose(features[:, 0], expected, atol=1e-5)
    fiedler = features[:, 0]
    assert (np.sign(fiedler[:6]) == -np.sign(fiedler[6:])).all()  # the first column separates the two cliques
    np.testing.assert_allclose(laplacian_features(_two_cliques(2), 5).numpy()[:, 3:], 0.0)  # past N - 1: zeros


def test_laplacian_features_of_a_large_graph_use_the_sparse_solver() -> None:
    data = _two_cliques(300, bridges=3)  # 600 nodes: above DENSE_EIGEN_NODES
    features = laplacian_features(data, 1).numpy()[:, 0]
    vector = np.linalg.eigh(_normalised_laplacian(data))[1][:, 1]
    np.testing.assert_allclose(np.abs(features), np.abs(vector), atol=1e-4)


def test_positional_features_are_appended(small_dataset) -> None:
    graphs = make_synthetic_graphs(num_graphs=24, min_nodes=8, max_nodes=14, seed=1)
    with_positions = prepare_graphs("synthetic", graphs, positional=2)
    assert with_positions.num_features == small_dataset.num_features + 2
    assert "+ 2 Laplacian eigenvectors" in with_positions.features
    first = with_positions.graphs[0]
    assert torch.equal(first.x[:, :-2], small_dataset.graphs[0].x)
    torch.testing.assert_close(first.x[:, -2:], laplacian_features(graphs[0], 2))
    with pytest.raises(ConfigError, match="positional"):
        prepare_graphs("synthetic", graphs, positional=-1)


def test_stratified_splits_partition_the_graphs() -> None:
    labels = np.array([0] * 30 + [1] * 20)
    splits = stratified_splits(labels, folds=5, val_fraction=0.1, seed=0)
    tests = np.concatenate([test for _, _, test in splits])
    assert sorted(tests.tolist()) == list(range(50))
    for train, val, test in splits:
        assert len(set(train) | set(val) | set(test)) == 50 and len(val) == 4
        assert sorted(np.unique(labels[val]).tolist()) == [0, 1]
        assert abs(labels[test].mean() - 0.4) < 0.11
    assert all(np.array_equal(a[2], b[2]) for a, b in zip(splits, stratified_splits(labels, 5, 0.1, 0)))
    with pytest.raises(ConfigError, match="every class"):
        stratified_splits(np.array([0, 0, 0, 1]), folds=2, val_fraction=0.1, seed=0)


@pytest.mark.parametrize("pool", POOL_METHODS)
def test_classifier_forward_levels_and_gradients(pool: str, small_dataset) -> None:
    torch.manual_seed(0)
    model = GraphClassifier(small_dataset.num_features, 3, pool_sizes=(9, 3), pool=pool, hidden_channels=8)
    batch = Batch.from_data_list(small_dataset.graphs[:5])
    out = model(batch.x, batch.edge_index, None, batch.batch)
    assert out.logits.shape == (5, 3)
    assert len(out.levels) == (0 if pool == "none" else 2)
    expected = {"tvgnn": {"gtv", "balance"}, "mincut": {"mincut", "ortho"}, "dmon": {"spectral", "ortho", "cluster"},
                "none": set()}[pool]
    assert set(out.losses) == {"total", *expected}
    (torch.nn.functional.cross_entropy(out.logits, batch.y) + out.losses["total"]).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    if pool != "none":
        assert out.levels[0].x.shape == (5, 9, 8) and out.levels[1].adj.shape == (5, 3, 3)
        assert out.levels[0].s.shape == (batch.num_nodes, 9) and out.levels[1].s.shape == (5, 9, 3)


def test_tvgnn_losses_sum_the_two_levels(small_dataset) -> None:
    torch.manual_seed(0)
    model = GraphClassifier(small_dataset.num_features, 3, pool_sizes=(6, 3), alpha1=0.3, alpha2=0.6)
    batch = Batch.from_data_list(small_dataset.graphs[:4])
    out = model(batch.x, batch.edge_index, None, batch.batch)
    first, second = (level.losses for level in out.levels)
    assert torch.allclose(out.losses["balance"], first["balance"] + second["balance"])
    assert torch.allclose(out.losses["total"], 0.3 * out.losses["gtv"] + 0.6 * out.losses["balance"])


def test_pooling_levels_of_one_graph_with_k_larger_than_n(small_dataset) -> None:
    torch.manual_seed(0)
    graph = small_dataset.graphs[0]
    k1 = graph.num_nodes + 5  # K > N
    model = GraphClassifier(small_dataset.num_features, 3, pool_sizes=(k1, 4), hidden_channels=8)
    levels = model.pooling_levels(graph)
    assert [level.s.shape for level in levels] == [(graph.num_nodes, k1), (k1, 4)]
    assert levels[0].x.shape == (k1, 8) and levels[1].adj.shape == (4, 4)
    np.testing.assert_allclose(levels[0].mass.sum(), graph.num_nodes, rtol=1e-5)
    np.testing.assert_allclose(levels[1].mass.sum(), k1, rtol=1e-5)
    assert model.training  # the mode is restored
    assert GraphClassifier(small_dataset.num_features, 3, (4, 2), pool="none").pooling_levels(graph) == []


def test_invalid_classifier_settings() -> None:
    with pytest.raises(ConfigError, match="pooling method"):
        GraphClassifier(3, 2, (4, 2), pool="topk")
    with pytest.raises(ConfigError, match="K >= 2"):
        GraphClassifier(3, 2, (4, 1), pool="mincut")
    with pytest.raises(ConfigError, match="folds"):
        ClassifyConfig(folds=1)
    with pytest.raises(ConfigError, match="val_fraction"):
        ClassifyConfig(val_fraction=1.5)
    with pytest.raises(ConfigError, match="pooling method"):
        ClassifyConfig(pool="sag")


def test_trainer_steps_by_batches_stops_early_and_restores(small_dataset) -> None:
    config = ClassifyConfig(epochs=50, patience=2, batch_size=4, lr=0.05)
    graphs = small_dataset.graphs
    trainer = ClassifierTrainer(build_classifier(small_dataset, config), graphs[:12], graphs[12:16], config)
    assert trainer.batches_per_epoch == 3
    assert trainer.step(2) == [] and trainer.epoch == 0
    records = trainer.step(2)
    assert [r.epoch for r in records] == [1] and {"total", "ce", "gtv", "balance"} <= set(records[0].losses)
    trainer.run()
    assert trainer.done and trainer.epoch < 50
    assert trainer.epoch - trainer.best_epoch == 2
    trainer.restore_best()
    val_loss, _ = trainer.evaluate(graphs[12:16])
    assert val_loss == pytest.approx(trainer.history[trainer.best_epoch - 1].val_loss, rel=1e-5)


def test_cross_validate_is_reproducible(small_dataset) -> None:
    config = ClassifyConfig(folds=2, epochs=2, patience=2, seed=3)
    seen = []
    first = cross_validate(small_dataset, config, on_epoch=lambda fold, record: seen.append((fold, record.epoch)))
    second = cross_validate(small_dataset, config)
    assert seen == [(0, 1), (0, 2), (1, 1), (1, 2)]
    assert first.to_dict()["fold_accuracies"] == second.to_dict()["fold_accuracies"]
    assert 0 <= first.accuracy <= 1 and len(first.to_dict()["seconds_per_fold"]) == 2


def test_input_graphs_are_stripped_to_features_edges_and_label() -> None:
    graphs = [Data(x=torch.eye(3), edge_index=torch.tensor([[0, 1], [1, 0]]), edge_attr=torch.ones(2, 4),
                   y=torch.tensor([i % 2])) for i in range(4)]
    dataset = prepare_graphs("toy", graphs)
    assert set(dataset.graphs[0].keys()) == {"x", "edge_index", "y", "num_nodes"}
    assert "node features (3 columns)" in dataset.features
    with pytest.raises(ConfigError, match="single class"):
        prepare_graphs("one", graphs[::2])
