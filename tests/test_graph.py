"""The Graph container: normalisation on the way in (each repair a warning), invariants, conversions."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gtvviz.errors import GraphFormatError
from gtvviz.graph import MAX_NODES, Graph, as_graph


def _pairs(graph: Graph) -> set[tuple[int, int]]:
    return {(int(u), int(v)) for u, v in graph.edge_index.t() if u < v}


def test_directed_input_is_symmetrised_with_a_warning() -> None:
    graph = Graph.from_edges([[0, 1, 2], [1, 2, 0]])
    assert _pairs(graph) == {(0, 1), (1, 2), (0, 2)} and graph.num_edges == 3
    assert any("Symmetrised 3 directed edges" in w for w in graph.warnings)


def test_both_directions_make_one_edge_without_warnings() -> None:
    graph = Graph.from_edges([[0, 1, 1, 2], [1, 0, 2, 1]])
    assert graph.num_edges == 2 and graph.warnings == []


def test_undirected_input_is_not_reported_as_symmetrised() -> None:
    graph = Graph.from_edges([[0, 1], [1, 2]], directed=False)
    assert graph.num_edges == 2 and graph.warnings == []


def test_undirected_duplicates_in_either_orientation_are_summed() -> None:
    graph = Graph.from_edges([[0, 1, 2], [1, 0, 1]], 3, weights=[1.0, 2.0, 5.0], directed=False)
    weight = {(int(u), int(v)): float(w) for (u, v), w in zip(graph.edge_index.t(), graph.edge_weight)}
    assert weight[(0, 1)] == weight[(1, 0)] == 3.0 and weight[(1, 2)] == 5.0
    assert graph.warnings == ["Merged 1 duplicate edges (their weights are summed)."]


def test_self_loops_are_dropped_with_a_warning() -> None:
    graph = Graph.from_edges([[0, 1, 1], [0, 1, 2]], 3)
    assert _pairs(graph) == {(1, 2)}
    assert any("Dropped 2 self-loops" in w for w in graph.warnings)


def test_duplicate_edges_are_merged_summing_weights() -> None:
    graph = Graph.from_edges([[0, 0, 1], [1, 1, 0]], 2, weights=[1.0, 2.0, 3.0])
    # (0, 1) twice: summed to 3; (1, 0) once with weight 3: the two directions agree.
    assert graph.edge_weight.tolist() == [3.0, 3.0]
    assert any("Merged 1 duplicate edges" in w for w in graph.warnings)


def test_directions_with_different_weights_take_the_mean() -> None:
    graph = Graph.from_edges([[0, 1], [1, 0]], 2, weights=[1.0, 3.0])
    assert graph.edge_weight.tolist() == [2.0, 2.0]
    assert any("mean" in w for w in graph.warnings)


def test_zero_weights_are_dropped_with_a_warning() -> None:
    graph = Graph.from_edges([[0, 1], [1, 2]], 3, weights=[0.0, 1.0], directed=False)
    assert _pairs(graph) == {(1, 2)} and any("weight 0" in w for w in graph.warnings)


def test_string_ids_are_relabelled_and_kept_as_names() -> None:
    graph = Graph.from_edges([("a", "b"), ("b", "c"), ("c", "a")])
    assert graph.num_nodes == 3 and graph.node_names == ["a", "b", "c"]
    assert graph.node_name(2) == "c" and _pairs(graph) == {(0, 1), (1, 2), (0, 2)}
    assert any("Relabelled 3 node ids" in w for w in graph.warnings)


def test_node_ids_give_the_node_order() -> None:
    graph = Graph.from_edges([("z", "x")], node_ids=["x", "y", "z"], y=[0, 1, 2])
    assert graph.num_nodes == 3 and graph.node_names == ["x", "y", "z"] and _pairs(graph) == {(0, 2)}


def test_an_edge_index_of_shape_2x2_is_read_as_two_rows() -> None:
    graph = Graph.from_edges(np.array([[0, 1], [2, 3]]))  # sources (0, 1), targets (2, 3)
    assert _pairs(graph) == {(0, 2), (1, 3)}
    graph = Graph.from_edges(torch.tensor([[0, 1], [2, 3]]))
    assert _pairs(graph) == {(0, 2), (1, 3)}


def test_an_m_by_2_edge_list_is_accepted() -> None:
    graph = Graph.from_edges(np.array([[0, 1], [1, 2], [2, 3]]))
    assert _pairs(graph) == {(0, 1), (1, 2), (2, 3)}


def test_edge_index_is_sorted_symmetric_and_validated() -> None:
    graph = Graph.from_edges([[3, 0, 2], [1, 2, 1]], 4, weights=[1.0, 2.0, 3.0])
    row, col = graph.edge_index
    assert torch.equal(graph.edge_index, graph.edge_index[:, np.lexsort((col.numpy(), row.numpy()))])
    graph.validate()
    assert graph.degree().tolist() == [2.0, 4.0, 5.0, 1.0]


@pytest.mark.parametrize("bad", [
    dict(edges=[[0, 1, 2]]),                                   # neither 2 x M nor M x 2
    dict(edges=[[0], [5]], num_nodes=3),                       # id out of range
    dict(edges=[[0], [1]], weights=[-1.0]),                    # negative weight
    dict(edges=[[0], [1]], weights=[float("nan")]),            # NaN weight
    dict(edges=[[0], [1]], weights=[1.0, 2.0]),                # wrong number of weights
    dict(edges=[[0], [1]], weights=["heavy"]),                 # non-numeric weight
    dict(edges=[[0], [1]], x=[[1.0], [float("inf")]]),         # non-finite feature
    dict(edges=[[0], [1]], x=[[1.0]]),                         # one feature row for two nodes
    dict(edges=[("a", "b")], node_ids=["a", "a", "b"]),        # repeated node id
    dict(edges=[("a", "q")], node_ids=["a", "b"]),             # unknown endpoint
    dict(edges=[[0], [1]], pos=[[0.0, 0.0]]),                  # one position for two nodes
])
def test_bad_input_raises_graph_format_error(bad: dict) -> None:
    with pytest.raises(GraphFormatError):
        Graph.from_edges(**bad)


def test_too_many_nodes_is_refused() -> None:
    with pytest.raises(GraphFormatError, match="over the limit"):
        Graph.from_edges([[0], [1]], MAX_NODES + 1)


def test_the_constructor_validates_invariants() -> None:
    with pytest.raises(GraphFormatError, match="not symmetric"):
        Graph(edge_index=torch.tensor([[0], [1]]), num_nodes=2)
    with pytest.raises(GraphFormatError, match="self-loops"):
        Graph(edge_index=torch.tensor([[0], [0]]), num_nodes=1)
    good = Graph.from_edges([[0], [1]])
    with pytest.raises(GraphFormatError, match="one row per node"):
        good.with_updates(x=torch.ones(3, 2))


def test_scipy_adjacency_by_hand() -> None:
    weighted = Graph.from_edges([[0, 1], [1, 2]], 4, weights=[2.0, 0.5])  # node 3 is isolated
    np.testing.assert_array_equal(weighted.to_scipy().toarray(),
                                  [[0, 2, 0, 0], [2, 0, 0.5, 0], [0, 0.5, 0, 0], [0, 0, 0, 0]])
    plain = Graph.from_edges([[0, 1]], 2).to_scipy()
    assert plain.format == "csr" and plain.toarray().tolist() == [[0, 1], [1, 0]]


def test_networkx_round_trip_keeps_everything() -> None:
    graph = Graph.from_edges([("a", "b"), ("b", "c")], weights=[2.0, 0.5], x=np.eye(3), y=[0, 1, 1],
                             pos=np.arange(6.0).reshape(3, 2), directed=False)
    g = graph.to_networkx()
    assert g.number_of_edges() == 2 and g.nodes[0]["name"] == "a"
    back = Graph.from_networkx(g)
    assert torch.equal(back.edge_index, graph.edge_index) and torch.equal(back.edge_weight, graph.edge_weight)
    assert torch.equal(back.x, graph.x) and torch.equal(back.y, graph.y) and np.array_equal(back.pos, graph.pos)
    assert back.warnings == []  # an undirected networkx graph lists each edge once: nothing to report


def test_from_networkx_symmetrises_a_digraph_with_a_warning() -> None:
    back = Graph.from_networkx(nx.DiGraph([(0, 1), (1, 2), (2, 1)]))
    assert back.num_edges == 2 and any("Symmetrised 1" in w for w in back.warnings)


def test_pyg_round_trip_keeps_everything() -> None:
    graph = Graph.from_edges([[0, 1], [1, 2]], weights=[2.0, 3.0], x=np.ones((3, 2)), y=[0, 0, 1],
                             pos=np.zeros((3, 2)), directed=False)
    back = Graph.from_pyg(graph.to_pyg())
    assert torch.equal(back.edge_index, graph.edge_index) and torch.equal(back.edge_weight, graph.edge_weight)
    assert torch.equal(back.x, graph.x) and torch.equal(back.y, graph.y) and back.warnings == []


def test_as_graph_accepts_the_three_containers_and_nothing_else() -> None:
    graph = Graph.from_edges([[0], [1]])
    assert as_graph(graph) is graph
    assert as_graph(nx.path_graph(3)).num_edges == 2
    assert as_graph(graph.to_pyg()).num_edges == 1
    with pytest.raises(GraphFormatError, match="Expected a gtvviz Graph"):
        as_graph([[0, 1]])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(0.1, 10.0)), max_size=40),
       st.booleans())
def test_any_edge_list_normalises_to_a_valid_graph(edges: list, directed: bool) -> None:
    src = [u for u, _, _ in edges]
    dst = [v for _, v, _ in edges]
    graph = Graph.from_edges([src, dst], 10, weights=[w for _, _, w in edges], directed=directed)
    graph.validate()
    expected = {(min(u, v), max(u, v)) for u, v, _ in edges if u != v}
    assert _pairs(graph) == expected
    if not directed:  # undirected: every weight of an unordered pair is summed
        total: dict[tuple[int, int], float] = {}
        for u, v, w in edges:
            if u != v:
                total[(min(u, v), max(u, v))] = total.get((min(u, v), max(u, v)), 0.0) + w
        got = {(int(u), int(v)): float(w) for (u, v), w in zip(graph.edge_index.t(), graph.edge_weight) if u < v}
        assert got == pytest.approx(total, rel=1e-5)


def test_repairs_are_issued_as_graph_repair_warnings_at_the_callers_line(tmp_path) -> None:
    """Each repair is a GraphRepairWarning pointing at the user's line (here, this file), whether the graph is built
    directly or loaded from a file; a relabelling of node ids is no repair and stays in Graph.warnings only."""
    import warnings

    from gtvviz import GraphRepairWarning, load_graph

    path = tmp_path / "people.csv"
    path.write_text("source,target\nann,bob\nbob,ann\nann,ann\nbob,cid\nbob,cid\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        built = Graph.from_edges([[0, 0, 1, 1], [0, 1, 2, 2]])
        loaded = load_graph(path)
    repairs = [w for w in caught if issubclass(w.category, GraphRepairWarning)]
    assert [str(w.message) for w in repairs] == built.warnings + loaded.warnings[1:]
    assert {w.filename for w in repairs} == {__file__}
    assert loaded.warnings[0].startswith("Relabelled 3 node ids") and len(loaded.warnings) == 3
    assert not [w for w in caught if not issubclass(w.category, GraphRepairWarning)]
