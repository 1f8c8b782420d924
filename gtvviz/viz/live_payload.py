"""The JSON payloads of the live graph (``gtvviz/viz/static/live_graph.js``), shared by the app's live graph and the
notebook widget (:mod:`gtvviz.widgets`).

* The **geometry** (:func:`geometry_payload`) is :func:`gtvviz.viz.graph_figure` of the graph with a uniform
  assignment (positions, edges or edge picture, node styling, hover template) plus the node positions, the fixed
  hover columns, the simplex's corners and the colour key. It changes only with the graph, the layout, K, the edge
  picture or the height (:func:`geometry_key`); the browser draws it anew with ``Plotly.newPlot`` then.
* Each **frame** (:func:`frame_payload`) carries only what the assignment changes, built with the same helpers as
  ``graph_figure``: the node colours on :func:`~gtvviz.viz.figures.cluster_colorscale`
  (:func:`~gtvviz.viz.figures.color_values`), the soft-assignment columns of the hover
  (:func:`~gtvviz.viz.figures.node_hover`), the edges darkened by their GTV share as node index pairs with their
  darkness level (:func:`share_edges`), the nodes' places on the assignment simplex
  (:func:`~gtvviz.viz.simplex.simplex_positions`) and the epoch it shows.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from gtvviz.graph import Graph
from gtvviz.viz.assignment import SHARE_LEVELS, edge_share, share_levels
from gtvviz.viz.figures import (
    CUT_EDGE_LIMIT,
    color_values,
    graph_figure,
    node_hover,
    undirected_edges,
)
from gtvviz.viz.legend import legend_html
from gtvviz.viz.sharpening import sharpness_of
from gtvviz.viz.simplex import simplex_corners, simplex_positions

#: The drawing module (an ES module exporting ``mountLiveGraph``) that shows these payloads, in the app and the widget.
LIVE_GRAPH_JS = Path(__file__).resolve().parent / "static" / "live_graph.js"
#: Default height of the graph, in pixels (the same as ``graph_figure``'s).
HEIGHT = 560
#: Default size of the colour key's and the simplex title's text, in pixels (a projector wants more).
TEXT_PX = 14


def geometry_key(graph_key: str, graph: Graph, pos: np.ndarray, k: int, picture: str | None = None,
                 height: int = HEIGHT, text_px: int = TEXT_PX) -> str:
    """A short opaque key of everything the geometry depends on (the graph's cache key, the layout, K, the
    picture, the height and the text size); hashed, so no path or source string reaches the browser."""
    digest = hashlib.blake2b(digest_size=12)
    for part in (graph_key, graph.num_nodes, graph.num_edges, k, height, text_px, len(picture) if picture else 0):
        digest.update(f"{part}|".encode())
    digest.update(np.ascontiguousarray(pos, dtype=np.float32).tobytes())
    if picture:
        digest.update(picture[-64:].encode())
    return digest.hexdigest()


def geometry_payload(graph: Graph, pos: np.ndarray, k: int, picture: str | None = None,
                     height: int = HEIGHT, text_px: int = TEXT_PX) -> bytes:
    """The static part of the view, as UTF-8 JSON: ``figure`` (``graph_figure`` with a uniform assignment, so every
    node grey and no edge darkened), ``x`` and ``y`` (node positions, for the darkened edges), ``hover`` (the fixed
    hover columns of every node: index, label, degree), ``corners`` (the simplex's corners, :math:`(K, 2)`),
    ``legend`` (the colour key's HTML) and ``text_px`` (the size of the key's and the simplex title's text)."""
    n = graph.num_nodes
    uniform = np.full((n, k), 1.0 / k, dtype=np.float32)
    figure = graph_figure(graph, pos, uniform, picture=picture, height=height)
    fixed, _, _ = node_hover(graph, None)
    extra = {
        "x": _rounded(pos[:, 0], 6), "y": _rounded(pos[:, 1], 6), "hover": _rounded(fixed, 4), "k": k,
        "height": height, "corners": _rounded(simplex_corners(k), 6), "legend": legend_html(k, text_px),
        "text_px": text_px, "levels": SHARE_LEVELS,
    }
    return ('{"figure":' + figure.to_json() + "," + json.dumps(extra)[1:]).encode()


def share_edges(src: np.ndarray, dst: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The edges that ``graph_figure`` darkens by their GTV share (at most
    :data:`~gtvviz.viz.figures.CUT_EDGE_LIMIT`, the largest shares), as ``(m, 3)`` rows ``(a, b, level)``."""
    index, level = share_levels(edge_share(src, dst, s), CUT_EDGE_LIMIT)
    return np.stack([src[index], dst[index], level], axis=1)


def frame_payload(graph: Graph, s: np.ndarray, epoch: int = 0, hover: bool = True) -> dict:
    """What one frame changes, as JSON-ready flat lists: ``colors`` (the nodes' values on the cluster colorscale, 4
    decimals), ``gtv`` (the darkened edges as ``[a0, b0, level0, a1, b1, level1, ...]``), ``simplex`` (the nodes'
    places on the assignment simplex, ``[x0, y0, x1, y1, ...]``, 3 decimals), ``k`` and ``epoch``; with ``hover``, also
    ``hover`` (the soft-assignment columns of the hover in whole per cent, row by row, ``hover_columns`` per node:
    integers keep the payload small and quick to encode); ``sharpness`` is the mean of the rows' largest entries
    (:func:`~gtvviz.viz.sharpening.sharpness_of`), shown under the epoch counter."""
    s = np.nan_to_num(np.asarray(s, dtype=np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    src, dst = undirected_edges(graph)
    frame = {
        "colors": _rounded(color_values(s), 4),
        "gtv": share_edges(src, dst, s).reshape(-1).tolist(),
        "simplex": _rounded(simplex_positions(s).reshape(-1), 3),
        "k": int(s.shape[1]),
        "epoch": int(epoch),
        "sharpness": round(sharpness_of(s), 3),
    }
    if hover:
        customdata, _, _ = node_hover(graph, s)
        soft = customdata[:, 3:]
        frame["hover"] = np.rint(soft * 100).astype(np.int32).reshape(-1).tolist()
        frame["hover_columns"] = int(soft.shape[1])
    return frame


def _rounded(values: np.ndarray, decimals: int) -> list:
    """``values`` as (nested) lists of short floats; not-a-number becomes 0 (JSON has no NaN)."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    return np.round(values, decimals).tolist()
