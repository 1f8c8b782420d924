"""A small draggable view of a graph (pyvis / vis-network), with every resource in-line so it works offline.

pyvis lays the graph out again on every render and its physics slows down quickly with size, so this view is
for small static graphs only (:data:`PYVIS_LIMIT` nodes); live training is drawn with plotly instead.
"""

from __future__ import annotations

import re

import numpy as np

from gtvviz.errors import GtvvizError
from gtvviz.graph import Graph
from gtvviz.viz.figures import cluster_colors, undirected_edges

#: Largest graph :func:`pyvis_html` draws.
PYVIS_LIMIT = 300
# pyvis' template always links Bootstrap from a CDN; the view does not need it, and offline it cannot load.
_CDN_TAG = re.compile(r"<(link|script)\b[^>]*https://cdn\.jsdelivr\.net[^>]*>(\s*</script>)?", re.S)


def _plain(text: str) -> str:
    """``text`` without the characters that could close the page's script or start markup (names come from files)."""
    return text.replace("<", "‹").replace(">", "›").replace("&", "＆")


def pyvis_html(graph: Graph, s: np.ndarray | None = None, *, height: int = 520) -> str:
    """A standalone HTML page with a draggable force-directed view of ``graph``.

    Args:
        graph: a graph with at most :data:`PYVIS_LIMIT` nodes.
        s: optional :math:`(N, K)` soft assignment; nodes are then coloured by cluster.
        height: height of the view in pixels.

    Raises:
        GtvvizError: if the graph has more than :data:`PYVIS_LIMIT` nodes.
    """
    from pyvis.network import Network

    if graph.num_nodes > PYVIS_LIMIT:
        raise GtvvizError(
            f"The draggable view draws at most {PYVIS_LIMIT} nodes and this graph has {graph.num_nodes}; "
            "use the plotly view instead."
        )
    net = Network(height=f"{height}px", width="100%", cdn_resources="in_line")
    colors = cluster_colors(s.shape[1]) if s is not None else None
    labels = graph.y.numpy() if graph.has_labels else None
    degree = graph.degree().numpy()
    for i in range(graph.num_nodes):
        name = _plain(graph.node_name(i))
        title = f"{name} (node {i})\ndegree {degree[i]:g}"
        if labels is not None:
            title += f"\nlabel {labels[i]}"
        color = "#888888"
        if s is not None and colors is not None:
            color = colors[int(s[i].argmax())]
            title += "\ns = [" + ", ".join(f"{v:.2f}" for v in s[i]) + "]"
        net.add_node(i, label=name, title=title, color=color, size=12)
    src, dst = undirected_edges(graph)
    for a, b in zip(src.tolist(), dst.tolist()):
        net.add_edge(a, b, color="#bbbbbb")
    return _CDN_TAG.sub("", net.generate_html())
