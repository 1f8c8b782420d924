"""Node positions for drawing a graph, computed once per graph and deterministic for a given seed.

* A graph that carries positions (``Graph.pos``, e.g. a pixel grid or two moons) is drawn where it says.
* Small connected graphs use networkx's Kamada-Kawai layout.
* Every other graph uses :func:`force_layout`: a spectral start refined by a sparse force simulation in
  :math:`O((E + N m) \\cdot \\text{iterations})`, with attraction along edges and repulsion from ``m`` random
  nodes per node and iteration (a negative-sampling take on ForceAtlas). The spectral start keeps communities
  apart where a spring layout from random positions tangles them into one ball (a block model of a few hundred
  nodes); ``benchmarks/layout_quality.py`` measures how far apart each layout draws the planted communities.

A computed layout is turned so that its longest extent runs across (:func:`landscape`): screens, panels and
projectors are wider than tall, so a graph of two communities is drawn side by side rather than stacked. Every
layout is centred and scaled into :math:`[-1, 1]^2`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackNoConvergence, eigsh

from gtvviz.graph import Graph

#: Connected graphs up to this many nodes get a Kamada-Kawai layout; every other graph gets :func:`force_layout`.
KAMADA_KAWAI_LIMIT = 100


def compute_layout(graph: Graph, seed: int = 0) -> np.ndarray:
    """Positions of the nodes of ``graph``, shape :math:`(N, 2)`, in :math:`[-1, 1]^2`.

    Args:
        graph: the graph to draw; its own ``pos`` is used when present.
        seed: seed of every random choice, so that the same graph and seed give the same picture.
    """
    if graph.pos is not None:
        return normalise(np.asarray(graph.pos, dtype=np.float64))
    if graph.num_nodes == 0:
        return np.zeros((0, 2))
    if graph.num_nodes <= KAMADA_KAWAI_LIMIT:
        positions = _kamada_kawai_layout(graph)
        if positions is not None:
            return normalise(landscape(positions))
    return normalise(landscape(force_layout(graph.to_scipy(), seed=seed)))


def landscape(pos: np.ndarray) -> np.ndarray:
    r"""Rotate ``pos`` about its mean so that its principal axis (the leading eigenvector :math:`u` of the
    :math:`2 \times 2` covariance of the centred positions) lies along :math:`x`: the drawing's longest extent
    runs across. A rotation (no mirror image), with :math:`u` signed so that its first non-zero entry is
    positive, so that equal inputs give equal pictures."""
    pos = np.asarray(pos, dtype=np.float64).reshape(-1, 2)
    if len(pos) < 2:
        return pos
    centred = pos - pos.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred)
    u = vectors[:, 1]
    u = -u if u[np.flatnonzero(np.abs(u) > 1e-12)[0]] < 0 else u
    rotation = np.array([[u[0], -u[1]], [u[1], u[0]]])  # columns: u and u turned by 90 degrees
    return centred @ rotation


def normalise(pos: np.ndarray) -> np.ndarray:
    """Centre ``pos`` on its bounding box and scale the larger side to :math:`[-1, 1]`, keeping the aspect."""
    pos = np.asarray(pos, dtype=np.float64).reshape(-1, 2)
    if len(pos) == 0:
        return pos
    low, high = pos.min(axis=0), pos.max(axis=0)
    span = float((high - low).max())
    return (pos - (low + high) / 2) / (span / 2 if span > 0 else 1.0)


def _kamada_kawai_layout(graph: Graph) -> np.ndarray | None:
    """networkx's Kamada-Kawai positions of a connected ``graph``; ``None`` when it is not connected."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(graph.num_nodes))
    row, col = graph.edge_index.numpy()
    upper = row < col
    g.add_edges_from(zip(row[upper].tolist(), col[upper].tolist()))
    if not nx.is_connected(g):
        return None
    positions = nx.kamada_kawai_layout(g)
    return np.array([positions[i] for i in range(graph.num_nodes)], dtype=np.float64)


def spectral_start(a: sp.csr_matrix, seed: int = 0) -> np.ndarray:
    r"""Two leading non-trivial eigenvectors of the regularised normalised adjacency
    :math:`D_\tau^{-1/2} (A + \frac{\tau}{N} \mathbf{1}\mathbf{1}^\top) D_\tau^{-1/2}`, with :math:`\tau` the mean
    degree, so that disconnected graphs still give one embedding. Falls back to random points if ARPACK fails.
    """
    n = a.shape[0]
    rng = np.random.default_rng(seed)
    if n < 4:
        return rng.standard_normal((n, 2))
    deg = np.asarray(a.sum(axis=1)).ravel()
    tau = max(float(deg.mean()), 1e-9)
    inv_sqrt = 1.0 / np.sqrt(deg + tau)

    def matvec(v: np.ndarray) -> np.ndarray:
        v = v.reshape(n, -1) * inv_sqrt[:, None]
        out = a @ v + (tau / n) * v.sum(axis=0, keepdims=True)
        return (out * inv_sqrt[:, None]).reshape(v.shape if v.shape[1] > 1 else (n,))

    op = sp.linalg.LinearOperator((n, n), matvec=matvec, matmat=matvec, dtype=np.float64)
    try:
        values, vectors = eigsh(op, k=3, which="LA", v0=rng.standard_normal(n), tol=1e-4, maxiter=5 * n)
    except ArpackNoConvergence:
        return rng.standard_normal((n, 2))
    order = np.argsort(values)[::-1]
    return vectors[:, order[1:3]] * inv_sqrt[:, None]


def force_layout(a: sp.csr_matrix, seed: int = 0, iterations: int = 150, negatives: int = 8) -> np.ndarray:
    """A sparse force-directed layout: spectral start, then attraction along edges and sampled repulsion.

    Args:
        a: symmetric adjacency matrix :math:`(N, N)`.
        seed: seed of the spectral start and of the repulsion samples.
        iterations: number of simulation steps (the step size cools linearly to zero).
        negatives: random nodes each node is repelled from per step.
    """
    n = a.shape[0]
    rng = np.random.default_rng(seed)
    pos = normalise(spectral_start(a, seed)) * np.sqrt(n)
    pos += rng.standard_normal((n, 2)) * 0.05 * np.sqrt(n)
    coo = sp.triu(a, k=1).tocoo()
    src, dst, w = coo.row, coo.col, coo.data
    for it in range(iterations):
        force = np.zeros_like(pos)
        delta = pos[dst] - pos[src]
        dist = np.linalg.norm(delta, axis=1, keepdims=True) + 1e-9
        pull = delta * (w[:, None] * dist / (1.0 + dist))  # attraction grows linearly, then saturates
        np.add.at(force, src, pull)
        np.add.at(force, dst, -pull)
        others = rng.integers(0, n, size=(n, negatives))
        away = pos[:, None, :] - pos[others]
        d2 = (away**2).sum(axis=-1, keepdims=True) + 1e-2
        force += (away / d2).sum(axis=1) * (n / negatives)
        force -= pos * 0.01  # weak gravity keeps components together
        length = np.linalg.norm(force, axis=1, keepdims=True) + 1e-9
        step = np.sqrt(n) * 0.1 * (1.0 - it / iterations)
        pos += force / length * np.minimum(length, step)
    return pos


def assignment_layout(s: np.ndarray, pos: np.ndarray, spread: float = 0.25) -> np.ndarray:
    r"""Positions that place every node by its learned soft assignment, for graphs whose force layout is a hairball:
    node :math:`i` at :math:`\mathrm{normalise}\big(b_i + \mathrm{spread} \cdot p_i\big)`, with :math:`b_i` its
    barycentre on the assignment simplex (:func:`gtvviz.viz.simplex.simplex_positions` without jitter: the
    clusters' corners on the unit circle) and :math:`p_i` its position in ``pos`` (normalised to
    :math:`[-1, 1]^2`), so that each cluster becomes a blob at its corner whose inside keeps the shape of the graph
    layout, and undecided nodes sit in the middle.

    Args:
        s: :math:`(N, K)` soft assignment (e.g. a trained run's).
        pos: :math:`(N, 2)` a graph layout (:func:`compute_layout`).
        spread: size of each blob relative to the corners' radius.
    """
    from gtvviz.viz.simplex import simplex_positions

    return normalise(simplex_positions(s, jitter=0.0) + spread * normalise(pos))
