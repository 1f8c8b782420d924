r"""The assignment simplex: every node drawn at the barycentre of :math:`K` cluster corners, weighted by its row
:math:`s_i` of the soft assignment.

Corner :math:`k` sits on the unit circle at angle :math:`90° + 360° k / K` (:math:`K = 2`: a horizontal line,
corners :math:`(-1, 0)` and :math:`(1, 0)`; :math:`K = 3`: a triangle with cluster 0 on top; more: a regular
polygon). Node :math:`i` sits at :math:`p_i = \sum_k s_{ik} c_k`, so an undecided node (uniform row) sits in the
middle and a sharp one (one-hot row) on its cluster's corner. Nodes at the same point (typically the corners, once
training is sharp) are spread on a small deterministic sunflower around it, so that a pile of nodes looks like
one; distinct points never move.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gtvviz.viz.figures import GREY_HEX, cluster_colors, cluster_colorscale, color_values
from gtvviz.viz.style import FigureStyle, apply_style

#: Spacing of the sunflower that separates nodes at the same point, in units of the corner radius.
JITTER = 0.012
#: Radius of the largest sunflower (a pile of many equal nodes stays this size; its nodes get closer).
JITTER_RADIUS = 0.09
#: Two positions closer than this (in units of the corner radius) count as the same point.
SAME_POINT = 1e-3
_GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))


def simplex_corners(k: int) -> np.ndarray:
    """The :math:`(K, 2)` corners: unit circle, cluster 0 at the top (:math:`K = 2`: left and right)."""
    if k == 2:
        return np.array([[-1.0, 0.0], [1.0, 0.0]])
    angle = np.pi / 2 + 2 * np.pi * np.arange(k) / k
    return np.column_stack([np.cos(angle), np.sin(angle)])


def simplex_positions(s: np.ndarray, jitter: float = JITTER) -> np.ndarray:
    r"""Node positions :math:`p_i = \sum_k \hat s_{ik} c_k` (:math:`\hat s_i = s_i / \sum_k s_{ik}`, so rows that do
    not quite sum to 1 stay inside), with equal points spread by a deterministic sunflower of spacing ``jitter``
    (the :math:`j`-th of :math:`m` equal nodes, in node order, moves by
    :math:`\min(\mathrm{jitter}, R/\sqrt m)\sqrt j\,(\cos j\varphi, \sin j\varphi)`, :math:`\varphi` the golden
    angle; the first stays put).

    Args:
        s: :math:`(N, K)` soft assignment, :math:`K \ge 2`.
        jitter: sunflower spacing; 0 for the exact barycentres.

    Returns:
        :math:`(N, 2)` float64 positions.
    """
    s = np.clip(np.nan_to_num(np.asarray(s, dtype=np.float64), nan=0.0), 0.0, None)
    total = s.sum(axis=1, keepdims=True)
    s = np.where(total > 0, s / np.where(total > 0, total, 1.0), 1.0 / s.shape[1])
    pos = s @ simplex_corners(s.shape[1])
    if jitter <= 0 or len(pos) < 2:
        return pos
    cells = np.round(pos / SAME_POINT).astype(np.int64) + round(2 / SAME_POINT)  # |pos| <= 1: cells in [0, 4000]
    keys = cells[:, 0] * (round(4 / SAME_POINT) + 1) + cells[:, 1]  # one integer per cell: a 1-D unique is fast
    _, group, counts = np.unique(keys, return_inverse=True, return_counts=True)
    order = np.argsort(group, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(pos), dtype=np.int64)
    rank[order] = np.arange(len(pos)) - np.repeat(starts, counts)
    spacing = np.minimum(jitter, JITTER_RADIUS / np.sqrt(counts[group]))
    radius = spacing * np.sqrt(rank)
    return pos + np.column_stack([radius * np.cos(rank * _GOLDEN_ANGLE), radius * np.sin(rank * _GOLDEN_ANGLE)])


def simplex_traces(s: np.ndarray, name: str = "nodes") -> list:
    """The traces of one simplex panel: outline, centre cross, nodes (``name``) and numbered corners."""
    k = s.shape[1]
    corners = simplex_corners(k)
    ring = np.vstack([corners, corners[:1]]) if k > 2 else corners
    pos = simplex_positions(s)
    n = len(pos)
    size = 10 if n <= 100 else 7 if n <= 1000 else 4
    return [
        go.Scatter(x=ring[:, 0], y=ring[:, 1], mode="lines", line={"color": GREY_HEX, "width": 1.5},
                   hoverinfo="skip", name="simplex"),
        go.Scatter(x=[0.0], y=[0.0], mode="markers", marker={"symbol": "cross-thin", "size": 14,
                   "line": {"color": "#888888", "width": 1.5}}, hoverinfo="skip", name="undecided"),
        (go.Scattergl if n >= 1000 else go.Scatter)(
            x=pos[:, 0], y=pos[:, 1], mode="markers", name=name, customdata=np.column_stack(
                [np.arange(n), s.max(axis=1) if n else np.zeros(0)]),
            hovertemplate="node %{customdata[0]}<br>max s = %{customdata[1]:.2f}<extra></extra>",
            marker={"color": color_values(s), "colorscale": cluster_colorscale(k), "cmin": 0.0, "cmax": 1.0,
                    "size": size, "line": {"width": 0.5 if n <= 300 else 0, "color": "white"}}),
        go.Scatter(x=corners[:, 0] * 1.16, y=corners[:, 1] * 1.16 - (0.0 if k > 2 else 0.12), mode="text",
                   text=[f"<b>{i}</b>" for i in range(k)], textfont={"color": cluster_colors(k), "size": 16},
                   hoverinfo="skip", name="corners"),
    ]


def simplex_ranges(k: int) -> tuple[list[float], list[float]]:
    """The x and y ranges that show the whole simplex with its corner labels."""
    reach = 1.3
    return [-reach, reach], ([-reach, reach] if k > 2 else [-0.4, 0.4])


def simplex_figure(s: np.ndarray, *, title: str = "", height: int = 420, style: FigureStyle | None = None) -> go.Figure:
    """The assignment simplex of ``s``: the corners labelled with their cluster (in the graph view's colours), the
    polygon's outline, and every node in its graph-view colour (pale = undecided).

    Args:
        s: :math:`(N, K)` soft assignment.
        title: figure title.
        height: figure height in pixels.
        style: font and tick sizes (:class:`~gtvviz.viz.style.FigureStyle`).
    """
    xrange, yrange = simplex_ranges(s.shape[1])
    fig = go.Figure(simplex_traces(s))
    fig.update_layout(
        title=title or None, height=height, showlegend=False, uirevision="simplex", plot_bgcolor="white",
        margin={"l": 5, "r": 5, "t": 40 if title else 5, "b": 5}, hovermode="closest",
        xaxis={"visible": False, "range": xrange},
        yaxis={"visible": False, "range": yrange, "scaleanchor": "x", "scaleratio": 1},
    )
    return apply_style(fig, style)
