"""Plotly figures: one edge trace with NaN separators, edges darkened by their GTV share, WebGL for large graphs,
hover data, colours."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from gtvviz import Graph
from gtvviz.viz import (
    cluster_colors,
    cluster_sizes_figure,
    edge_values_figure,
    figure_html,
    graph_figure,
    label_assignment,
    loss_figure,
    quantile_figure,
    sharpness_figure,
)
from gtvviz.viz.assignment import SHARE_LEVELS
from gtvviz.viz.figures import (
    CUT_EDGE_LIMIT,
    EMPTY_LOSS_EPOCHS,
    WEBGL_THRESHOLD,
    cluster_colorscale,
    color_values,
    edge_picture,
)
from gtvviz.viz.layout import compute_layout
from gtvviz.viz.style import PRESENTATION

PATH = Graph.from_edges([["a", "b"], ["b", "c"], ["c", "d"]], y=[0, 0, 1, 1], node_ids=["a", "b", "c", "d"])
S = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.5, 0.5]], dtype=np.float32)


def _trace(fig: go.Figure, name: str) -> go.BaseTraceType:
    return next(t for t in fig.data if t.name == name)


SHARE_NAMES = [f"GTV share {lv}/{SHARE_LEVELS}" for lv in range(1, SHARE_LEVELS + 1)]


def _edges_at(trace: go.BaseTraceType) -> int:
    return int(np.isnan(np.asarray(trace.x, float)).sum())


def test_graph_figure_draws_all_edges_light_and_darkens_them_by_gtv_share() -> None:
    fig = graph_figure(PATH, compute_layout(PATH), S)
    edges, nodes = _trace(fig, "edges"), _trace(fig, "nodes")
    assert [t.name for t in fig.data] == ["edges", *SHARE_NAMES, "nodes"]
    assert len(edges.x) == 3 * PATH.num_edges and _edges_at(edges) == PATH.num_edges
    # shares a-b 0.1 (level 1), b-c 0.5 (level 2), c-d 0.2 (level 1), by hand from S
    assert [_edges_at(_trace(fig, name)) for name in SHARE_NAMES] == [2, 1, 0, 0]
    widths = [_trace(fig, name).line.width for name in SHARE_NAMES]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    assert fig.layout.uirevision == "graph"
    assert isinstance(nodes, go.Scatter)


def test_undecided_nodes_carry_no_darkened_edge() -> None:
    fig = graph_figure(PATH, compute_layout(PATH), np.full((4, 2), 0.5, dtype=np.float32))
    assert sum(_edges_at(_trace(fig, name)) for name in SHARE_NAMES) == 0


def test_hover_holds_name_label_degree_and_assignment() -> None:
    nodes = _trace(graph_figure(PATH, compute_layout(PATH), S), "nodes")
    data = np.asarray(nodes.customdata)
    assert data.shape == (4, 3 + 2)
    np.testing.assert_allclose(data[:, 2], [1, 2, 2, 1])  # degree
    np.testing.assert_allclose(data[:, 3:], S)
    assert list(nodes.text) == ["a", "b", "c", "d"]
    assert "label" in nodes.hovertemplate and "s = [" in nodes.hovertemplate


def test_large_graphs_use_webgl() -> None:
    n = WEBGL_THRESHOLD
    graph = Graph.from_edges(np.stack([np.arange(n - 1), np.arange(1, n)]), n)
    s = np.full((n, 3), 1 / 3, dtype=np.float32)
    fig = graph_figure(graph, np.random.default_rng(0).random((n, 2)), s)
    assert all(isinstance(t, go.Scattergl) for t in fig.data)
    assert len(fig.to_json()) < 200_000  # numeric arrays travel as typed arrays, not lists


def test_colour_fades_to_grey_with_confidence() -> None:
    s = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    values = color_values(s)
    scale = cluster_colorscale(2)
    np.testing.assert_allclose(values, [0.0, 0.4995, 0.9995], atol=1e-4)
    assert scale[0] == [0.0, "#c8c8c8"] and scale[1][0] == 0.5 and scale[3][0] == 1.0


def test_graph_without_assignment_and_label_assignment() -> None:
    fig = graph_figure(PATH, compute_layout(PATH))
    assert [t.name for t in fig.data] == ["edges", *SHARE_NAMES, "nodes"]  # the share traces are empty
    assert all(len(t.x) == 0 for t in fig.data if t.name in SHARE_NAMES)
    truth = label_assignment(PATH)
    np.testing.assert_array_equal(truth.argmax(axis=1), [0, 0, 1, 1])
    unlabeled = Graph.from_edges([[0, 1]], 2)
    assert label_assignment(unlabeled) is None


def test_side_charts() -> None:
    history = [{"epoch": e, "total": 1.0 / (e + 1), "gtv": 0.1, "balance": 0.5, "nmi": 0.3} for e in range(5)]
    loss = loss_figure(history, ["total", "gtv", "balance"])
    assert [t.name for t in loss.data] == ["total", "gtv", "balance"]
    assert loss.layout.xaxis.range is None  # plotly fits the recorded epochs
    assert loss_figure([], ["total"]).layout.xaxis.range == (0, EMPTY_LOSS_EPOCHS)  # whole epochs before training
    assert sum(sharpness_figure(S).data[0].y) == len(S)
    sizes = cluster_sizes_figure(S)
    np.testing.assert_allclose(sizes.data[0].y, [0.9 + 0.8 + 0.3 + 0.5, 0.1 + 0.2 + 0.7 + 0.5])  # soft mass
    assert sizes.layout.xaxis.dtick == 1 and sizes.layout.xaxis.range == (-0.5, 1.5)  # whole-number cluster ticks
    assert sharpness_figure(S).data[0].marker.color not in cluster_colors(2)  # not cluster 0's colour


def test_style_sets_tick_sizes_and_dark_ticks() -> None:
    fig = sharpness_figure(S, style=PRESENTATION)
    assert fig.layout.xaxis.tickfont.size >= 16 and fig.layout.yaxis.tickfont.size >= 16
    assert fig.layout.xaxis.tickfont.color == "#222222"


def test_edge_values_and_quantile_figures() -> None:
    values = np.array([0.1, 10.0, 1000.0])
    fig = edge_values_figure(PATH, compute_layout(PATH), values, name="Γ", log=True, bins=3)
    edge_traces = [t for t in fig.data if t.name != "nodes"]
    assert sum(int(np.isnan(np.asarray(t.x, float)).sum()) for t in edge_traces) == PATH.num_edges
    # equal-width bins of log10 over [-1, 3]: one edge per bin, labelled with plain numbers
    assert [t.name for t in edge_traces] == ["0.1 – 2.2", "2.2 – 46", "46 – 1e+03"]


def test_edge_values_figure_keeps_near_zero_edges_in_the_first_bin() -> None:
    values = np.array([0.0, 1e-4, 2.0])  # two edges inside a cluster, one cut edge of an l1 distance in [0, 2]
    fig = edge_values_figure(PATH, compute_layout(PATH), values, name="tv", bins=5, value_range=(0.0, 2.0))
    edge_traces = [t for t in fig.data if t.name != "nodes"]
    assert [t.name for t in edge_traces] == ["0 – 0.4", "1.6 – 2"]
    assert _edges_at(edge_traces[0]) == 2 and edge_traces[0].line.width < edge_traces[1].line.width
    quant = quantile_figure(S, np.array([0.8, 0.2]))
    assert len(quant.data) == 2


def test_figure_html_is_standalone() -> None:
    html = figure_html(graph_figure(PATH, compute_layout(PATH), S))
    assert html.lower().startswith("<!doctype html>") and "plotly" in html.lower()
    assert 'src="http' not in html  # plotly.js is embedded, so the file opens offline


def test_figures_are_json_serialisable() -> None:
    for fig in (graph_figure(PATH, compute_layout(PATH), S), sharpness_figure(S), cluster_sizes_figure(S)):
        json.loads(fig.to_json())


@pytest.mark.parametrize("k", [2, 7, 40])
def test_many_clusters_get_distinct_hover_columns(k: int) -> None:
    s = np.random.default_rng(0).dirichlet(np.ones(k), size=4).astype(np.float32)
    nodes = _trace(graph_figure(PATH, compute_layout(PATH), s), "nodes")
    assert np.asarray(nodes.customdata).shape[1] == 3 + min(k, 12)


def test_large_graphs_can_show_their_edges_as_one_picture() -> None:
    n = 1200
    rng = np.random.default_rng(0)
    graph = Graph.from_edges(rng.integers(0, n, size=(2, 5 * n)), n)
    pos = compute_layout(graph)
    picture = edge_picture(graph, pos, pixels=300)
    assert picture.startswith("data:image/png;base64,")
    s = np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]  # random sharp clusters: most edges are sharp cuts
    fig = graph_figure(graph, pos, s, picture=picture)
    assert [t.name for t in fig.data] == [*SHARE_NAMES, "nodes"]
    assert fig.layout.images[0].source == picture and fig.layout.images[0].layer == "below"
    assert _edges_at(_trace(fig, SHARE_NAMES[-1])) == CUT_EDGE_LIMIT
