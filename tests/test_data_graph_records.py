"""A Graph as the records the writers put out (gtvviz.data.graph_records), checked on a graph built by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gtvviz.data.graph_records import edge_records, node_names, node_records, short_floats, upper_edges
from gtvviz.errors import GraphFormatError
from gtvviz.graph import Graph


def triangle() -> Graph:
    edges = np.array([[0, 1], [1, 2], [0, 2]]).T
    graph = Graph.from_edges(edges, 3, directed=False, weights=[0.5, 2.0, 1.0], y=[1, 0, 1],
                             x=[[0.1, 1.0], [0.2, 2.0], [0.3, 3.0]])
    return graph.with_updates(node_names=["a", "b", "c"])


def test_short_floats_are_the_shortest_decimals_of_the_float32_values() -> None:
    assert short_floats(torch.tensor([0.1, 1 / 3])) == [0.1, 0.33333334]


def test_each_undirected_edge_is_written_once_with_its_weight() -> None:
    row, col, weights = upper_edges(triangle())
    assert sorted(zip(row.tolist(), col.tolist(), weights)) == [(0, 1, 0.5), (0, 2, 1.0), (1, 2, 2.0)]


def test_node_and_edge_records_name_the_nodes() -> None:
    graph = triangle()
    assert node_records(graph, lists=True)[1] == ("b", {"y": 0, "x": [0.2, 2.0]})
    assert node_records(graph, lists=False)[2] == ("c", {"y": 1, "x_0": 0.3, "x_1": 3.0})
    assert sorted(edge_records(graph)) == [("a", "b", {"weight": 0.5}), ("a", "c", {"weight": 1.0}),
                                           ("b", "c", {"weight": 2.0})]


def test_repeated_node_names_cannot_be_written_as_ids() -> None:
    graph = triangle().with_updates(node_names=["a", "a", "c"])
    with pytest.raises(GraphFormatError, match="not unique"):
        node_names(graph)
