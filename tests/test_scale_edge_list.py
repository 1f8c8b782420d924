"""Edge lists read in memory linear in the edges (gtvviz.data.edge_columns, gtvviz.data.inputs.text_lines): the
same graphs as building them from the lists of string ids with records.assemble, across buffers and chunks."""

import numpy as np
import pytest
import torch

from gtvviz.data import edge_columns, load_graph_bytes
from gtvviz.data.inputs import text_lines
from gtvviz.data.records import Origin, assemble
from gtvviz.errors import GraphFormatError


def _csv(src: list[str], dst: list[str], weights: list[float] | None = None) -> bytes:
    header = "source,target" + (",weight" if weights is not None else "")
    rows = [f"{a},{b}" + (f",{w}" if weights is not None else "") for a, b, w in
            zip(src, dst, weights if weights is not None else [None] * len(src))]
    return ("\n".join([header, *rows]) + "\n").encode()


def _expected(src: list[str], dst: list[str], weights: list[float] | None = None):
    return assemble(src, dst, Origin("e.csv", "e.csv"), weights=weights, directed=False)


def _same(graph, expected) -> None:
    assert torch.equal(graph.edge_index, expected.edge_index)
    assert graph.num_nodes == expected.num_nodes and graph.node_names == expected.node_names
    assert (graph.edge_weight is None) == (expected.edge_weight is None)
    if graph.edge_weight is not None:
        assert torch.equal(graph.edge_weight, expected.edge_weight)
    assert graph.warnings == expected.warnings


@pytest.fixture
def small_buffers(monkeypatch):
    monkeypatch.setattr(edge_columns, "BUFFER_ROWS", 3)  # every few rows is a new buffer


def _random_edges(ids: list[str], m: int, seed: int) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    pairs = rng.choice(len(ids), size=(m, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return [ids[i] for i in pairs[:, 0]], [ids[j] for j in pairs[:, 1]]


@pytest.mark.parametrize("ids", [
    [str(i) for i in range(30)],                                   # exactly 0..N-1: no names
    [str(7 * i + 3) for i in range(30)],                           # integers with gaps, sorted numerically
    [str(10**12 + 977 * i) for i in range(30)],                    # beyond the lookup table: sorted distinct ids
    [str(10**25 + i) for i in range(30)],                          # beyond int64: sorted by digit count, digits
    [f"n{i}" for i in range(30)],                                  # names: order of first appearance
    ["00" + str(i) for i in range(30)],                            # leading zeros are names, not integers
], ids=["default", "gaps", "sparse", "long", "names", "zeros"])
def test_the_graph_of_assemble(small_buffers, ids) -> None:
    src, dst = _random_edges(ids, 80, seed=1)
    _same(load_graph_bytes(_csv(src, dst), "e.csv"), _expected(src, dst))


def test_names_after_integers_keep_the_order_of_appearance(small_buffers) -> None:
    """Integer ids for several buffers, then a name: the integers already stored are coded as names, and the
    order is the first appearance over all sources, then all targets (a target-only id comes last)."""
    src = ["5", "3", "9", "3", "12", "5", "x", "9", "3"]
    dst = ["3", "40", "12", "7", "9", "12", "5", "y", "x"]
    graph = load_graph_bytes(_csv(src, dst), "e.csv")
    _same(graph, _expected(src, dst))
    assert graph.node_names == ["5", "3", "9", "12", "x", "40", "7", "y"]


def test_weights_and_duplicates(small_buffers) -> None:
    src, dst = ["1", "2", "3", "2", "4", "1"], ["2", "3", "4", "1", "1", "3"]
    weights = [0.5, 2.0, 1.5, 0.25, 3.0, 1.0]
    graph = load_graph_bytes(_csv(src, dst, weights), "e.csv")
    _same(graph, _expected(src, dst, weights))
    assert "Merged 1 duplicate edges" in " ".join(graph.warnings)  # 1-2 and 2-1


def test_a_node_table_gives_the_order(small_buffers, tmp_path) -> None:
    (tmp_path / "n.csv").write_text("id,label\nc,0\na,1\nb,0\nd,1\n")
    graph = load_graph_bytes(b"source,target\na,b\nb,c\nc,a\nd,a\nb,d\n", "e.csv", nodes=tmp_path / "n.csv")
    assert graph.node_names == ["c", "a", "b", "d"]
    edges = {(graph.node_names[i], graph.node_names[j]) for i, j in graph.edge_index.t().tolist()}
    assert edges == {(u, v) for a, b in ["ab", "bc", "ca", "da", "bd"] for u, v in [(a, b), (b, a)]}
    assert graph.y.tolist() == [0, 1, 0, 1]


def test_text_lines_across_chunks() -> None:
    """Chunks of a few bytes give the lines a text file gives (split at \\n only, endings kept), and a quoted
    field that spans lines still reads as one."""
    data = "source,target\r\na,b\n\"c\nd\",é\n\nx,y".encode()
    assert list(text_lines(data, chunk_bytes=3)) == ["source,target\r\n", "a,b\n", "\"c\n", "d\",é\n", "\n", "x,y"]
    graph = load_graph_bytes(data, "e.csv")
    assert graph.node_names == ["a", "c\nd", "x", "b", "é", "y"]
    assert list(text_lines(b"\xef\xbb\xbfs,t\n", chunk_bytes=1)) == ["s,t\n"]  # the byte-order mark goes


@pytest.mark.parametrize("data, message", [
    (b"s,t\n1,2\n3,4\n5,\xff\n", "undecodable byte at line 4"),
    (b"s,t\n1,2\n\x00\n", "NUL bytes"),
    (b" \n\t\n", "the file is empty"),
])
def test_text_lines_errors(data, message) -> None:
    with pytest.raises(GraphFormatError, match=message):
        list(text_lines(data, chunk_bytes=2))


def test_the_pairs_are_handed_over_as_int32_and_the_int64_buffer_is_released() -> None:
    columns = edge_columns.EdgeColumns(10, weighted=False)
    for source, target in [("5", "7"), ("7", "9"), ("9", "5")]:
        columns.add(source, target)
    pairs, num_nodes, names, weights = columns.finish()
    assert pairs.dtype == np.int32 and pairs.tolist() == [[0, 1, 2], [1, 2, 0]]
    assert (num_nodes, names, weights) == (3, ["5", "7", "9"], None)
    assert columns.pairs is pairs  # the (2, capacity) int64 array is no longer held
