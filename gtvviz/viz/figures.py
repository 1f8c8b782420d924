"""Plotly figures of a clustering run: pure functions of (graph, layout, assignment) or of a run's history.

The graph view draws all edges in one light line trace (numpy coordinates with NaN separators) or, for large graphs
in a live view, as one picture under the nodes (:func:`edge_picture`); over them, the edges darkened by their share
of the GTV term :math:`\\tfrac12 \\lVert s_i - s_j \\rVert_1` (:mod:`gtvviz.viz.assignment`), one trace per darkness
level (:data:`~gtvviz.viz.assignment.SHARE_LEVELS`), and the nodes last (WebGL ``Scattergl`` from
:data:`WEBGL_THRESHOLD` nodes on). Each node's
colour is its cluster's, faded towards grey as its confidence :math:`\\max_k s_{ik}` falls to :math:`1/K`, so a
uniform (undecided) assignment shows as a grey graph. ``layout.uirevision`` is constant, so a chart that is
redrawn with new colours keeps the user's zoom where the host keeps the chart (a notebook; Streamlit
remounts a chart whose figure changed).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative, sample_colorscale

from gtvviz.graph import Graph
from gtvviz.viz.assignment import SHARE_LEVELS, edge_share, share_levels, soft_sizes
from gtvviz.viz.style import FigureStyle, apply_style

#: Graphs with at least this many nodes are drawn with WebGL (``Scattergl``).
WEBGL_THRESHOLD = 1000
#: At most this many edges are darkened by their GTV share (the ones with the largest share).
CUT_EDGE_LIMIT = 2000
#: Long side, in pixels, of the picture of the edges drawn under the nodes of large graphs (:func:`edge_picture`).
PICTURE_PIXELS = 1400
#: At most this many entries of the soft assignment are shown when hovering a node.
HOVER_CLUSTERS = 12
#: Colour of an undecided node (uniform assignment) and of ordinary edges.
GREY_HEX = "#c8c8c8"
EDGE_COLOR = "rgba(150, 150, 150, 0.35)"
CUT_COLOR = "rgba(30, 30, 30, 0.8)"
#: Colour of the sharpness histogram (neutral: not any cluster's colour).
HISTOGRAM_COLOR = "#555555"
#: Line colours of the loss terms (total first).
LOSS_COLORS = ("#222222", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")
_PALETTE = qualitative.Plotly + qualitative.D3[1::2] + qualitative.Dark24


def cluster_colors(k: int) -> list[str]:
    """``k`` distinct hex colours, the same for cluster ``i`` in every figure."""
    return [_PALETTE[i % len(_PALETTE)] for i in range(k)]


def confidence(s: np.ndarray) -> np.ndarray:
    """Per-node confidence rescaled to :math:`[0, 1]`: 0 for a uniform row, 1 for a one-hot row."""
    k = s.shape[1]
    return np.clip((s.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)


def cluster_colorscale(k: int) -> list[list]:
    """A plotly colorscale with one segment per cluster, from grey (undecided) to the cluster's colour.

    Used with :func:`color_values` and ``cmin=0, cmax=1``; numeric colours keep large figures fast to build.
    """
    scale: list[list] = []
    for i, color in enumerate(cluster_colors(k)):
        scale += [[i / k, GREY_HEX], [(i + 1) / k, color]]
    return scale


def color_values(s: np.ndarray) -> np.ndarray:
    """The value of every node on :func:`cluster_colorscale`: its cluster plus its confidence, over K."""
    k = s.shape[1]
    return ((s.argmax(axis=1) + 0.999 * confidence(s)) / k).astype(np.float32)


def label_assignment(graph: Graph) -> np.ndarray | None:
    """The ground-truth labels as a one-hot assignment (uniform rows for unknown labels), to draw the truth with
    the same colours as a clustering; ``None`` for a graph without labels."""
    if not graph.has_labels:
        return None
    assert graph.y is not None
    y = graph.y.numpy()
    k = max(int(y.max()) + 1, 2)
    s = np.full((graph.num_nodes, k), 1.0 / k, dtype=np.float32)
    known = y >= 0
    s[known] = np.eye(k, dtype=np.float32)[y[known]]
    return s


def edge_lines(pos: np.ndarray, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y coordinates of the segments ``src -> dst`` in one array each, separated by NaN."""
    xy = np.full((len(src), 3, 2), np.nan, dtype=np.float32)
    xy[:, 0], xy[:, 1] = pos[src], pos[dst]
    flat = xy.reshape(-1, 2)
    return flat[:, 0], flat[:, 1]


def undirected_edges(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """Each undirected edge once, as ``(src, dst)`` with ``src < dst``."""
    row, col = graph.edge_index.numpy()
    upper = row < col
    return row[upper], col[upper]


def node_hover(graph: Graph, s: np.ndarray | None = None) -> tuple[np.ndarray, list[str] | None, str]:
    """Hover data of every node: ``(customdata, text, hovertemplate)``.

    ``customdata`` holds, per node, its index, ground-truth label, degree and (up to :data:`HOVER_CLUSTERS`
    entries of) its soft assignment, as one numeric array so that large figures stay fast to build; ``text`` holds
    the node names, only when the graph has them.
    """
    n = graph.num_nodes
    labels = graph.y.numpy() if graph.y is not None else np.full(n, -1)
    columns = [np.arange(n), labels, graph.degree().numpy()]
    named = graph.node_names is not None
    template = "<b>%{text}</b> (node %{customdata[0]})" if named else "<b>node %{customdata[0]}</b>"
    if graph.has_labels:
        template += "<br>label %{customdata[1]}"
    template += "<br>degree %{customdata[2]:.4~g}"
    if s is not None:
        shown = min(s.shape[1], HOVER_CLUSTERS)
        columns += list(s[:, :shown].T)
        values = ", ".join(f"%{{customdata[{3 + j}]:.2f}}" for j in range(shown))
        template += f"<br>s = [{values}{', …' if s.shape[1] > shown else ''}]"
    customdata = np.stack(columns, axis=1).astype(np.float32) if n else np.zeros((0, len(columns)), np.float32)
    return customdata, graph.node_names, template + "<extra></extra>"


def _picture_box(pos: np.ndarray) -> tuple[float, float, float, float]:
    """The data-coordinate box ``(x0, y0, x1, y1)`` that :func:`edge_picture` covers: ``pos`` plus a 2 % margin."""
    low, high = pos.min(axis=0), pos.max(axis=0)
    pad = 0.02 * max(float((high - low).max()), 1e-9)
    return float(low[0] - pad), float(low[1] - pad), float(high[0] + pad), float(high[1] + pad)


def edge_picture(graph: Graph, pos: np.ndarray, pixels: int = PICTURE_PIXELS) -> str:
    """A transparent PNG of every edge of ``graph`` at ``pos``, as a data URI for :func:`graph_figure`.

    The edges of a fixed layout never move, so a large graph can show them as one picture under its nodes: a
    browser redraws a picture in no time, while redrawing tens of thousands of line segments per frame is slow.
    """
    import base64
    import io

    from PIL import Image, ImageDraw

    x0, y0, x1, y1 = _picture_box(pos)
    scale = pixels / max(x1 - x0, y1 - y0)
    width, height = max(int((x1 - x0) * scale), 1), max(int((y1 - y0) * scale), 1)
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    xy = np.column_stack([(pos[:, 0] - x0) * scale, (y1 - pos[:, 1]) * scale])
    for a, b in zip(*undirected_edges(graph)):
        draw.line([tuple(xy[a]), tuple(xy[b])], fill=(150, 150, 150, 90), width=1)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def share_line(level: int, levels: int = SHARE_LEVELS) -> dict:
    """Line style of the edges at GTV-share darkness ``level`` (1..``levels``): from light grey-black and thin
    (a share just above :data:`~gtvviz.viz.assignment.SHARE_FLOOR`) to the solid :data:`CUT_COLOR` of a sharp
    cut."""
    t = level / levels
    return {"color": f"rgba(30, 30, 30, {0.15 + 0.65 * t:.3f})", "width": round(0.75 + 1.0 * t, 3)}


def share_traces(pos: np.ndarray, src: np.ndarray, dst: np.ndarray, s: np.ndarray | None,
                 trace: type = go.Scatter) -> list:
    """One line trace per GTV-share level, named ``"GTV share l/L"``, always all :data:`SHARE_LEVELS` of them
    (empty without ``s``), with the at most :data:`CUT_EDGE_LIMIT` edges of largest share."""
    index = level = np.zeros(0, dtype=np.int64)
    if s is not None:
        index, level = share_levels(edge_share(src, dst, s), CUT_EDGE_LIMIT)
    traces = []
    for lv in range(1, SHARE_LEVELS + 1):
        chosen = index[level == lv]
        x, y = edge_lines(pos, src[chosen], dst[chosen])
        traces.append(trace(x=x, y=y, mode="lines", line=share_line(lv), hoverinfo="skip",
                            name=f"GTV share {lv}/{SHARE_LEVELS}"))
    return traces


def graph_figure(graph: Graph, pos: np.ndarray, s: np.ndarray | None = None, *, title: str = "",
                 height: int = 560, picture: str | None = None, style: FigureStyle | None = None) -> go.Figure:
    """The node-link view of ``graph`` at positions ``pos``, coloured by the soft assignment ``s``.

    Args:
        graph: the graph.
        pos: :math:`(N, 2)` node positions (see :func:`gtvviz.viz.layout.compute_layout`).
        s: optional :math:`(N, K)` soft assignment; without it every node is grey and no edge darkened.
        title: figure title.
        height: figure height in pixels.
        picture: :func:`edge_picture` of the same graph and positions, drawn under the nodes instead of the edge
            trace (much faster to redraw for large graphs; the darkened edges are still drawn as lines).
        style: text sizes (:class:`~gtvviz.viz.style.FigureStyle`).
    """
    n = graph.num_nodes
    trace = go.Scattergl if n >= WEBGL_THRESHOLD else go.Scatter
    src, dst = undirected_edges(graph)
    traces = []
    if picture is None:
        ex, ey = edge_lines(pos, src, dst)
        traces.append(trace(x=ex, y=ey, mode="lines", line={"color": EDGE_COLOR, "width": 1}, hoverinfo="skip",
                            name="edges"))
    traces += share_traces(pos, src, dst, s, trace)
    marker: dict = {"color": "#888888"}
    if s is not None:
        marker = {"color": color_values(s), "colorscale": cluster_colorscale(s.shape[1]), "cmin": 0.0, "cmax": 1.0}
    customdata, names, template = node_hover(graph, s)
    size = 12 if n <= 100 else 8 if n < WEBGL_THRESHOLD else 5
    traces.append(trace(
        x=pos[:, 0], y=pos[:, 1], mode="markers", text=names, customdata=customdata, hovertemplate=template,
        marker={**marker, "size": size, "line": {"width": 0.5 if n <= 300 else 0, "color": "white"}}, name="nodes",
    ))
    images = []
    if picture is not None and n:
        x0, y0, x1, y1 = _picture_box(pos)
        images.append({"source": picture, "xref": "x", "yref": "y", "x": x0, "y": y1, "sizex": x1 - x0,
                       "sizey": y1 - y0, "sizing": "stretch", "layer": "below"})
    fig = go.Figure(traces)
    fig.update_layout(
        title=title or None, height=height, showlegend=False, uirevision="graph", hovermode="closest",
        margin={"l": 5, "r": 5, "t": 40 if title else 5, "b": 5}, plot_bgcolor="white", images=images,
        xaxis={"visible": False, **_padded_range(pos[:, 0])},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1, **_padded_range(pos[:, 1])},
    )
    return apply_style(fig, style)


def _padded_range(values: np.ndarray, pad: float = 0.06) -> dict:
    """An axis range around ``values`` with ``pad`` of their span on each side, so that the outermost nodes are drawn
    whole (markers have a size in pixels; plotly's own padding is lost when the two axes are locked to one scale)."""
    if not len(values):
        return {}
    low, high = float(np.min(values)), float(np.max(values))
    margin = pad * max(high - low, 1e-9)
    return {"range": [low - margin, high + margin]}


#: The epochs the loss chart's axis spans before two epochs are recorded.
EMPTY_LOSS_EPOCHS = 10


def loss_figure(history: Sequence[Mapping[str, float]], names: Sequence[str], height: int = 260,
                style: FigureStyle | None = None) -> go.Figure:
    """One line per loss term ``names`` (e.g. total, gtv, balance) against the epoch; before two epochs are recorded
    the axis spans epochs 0 to :data:`EMPTY_LOSS_EPOCHS` (plotly would label fractions of an epoch)."""
    epochs = np.array([row["epoch"] for row in history])
    fig = go.Figure([
        go.Scatter(x=epochs, y=np.array([row.get(name, np.nan) for row in history]), mode="lines", name=name,
                   line={"color": LOSS_COLORS[i % len(LOSS_COLORS)]})
        for i, name in enumerate(names)
    ])
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, title="Loss",
                      xaxis_title="epoch", xaxis_rangemode="nonnegative", uirevision="loss",
                      legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"})
    if len(history) < 2:
        fig.update_xaxes(range=[0, EMPTY_LOSS_EPOCHS])
    return apply_style(fig, style)


def sharpness_figure(s: np.ndarray, bins: int = 20, height: int = 220, style: FigureStyle | None = None) -> go.Figure:
    r"""Histogram of the confidence :math:`\max_k s_{ik}` over the nodes, from :math:`1/K` to 1."""
    k = s.shape[1]
    counts, edges = np.histogram(s.max(axis=1), bins=bins, range=(1.0 / k, 1.0))
    fig = go.Figure(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges),
                           marker_color=HISTOGRAM_COLOR, hovertemplate="max s ≈ %{x:.2f}: %{y} nodes<extra></extra>"))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, uirevision="sharpness",
                      title="Sharpness: max<sub>k</sub> s<sub>ik</sub>", bargap=0.05, xaxis_range=[1.0 / k, 1.0])
    return apply_style(fig, style)


def cluster_sizes_figure(s: np.ndarray, height: int = 220, style: FigureStyle | None = None) -> go.Figure:
    r"""Soft size :math:`\sum_i s_{ik}` of each cluster (:func:`~gtvviz.viz.assignment.soft_sizes`: an undecided
    graph shows equal bars, not every node in the argmax cluster), in the clusters' colours, with whole-number
    ticks on a y axis from 0."""
    k = s.shape[1]
    sizes = soft_sizes(s)
    fig = go.Figure(go.Bar(x=list(range(k)), y=sizes, marker_color=cluster_colors(k),
                           hovertemplate="cluster %{x}: %{y:.1f} nodes (soft mass)<extra></extra>"))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, uirevision="sizes",
                      title="Cluster sizes (soft: Σ<sub>i</sub> s<sub>ik</sub>)", xaxis_title="cluster",
                      xaxis={"tickmode": "linear", "tick0": 0, "dtick": 1, "range": [-0.5, k - 0.5]},
                      yaxis={"rangemode": "tozero"})
    return apply_style(fig, style)


def edge_values_figure(graph: Graph, pos: np.ndarray, values: np.ndarray, *, name: str, log: bool = False,
                       bins: int = 6, value_range: tuple[float, float] | None = None, height: int = 520,
                       style: FigureStyle | None = None) -> go.Figure:
    r"""The edges of ``graph`` coloured (dark to bright) and thickened by one value per edge.

    Used for the :math:`\Gamma_{ij}` of a GTVConv layer and for the per-edge total variation
    :math:`\lVert s_i - s_j \rVert_1` of an assignment. Edges are grouped into ``bins`` equal-width bins over
    ``value_range`` (of ``log10(values)`` when ``log``), one line trace per non-empty bin, so the figure stays light
    for large graphs and an edge's colour and width say its value: edges near the low end (e.g. inside a cluster)
    are thin and dark, the ones near the high end (a cut) thick and bright. The legend gives each bin's range as
    plain numbers.

    Args:
        graph: the graph.
        pos: :math:`(N, 2)` node positions.
        values: one value per undirected edge, in the order of :func:`undirected_edges`.
        name: what the values are (legend title).
        log: bin on a log scale (for values spanning decades, like :math:`\Gamma`).
        bins: number of colour bins.
        value_range: the values' ``(low, high)`` (e.g. ``(0, 2)`` for an :math:`\ell_1` distance of two rows of
            the simplex); default the smallest and the largest value.
        height: figure height in pixels.
        style: text sizes (:class:`~gtvviz.viz.style.FigureStyle`).
    """
    src, dst = undirected_edges(graph)
    values = np.asarray(values, dtype=np.float64)
    shown = np.log10(np.maximum(values, 1e-30)) if log else values
    if value_range is not None:
        low, high = (np.log10(max(v, 1e-30)) for v in value_range) if log else value_range
    else:
        low, high = (float(shown.min()), float(shown.max())) if len(shown) else (0.0, 1.0)
    if high <= low:
        high = low + 1.0
    cuts = np.linspace(low, high, bins + 1)
    which = np.clip(np.searchsorted(cuts, shown, side="right") - 1, 0, bins - 1)
    colors = sample_colorscale("Viridis", np.linspace(0, 0.9, bins))
    trace = go.Scattergl if graph.num_nodes >= WEBGL_THRESHOLD else go.Scatter
    fmt = (lambda v: _number(10.0 ** v)) if log else _number
    traces = []
    for b, color in enumerate(colors):
        chosen = which == b
        if not chosen.any():
            continue
        x, y = edge_lines(pos, src[chosen], dst[chosen])
        traces.append(trace(x=x, y=y, mode="lines", hoverinfo="skip", name=f"{fmt(cuts[b])} – {fmt(cuts[b + 1])}",
                            line={"color": color, "width": 0.75 + 3.25 * b / max(bins - 1, 1)}))
    traces.append(trace(x=pos[:, 0], y=pos[:, 1], mode="markers", hoverinfo="skip", name="nodes", showlegend=False,
                        marker={"color": "#444444", "size": 6 if graph.num_nodes <= 300 else 3}))
    fig = go.Figure(traces, layout={
        "height": height, "uirevision": name, "margin": {"l": 5, "r": 5, "t": 30, "b": 5}, "plot_bgcolor": "white",
        "xaxis": {"visible": False}, "yaxis": {"visible": False, "scaleanchor": "x", "scaleratio": 1},
        "legend": {"title": {"text": name}},
    })
    return apply_style(fig, style)


def _number(value: float) -> str:
    """``value`` with 2 significant digits, as a plain number (0.063, 1.2, 350; 1.2e-05 below 0.001)."""
    if value == 0:
        return "0"
    return f"{value:.2g}" if 1e-3 <= abs(value) < 1e4 else f"{value:.1e}"


def quantile_figure(s: np.ndarray, quantiles: np.ndarray, height: int = 300) -> go.Figure:
    r"""Each column of ``s`` sorted in descending order, with its quantile :math:`q_k` of the balance term.

    The balance term rewards columns that sit far above :math:`q_k` for about :math:`N/K` nodes and below it for the
    rest, i.e. clusters of about equal size.
    """
    n, k = s.shape
    colors = cluster_colors(k)
    fig = go.Figure()
    for j in range(k):
        fig.add_trace(go.Scatter(x=np.arange(n), y=np.sort(s[:, j])[::-1], mode="lines", name=f"s_{j}",
                                 line={"color": colors[j]}))
        fig.add_hline(y=float(quantiles[j]), line={"color": colors[j], "dash": "dot", "width": 1})
    fig.add_vline(x=min(n // k, n - 1), line={"color": "#444444", "dash": "dash", "width": 1},
                  annotation_text="⌊N/K⌋")
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, xaxis_title="rank",
                      yaxis_title="s_ik (sorted)", yaxis_range=[0, 1.02], uirevision="quantiles")
    return fig


def figure_html(fig: go.Figure) -> str:
    """A standalone HTML page of ``fig`` with plotly.js embedded, so that it opens offline."""
    return fig.to_html(full_html=True, include_plotlyjs=True)
