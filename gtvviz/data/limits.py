"""Documented size limits of everything the data layer reads or generates.

The node and edge limits of a :class:`~gtvviz.graph.Graph` live in :mod:`gtvviz.graph` (:data:`MAX_NODES`,
:data:`MAX_EDGES`) and are re-exported here so that every limit can be found in one place. Raise a limit by
editing its constant.
"""

from __future__ import annotations

from gtvviz.errors import GraphFormatError
from gtvviz.graph import MAX_EDGES, MAX_NODES

#: Largest upload (bytes or a file-like object, e.g. from the app) that :func:`~gtvviz.data.load_graph` reads.
MAX_UPLOAD_BYTES = 50 * 1024**2
#: Largest file on disk that :func:`~gtvviz.data.load_graph` reads (files are parsed in memory).
MAX_FILE_BYTES = 2 * 1024**3
#: Most features per node (columns of the feature matrix) that a file may declare.
MAX_FEATURES = 65_536
#: Largest dense feature matrix (rows x columns, held as float32) that a file may declare.
MAX_FEATURE_ENTRIES = 300_000_000
#: Largest integer class label a file may give (labels are class ids; sparse ones are renumbered from 0).
MAX_LABEL = 2**31 - 1
#: Largest graph a generator builds, in nodes and in expected undirected edges.
MAX_GENERATED_NODES = 2_000_000
MAX_GENERATED_EDGES = 20_000_000
#: Largest dense feature matrix a generator builds (nodes x features, float64: 512 MB, 2,000,000 x 32).
MAX_GENERATED_FEATURE_ENTRIES = 64_000_000

__all__ = [
    "MAX_NODES", "MAX_EDGES", "MAX_UPLOAD_BYTES", "MAX_FILE_BYTES", "MAX_FEATURES", "MAX_FEATURE_ENTRIES", "MAX_LABEL",
    "MAX_GENERATED_NODES", "MAX_GENERATED_EDGES", "MAX_GENERATED_FEATURE_ENTRIES", "check_nodes", "check_byte_size",
]


def check_nodes(num_nodes: int, where: str) -> None:
    """Raise :class:`GraphFormatError` when ``where`` declares more than :data:`MAX_NODES` nodes."""
    if num_nodes > MAX_NODES:
        raise GraphFormatError(
            f"{where} declares {num_nodes:,} nodes, over the limit of {MAX_NODES:,} (gtvviz.graph.MAX_NODES); "
            "use a smaller graph or subgraph."
        )


def check_byte_size(num_bytes: int, limit: int, what: str) -> None:
    """Raise :class:`GraphFormatError` when an input of ``num_bytes`` exceeds ``limit`` bytes."""
    if num_bytes > limit:
        raise GraphFormatError(
            f"The {what} is larger than the limit of {limit // 1024**2:,} MB; use a smaller graph or load it "
            "from a local file."
        )
