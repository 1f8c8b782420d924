"""The assignment simplex: barycentres against hand-computed coordinates, the jitter that separates equal points."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from gtvviz.viz.figures import cluster_colorscale
from gtvviz.viz.simplex import JITTER, JITTER_RADIUS, simplex_corners, simplex_figure, simplex_positions
from gtvviz.viz.style import PRESENTATION

R3 = np.sqrt(3.0)


def test_corners_by_hand() -> None:
    np.testing.assert_allclose(simplex_corners(2), [[-1, 0], [1, 0]], atol=1e-12)
    np.testing.assert_allclose(simplex_corners(3), [[0, 1], [-R3 / 2, -0.5], [R3 / 2, -0.5]], atol=1e-12)
    np.testing.assert_allclose(simplex_corners(4), [[0, 1], [-1, 0], [0, -1], [1, 0]], atol=1e-12)


@pytest.mark.parametrize(("row", "expected"), [
    ([0.25, 0.75], [0.5, 0.0]),
    ([1.0, 0.0], [-1.0, 0.0]),
    ([0.5, 0.5, 0.0], [-R3 / 4, 0.25]),
    ([1 / 3, 1 / 3, 1 / 3], [0.0, 0.0]),
    ([0.2, 0.0, 0.8], [0.8 * R3 / 2, 0.2 - 0.4]),
    ([0.5, 0.5, 0.0, 0.0], [-0.5, 0.5]),
    ([0.0, 0.25, 0.0, 0.75], [0.5, 0.0]),
])
def test_barycentre_by_hand(row: list[float], expected: list[float]) -> None:
    np.testing.assert_allclose(simplex_positions(np.array([row]), jitter=0), [expected], atol=1e-12)


def test_rows_that_do_not_sum_to_one_are_normalised() -> None:
    np.testing.assert_allclose(simplex_positions(np.array([[2.0, 6.0], [0.0, 0.0]]), jitter=0),
                               [[0.5, 0.0], [0.0, 0.0]], atol=1e-12)


def test_jitter_moves_only_repeated_points_by_the_sunflower() -> None:
    s = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    exact = simplex_positions(s, jitter=0)
    pos = simplex_positions(s)
    np.testing.assert_allclose(pos[:2], exact[:2], atol=1e-12)  # first of its pile, and a distinct point
    golden = np.pi * (3 - np.sqrt(5))  # second of a pile of two: radius JITTER * sqrt(1), angle 1 golden angle
    np.testing.assert_allclose(pos[2] - exact[2], [JITTER * np.cos(golden), JITTER * np.sin(golden)], atol=1e-12)


def test_a_big_pile_stays_within_the_jitter_radius_and_has_no_two_equal_points() -> None:
    s = np.tile([[0.0, 1.0]], (5000, 1))
    pos = simplex_positions(s)
    offset = np.linalg.norm(pos - [1.0, 0.0], axis=1)
    assert offset.max() <= JITTER_RADIUS + 1e-12
    assert len(np.unique(np.round(pos, 9), axis=0)) == 5000
    np.testing.assert_array_equal(pos, simplex_positions(s))  # deterministic


def test_figure_draws_nodes_in_graph_colours_and_labels_the_corners() -> None:
    s = np.array([[0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0]])
    fig = simplex_figure(s, style=PRESENTATION)
    nodes = next(t for t in fig.data if t.name == "nodes")
    assert isinstance(nodes, go.Scatter)
    np.testing.assert_allclose(np.c_[nodes.x, nodes.y], simplex_positions(s))
    assert [list(p) for p in nodes.marker.colorscale] == [list(p) for p in cluster_colorscale(3)]
    assert nodes.marker.color[1] == pytest.approx(0.0)  # undecided: the grey end of cluster 0's segment
    corners = next(t for t in fig.data if t.name == "corners")
    assert [t.replace("<b>", "").replace("</b>", "") for t in corners.text] == ["0", "1", "2"]
    outline = next(t for t in fig.data if t.name == "simplex")
    assert len(outline.x) == 4  # a closed triangle
    assert fig.layout.yaxis.scaleanchor == "x"


def test_compare_simplex_has_one_panel_per_method_at_the_same_places() -> None:
    from gtvviz.viz.compare_figures import compare_simplex_figure

    sharp, smooth = np.eye(3)[[0, 1, 2, 0]], np.full((4, 3), 1 / 3)
    fig = compare_simplex_figure({"tvgnn": sharp, "dmon": smooth})
    for name, s in (("tvgnn", sharp), ("dmon", smooth)):
        nodes = next(t for t in fig.data if t.name == name)
        np.testing.assert_allclose(np.c_[nodes.x, nodes.y], simplex_positions(s))
    assert [a.text for a in fig.layout.annotations] == ["tvgnn", "dmon"]
