"""The paper's datasets through PyG's loaders, from a writable copy of ../shared/datasets (always offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtvviz.data import DATASETS, default_data_root, load_graph, load_tu_dataset
from gtvviz.errors import ConfigError, GraphFormatError


@pytest.mark.parametrize(("name", "nodes", "classes"), [
    ("Cora", 2708, 7),
    ("CiteSeer", 3327, 6),
    pytest.param("DBLP", 17716, 4, marks=pytest.mark.slow),
    pytest.param("Computers", 13752, 10, marks=pytest.mark.slow),
    pytest.param("CS", 18333, 15, marks=pytest.mark.slow),
])
def test_node_level_datasets_load_as_graphs(name: str, nodes: int, classes: int, dataset_root: Path) -> None:
    graph = load_graph(f"pyg:{name}", data_root=dataset_root)
    assert graph.num_nodes == nodes and int(graph.y.max()) + 1 == classes and graph.num_features > 0
    assert graph.name == name and graph.source == f"PyG {DATASETS[name].cls}({name}) at {dataset_root}"
    assert graph.num_edges > 0 and graph.edge_weight is None
    graph.validate()


def test_dataset_names_are_case_insensitive_and_the_env_sets_the_root(dataset_root: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GTVVIZ_DATA_ROOT", str(dataset_root))
    assert default_data_root() == dataset_root
    assert load_graph("pyg:cora").num_nodes == 2708


def test_tu_datasets_come_back_as_pyg_datasets(dataset_root: Path) -> None:
    mutag = load_tu_dataset("MUTAG", data_root=dataset_root)
    assert len(mutag) == 188 and mutag.num_classes == 2
    assert len(load_tu_dataset("MUTAG", data_root=dataset_root, cleaned=True)) == 135


def test_graph_level_or_unknown_names_are_refused(dataset_root: Path) -> None:
    with pytest.raises(ConfigError, match="Unknown PyG dataset 'MUTAG'"):
        load_graph("pyg:MUTAG", data_root=dataset_root)
    with pytest.raises(ConfigError, match="not a TU dataset name"):
        load_tu_dataset("../etc", data_root=dataset_root)


def test_offline_missing_files_name_the_files_and_the_folder(tmp_path: Path) -> None:
    with pytest.raises(GraphFormatError) as info:
        load_graph("pyg:Cora", data_root=tmp_path)
    message = str(info.value)
    assert "GTVVIZ_OFFLINE=1" in message and str(tmp_path / "Cora" / "raw") in message
    assert all(f"ind.cora.{part}" in message for part in ("x", "tx", "allx", "y", "ty", "ally", "graph"))
    with pytest.raises(GraphFormatError, match=r"ms_academic_cs\.npz in the folder .*CS"):
        load_graph("pyg:CS", data_root=tmp_path)
    with pytest.raises(GraphFormatError, match=r"dblp\.npz in the folder .*dblp"):
        load_graph("pyg:DBLP", data_root=tmp_path)
    with pytest.raises(GraphFormatError, match=r"MUTAG_A\.txt.*MUTAG.raw_cleaned"):
        load_tu_dataset("MUTAG", data_root=tmp_path, cleaned=True)
    assert not (tmp_path / "Cora").exists()  # nothing was created, nothing was downloaded
