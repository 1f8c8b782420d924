r"""Plotly figures that put clustering methods side by side: sharp against smooth.

Every figure is one plotly figure with subplots (browsers allow only a few WebGL contexts per page), draws every
method on the same fixed layout with the colours of :mod:`gtvviz.viz.figures` (a node's cluster colour, faded to
grey as its confidence :math:`\max_k s_{ik}` falls to :math:`1/K`), and expects assignments whose cluster ids
have already been matched across methods (:meth:`gtvviz.compare.Comparison.aligned`), so that equal colours mean
equal clusters. The panels of a graph view share their zoom.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gtvviz.graph import Graph
from gtvviz.viz.simplex import simplex_ranges, simplex_traces
from gtvviz.viz.figures import (EDGE_COLOR, GREY_HEX, WEBGL_THRESHOLD, cluster_colors, cluster_colorscale,
                                color_values, edge_lines, node_hover, share_traces, sharpness_figure,
                                undirected_edges)

#: Opacity of the nodes outside the focus of a zoomed view.
CONTEXT_OPACITY = 0.12
#: Continuous colour map of the relaxed-solution view when no cluster is named (diverging, the middle stands out).
RELAXED_COLORSCALE = "RdBu"
#: Colour of the low end of the relaxed-solution view for K > 2 ("not in this cluster").
OTHER_COLOR = "#444444"
#: Colour of a panel's note (the last line of its title, e.g. "one cluster"): dark red, 7.6:1 on white.
NOTE_COLOR = "#a3261c"
#: Top margin of a figure whose panel titles have one line, and with a second line (a note).
TITLE_MARGIN, NOTED_TITLE_MARGIN = 30, 60
#: Top margin per line of a panel title (room for presentation-size titles, 22 px).
TITLE_LINE = 28


def panel_titles(names: list[str], notes: Mapping[str, str] | None) -> list[str]:
    """Subplot titles: each name, with its note (when it has one) on the line below in :data:`NOTE_COLOR`; when
    any panel has a note, the others get an empty line there, so that the names of a row stay level."""
    notes = notes or {}
    if not any(notes.get(name) for name in names):
        return list(names)
    return [f"{name}<br><span style='color:{NOTE_COLOR}'>{notes.get(name) or '&nbsp;'}</span>" for name in names]


def _marker_size(num_nodes: int) -> int:
    return 12 if num_nodes <= 100 else 8 if num_nodes < WEBGL_THRESHOLD else 5


def _grid(n_panels: int, columns: int) -> tuple[int, int]:
    cols = max(1, min(columns, n_panels))
    return -(-n_panels // cols), cols


def _hide_axes(fig: go.Figure, n_panels: int, ranges: tuple[list[float], list[float]] | None = None) -> None:
    """Invisible axes, equal aspect, and one shared zoom: every panel's axes match the first panel's."""
    for i in range(1, n_panels + 1):
        suffix = "" if i == 1 else str(i)
        x: dict = {"visible": False}
        y: dict = {"visible": False}
        if i == 1:
            y.update(scaleanchor="x", scaleratio=1)
            if ranges is not None:
                x["range"], y["range"] = ranges
        else:
            x["matches"], y["matches"] = "x", "y"
        fig.update_layout({f"xaxis{suffix}": x, f"yaxis{suffix}": y})


def _focus_ranges(pos: np.ndarray, focus: np.ndarray, pad: float = 0.08) -> tuple[list[float], list[float]] | None:
    if not focus.any():
        return None
    low, high = pos[focus].min(axis=0), pos[focus].max(axis=0)
    margin = pad * max(float((high - low).max()), 0.2)
    return [float(low[0] - margin), float(high[0] + margin)], [float(low[1] - margin), float(high[1] + margin)]


def compare_graph_figure(graph: Graph, pos: np.ndarray, assignments: Mapping[str, np.ndarray], *,
                         focus: np.ndarray | None = None, columns: int = 3, panel_height: int = 380,
                         notes: Mapping[str, str] | None = None) -> go.Figure:
    """Every method's assignment on the same layout, one panel each, edges darkened by their GTV share.

    Args:
        graph: the graph.
        pos: :math:`(N, 2)` node positions, the same for every panel.
        assignments: ``{title: S}`` with :math:`(N, K)` assignments whose cluster ids are matched.
        focus: optional boolean mask of the nodes to zoom on (e.g. :func:`gtvviz.metrics.boundary_nodes`): only
            edges touching them are drawn, the view is cropped to those edges (both ends, so no edge is cut off by
            the panel's border) and the other nodes are faded.
        columns: panels per row.
        panel_height: height of one row of panels in pixels.
        notes: ``{title: note}``, shown under a panel's title (e.g. :func:`gtvviz.compare.verdict`).
    """
    names = list(assignments)
    rows, cols = _grid(len(names), columns)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=panel_titles(names, notes), horizontal_spacing=0.01,
                        vertical_spacing=0.1 if any((notes or {}).values()) else 0.06)
    trace = go.Scattergl if graph.num_nodes >= WEBGL_THRESHOLD else go.Scatter
    src, dst = undirected_edges(graph)
    ranges = None
    if focus is not None:
        touching = focus[src] | focus[dst]
        src, dst = src[touching], dst[touching]
        shown = focus.copy()
        shown[src], shown[dst] = True, True
        ranges = _focus_ranges(pos, shown)
    ex, ey = edge_lines(pos, src, dst)
    opacity = 1.0 if focus is None else np.where(focus, 1.0, CONTEXT_OPACITY)
    size = _marker_size(graph.num_nodes)
    for i, (name, s) in enumerate(assignments.items()):
        row, col = divmod(i, cols)
        customdata, text, template = node_hover(graph, s)
        panel = [
            trace(x=ex, y=ey, mode="lines", line={"color": EDGE_COLOR, "width": 1}, hoverinfo="skip",
                  name="edges"),
            *share_traces(pos, src, dst, s, trace),
            trace(x=pos[:, 0], y=pos[:, 1], mode="markers", text=text, customdata=customdata,
                  hovertemplate=f"{name}<br>{template}", name=name,
                  marker={"color": color_values(s), "colorscale": cluster_colorscale(s.shape[1]), "cmin": 0.0,
                          "cmax": 1.0, "size": size, "opacity": opacity}),
        ]
        for t in panel:
            fig.add_trace(t, row=row + 1, col=col + 1)
    _hide_axes(fig, len(names), ranges)
    top = NOTED_TITLE_MARGIN if any((notes or {}).values()) else TITLE_MARGIN
    fig.update_layout(height=panel_height * rows, showlegend=False, uirevision="compare", hovermode="closest",
                      plot_bgcolor="white", margin={"l": 5, "r": 5, "t": top, "b": 5})
    return fig


def sharpness_histograms_figure(assignments: Mapping[str, np.ndarray], bins: int = 20,
                                height: int = 260, notes: Mapping[str, str] | None = None) -> go.Figure:
    r"""Side-by-side histograms of the confidence :math:`\max_k s_{ik}`, one per method, sharing the y axis.

    Each panel's title carries the method's sharpness (the mean confidence) on its second line. A sharp method
    piles every node into the last bin; a smooth one spreads them towards :math:`1/K`. ``notes``
    (``{title: note}``, e.g. :func:`gtvviz.compare.verdict`) adds a third line where a full last bin does not mean
    sharp clusters (a collapse into one cluster, a method that rounds once).
    """
    names = list(assignments)
    means = {name: f"{name}<br>mean {s.max(axis=1).mean():.3f}" for name, s in assignments.items()}
    titles = panel_titles(list(means.values()), {means[name]: note for name, note in (notes or {}).items()
                                                  if name in means})
    fig = make_subplots(rows=1, cols=max(len(names), 1), subplot_titles=titles, shared_yaxes=True,
                        horizontal_spacing=0.02)
    for i, s in enumerate(assignments.values()):
        fig.add_trace(sharpness_figure(s, bins=bins).data[0], row=1, col=i + 1)
        fig.update_xaxes(range=[1.0 / s.shape[1], 1.0], row=1, col=i + 1)
    fig.update_yaxes(title_text="nodes", row=1, col=1)
    lines = 3 if any((notes or {}).values()) else 2  # name, mean (and note): room for them at a projector's size
    fig.update_layout(height=height, showlegend=False, uirevision="sharpness", bargap=0.05,
                      margin={"l": 10, "r": 10, "t": TITLE_LINE * lines, "b": 10})
    fig.update_annotations(font_size=12)
    return fig


def _followed_cluster(s: np.ndarray, column: np.ndarray) -> int:
    """The cluster :math:`c` whose column :math:`s_{:, c}` is ``column``."""
    return int(np.abs(s - np.asarray(column)[:, None]).sum(axis=0).argmin())


def relaxed_colorscale(s: np.ndarray, column: np.ndarray) -> list[list]:
    """The colour map of :func:`relaxed_figure` for values that are the column :math:`s_{:, c}` of ``s`` (e.g. the
    ``sharp`` of :func:`gtvviz.compare.relaxed_and_sharp`): 1 in cluster ``c``'s colour, 1/2 grey, 0 in the other
    cluster's colour (K = 2) or dark grey (K > 2), so that it runs the same way as the graph view's colours."""
    k, c = s.shape[1], _followed_cluster(s, column)
    colors = cluster_colors(k)
    low = colors[1 - c] if k == 2 else OTHER_COLOR
    return [[0.0, low], [0.5, GREY_HEX], [1.0, colors[c]]]


def relaxed_labels(s: np.ndarray, column: np.ndarray) -> tuple[str, str, str]:
    """What the colour bar of :func:`relaxed_figure` reads at 0, 1/2 and 1 on :func:`relaxed_colorscale`'s map:
    the other cluster (K = 2) or the other clusters, undecided, and cluster ``c``."""
    k, c = s.shape[1], _followed_cluster(s, column)
    return (f"cluster {1 - c}" if k == 2 else "other clusters", "undecided", f"cluster {c}")


def relaxed_figure(graph: Graph, pos: np.ndarray, panels: Mapping[str, np.ndarray], *,
                   height: int = 420, colorscale: str | list = RELAXED_COLORSCALE,
                   labels: tuple[str, str, str] | None = None) -> go.Figure:
    """Continuous node values in :math:`[0, 1]` side by side on one colour map, e.g. the spectral relaxed solution
    next to TVGNN's :math:`s_{ik}` (:func:`gtvviz.compare.relaxed_and_sharp`): a smooth method fades across
    the boundary, a sharp one jumps.

    Args:
        graph: the graph.
        pos: :math:`(N, 2)` node positions.
        panels: ``{title: values}`` with :math:`(N,)` values in :math:`[0, 1]`.
        height: figure height in pixels.
        colorscale: the colour map (:func:`relaxed_colorscale` to match the cluster colours).
        labels: what the colour bar reads at 0, 1/2 and 1 (:func:`relaxed_labels`); ``None``: the numbers.
    """
    names = list(panels)
    fig = make_subplots(rows=1, cols=max(len(names), 1), subplot_titles=names, horizontal_spacing=0.01)
    trace = go.Scattergl if graph.num_nodes >= WEBGL_THRESHOLD else go.Scatter
    ex, ey = edge_lines(pos, *undirected_edges(graph))
    size = _marker_size(graph.num_nodes)
    colorbar = {"thickness": 12, "len": 0.8}
    if labels is not None:
        colorbar.update(tickvals=[0.0, 0.5, 1.0], ticktext=list(labels))
    for i, (name, values) in enumerate(panels.items()):
        fig.add_trace(trace(x=ex, y=ey, mode="lines", line={"color": EDGE_COLOR, "width": 1}, hoverinfo="skip"),
                      row=1, col=i + 1)
        fig.add_trace(trace(
            x=pos[:, 0], y=pos[:, 1], mode="markers", customdata=np.arange(graph.num_nodes),
            hovertemplate=f"node %{{customdata}}<br>{name}: %{{marker.color:.3f}}<extra></extra>",
            marker={"color": values, "colorscale": colorscale, "cmin": 0.0, "cmax": 1.0, "size": size,
                    "showscale": i == len(names) - 1, "colorbar": colorbar},
        ), row=1, col=i + 1)
    _hide_axes(fig, len(names))
    fig.update_layout(height=height, showlegend=False, uirevision="relaxed", hovermode="closest",
                      plot_bgcolor="white", margin={"l": 5, "r": 5, "t": 30, "b": 5})
    return fig


def compare_simplex_figure(assignments: Mapping[str, np.ndarray], *, height: int | None = None) -> go.Figure:
    """Every method's assignment simplex side by side (:mod:`gtvviz.viz.simplex`): a sharp method's nodes sit on
    the corners, a smooth one's in between, an undecided one's in the middle.

    Args:
        assignments: ``{title: S}`` with :math:`(N, K)` assignments whose cluster ids are matched.
        height: figure height in pixels; default 130 for K = 2 (a line) and 300 for more clusters.
    """
    names = list(assignments)
    if height is None:
        height = 130 if names and next(iter(assignments.values())).shape[1] == 2 else 300
    fig = make_subplots(rows=1, cols=max(len(names), 1), subplot_titles=names, horizontal_spacing=0.02)
    for i, (name, s) in enumerate(assignments.items()):
        for trace in simplex_traces(s, name=name):
            fig.add_trace(trace, row=1, col=i + 1)
        xrange, yrange = simplex_ranges(s.shape[1])
        suffix = "" if i == 0 else str(i + 1)
        fig.update_layout({f"xaxis{suffix}": {"visible": False, "range": xrange},
                           f"yaxis{suffix}": {"visible": False, "range": yrange, "scaleanchor": f"x{suffix}",
                                              "scaleratio": 1}})
    fig.update_layout(height=height, showlegend=False, uirevision="compare-simplex", hovermode="closest",
                      plot_bgcolor="white", margin={"l": 5, "r": 5, "t": 30, "b": 5})
    return fig
