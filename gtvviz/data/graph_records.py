"""A :class:`~gtvviz.graph.Graph` as the node and edge records that the file writers put out.

The inverse of :mod:`gtvviz.data.records`: node names become node ids (so they must be unique), each undirected
edge is written once, and floats are written as the shortest decimals that read back to the same float32 values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from gtvviz.errors import GraphFormatError
from gtvviz.graph import Graph


def short_floats(values: torch.Tensor | np.ndarray) -> list[Any]:
    """Nested lists of floats, each the shortest decimal that reads back to the same float32 value."""
    array = np.asarray(values, dtype=np.float32)
    return np.array([float(str(v)) for v in array.reshape(-1)]).reshape(array.shape).tolist()


def upper_edges(graph: Graph) -> tuple[np.ndarray, np.ndarray, list[float] | None]:
    """Each undirected edge once (``row < col``), with its weight as a short float when weighted."""
    row, col = graph.edge_index.numpy()
    upper = row < col
    weights = None if graph.edge_weight is None else short_floats(graph.edge_weight.numpy()[upper])
    return row[upper], col[upper], weights


def node_names(graph: Graph) -> list[str]:
    """The node names of ``graph``, which a file uses as node ids, so they must be unique."""
    names = [graph.node_name(i) for i in range(graph.num_nodes)]
    if len(set(names)) != len(names):
        raise GraphFormatError("the node names are not unique, so they cannot be written as node ids; rename them.")
    return names


def node_records(graph: Graph, *, lists: bool) -> list[tuple[str, dict[str, Any]]]:
    """``(name, attributes)`` per node: ``y``, then ``x``/``pos`` as lists or ``x_<j>``/``pos_x``/``pos_y``."""
    x = None if graph.x is None else short_floats(graph.x)
    records = []
    for i, name in enumerate(node_names(graph)):
        attrs: dict[str, Any] = {}
        if graph.y is not None:
            attrs["y"] = int(graph.y[i])
        if x is not None:
            attrs.update({"x": x[i]} if lists else {f"x_{j}": v for j, v in enumerate(x[i])})
        if graph.pos is not None:
            px, py = (float(v) for v in graph.pos[i])
            attrs.update({"pos": [px, py]} if lists else {"pos_x": px, "pos_y": py})
        records.append((name, attrs))
    return records


def edge_records(graph: Graph) -> list[tuple[str, str, dict[str, Any]]]:
    """``(source name, target name, attributes)`` per undirected edge; ``weight`` only when weighted."""
    names = node_names(graph)
    row, col, weights = upper_edges(graph)
    return [
        (names[u], names[v], {} if weights is None else {"weight": weights[k]})
        for k, (u, v) in enumerate(zip(row.tolist(), col.tolist()))
    ]
