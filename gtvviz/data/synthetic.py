"""Seeded synthetic graphs with ground-truth labels: block models, point clouds and pictures.

:mod:`gtvviz.data.generators` names them and declares their parameters; the functions here check the size of what
they would build against :mod:`gtvviz.data.limits` before building it.

Features of the block models: class means are random unit vectors scaled by ``snr``, plus Gaussian noise
:math:`\\mathcal{N}(0, I/F)` (expected norm 1), so ``snr=0`` gives pure noise and ``snr >= 2`` separable classes.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

from gtvviz.data.limits import MAX_GENERATED_EDGES, MAX_GENERATED_FEATURE_ENTRIES, MAX_GENERATED_NODES
from gtvviz.errors import ConfigError
from gtvviz.graph import Graph


# ---------------------------------------------------------------------- building blocks
def _graph(pairs: np.ndarray, n: int, **fields: Any) -> Graph:
    """A graph from undirected pairs ``(2, M)`` (any order; repeats and self-loops are dropped silently)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(2, -1)
    pairs = pairs[:, pairs[0] != pairs[1]]
    keys = np.unique(np.minimum(pairs[0], pairs[1]) * n + np.maximum(pairs[0], pairs[1]))  # one int64 per pair
    return Graph.from_edges(np.stack(np.divmod(keys, n)), n, directed=False, **fields)


def _check_size(n: int, expected_edges: float) -> None:
    if n > MAX_GENERATED_NODES:
        raise ConfigError(f"The graph would have {n:,} nodes, over the generator limit of {MAX_GENERATED_NODES:,}.")
    if expected_edges > MAX_GENERATED_EDGES:
        raise ConfigError(
            f"The graph would have about {expected_edges:,.0f} edges, over the generator limit of "
            f"{MAX_GENERATED_EDGES:,}; lower the edge probabilities or the number of nodes."
        )


def _check_features(n: int, dim: int) -> None:
    """Refuse dense generated features over :data:`MAX_GENERATED_FEATURE_ENTRIES`, before any work."""
    if n * dim > MAX_GENERATED_FEATURE_ENTRIES:
        raise ConfigError(
            f"The graph would have {n:,} x {dim:,} features, over the generator limit of "
            f"{MAX_GENERATED_FEATURE_ENTRIES:,} entries (gtvviz.data.limits); use fewer features or nodes."
        )


def _block_edges(rng: np.random.Generator, sizes: tuple[int, ...], p_in: float, p_out: float) -> np.ndarray:
    """Edges of a stochastic block model: each pair inside a block with ``p_in``, across blocks with ``p_out``."""
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    expected = sum(p_in * s * (s - 1) / 2 for s in sizes) + p_out * (offsets[-1] ** 2 - sum(s * s for s in sizes)) / 2
    _check_size(int(offsets[-1]), expected)
    parts = []
    for a, size_a in enumerate(sizes):
        for b in range(a, len(sizes)):
            p = p_in if a == b else p_out
            total = size_a * sizes[b]
            picked = rng.choice(total, size=rng.binomial(total, p), replace=False) if p > 0 else np.empty(0, int)
            i, j = np.divmod(picked, sizes[b])
            keep = i < j if a == b else np.ones(len(i), dtype=bool)  # one ordered pair per unordered one
            parts.append(np.stack([i[keep] + offsets[a], j[keep] + offsets[b]]))
    return np.concatenate(parts, axis=1)


def _block_features(rng: np.random.Generator, labels: np.ndarray, snr: float, dim: int) -> np.ndarray | None:
    """Class means (random unit vectors times ``snr``) plus N(0, I/dim) noise; ``None`` when ``dim == 0``."""
    if dim == 0:
        return None
    means = rng.standard_normal((int(labels.max()) + 1, dim))
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    return snr * means[labels] + rng.standard_normal((len(labels), dim)) / math.sqrt(dim)


def _block_labels(sizes: tuple[int, ...]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes)), sizes)


def _knn_graph(points: np.ndarray, labels: np.ndarray, k: int) -> Graph:
    """Symmetrised (union) k-nearest-neighbour graph; the points are the features and the layout."""
    from sklearn.neighbors import NearestNeighbors

    n = len(points)
    _check_size(n, n * k)
    k = min(k, n - 1)
    neighbours = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points, return_distance=False)
    pairs = np.stack([np.repeat(np.arange(n), k + 1), neighbours.reshape(-1)])
    return _graph(pairs, n, x=points, y=labels, pos=points)


# ---------------------------------------------------------------------- generators
def sbm(sizes: tuple[int, ...], p_in: float, p_out: float, snr: float, features: int, seed: int) -> Graph:
    """Stochastic block model with one block per entry of ``sizes`` and Gaussian block features."""
    _check_features(sum(sizes), features)
    rng = np.random.default_rng(seed)
    labels = _block_labels(sizes)
    edges = _block_edges(rng, sizes, p_in, p_out)
    return _graph(edges, len(labels), x=_block_features(rng, labels, snr, features), y=labels)


def planted_partition(groups: int, group_size: int, p_in: float, p_out: float, snr: float, features: int,
                      seed: int) -> Graph:
    """Planted partition: a stochastic block model with ``groups`` blocks of ``group_size`` nodes."""
    return sbm((group_size,) * groups, p_in, p_out, snr, features, seed)


def csbm(n: int, blocks: int, degree: float, homophily: float, snr: float, features: int, seed: int) -> Graph:
    """Contextual SBM: ``blocks`` equal blocks, expected ``degree``, a ``homophily`` share of edges inside blocks."""
    if blocks > n // 2:
        raise ConfigError(f"csbm needs at least 2 nodes per block; {n} nodes cannot form {blocks} blocks.")
    sizes = tuple(len(part) for part in np.array_split(np.arange(n), blocks))
    size = n / blocks
    p_in, p_out = degree * homophily / (size - 1), degree * (1 - homophily) / (n - size)
    if max(p_in, p_out) > 1:
        raise ConfigError(
            f"csbm with degree {degree:g} and homophily {homophily:g} needs an edge probability of "
            f"{max(p_in, p_out):.2f} > 1; lower the degree or use more nodes per block."
        )
    return sbm(sizes, p_in, p_out, snr, features, seed)


def word_sbm(blocks: int, size: int, p_in: float, p_out: float, words: int, signal: float, seed: int) -> Graph:
    """SBM of ``blocks`` equal blocks with bag-of-words features: Poisson word counts of rate 1, plus
    ``2 * signal`` on the block's own share of the ``words`` (as in a citation graph; row normalisation makes
    every node's features nearly alike when ``signal`` is small). With 4 or more blocks and a weak signal, the
    reference TVGNN configuration stays at the uniform assignment (issue 8, :mod:`gtvviz.nn.losses`)."""
    if words < blocks:
        raise ConfigError(f"word_sbm needs at least one word per block: {words} words for {blocks} blocks.")
    _check_features(blocks * size, words)
    rng = np.random.default_rng(seed)
    labels = _block_labels((size,) * blocks)
    edges = _block_edges(rng, (size,) * blocks, p_in, p_out)
    rates = np.ones((blocks, words))
    for block, own in enumerate(np.array_split(np.arange(words), blocks)):
        rates[block, own] += 2 * signal
    return _graph(edges, len(labels), x=rng.poisson(rates[labels]).astype(np.float64), y=labels)


def bridged(size: int, p_in: float, bridges: int, snr: float, features: int, seed: int) -> Graph:
    """Two dense communities of ``size`` nodes joined by exactly ``bridges`` random bridge edges."""
    if bridges > size * size:
        raise ConfigError(f"bridged: two communities of {size} nodes allow at most {size * size} bridges.")
    _check_features(2 * size, features)
    rng = np.random.default_rng(seed)
    labels = _block_labels((size, size))
    inside = _block_edges(rng, (size, size), p_in, 0.0)
    i, j = np.divmod(rng.choice(size * size, size=bridges, replace=False), size)
    edges = np.concatenate([inside, np.stack([i, j + size])], axis=1)
    return _graph(edges, 2 * size, x=_block_features(rng, labels, snr, features), y=labels)


def lfr(n: int, tau1: float, tau2: float, mu: float, average_degree: float, min_community: int,
        seed: int) -> Graph:
    """LFR benchmark (networkx): power-law degrees and community sizes, a ``mu`` share of edges leaving.

    Degrees are capped at ``n // 4`` and community sizes at ``n // 2``: without these caps networkx's
    generator can loop forever (a node that needs more outside neighbours than exist outside its community).
    """
    if min_community > n // 2:
        raise ConfigError(f"lfr: min_community ({min_community}) must be at most half the nodes ({n // 2}).")
    if average_degree > n // 4:
        raise ConfigError(f"lfr: average_degree ({average_degree:g}) must be at most a quarter of n ({n // 4}).")
    _check_size(n, n * average_degree / 2)
    try:
        g = nx.LFR_benchmark_graph(n, tau1, tau2, mu, average_degree=average_degree, max_degree=n // 4,
                                   min_community=min_community, max_community=n // 2, seed=seed, max_iters=100)
    except (nx.ExceededMaxIterations, nx.NetworkXError) as err:
        raise ConfigError(
            f"The LFR generator did not converge for these parameters ({str(err).rstrip('.')}); try another seed, "
            "a larger n, a smaller min_community or a tau1 near 2.5-3."
        ) from None
    communities = sorted({frozenset(g.nodes[v]["community"]) for v in g}, key=min)
    labels = np.empty(n, dtype=np.int64)
    for k, members in enumerate(communities):
        labels[list(members)] = k
    return _graph(np.array(list(g.edges()), dtype=np.int64).T, n, y=labels)


def moons(n: int, noise: float, k: int, seed: int) -> Graph:
    """kNN graph of scikit-learn's two interleaving half circles."""
    from sklearn.datasets import make_moons

    points, labels = make_moons(n, noise=noise, random_state=seed)
    return _knn_graph(points, labels, k)


def circles(n: int, noise: float, factor: float, k: int, seed: int) -> Graph:
    """kNN graph of scikit-learn's two concentric circles (inner radius ``factor``)."""
    from sklearn.datasets import make_circles

    points, labels = make_circles(n, noise=noise, factor=factor, random_state=seed)
    return _knn_graph(points, labels, k)


def blobs(n: int, centers: int, spread: float, k: int, seed: int) -> Graph:
    """kNN graph of scikit-learn's isotropic Gaussian blobs in 2-D."""
    from sklearn.datasets import make_blobs

    points, labels = make_blobs(n, centers=centers, cluster_std=spread, random_state=seed)
    return _knn_graph(points, labels, k)


#: RGB colours of the background (first) and of the shapes of :func:`grid`.
PALETTE = np.array([
    [0.10, 0.12, 0.30], [0.90, 0.25, 0.20], [0.20, 0.75, 0.30], [0.95, 0.85, 0.20], [0.55, 0.30, 0.85],
    [0.20, 0.80, 0.90], [0.95, 0.55, 0.10], [0.95, 0.45, 0.75], [0.60, 0.60, 0.60],
])


def grid(width: int, height: int, shapes: int, noise: float, seed: int) -> Graph:
    """A pixel image as a 4-neighbour grid graph: ``shapes`` discs or rectangles on a background.

    Features are the RGB colours plus Gaussian noise of standard deviation ``noise``, labels the regions
    (0 = background), and ``pos`` the pixel coordinates (x to the right, y up).
    """
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:height, 0:width]
    labels = np.zeros((height, width), dtype=np.int64)
    side = math.ceil(math.sqrt(shapes))
    cells = rng.permutation(side * side)[:shapes]  # one shape per cell of a side x side layout: no overlaps
    for k, cell in enumerate(cells, start=1):
        top, left = cell // side * height / side, cell % side * width / side
        cell_h, cell_w = height / side, width / side
        cy, cx = top + cell_h * rng.uniform(0.4, 0.6), left + cell_w * rng.uniform(0.4, 0.6)
        ry, rx = cell_h * rng.uniform(0.25, 0.4), cell_w * rng.uniform(0.25, 0.4)
        if rng.random() < 0.5:
            inside = ((rows + 0.5 - cy) / ry) ** 2 + ((cols + 0.5 - cx) / rx) ** 2 <= 1
        else:
            inside = (np.abs(rows + 0.5 - cy) <= ry) & (np.abs(cols + 0.5 - cx) <= rx)
        labels[inside] = k
    index = np.arange(width * height).reshape(height, width)
    edges = np.concatenate([
        np.stack([index[:, :-1].ravel(), index[:, 1:].ravel()]),
        np.stack([index[:-1, :].ravel(), index[1:, :].ravel()]),
    ], axis=1)
    y = labels.ravel()
    x = PALETTE[y] + noise * rng.standard_normal((len(y), 3))
    pos = np.stack([cols.ravel(), height - 1 - rows.ravel()], axis=1).astype(float)
    return _graph(edges, len(y), x=x, y=y, pos=pos)


def ring_of_cliques(cliques: int, clique_size: int) -> Graph:
    """``cliques`` cliques of ``clique_size`` nodes, consecutive cliques joined by one edge (networkx)."""
    g = nx.ring_of_cliques(cliques, clique_size)
    labels = np.arange(cliques * clique_size) // clique_size
    angle = 2 * math.pi * labels / cliques
    inner = 2 * math.pi * (np.arange(cliques * clique_size) % clique_size) / clique_size + angle
    radius = 0.5 * cliques / math.pi + 0.5
    pos = np.stack([radius * np.cos(angle) + 0.35 * np.cos(inner), radius * np.sin(angle) + 0.35 * np.sin(inner)], 1)
    return _graph(np.array(list(g.edges()), dtype=np.int64).T, len(labels), y=labels, pos=pos)
