r"""A synthetic graph-classification dataset whose classes differ only in their community structure.

A graph of class :math:`c` has :math:`c + 2` communities (2, 3 or 4 for the default three classes). Its size
:math:`N` is drawn uniformly from ``[min_nodes, max_nodes]`` independently of the class, split into
near-equal communities; two nodes of one community are linked with probability ``p_in``, and consecutive
communities (in a ring) are joined by ``bridges`` random edges. There are no node features, so a model sees
only the topology (gtvviz gives featureless graphs the one-hot degree). Smaller communities mean lower degrees
and more bridges per node, so the class is learnable, and pooling has a clear target: one cluster per
community. No downloads, deterministic for a seed, a few milliseconds per graph.
"""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import Data

from gtvviz.errors import ConfigError


def _community_graph(rng: np.random.Generator, sizes: list[int], p_in: float, bridges: int) -> np.ndarray:
    """Undirected edges ``(E, 2)`` with ``i < j`` of one graph with the given community sizes."""
    starts = np.concatenate([[0], np.cumsum(sizes)])
    edges = []
    for a, b in zip(starts[:-1], starts[1:]):
        i, j = np.triu_indices(b - a, k=1)
        keep = rng.random(len(i)) < p_in
        edges.append(np.stack([i[keep] + a, j[keep] + a], axis=1))
    ring = [(c, (c + 1) % len(sizes)) for c in range(len(sizes) if len(sizes) > 2 else 1)]
    for c, d in ring:
        ends = np.stack([rng.integers(starts[c], starts[c + 1], bridges),
                         rng.integers(starts[d], starts[d + 1], bridges)], axis=1)
        edges.append(np.sort(ends, axis=1))
    return np.unique(np.concatenate(edges), axis=0)


def make_synthetic_graphs(num_graphs: int = 300, num_classes: int = 3, min_nodes: int = 16, max_nodes: int = 40,
                          p_in: float = 0.5, bridges: int = 2, seed: int = 0) -> list[Data]:
    """``num_graphs`` featureless graphs, classes balanced (round robin), class :math:`c` with :math:`c + 2`
    communities; see the module docstring. Each ``Data`` has ``edge_index`` (both directions), ``num_nodes`` and
    ``y`` (shape ``(1,)``), and no ``x``."""
    if num_classes < 2 or num_graphs < num_classes:
        raise ConfigError(f"Need at least 2 classes and one graph per class, got {num_graphs} graphs of "
                          f"{num_classes} classes.")
    if min_nodes < 2 * (num_classes + 1) or max_nodes < min_nodes:
        raise ConfigError(f"Graph sizes [{min_nodes}, {max_nodes}] leave a community of the largest class with "
                          f"fewer than 2 nodes; use min_nodes >= {2 * (num_classes + 1)} and max_nodes >= min_nodes.")
    rng = np.random.default_rng(seed)
    graphs = []
    for index in range(num_graphs):
        label = index % num_classes
        n = int(rng.integers(min_nodes, max_nodes + 1))
        parts = label + 2
        sizes = [n // parts + (1 if c < n % parts else 0) for c in range(parts)]
        pairs = torch.as_tensor(_community_graph(rng, sizes, p_in, bridges).T, dtype=torch.long)
        edge_index = torch.cat([pairs, pairs.flip(0)], dim=1)
        graphs.append(Data(edge_index=edge_index, num_nodes=n, y=torch.tensor([label])))
    return graphs
