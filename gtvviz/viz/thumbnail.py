"""A small PNG picture of a graph (for galleries of sample graphs), drawn with Pillow."""

from __future__ import annotations

import io

import numpy as np

from gtvviz.graph import Graph
from gtvviz.viz.figures import cluster_colors, undirected_edges

#: At most this many edges are drawn in a thumbnail (a random sample above that).
THUMBNAIL_EDGES = 3000


def thumbnail_png(graph: Graph, pos: np.ndarray, size: int = 160) -> bytes:
    """A ``size`` x ``size`` PNG of ``graph`` at ``pos``, nodes coloured by ground-truth label (grey without)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    xy = (np.asarray(pos) + 1.08) / 2.16 * size
    src, dst = undirected_edges(graph)
    if len(src) > THUMBNAIL_EDGES:
        keep = np.random.default_rng(0).choice(len(src), THUMBNAIL_EDGES, replace=False)
        src, dst = src[keep], dst[keep]
    for a, b in zip(src.tolist(), dst.tolist()):
        draw.line([tuple(xy[a]), tuple(xy[b])], fill=(205, 205, 205))
    labels = graph.y.numpy() if graph.has_labels else None
    colors = cluster_colors(int(labels.max()) + 1) if labels is not None else []
    radius = 3 if graph.num_nodes <= 100 else 2 if graph.num_nodes <= 600 else 1
    for i, (x, y) in enumerate(xy.tolist()):
        color = colors[labels[i]] if labels is not None and labels[i] >= 0 else "#666666"
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=color)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
