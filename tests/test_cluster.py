"""TVGNNClustering as a scikit-learn clusterer: the estimator checks, every input kind, n_init, predict, save/load."""

from __future__ import annotations

import dataclasses
import warnings

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone, is_clusterer
from sklearn.metrics import normalized_mutual_info_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from gtvviz.cluster import TVGNNClustering
from gtvviz.config import RunConfig
from gtvviz.data.generators import generate_from_source
from gtvviz.errors import ConfigError, GraphFormatError, PartialCollapseWarning
from gtvviz.graph import Graph
from gtvviz.starts import start_seeds

#: A small model, so that each fit takes a moment.
SMALL = {"hidden": (16,), "mlp": (8,), "epochs": 60, "lr": 1e-2}

N_CLUSTERS_1 = ("sets n_clusters=1; TVGNN needs K >= 2 (the balance term divides by K - 1), and RunConfig rejects "
                "K = 1 with a ConfigError")
NOT_A_GRAPH = ("passes an N samples x F features matrix (a point cloud); an array given to this graph clusterer is an "
               "N x N adjacency, and a non-square one is refused with gtvviz's own message")
#: The checks TVGNNClustering cannot pass, by name, with the reason.
EXPECTED_FAILED_CHECKS = {
    "check_dont_overwrite_parameters": N_CLUSTERS_1,
    "check_methods_subset_invariance": N_CLUSTERS_1,
    "check_fit2d_1sample": N_CLUSTERS_1,
    "check_fit2d_1feature": N_CLUSTERS_1,
    "check_fit2d_predict1d": N_CLUSTERS_1,
    "check_clustering": NOT_A_GRAPH,
    "check_fit_idempotent": NOT_A_GRAPH + " (it predicts on a held-out set of samples)",
    "check_estimators_empty_data_messages": NOT_A_GRAPH + " (it expects scikit-learn's message for 0 features)",
    "check_n_features_in_after_fitting": ("calls predict with sample matrices of another width and expects "
                                          "scikit-learn's message; predict takes a graph and checks its feature width "
                                          "with its own message (test_predict_on_another_graph)"),
    "check_dtype_object": ("expects a TypeError for a dict inside an object array; every malformed input raises "
                           "gtvviz's GraphFormatError (a ValueError), the library's one error contract (object arrays "
                           "of numbers are accepted)"),
}


@parametrize_with_checks([TVGNNClustering(hidden=(8,), mlp=(4,), epochs=10, lr=1e-2)],
                         expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS)
def test_scikit_learn_estimator_checks(estimator: TVGNNClustering, check) -> None:
    check(estimator)


def two_cliques(size: int = 8) -> Graph:
    """Two cliques joined by one edge: the clustering is obvious."""
    pairs = [(i, j) for block in (0, size) for i in range(block, block + size) for j in range(i + 1, block + size)]
    return Graph.from_edges(np.array([*pairs, (0, size)]).T, 2 * size, directed=False)


def truth(size: int = 8) -> np.ndarray:
    return np.repeat([0, 1], size)


def test_defaults_come_from_run_config_and_sklearn_protocol_works() -> None:
    estimator = TVGNNClustering()
    params = estimator.get_params()
    defaults = RunConfig()
    for f in dataclasses.fields(RunConfig):
        name = {"clusters": "n_clusters", "seed": "random_state"}.get(f.name, f.name)
        if name in params:
            assert params[name] == getattr(defaults, f.name), name
    assert is_clusterer(estimator)
    copy = clone(TVGNNClustering(3, random_state=5, n_init=2))
    assert copy.get_params()["n_clusters"] == 3 and copy.get_params()["random_state"] == 5
    assert estimator.set_params(random_state=7) is estimator and estimator.random_state == 7
    assert "random_state=7" in repr(estimator)


def test_fit_predict_on_every_input_kind() -> None:
    graph = two_cliques()
    model = TVGNNClustering(2, random_state=0, **SMALL)
    expected = model.fit_predict(graph)
    assert normalized_mutual_info_score(truth(), expected) == 1.0
    adjacency = nx.to_numpy_array(graph.to_networkx(), nodelist=range(graph.num_nodes), weight=None)
    kinds = {
        "networkx": graph.to_networkx(),
        "PyG Data": graph.to_pyg(),
        "scipy sparse": sp.csr_matrix(adjacency),
        "dense numpy": adjacency,
        "edge_index": graph.edge_index,
    }
    for name, data in kinds.items():
        np.testing.assert_array_equal(clone(model).fit_predict(data), expected, err_msg=name)


def test_fit_predict_with_features_on_every_input_kind() -> None:
    graph = two_cliques()
    features = np.random.default_rng(0).random((graph.num_nodes, 5)).astype(np.float32)
    model = TVGNNClustering(2, random_state=1, **SMALL)
    expected = model.fit_predict(graph.with_updates(x=torch.from_numpy(features)))
    assert model.n_features_in_ == 5
    adjacency = graph.to_scipy()
    kinds = {
        "Graph": graph,
        "networkx": graph.to_networkx(),
        "PyG Data": graph.to_pyg(),
        "scipy sparse": adjacency,
        "dense numpy": adjacency.toarray(),
        "edge_index": graph.edge_index,
    }
    for name, data in kinds.items():
        np.testing.assert_array_equal(clone(model).fit_predict(data, X=features), expected, err_msg=name)
        assert clone(model).fit(data, X=features).n_features_in_ == 5


def test_predict_on_another_graph() -> None:
    """The trained GNN is inductive: on the training graph it gives labels_, and on a relabelled copy of it the
    same labels, relabelled; a graph whose features have another width is refused."""
    graph = two_cliques()
    rng = np.random.default_rng(0)
    features = torch.as_tensor(np.eye(2)[truth()] + 0.1 * rng.random((16, 2)), dtype=torch.float32)
    model = TVGNNClustering(2, random_state=0, **SMALL).fit(graph, X=features)
    np.testing.assert_array_equal(model.predict(graph, X=features), model.labels_)
    order = rng.permutation(graph.num_nodes)  # new node i is old node order[i]
    position = np.argsort(order)
    src, dst = graph.edge_index.numpy()
    permuted = Graph.from_edges(np.stack([position[src], position[dst]]), graph.num_nodes, x=features[order])
    np.testing.assert_array_equal(model.predict(permuted), model.labels_[order])
    assert model.predict_soft(permuted).shape == (16, 2)
    with pytest.raises(GraphFormatError, match="2 columns but the model was trained on|columns"):
        model.predict(graph, X=np.ones((16, 3), dtype=np.float32))


def test_save_then_load_gives_the_same_labels(tmp_path) -> None:
    graph = two_cliques()
    model = TVGNNClustering(2, random_state=3, **SMALL).fit(graph)
    path = tmp_path / "model.pt"
    model.save(path)
    loaded = TVGNNClustering.load(path)
    assert isinstance(torch.load(path, weights_only=True), dict)  # tensors and plain containers only
    np.testing.assert_array_equal(loaded.labels_, model.labels_)
    np.testing.assert_array_equal(loaded.predict(graph), model.predict(graph))
    np.testing.assert_allclose(loaded.predict_soft(graph), model.predict_soft(graph), atol=1e-6)
    assert loaded.get_params() == {**model.get_params(), "random_state": 3}
    assert (loaded.seed_, loaded.starts_, loaded.kept_start_) == (model.seed_, model.starts_, model.kept_start_)
    assert loaded.summary_["last"]["total"] == model.summary_["last"]["total"]
    assert len(loaded.history_) == len(model.history_) == SMALL["epochs"] + 1
    torch.save({"something": "else"}, tmp_path / "other.pt")
    with pytest.raises(GraphFormatError, match="save"):
        TVGNNClustering.load(tmp_path / "other.pt")


def test_n_init_keeps_the_start_with_the_lowest_final_loss() -> None:
    graph = two_cliques()
    model = TVGNNClustering(2, random_state=4, n_init=3, probe_epochs=None, spectral_start=False,
                            **{**SMALL, "epochs": 20}).fit(graph)
    assert len(model.final_losses_) == 3 and len(set(model.final_losses_)) == 3
    assert model.summary_["last"]["total"] == min(model.final_losses_)
    assert [start["seed"] for start in model.starts_] == start_seeds(4, 3)
    assert model.seed_ == model.starts_[model.kept_start_]["seed"]
    single = TVGNNClustering(2, random_state=4, n_init=1, spectral_start=False, **{**SMALL, "epochs": 20}).fit(graph)
    assert single.final_losses_ == [model.final_losses_[0]]  # the first start is the run of random_state itself
    again = TVGNNClustering(2, random_state=model.seed_, n_init=1, spectral_start=False,
                            **{**SMALL, "epochs": 20}).fit(graph)
    np.testing.assert_array_equal(again.soft_assignments_, model.soft_assignments_)


def test_probe_epochs_keep_the_start_of_lowest_loss_at_the_probe_trained_to_its_end() -> None:
    graph = two_cliques()
    model = TVGNNClustering(2, random_state=4, n_init=3, probe_epochs=5, spectral_start=False,
                            **{**SMALL, "epochs": 20}).fit(graph)
    assert model.seed_ == start_seeds(4, 3)[int(np.argmin(model.final_losses_))]
    assert len(model.history_) == 21 and model.summary_["epochs"] == 20
    alone = TVGNNClustering(2, random_state=model.seed_, n_init=1, spectral_start=False,
                            **{**SMALL, "epochs": 20}).fit(graph)
    np.testing.assert_array_equal(alone.soft_assignments_, model.soft_assignments_)
    first = TVGNNClustering(2, random_state=4, n_init=1, spectral_start=False, **{**SMALL, "epochs": 5}).fit(graph)
    assert model.final_losses_[0] == first.final_losses_[0]


def test_the_default_is_three_random_starts_and_a_spectral_one_compared_at_epoch_100() -> None:
    graph = two_cliques()
    default = TVGNNClustering(2, random_state=4, **{**SMALL, "epochs": 120}).fit(graph)
    assert (default.n_init, default.probe_epochs, default.spectral_start) == (3, 100, True)
    assert default.starts_ == [*({"seed": seed, "init": "random"} for seed in start_seeds(4, 3)),
                               {"seed": 4, "init": "spectral"}]
    full = TVGNNClustering(2, random_state=4, probe_epochs=None, **{**SMALL, "epochs": 120}).fit(graph)
    assert default.final_losses_ != full.final_losses_  # compared at epoch 100, not at the end


def test_the_spectral_start_is_kept_where_random_starts_merge_two_blocks() -> None:
    graph = generate_from_source("sbm:sizes=40-40-40-40-40-40,p_in=0.5,p_out=0.003,seed=3")  # six blocks, no features
    fit = TVGNNClustering(6, random_state=0, **{**SMALL, "epochs": 150}).fit(graph)
    random_only = TVGNNClustering(6, random_state=0, spectral_start=False, **{**SMALL, "epochs": 150}).fit(graph)
    truth = graph.y.numpy()
    assert fit.starts_[fit.kept_start_]["init"] == "spectral" and fit.summary_["clusters_used"] == 6
    assert normalized_mutual_info_score(truth, fit.labels_) > normalized_mutual_info_score(truth, random_only.labels_)
    assert min(fit.final_losses_[:3]) == min(random_only.final_losses_)  # the same random starts, and one more


def test_a_fit_that_leaves_a_cluster_empty_warns_and_says_so_in_its_summary() -> None:
    graph = two_cliques()
    with pytest.warns(PartialCollapseWarning, match="of 8 clusters are used"):
        model = TVGNNClustering(8, random_state=0, n_init=1, **{**SMALL, "epochs": 5}).fit(graph)
    assert model.summary_["partial_collapse"] and model.summary_["clusters_used"] < 8
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialCollapseWarning)
        healthy = TVGNNClustering(2, random_state=0, n_init=1, **{**SMALL, "epochs": 60}).fit(graph)
    assert not healthy.summary_["partial_collapse"] and healthy.summary_["clusters_used"] == 2


def test_seed_is_a_deprecated_alias_of_random_state() -> None:
    graph = two_cliques()
    with pytest.warns(FutureWarning, match="random_state"):
        old = TVGNNClustering(2, seed=2, **{**SMALL, "epochs": 5}).fit(graph)
    new = TVGNNClustering(2, random_state=2, **{**SMALL, "epochs": 5}).fit(graph)
    np.testing.assert_array_equal(old.soft_assignments_, new.soft_assignments_)


def test_verbose_shows_a_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    TVGNNClustering(2, verbose=True, n_init=2, **{**SMALL, "epochs": 5}).fit(two_cliques())
    err = capsys.readouterr().err
    assert "TVGNN" in err and "15/15" in err and "start=3/3" in err  # two random starts and the spectral one
    TVGNNClustering(2, **{**SMALL, "epochs": 5}).fit(two_cliques())
    assert capsys.readouterr().err == ""


def test_bad_settings_and_inputs_raise_gtvviz_errors() -> None:
    graph = two_cliques()
    with pytest.raises(ConfigError, match="alpha1"):  # validated by RunConfig
        TVGNNClustering(2, alpha1=-1.0, **SMALL).fit(graph)
    with pytest.raises(ConfigError, match="n_init"):
        TVGNNClustering(2, n_init=0, **SMALL).fit(graph)
    with pytest.raises(GraphFormatError, match="square"):
        TVGNNClustering(2, **SMALL).fit(np.ones((4, 3)))
    with pytest.raises(GraphFormatError, match="Negative"):
        TVGNNClustering(2, **SMALL).fit(-np.ones((4, 4)))
    with pytest.raises(GraphFormatError, match="rows|nodes"):
        TVGNNClustering(2, **SMALL).fit(graph.to_networkx(), X=np.ones((3, 2)))
