"""Tables for display and download: the nodes of a graph, per-node assignments and a run's history."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

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


#: Readable column names of the metrics (the keys of :func:`gtvviz.metrics.evaluate` and of a run's results).
METRIC_NAMES = {
    "nmi": "NMI", "acc": "accuracy", "ari": "ARI", "cut_fraction": "cut edges (fraction)",
    "conductance": "conductance", "modularity": "modularity", "size_balance": "size balance",
    "sharpness": "sharpness", "boundary_sharpness": "sharpness at the boundary", "seconds": "seconds",
    "epoch": "epoch", "n_clusters_used": "clusters used", "collapsed": "collapsed", "diverged": "diverged",
}
#: What an undefined metric (``None`` or NaN, e.g. NMI without labels, anything for a method with no epochs) shows.
MISSING = "–"


def metrics_table(results: Mapping[str, Mapping[str, Any]], columns: Sequence[str], decimals: int = 3) -> pd.DataFrame:
    """One row per method (the index) and one column per metric of ``columns`` that any method has, named by
    :data:`METRIC_NAMES`, values rounded to ``decimals`` as text; undefined values show as :data:`MISSING`, never
    "None" or "nan"."""
    present = [c for c in columns if any(c in row for row in results.values())]

    def cell(value: Any, column: str) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return MISSING
        if column == "epoch":
            return str(int(value))
        return f"{float(value):.{decimals}f}"

    return pd.DataFrame(
        {METRIC_NAMES.get(c, c.replace("_", " ")): [cell(row.get(c), c) for row in results.values()] for c in present},
        index=pd.Index(list(results), name="method"),
    )


def to_csv(table: pd.DataFrame) -> str:
    """CSV text of ``table`` without the index."""
    return table.to_csv(index=False)
