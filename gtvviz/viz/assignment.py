r"""What a soft assignment :math:`S \in [0, 1]^{N \times K}` (rows on the probability simplex) says per edge and per
cluster, for drawing: every function is numpy, :math:`O(E \cdot K)` on the edge list, never :math:`N \times N`.

* :func:`edge_share`: each edge's share of the GTV term, :math:`\tfrac12 \lVert s_i - s_j \rVert_1 \in [0, 1]`
  (0 for two nodes with the same row, e.g. inside a sharp cluster or between two undecided nodes; 1 for a sharp
  cut, one-hot rows on different clusters). Drawing an edge this dark means an undecided (grey) node never carries
  a black edge, which a cut by :math:`\arg\max` would draw.
* :func:`share_levels`: the same, quantised to :data:`SHARE_LEVELS` darkness levels, most salient edges first.
* :func:`soft_sizes`: each cluster's soft mass :math:`\sum_i s_{ik}` (sums to :math:`N`), which a uniform
  assignment splits equally instead of piling every node into the :math:`\arg\max` cluster.
"""

from __future__ import annotations

import numpy as np

#: Darkness levels of the edges drawn by their GTV share (level ``l`` holds shares in ``((l-1)/L, l/L]``).
SHARE_LEVELS = 4
#: Edges whose share is at most this are drawn as ordinary (light) edges.
SHARE_FLOOR = 0.05


def edge_share(src: np.ndarray, dst: np.ndarray, s: np.ndarray) -> np.ndarray:
    r"""Share :math:`\tfrac12 \lVert s_i - s_j \rVert_1` of every edge ``(src[e], dst[e])``, in :math:`[0, 1]`.

    Args:
        src, dst: :math:`(E,)` end points of the edges.
        s: :math:`(N, K)` soft assignment, rows summing to 1.

    Returns:
        :math:`(E,)` float32 shares (the unweighted summands of :math:`\mathcal{L}_{GTV}`, halved).
    """
    s = np.asarray(s, dtype=np.float32)
    return np.clip(0.5 * np.abs(s[src] - s[dst]).sum(axis=1), 0.0, 1.0)


def share_levels(share: np.ndarray, limit: int | None = None,
                 levels: int = SHARE_LEVELS) -> tuple[np.ndarray, np.ndarray]:
    """The edges to draw darker than ordinary ones and their darkness level.

    An edge with share :math:`x > ` :data:`SHARE_FLOOR` gets level :math:`\\lceil x L \\rceil \\in \\{1..L\\}`.

    Args:
        share: :math:`(E,)` shares (:func:`edge_share`).
        limit: at most this many edges, the ones with the largest share (among equal shares, a
            deterministic choice); ``None`` for all.
        levels: :math:`L`.

    Returns:
        ``(index, level)``: the chosen edge indices in increasing order and their levels (int arrays).
    """
    index = np.flatnonzero(share > SHARE_FLOOR)
    if limit is not None and len(index) > limit:
        keep = np.argpartition(-share[index], limit - 1)[:limit]
        index = np.sort(index[keep])
    level = np.clip(np.ceil(share[index] * levels), 1, levels).astype(np.int64)
    return index, level


def soft_sizes(s: np.ndarray) -> np.ndarray:
    r"""Soft mass :math:`\sum_i s_{ik}` of every cluster: :math:`(K,)`, summing to :math:`N` for rows on the
    simplex."""
    return np.asarray(s, dtype=np.float64).sum(axis=0)
