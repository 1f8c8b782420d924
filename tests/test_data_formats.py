"""Every file format: save then load gives the same graph; uploads (bytes, file-like) load the same way."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import torch

from gtvviz.data import FORMATS, load_graph, load_graph_bytes, save_graph
from gtvviz.errors import ConfigError, GraphFormatError
from gtvviz.graph import Graph

#: Formats that keep features, labels, positions and names (Matrix Market keeps only edges and weights).
FULL = [name for name in FORMATS if name != "mtx"]


def _rich_graph(weighted: bool = True, named: bool = True) -> Graph:
    """Named nodes (one isolated), weights, features, labels (one unknown) and positions."""
    rng = np.random.default_rng(0)
    names = ["ann", "bob", "cy", "dee", "eve", "lone"] if named else None
    edges = [[0, 0, 1, 2, 3], [1, 2, 2, 3, 4]]
    graph = Graph.from_edges(
        edges, 6, weights=[0.5, 1.25, 3.0, 1e-3, 7.0] if weighted else None, x=rng.normal(size=(6, 3)),
        y=[0, 0, 1, 1, -1, 2], pos=rng.uniform(size=(6, 2)), directed=False, name="rich",
    )
    return graph.with_updates(node_names=names)


def _assert_same(a: Graph, b: Graph, full: bool = True) -> None:
    assert a.num_nodes == b.num_nodes
    assert torch.equal(a.edge_index, b.edge_index)
    assert (a.edge_weight is None) == (b.edge_weight is None)
    if a.edge_weight is not None:
        assert torch.equal(a.edge_weight, b.edge_weight)
    if full:
        for field in ("x", "y"):
            va, vb = getattr(a, field), getattr(b, field)
            assert (va is None) == (vb is None) and (va is None or torch.equal(va, vb)), field
        assert (a.pos is None) == (b.pos is None) and (a.pos is None or np.array_equal(a.pos, b.pos))
        assert [a.node_name(i) for i in range(a.num_nodes)] == [b.node_name(i) for i in range(b.num_nodes)]


def _load_saved(paths: list[Path]) -> Graph:
    return load_graph(paths[0], **({"nodes": paths[1]} if len(paths) > 1 else {}))


@pytest.mark.parametrize("fmt", FULL)
@pytest.mark.parametrize("weighted", [True, False])
def test_round_trip_keeps_edges_weights_features_labels_positions_names(fmt: str, weighted: bool,
                                                                        tmp_path: Path) -> None:
    graph = _rich_graph(weighted)
    paths = save_graph(graph, tmp_path / f"g{FORMATS[fmt].extensions[0]}")
    back = _load_saved(paths)
    _assert_same(graph, back)
    assert not any("Symmetrised" in w or "Merged" in w for w in back.warnings)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_of_an_unnamed_graph_needs_no_names(fmt: str, tmp_path: Path) -> None:
    graph = Graph.from_edges([[0, 1, 2, 3], [1, 2, 3, 0]], 4, weights=[1.0, 2.0, 3.0, 4.0], directed=False)
    back = _load_saved(save_graph(graph, tmp_path / f"ring{FORMATS[fmt].extensions[0]}"))
    _assert_same(graph, back, full=fmt != "mtx")
    assert back.node_names is None and back.warnings == []


def test_matrix_market_keeps_edges_and_weights(tmp_path: Path) -> None:
    graph = _rich_graph()
    (path,) = save_graph(graph, tmp_path / "g.mtx")
    _assert_same(graph, load_graph(path), full=False)
    assert "pattern" in path.read_text().splitlines()[0] or graph.edge_weight is not None
    (path,) = save_graph(_rich_graph(weighted=False), tmp_path / "u.mtx")
    assert "pattern symmetric" in path.read_text().splitlines()[0] and load_graph(path).edge_weight is None


@pytest.mark.parametrize("fmt", FULL)
def test_uploads_as_bytes_and_file_objects_load_like_files(fmt: str, tmp_path: Path) -> None:
    graph = _rich_graph()
    paths = save_graph(graph, tmp_path / f"g{FORMATS[fmt].extensions[0]}")
    options = {"nodes": io.BytesIO(paths[1].read_bytes())} if len(paths) > 1 else {}
    from_bytes = load_graph_bytes(paths[0].read_bytes(), f"upload{paths[0].suffix}", **options)
    _assert_same(graph, from_bytes)
    assert from_bytes.source == f"upload upload{paths[0].suffix}"
    options = {"nodes": paths[1].read_bytes()} if len(paths) > 1 else {}
    from_stream = load_graph(io.BytesIO(paths[0].read_bytes()), format=fmt, name="anything.bin", **options)
    _assert_same(graph, from_stream)


def test_explicit_format_overrides_the_extension(tmp_path: Path) -> None:
    (path,) = save_graph(_rich_graph(named=False), tmp_path / "graph.data", format="json")
    assert path == tmp_path / "graph.data" and load_graph(path, format="node-link").num_nodes == 6


def test_text_file_objects_are_accepted() -> None:
    graph = load_graph(io.StringIO("source,target\na,b\nb,c\n"), format="csv")
    assert graph.num_edges == 2 and graph.node_names == ["a", "b", "c"]


def test_csv_edge_list_without_node_table() -> None:
    graph = load_graph_bytes(b"Source , Target,Weight\n2,0,1.5\n0,1,2\n\n1,0,1\n", "e.csv")
    assert graph.num_nodes == 3 and graph.node_names is None  # integer ids 0..2 are used as they are
    weights = {(int(u), int(v)): float(w) for (u, v), w in zip(graph.edge_index.t(), graph.edge_weight)}
    assert weights[(0, 1)] == 3.0 and weights[(0, 2)] == 1.5  # 0-1 listed twice: a duplicate, summed
    assert any("Merged 1 duplicate" in w for w in graph.warnings)


def test_csv_directed_option_reads_rows_as_directed_edges() -> None:
    text = b"source,target,weight\n0,1,1\n1,0,3\n1,2,1\n"
    graph = load_graph_bytes(text, "d.csv", directed=True)
    weights = {(int(u), int(v)): float(w) for (u, v), w in zip(graph.edge_index.t(), graph.edge_weight)}
    assert weights[(0, 1)] == 2.0  # both directions: one edge with the mean weight
    assert any("Symmetrised 1" in w for w in graph.warnings)
    assert load_graph_bytes(text, "d.csv", directed="false").edge_weight.max() == 4.0
    with pytest.raises(ConfigError, match="directed must be true or false"):
        load_graph_bytes(text, "d.csv", directed="maybe")


def test_csv_integer_ids_with_gaps_are_kept_as_names() -> None:
    graph = load_graph_bytes(b"source,target\n10,2\n2,7\n", "gaps.csv")
    assert graph.node_names == ["2", "7", "10"] and any("Relabelled 3" in w for w in graph.warnings)


def test_node_table_with_label_names_list_features_and_isolated_nodes() -> None:
    edges = b"source,target\nann,bob\n"
    nodes = b'id,label,x\nann,red,"1 2"\nbob,blue,[3;4]\ncy,,5 6\n'
    graph = load_graph_bytes(edges, "e.csv", nodes=nodes)
    assert graph.num_nodes == 3 and graph.node_names == ["ann", "bob", "cy"]
    assert graph.y.tolist() == [1, 0, -1] and graph.x.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert any("Mapped 2 label names" in w for w in graph.warnings)


def test_node_table_other_columns_are_numeric_features(tmp_path: Path) -> None:
    (tmp_path / "n.tsv").write_text("id\tage\theight\tpos_x\tpos_y\n1\t30\t1.8\t0\t1\n2\t40\t1.6\t1\t0\n")
    graph = load_graph_bytes(b"source\ttarget\n1\t2\n", "e.tsv", nodes=tmp_path / "n.tsv")
    assert graph.x.tolist() == [[30.0, pytest.approx(1.8)], [40.0, pytest.approx(1.6)]]
    assert graph.pos.tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_networkx_written_files_load(tmp_path: Path) -> None:
    g = nx.les_miserables_graph()
    for writer, suffix in ((nx.write_graphml, ".graphml"), (nx.write_gml, ".gml"), (nx.write_gexf, ".gexf")):
        writer(g, tmp_path / f"m{suffix}")
        graph = load_graph(tmp_path / f"m{suffix}")
        assert (graph.num_nodes, graph.num_edges) == (77, 254) and graph.edge_weight is not None
        assert "Valjean" in graph.node_names and not any("Symmetrised" in w for w in graph.warnings)


def test_directed_graphml_is_symmetrised_with_a_warning(tmp_path: Path) -> None:
    nx.write_graphml(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b")]), tmp_path / "d.graphml")
    graph = load_graph(tmp_path / "d.graphml")
    assert graph.num_edges == 2 and any("Symmetrised 1" in w for w in graph.warnings)


def test_graph_to_networkx_json_keeps_labels_and_features(tmp_path: Path) -> None:
    import json

    graph = _rich_graph(named=False)
    data = nx.node_link_data(graph.to_networkx(), edges="links")
    (tmp_path / "nx.json").write_text(json.dumps(data))
    back = load_graph(tmp_path / "nx.json")
    assert torch.equal(back.x, graph.x) and torch.equal(back.y, graph.y) and torch.equal(back.edge_index,
                                                                                          graph.edge_index)


def test_gnn_benchmark_npz_from_the_shared_datasets(dataset_root: Path) -> None:
    graph = load_graph(dataset_root / "npz" / "cora.npz")
    assert graph.num_nodes == 2708 and graph.num_features == 1433 and graph.has_labels
    assert graph.node_names is not None and graph.edge_weight is None


def test_save_graph_accepts_networkx_and_refuses_missing_folders(tmp_path: Path) -> None:
    (path,) = save_graph(nx.path_graph(4), tmp_path / "p.gml")
    assert load_graph(path).num_edges == 3
    with pytest.raises(GraphFormatError, match="does not exist"):
        save_graph(nx.path_graph(4), tmp_path / "missing" / "p.gml")


def test_layouts_written_by_gephi_become_positions(tmp_path: Path) -> None:
    g = nx.path_graph(3)
    for v in g:
        g.nodes[v].update(x=float(v) + 0.5, y=2.25 * v, size=1.0)
    nx.write_graphml(g, tmp_path / "gephi.graphml")
    graph = load_graph(tmp_path / "gephi.graphml")
    assert graph.pos.tolist() == [[0.5, 0.0], [1.5, 2.25], [2.5, 4.5]] and graph.x is None and graph.y is None
    for v in g:
        g.nodes[v].clear()
        g.nodes[v]["viz"] = {"position": {"x": float(v), "y": -1.0, "z": 0.0}}
    nx.write_gexf(g, tmp_path / "gephi.gexf")
    assert load_graph(tmp_path / "gephi.gexf").pos.tolist() == [[0.0, -1.0], [1.0, -1.0], [2.0, -1.0]]
