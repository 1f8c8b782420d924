"""Every sample preset tells the story its "what to look for" text tells: each test trains the preset
(:attr:`gtvviz.data.samples.Sample.preset`, the app's model) and asserts the claim of the text. Measured numbers:
benchmarks/results/presets.md."""

from __future__ import annotations

import pytest
import torch

from gtvviz import RunConfig
from gtvviz.compare import run_one
from gtvviz.data import SAMPLES, load_graph


def _run(sample: str, method: str = "tvgnn") -> dict[str, float]:
    preset = SAMPLES[sample]
    config = RunConfig(graph=sample, clusters=preset.suggested_k, method=method, device="cpu", **preset.preset)
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
def test_karate_preset_finds_the_factions() -> None:
    result = _run("karate")
    assert result["nmi"] == pytest.approx(1.0) and result["sharpness"] > 0.99, result


@pytest.mark.slow
def test_ring_of_cliques_preset_gives_one_cluster_per_clique() -> None:
    result = _run("ring_of_cliques")
    assert result["nmi"] == pytest.approx(1.0) and result["n_clusters_used"] == 6, result
    assert result["sharpness"] > 0.99 and result["size_balance"] == pytest.approx(1.0), result
