"""Per-edge GTV shares, their darkness levels and soft cluster sizes, against hand values."""

from __future__ import annotations

import numpy as np

from gtvviz.viz.assignment import SHARE_LEVELS, edge_share, share_levels, soft_sizes

S = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.5, 0.5], [0.9, 0.1], [0.3, 0.7]])


def test_edge_share_by_hand() -> None:
    src, dst = np.array([0, 2, 4, 0, 2]), np.array([1, 3, 5, 4, 5])
    # sharp cut 1; two undecided nodes 0; |0.9-0.3|+|0.1-0.7| = 1.2 -> 0.6; 0.1+0.1 -> 0.1; 0.2+0.2 -> 0.2
    np.testing.assert_allclose(edge_share(src, dst, S), [1.0, 0.0, 0.6, 0.1, 0.2], atol=1e-6)


def test_undecided_nodes_carry_no_dark_edge() -> None:
    s = np.full((4, 3), 1 / 3)
    index, _ = share_levels(edge_share(np.array([0, 1, 2]), np.array([1, 2, 3]), s))
    assert len(index) == 0


def test_share_levels_by_hand() -> None:
    share = np.array([0.6, 0.0, 1.0, 0.04, 0.26])
    index, level = share_levels(share)
    np.testing.assert_array_equal(index, [0, 2, 4])
    np.testing.assert_array_equal(level, [3, SHARE_LEVELS, 2])  # ceil(0.6 * 4), 4, ceil(1.04)
    index, level = share_levels(share, limit=2)  # the two largest shares, in edge order
    np.testing.assert_array_equal(index, [0, 2])
    np.testing.assert_array_equal(level, [3, 4])


def test_soft_sizes_by_hand() -> None:
    np.testing.assert_allclose(soft_sizes(S), [3.2, 2.8])
    np.testing.assert_allclose(soft_sizes(np.full((6, 3), 1 / 3)), [2, 2, 2])
