"""Every sample preset tells the story its "what to look for" text tells: each test trains the preset
(:attr:`gtvviz.data.samples.Sample.preset`, the app's model) and asserts the claim of the text. Measured numbers:
benchmarks/results/presets.md."""

from __future__ import annotations

import pytest
import torch

from gtvviz import RunConfig
from gtvviz.compare import run_one
from gtvviz.data import SAMPLES, load_graph


def _run(sample: str, method: str = "tvgnn", **changes: object) -> dict[str, float]:
    preset = SAMPLES[sample]
    config = RunConfig(graph=sample, clusters=preset.suggested_k, method=method, device="cpu",
                       **{**preset.preset, **changes})
    torch.set_num_threads(1)
    return run_one(load_graph(sample), config)


def test_every_preset_is_a_valid_run_config() -> None:
    for name, sample in SAMPLES.items():
        config = RunConfig(graph=name, clusters=sample.suggested_k, **sample.preset)
        assert config.clusters == sample.suggested_k
        assert sample.compare[0] == "tvgnn" and len(sample.compare) >= 2


@pytest.mark.slow
def test_bridged_communities_tvgnn_is_sharp_and_right_while_dmon_stays_undecided() -> None:
    tvgnn, dmon = _run("bridged_communities"), _run("bridged_communities", "dmon")
    assert tvgnn["nmi"] == pytest.approx(1.0) and tvgnn["sharpness"] > 0.99, tvgnn
    assert tvgnn["boundary_sharpness"] > 0.99, tvgnn  # the nodes at the ends of the bridges too
    assert dmon["sharpness"] < 0.55, dmon  # every node about half in each cluster: a grey graph


@pytest.mark.slow
def test_bridged_communities_mincut_puts_every_node_in_one_cluster() -> None:
    mincut = _run("bridged_communities", "mincut")
    assert mincut["n_clusters_used"] == 1 and mincut["nmi"] == pytest.approx(0.0, abs=1e-6), mincut


@pytest.mark.slow
def test_bridged_communities_with_standardised_features_every_method_is_sharp_and_right() -> None:
    for method in ("tvgnn", "dmon", "mincut"):
        result = _run("bridged_communities", method, normalize="auto")
        assert result["nmi"] == pytest.approx(1.0) and result["sharpness"] > 0.99, (method, result)


@pytest.mark.slow
def test_karate_preset_finds_the_factions() -> None:
    result = _run("karate")
    assert result["nmi"] == pytest.approx(1.0) and result["sharpness"] > 0.99, result


@pytest.mark.slow
def test_ring_of_cliques_preset_gives_one_cluster_per_clique() -> None:
    result = _run("ring_of_cliques")
    assert result["nmi"] == pytest.approx(1.0) and result["n_clusters_used"] == 6, result
    assert result["sharpness"] > 0.99 and result["size_balance"] == pytest.approx(1.0), result


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 3])
def test_ring_of_cliques_seeds_that_merge_two_cliques_are_mended_by_the_escape(seed: int) -> None:
    merged = _run("ring_of_cliques", seed=seed)
    assert merged["nmi"] == pytest.approx(0.931, abs=5e-3) and merged["n_clusters_used"] == 5, merged
    escaped = _run("ring_of_cliques", seed=seed, balance_weight="escape")
    assert escaped["nmi"] == pytest.approx(1.0) and escaped["n_clusters_used"] == 6, escaped


@pytest.mark.slow
def test_csbm_tvgnn_uses_graph_and_features_where_each_alone_falls_short() -> None:
    tvgnn, kmeans, spectral = _run("csbm"), _run("csbm", "kmeans"), _run("csbm", "spectral")
    assert tvgnn["nmi"] == pytest.approx(1.0) and tvgnn["sharpness"] > 0.99, tvgnn
    assert spectral["nmi"] < 0.85 and kmeans["nmi"] < 0.98, (spectral, kmeans)  # graph alone, features alone
    dmon = _run("csbm", "dmon")
    assert dmon["sharpness"] > 0.99 and 0.99 <= dmon["acc"] < 1.0, dmon  # sharp too, a node or two misplaced


@pytest.mark.slow
def test_pixel_grid_tvgnn_has_sharp_boundaries_and_the_best_segmentation_with_three_clusters() -> None:
    tvgnn, dmon = _run("pixel_grid"), _run("pixel_grid", "dmon")
    kmeans, spectral = _run("pixel_grid", "kmeans"), _run("pixel_grid", "spectral")
    assert tvgnn["boundary_sharpness"] > 0.99 and dmon["boundary_sharpness"] > 0.98, (tvgnn, dmon)
    assert tvgnn["nmi"] > 0.88 and max(dmon["nmi"], kmeans["nmi"], spectral["nmi"]) < 0.65, (tvgnn, dmon, kmeans)
    assert dmon["nmi"] < 0.5, dmon  # DMoN's sharp boundaries do not follow the regions
    assert tvgnn["n_clusters_used"] == 3, tvgnn


@pytest.mark.slow
def test_two_moons_no_method_separates_the_moons_and_tvgnn_cuts_two_equal_sharp_halves() -> None:
    tvgnn, kmeans, spectral = _run("two_moons"), _run("two_moons", "kmeans"), _run("two_moons", "spectral")
    assert tvgnn["sharpness"] > 0.99 and tvgnn["size_balance"] > 0.95, tvgnn
    assert tvgnn["nmi"] < 0.4 and kmeans["nmi"] < 0.4, (tvgnn, kmeans)
    assert tvgnn["nmi"] < spectral["nmi"] < 0.6, spectral
    assert tvgnn["nmi"] == pytest.approx(kmeans["nmi"]) and tvgnn["modularity"] == pytest.approx(
        kmeans["modularity"]), (tvgnn, kmeans)  # the very split k-means makes


@pytest.mark.slow
def test_les_miserables_tvgnn_is_unbalanced_while_spectral_and_dmon_find_six_groups() -> None:
    tvgnn, spectral, dmon = (_run("les_miserables", m) for m in ("tvgnn", "spectral", "dmon"))
    assert tvgnn["modularity"] < 0.15 and tvgnn["n_clusters_used"] < 6, tvgnn
    assert spectral["modularity"] > 0.5 and dmon["modularity"] > 0.45, (spectral, dmon)
    assert spectral["n_clusters_used"] == 6 and dmon["n_clusters_used"] == 6, (spectral, dmon)
