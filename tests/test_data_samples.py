"""The shipped samples: each loads by name with the counts of the README, and the files are reproducible."""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import pytest

from gtvviz.data import SAMPLES, list_samples, load_graph, sample_info
from gtvviz.data.samples import SAMPLE_DIR
from gtvviz.errors import ConfigError

#: Expected (nodes, edges, has labels, has pos, weighted) of each sample.
EXPECTED = {
    "karate": (34, 78, True, False, False),
    "csbm": (300, None, True, False, False),
    "ring_of_cliques": (30, 66, True, True, False),
    "bridged_communities": (80, None, True, False, False),
    "pixel_grid": (576, 2 * 24 * 23, True, True, False),
    "two_moons": (300, None, True, True, False),
    "les_miserables": (77, 254, False, False, True),
}


def _readme_rows() -> dict[str, tuple[int, int, int]]:
    text = (SAMPLE_DIR / "README.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| (\d+) \| (\d+) \| .* \| (\d+) \|$", text, flags=re.MULTILINE)
    return {name: (int(n), int(m), int(k)) for name, n, m, k in rows}


def test_the_sample_list_matches_the_issue() -> None:
    assert list(list_samples()) == list(EXPECTED)
    assert all(isinstance(d, str) and d for d in list_samples().values())


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_sample_loads_by_name_with_its_documented_counts(name: str) -> None:
    start = time.perf_counter()
    graph = load_graph(name)
    print(f"{name}: loaded in {time.perf_counter() - start:.3f} s")  # measured, not asserted
    nodes, edges, labelled, has_pos, weighted = EXPECTED[name]
    assert graph.num_nodes == nodes and (edges is None or graph.num_edges == edges)
    assert graph.has_labels == labelled and (graph.pos is not None) == has_pos
    assert (graph.edge_weight is not None) == weighted
    assert graph.name == name and graph.source.startswith(f"sample {name}")
    assert graph.warnings == ([] if graph.node_names is None else [
        f"Relabelled {nodes} node ids to 0..{nodes - 1}; the ids are kept as node names."])
    info = sample_info(name)
    assert (info["num_nodes"], info["num_edges"], info["suggested_k"]) == _readme_rows()[name]
    if graph.has_labels:
        assert int(graph.y.max()) + 1 == info["suggested_k"]


def test_sample_details() -> None:
    karate = load_graph("karate")
    assert karate.y.bincount().tolist() == [17, 17]  # Mr. Hi's and the Officer's factions
    assert "Valjean" in load_graph("les_miserables").node_names
    grid = load_graph("pixel_grid")
    assert grid.num_features == 3 and grid.y.unique().numel() == 4 and grid.pos.max() == 23
    info = sample_info("csbm")
    assert set(info) >= {"description", "num_nodes", "num_edges", "suggested_k", "look_for", "origin"}
    with pytest.raises(ConfigError, match="Unknown sample"):
        sample_info("nope")


def test_the_script_reproduces_the_shipped_files_and_readme(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[1] / "sample_graphs" / "make_samples.py"
    spec = importlib.util.spec_from_file_location("make_samples", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    written = module.main(tmp_path)
    assert sorted(p.name for p in written) == sorted([f"{n}.json" for n in SAMPLES] + ["README.md"])
    for path in written:
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), f"{path.name} is out of date"
