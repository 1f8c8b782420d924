"""Generators: seeded, labelled, described by a registry the app can build widgets from, named by source strings."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from gtvviz.data import GENERATORS, generate, generator_source, load_graph, parse_source
from gtvviz.errors import ConfigError

#: Small parameters per generator, so that the whole file runs in seconds.
SMALL = {
    "sbm": dict(sizes=(30, 20), p_in=0.3, p_out=0.02, snr=2.0, features=4, seed=1),
    "planted_partition": dict(groups=3, group_size=15, p_in=0.4, p_out=0.05, features=3, seed=1),
    "csbm": dict(n=60, blocks=3, degree=6.0, homophily=0.9, snr=3.0, features=5, seed=1),
    "word_sbm": dict(blocks=3, size=15, p_in=0.4, p_out=0.02, words=6, signal=2.0, seed=1),
    "bridged": dict(size=20, p_in=0.4, bridges=2, features=4, seed=1),
    "lfr": dict(n=100, min_community=20, seed=1),
    "moons": dict(n=60, noise=0.05, k=5, seed=1),
    "circles": dict(n=60, noise=0.02, factor=0.4, k=5, seed=1),
    "blobs": dict(n=60, centers=4, spread=0.5, k=5, seed=1),
    "grid": dict(width=10, height=8, shapes=2, noise=0.1, seed=1),
    "ring_of_cliques": dict(cliques=4, clique_size=3),
}
NATURAL_POS = {"moons", "circles", "blobs", "grid", "ring_of_cliques"}


def test_every_generator_has_small_test_parameters() -> None:
    assert set(SMALL) == set(GENERATORS)


@pytest.mark.parametrize("kind", list(GENERATORS))
def test_registry_describes_every_parameter_for_widgets(kind: str) -> None:
    spec = GENERATORS[kind]
    assert spec.description and spec.build is not None
    for param in spec.params:
        assert param.type in ("int", "float", "ints") and param.help and param.low <= param.high
        values = param.default if param.type == "ints" else (param.default,)
        assert all(param.low <= v <= param.high for v in values), param.name
        assert isinstance(values[0], float if param.type == "float" else int)
    assert ("seed" in spec.defaults()) == (kind != "ring_of_cliques")  # the only deterministic one


@pytest.mark.parametrize("kind", list(GENERATORS))
def test_each_generator_builds_a_clean_labelled_graph(kind: str) -> None:
    graph = generate(kind, **SMALL[kind])
    graph.validate()
    assert graph.has_labels and graph.warnings == [] and graph.num_edges > 0 and graph.name == kind
    assert (graph.pos is not None) == (kind in NATURAL_POS)
    assert graph.source == generator_source(kind, **SMALL[kind])
    assert re.fullmatch(r"[A-Za-z0-9_:.,=\-]{1,200}", graph.source)
    again = load_graph(graph.source)  # the source string rebuilds the same graph
    assert torch.equal(again.edge_index, graph.edge_index) and torch.equal(again.y, graph.y)
    assert (graph.x is None and again.x is None) or torch.equal(again.x, graph.x)


@pytest.mark.parametrize("kind", [k for k in GENERATORS if k != "ring_of_cliques"])
def test_the_seed_decides_the_graph(kind: str) -> None:
    params = dict(SMALL[kind])
    first, same = generate(kind, **params), generate(kind, **params)
    assert torch.equal(first.edge_index, same.edge_index)
    params["seed"] = 2
    other = generate(kind, **params)
    differs = not torch.equal(first.edge_index, other.edge_index) or (
        first.x is not None and not torch.equal(first.x, other.x))
    assert differs


def test_source_strings_parse_to_typed_parameters() -> None:
    kind, params = parse_source("sbm:sizes=100-100-100,p_in=0.1,p_out=0.01,snr=1,seed=0")
    assert kind == "sbm" and params == dict(sizes=(100, 100, 100), p_in=0.1, p_out=0.01, snr=1.0, seed=0)
    assert parse_source("moons") == ("moons", {})
    assert parse_source("csbm:snr=1e-3")[1] == {"snr": 0.001}
    assert generator_source("sbm", sizes=[5, 5]) == "sbm:sizes=5-5,p_in=0.1,p_out=0.01,snr=1.0,features=16,seed=0"
    assert load_graph("sbm:sizes=10-10,p_in=0.5").num_nodes == 20


def test_python_callers_get_the_same_checks() -> None:
    with pytest.raises(ConfigError, match="Unknown generator 'nope'"):
        generate("nope")
    with pytest.raises(ConfigError, match="p_out must be between 0 and 1, got -0.1"):
        generate("sbm", p_out=-0.1)
    with pytest.raises(ConfigError, match="seed must be a number"):
        generate("sbm", seed=True)
    with pytest.raises(ConfigError, match="sizes must be a non-empty list"):
        generate("sbm", sizes=100)
    with pytest.raises(ConfigError, match="seed must be a finite number"):
        generate("sbm", seed=float("inf"))
    assert generate("sbm", sizes=[4, 4], seed=np.int64(3), features=0).x is None


def test_block_models_plant_their_blocks() -> None:
    graph = generate("sbm", sizes=(40, 40), p_in=0.5, p_out=0.0, snr=5.0, features=8, seed=0)
    row, col = graph.edge_index
    assert bool((graph.y[row] == graph.y[col]).all())  # p_out = 0: no edge leaves its block
    assert graph.y.bincount().tolist() == [40, 40]
    means = torch.stack([graph.x[graph.y == k].mean(0) for k in range(2)])
    assert float((means[0] - means[1]).norm()) > 3  # snr 5: the block means are far apart
    planted = generate("planted_partition", groups=3, group_size=10, p_in=1.0, p_out=0.0)
    assert planted.num_edges == 3 * 45


def test_bridged_has_exactly_the_requested_bridges() -> None:
    graph = generate("bridged", size=25, p_in=0.5, bridges=4, seed=3)
    row, col = graph.edge_index
    assert int((graph.y[row] != graph.y[col]).sum()) == 2 * 4


def test_grid_and_ring_structure() -> None:
    grid = generate("grid", width=7, height=5, shapes=3, seed=0)
    assert grid.num_nodes == 35 and grid.num_edges == 6 * 5 + 7 * 4
    assert set(grid.y.tolist()) == {0, 1, 2, 3} and grid.pos[:, 0].max() == 6 and grid.pos[:, 1].max() == 4
    ring = generate("ring_of_cliques", cliques=5, clique_size=4)
    assert ring.num_edges == 5 * 6 + 5 and ring.y.bincount().tolist() == [4] * 5


def test_knn_graphs_keep_positions_as_features() -> None:
    graph = generate("moons", n=50, k=3, seed=0)
    assert graph.num_features == 2 and np.allclose(graph.x.numpy(), graph.pos, atol=1e-6)
    assert int(graph.degree().min()) >= 3
