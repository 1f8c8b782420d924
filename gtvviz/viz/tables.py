"""Tables for display and download: the nodes of a graph, per-node assignments and a run's history."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from gtvviz.graph import Graph


def _labels(graph: Graph) -> pd.arrays.IntegerArray:
    """Ground-truth labels as a nullable integer column (empty where unknown or absent)."""
    y = graph.y.numpy() if graph.y is not None else np.full(graph.num_nodes, -1)
    return pd.array([int(v) if v >= 0 else None for v in y], dtype="Int64")


def node_table(graph: Graph) -> pd.DataFrame:
    """One row per node: node, name, ground-truth label and weighted degree."""
    return pd.DataFrame({
        "node": np.arange(graph.num_nodes),
        "name": [graph.node_name(i) for i in range(graph.num_nodes)],
        "label": _labels(graph),
        "degree": graph.degree().numpy(),
    })


def assignments_table(graph: Graph, s: np.ndarray) -> pd.DataFrame:
    """One row per node: node, name, label, cluster, confidence and the soft assignment ``s_0 .. s_{K-1}``.

    ``label`` is the ground-truth label (empty when unknown), ``cluster`` the hard assignment
    :math:`\\arg\\max_k s_{ik}` and ``confidence`` :math:`\\max_k s_{ik}`.
    """
    table = pd.DataFrame({
        "node": np.arange(graph.num_nodes),
        "name": [graph.node_name(i) for i in range(graph.num_nodes)],
        "label": _labels(graph),
        "cluster": s.argmax(axis=1),
        "confidence": s.max(axis=1),
    })
    soft = pd.DataFrame(s, columns=[f"s_{k}" for k in range(s.shape[1])])
    return pd.concat([table, soft], axis=1)


def history_table(history: Sequence[Mapping[str, float]]) -> pd.DataFrame:
    """One row per epoch with every loss term and metric recorded by the trainer."""
    return pd.DataFrame(list(history))


def to_csv(table: pd.DataFrame) -> str:
    """CSV text of ``table`` without the index."""
    return table.to_csv(index=False)
