"""Plotly figures: one edge trace with NaN separators, cut edges, WebGL for large graphs, hover data, colours."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from gtvviz import Graph
from gtvviz.viz import (
    cluster_sizes_figure,
    edge_values_figure,
    figure_html,
    graph_figure,
    label_assignment,
    loss_figure,
    quantile_figure,
    sharpness_figure,
)
from gtvviz.viz.figures import (
    CUT_EDGE_LIMIT,
    WEBGL_THRESHOLD,
    cluster_colorscale,
    color_values,
    edge_picture,
    undirected_edges,
)
from gtvviz.viz.layout import compute_layout

PATH = Graph.from_edges([["a", "b"], ["b", "c"], ["c", "d"]], y=[0, 0, 1, 1], node_ids=["a", "b", "c", "d"])
S = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.5, 0.5]], dtype=np.float32)


def _trace(fig: go.Figure, name: str) -> go.BaseTraceType:
    return next(t for t in fig.data if t.name == name)


def test_graph_figure_draws_all_edges_in_one_trace_and_the_cut_ones_in_another() -> None:
    fig = graph_figure(PATH, compute_layout(PATH), S)
    edges, cut, nodes = _trace(fig, "edges"), _trace(fig, "cut edges"), _trace(fig, "nodes")
    assert len(fig.data) == 3
    assert len(edges.x) == 3 * PATH.num_edges and int(np.isnan(np.asarray(edges.x, float)).sum()) == PATH.num_edges
    assert len(cut.x) == 3 * 2  # hard labels 0, 0, 1, 0: the edges b-c and c-d are cut
    assert fig.layout.uirevision == "graph"
    assert isinstance(nodes, go.Scatter)


def test_cut_edges_follow_the_hard_assignment() -> None:
    labels = S.argmax(axis=1)  # [0, 0, 1, 0]
    src, dst = undirected_edges(PATH)
    fig = graph_figure(PATH, compute_layout(PATH), S)
    assert len(_trace(fig, "cut edges").x) == 3 * int((labels[src] != labels[dst]).sum())


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
    assert [t.name for t in fig.data] == ["edges", "nodes"]
    truth = label_assignment(PATH)
    np.testing.assert_array_equal(truth.argmax(axis=1), [0, 0, 1, 1])
    unlabeled = Graph.from_edges([[0, 1]], 2)
    assert label_assignment(unlabeled) is None


def test_side_charts() -> None:
    history = [{"epoch": e, "total": 1.0 / (e + 1), "gtv": 0.1, "balance": 0.5, "nmi": 0.3} for e in range(5)]
    loss = loss_figure(history, ["total", "gtv", "balance"])
    assert [t.name for t in loss.data] == ["total", "gtv", "balance"]
    assert sum(sharpness_figure(S).data[0].y) == len(S)
    sizes = cluster_sizes_figure(S)
    assert list(sizes.data[0].y) == [3, 1]


def test_edge_values_and_quantile_figures() -> None:
    values = np.array([0.1, 10.0, 1000.0])
    fig = edge_values_figure(PATH, compute_layout(PATH), values, name="Γ", log=True, bins=3)
    edge_traces = [t for t in fig.data if t.name != "nodes"]
    assert sum(int(np.isnan(np.asarray(t.x, float)).sum()) for t in edge_traces) == PATH.num_edges
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
    s = rng.dirichlet(np.ones(3), size=n).astype(np.float32)  # random: most edges are cut
    fig = graph_figure(graph, pos, s, picture=picture)
    assert [t.name for t in fig.data] == ["cut edges", "nodes"]
    assert fig.layout.images[0].source == picture and fig.layout.images[0].layer == "below"
    assert len(_trace(fig, "cut edges").x) == 3 * CUT_EDGE_LIMIT
