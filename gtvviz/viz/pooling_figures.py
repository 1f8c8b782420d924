r"""Plotly figures of hierarchical pooling: pure functions of a graph, its layout and its pooling levels.

A pooling level :math:`\ell` maps the :math:`N_{\ell-1}` nodes of its input to :math:`K_\ell` supernodes with
the soft assignment :math:`\mathbf{S}_\ell`. Supernodes are drawn at the assignment-weighted mean position of
their members, :math:`\mathbf{P}_\ell = \mathrm{diag}(\mathbf{m})^{-1} \mathbf{S}_\ell^\top \mathbf{P}_{\ell-1}`,
with an area proportional to their *mass*, the number of input-graph nodes they stand for (as a share of the
whole graph, so that K equal supernodes are small and one that stands for the whole graph is large)
(:math:`\mathbf{m}_\ell = \mathbf{S}_\ell^\top \mathbf{m}_{\ell-1}`, :math:`\mathbf{m}_0 = \mathbf{1}`), and the
edges of the pooled adjacency with a width proportional to their weight.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from gtvviz.graph import Graph
from gtvviz.viz.figures import cluster_colors, cluster_colorscale, color_values, edge_lines, graph_figure

if TYPE_CHECKING:  # pragma: no cover
    from gtvviz.classification import PoolLevel

#: At most this many pooled edges (the heaviest) are drawn per level; the pooled adjacency is dense.
MAX_POOLED_EDGES = 400
#: Pooled edges are drawn in this many line widths (one trace each).
WIDTH_BINS = 5


def pooled_positions(pos: np.ndarray, s: np.ndarray) -> np.ndarray:
    r""":math:`(K, 2)` positions of the supernodes: the :math:`\mathbf{S}`-weighted mean of their members'."""
    return (s.T @ pos) / np.maximum(s.sum(axis=0), 1e-12)[:, None]


def level_masses(levels: Sequence[PoolLevel]) -> list[np.ndarray]:
    """The mass of every supernode of every level, in input-graph nodes (each level's masses sum to :math:`N`)."""
    masses: list[np.ndarray] = []
    for level in levels:
        masses.append(level.s.sum(axis=0) if not masses else level.s.T @ masses[-1])
    return masses


def coarsened_graph_figure(pos: np.ndarray, mass: np.ndarray, adj: np.ndarray, s_next: np.ndarray | None = None, *,
                           title: str = "", max_edges: int = MAX_POOLED_EDGES, height: int = 420) -> go.Figure:
    """A pooled graph: supernodes at ``pos`` with area proportional to ``mass``, edges as wide as their weight.

    Args:
        pos: :math:`(K, 2)` supernode positions (:func:`pooled_positions`).
        mass: :math:`(K,)` supernode masses (:func:`level_masses`).
        adj: :math:`(K, K)` pooled adjacency; the diagonal (weight inside a supernode) is shown on hover only.
        s_next: optional :math:`(K, K')` assignment of the next level: colours the supernodes like the input graph
            is coloured by :math:`\\mathbf{S}_1` (pale when undecided); without it each supernode has its own colour.
        title: figure title.
        max_edges: draw only the heaviest ``max_edges`` edges.
        height: figure height in pixels.
    """
    k = len(mass)
    row, col = np.triu_indices(k, 1)
    weight = adj[row, col]
    keep = np.argsort(weight)[::-1][:max_edges]
    keep = keep[weight[keep] > 0]
    row, col, weight = row[keep], col[keep], weight[keep]
    top = float(weight.max()) if len(weight) else 1.0
    width_bin = np.minimum((weight / top * WIDTH_BINS).astype(int), WIDTH_BINS - 1)
    traces = []
    for b in range(WIDTH_BINS):
        x, y = edge_lines(pos, row[width_bin == b], col[width_bin == b])
        traces.append(go.Scatter(x=x, y=y, mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"color": "rgba(90, 90, 90, 0.45)", "width": 0.5 + 1.6 * b}))
    if s_next is None:
        marker = {"color": cluster_colors(k)}
    else:
        marker = {"color": color_values(s_next), "colorscale": cluster_colorscale(s_next.shape[1]), "cmin": 0.0,
                  "cmax": 1.0}
    size = 6 + 40 * np.sqrt(mass / max(float(mass.sum()), 1e-12)) if k else np.zeros(0)
    customdata = np.stack([np.arange(k), mass, np.diag(adj)], axis=1) if k else np.zeros((0, 3))
    traces.append(go.Scatter(
        x=pos[:, 0], y=pos[:, 1], mode="markers", customdata=customdata, showlegend=False,
        hovertemplate="<b>supernode %{customdata[0]}</b><br>mass %{customdata[1]:.2f} nodes"
                      "<br>internal weight %{customdata[2]:.3g}<extra></extra>",
        marker={**marker, "size": size, "line": {"width": 0.5, "color": "white"}},
    ))
    return go.Figure(traces, layout={
        "title": title or None, "height": height, "uirevision": title, "plot_bgcolor": "white",
        "margin": {"l": 5, "r": 5, "t": 40 if title else 5, "b": 5}, "xaxis": {"visible": False},
        "yaxis": {"visible": False, "scaleanchor": "x", "scaleratio": 1},
    })


def pooling_figures(graph: Graph, pos: np.ndarray, levels: Sequence[PoolLevel], height: int = 420) -> list[go.Figure]:
    r"""One figure per stage: the input graph coloured by :math:`\mathbf{S}_1`, then each pooled graph coloured
    by the next level's assignment (the last one in its supernodes' own colours), titled by their sizes."""
    if not levels:
        return [graph_figure(graph, pos, title=f"Input ({graph.num_nodes} nodes, no pooling)", height=height)]
    s1 = levels[0].s
    sharpness = f"sharpness {float(s1.max(axis=1).mean()):.2f}, uniform {1 / s1.shape[1]:.2f}" if len(s1) else ""
    title = f"Input ({graph.num_nodes} nodes)<br><sup>{sharpness}</sup>"
    figures = [graph_figure(graph, pos, s1, title=title, height=height).update_layout(margin_t=60)]
    for depth, (level, mass) in enumerate(zip(levels, level_masses(levels)), start=1):
        pos = pooled_positions(pos, level.s)
        s_next = levels[depth].s if depth < len(levels) else None
        figures.append(coarsened_graph_figure(pos, mass, level.adj, s_next, height=height,
                                              title=f"Level {depth} ({len(mass)} supernodes)"))
    return figures


def accuracy_figure(history: Sequence[Mapping[str, float]], height: int = 260) -> go.Figure:
    """Training and validation accuracy against the epoch."""
    epochs = [row["epoch"] for row in history]
    fig = go.Figure([
        go.Scatter(x=epochs, y=[row[key] for row in history], mode="lines+markers", name=name,
                   line={"color": color}, marker={"size": 4})
        for key, name, color in (("train_accuracy", "train", "#1f77b4"), ("val_accuracy", "validation", "#d62728"))
    ])
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, title="Accuracy",
                      xaxis_title="epoch", yaxis_range=[0, 1.02], uirevision="accuracy",
                      legend={"orientation": "h", "y": -0.25})
    return fig
