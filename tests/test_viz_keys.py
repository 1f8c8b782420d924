"""What the reader sees next to the figures: the colour key, readable metric tables, the relaxed view's colours."""

from __future__ import annotations

import numpy as np

from gtvviz import Graph
from gtvviz.viz.compare_figures import OTHER_COLOR, relaxed_colorscale, relaxed_figure, relaxed_labels
from gtvviz.viz.figures import GREY_HEX, cluster_colors
from gtvviz.viz.legend import legend_html
from gtvviz.viz.tables import MISSING, metrics_table


def test_legend_names_every_cluster_colour_undecided_and_the_edge_share() -> None:
    html = legend_html(3)
    for color in cluster_colors(3):
        assert color in html
    assert GREY_HEX in html and "undecided" in html and "GTV share" in html
    assert "<script" not in html


def test_metrics_table_has_readable_names_and_no_none() -> None:
    results = {"tvgnn": {"nmi": 0.91234, "cut_fraction": 0.1, "epoch": 500.0},
               "spectral": {"nmi": None, "cut_fraction": float("nan"), "epoch": 0.0}}
    table = metrics_table(results, ("nmi", "acc", "cut_fraction", "epoch"))
    assert list(table.columns) == ["NMI", "cut edges (fraction)", "epoch"]  # acc: no method has it
    assert table.loc["tvgnn"].tolist() == ["0.912", "0.100", "500"]
    assert table.loc["spectral"].tolist() == [MISSING, MISSING, "0"]
    assert "None" not in table.to_string() and "nan" not in table.to_string()


def test_relaxed_colorscale_runs_from_the_other_cluster_to_the_chosen_one() -> None:
    s = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    blue, red = cluster_colors(2)
    assert relaxed_colorscale(s, s[:, 1]) == [[0.0, blue], [0.5, GREY_HEX], [1.0, red]]
    assert relaxed_colorscale(s, s[:, 0]) == [[0.0, red], [0.5, GREY_HEX], [1.0, blue]]
    s3 = np.array([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
    assert relaxed_colorscale(s3, s3[:, 2]) == [[0.0, OTHER_COLOR], [0.5, GREY_HEX], [1.0, cluster_colors(3)[2]]]


def test_the_relaxed_colour_bar_names_the_clusters_at_its_ends() -> None:
    """The colour bar reads, at 0, 1/2 and 1, what the colours of :func:`relaxed_colorscale` stand for."""
    s = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    assert relaxed_labels(s, s[:, 1]) == ("cluster 0", "undecided", "cluster 1")
    assert relaxed_labels(s, s[:, 0]) == ("cluster 1", "undecided", "cluster 0")
    s3 = np.array([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])
    assert relaxed_labels(s3, s3[:, 2]) == ("other clusters", "undecided", "cluster 2")
    graph = Graph.from_edges(np.array([[0, 1], [1, 2]]).T, 3)
    pos = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    figure = relaxed_figure(graph, pos, {"relaxed": np.array([0.0, 0.6, 1.0]), "sharp": s[:, 1]},
                            labels=relaxed_labels(s, s[:, 1]))
    bar = figure.data[-1].marker.colorbar
    assert list(bar.tickvals) == [0.0, 0.5, 1.0] and list(bar.ticktext) == ["cluster 0", "undecided", "cluster 1"]
    assert relaxed_figure(graph, pos, {"relaxed": np.array([0.0, 0.6, 1.0])}).data[-1].marker.colorbar.ticktext is None
