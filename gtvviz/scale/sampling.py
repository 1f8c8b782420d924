r"""Node batches for mini-batch training, and the subgraphs they induce, in :math:`O(N + E)` memory.

A sampler splits the nodes into batches of about ``batch_nodes`` nodes; one *pass* (an epoch) visits every node
once. :func:`induced_subgraph` cuts the batch's subgraph out of the compressed rows of the graph: the cost of a
batch is the sum of its nodes' degrees, so a pass costs :math:`O(E)` whatever the batch size.

* :class:`RandomNodeSampler`: a random permutation of the nodes cut into consecutive batches. Each edge lands
  inside a batch with probability about :math:`b/N` (:math:`b` = batch size), so a batch keeps a uniform sample
  of about :math:`E b / N` of the edges: few edges for small batches.
* :class:`ClusterSampler`: ClusterGCN's stochastic multiple partitions (Chiang et al., KDD 2019). The graph is cut
  once into ``parts_per_batch`` parts per batch with METIS (:mod:`pymetis`, the ``scale`` extra); each pass
  shuffles the parts and joins ``parts_per_batch`` of them per batch. Most edges lie inside parts, so batches keep
  most of the graph's edges; joining several random parts puts some between-part edges back and mixes
  communities, which the balance term of the loss needs (see :mod:`gtvviz.scale.batch_loss`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Protocol

import numpy as np
import torch
from torch import Tensor

from gtvviz.errors import ConfigError
from gtvviz.graph import Graph


@dataclass(frozen=True)
class Subgraph:
    """The subgraph induced by a batch of nodes.

    Attributes:
        nodes: :math:`(B,)` sorted ids of the batch's nodes in the whole graph.
        edge_index: :math:`(2, M_B)` every edge between two batch nodes, relabelled to ``0..B-1`` (both directions,
            sorted like the graph's).
        edge_weight: :math:`(M_B,)` their weights, or ``None``.
    """

    nodes: Tensor
    edge_index: Tensor
    edge_weight: Tensor | None


def compressed_rows(index: Tensor, num_rows: int) -> Tensor:
    """Row pointer :math:`(N + 1,)` of entries sorted by row ``index``: row ``i`` holds ``ptr[i]:ptr[i+1]``."""
    counts = torch.bincount(index, minlength=num_rows)
    return torch.cat([counts.new_zeros(1), counts.cumsum(0)])


def row_entries(ptr: Tensor, rows: Tensor) -> Tensor:
    """Ids of every entry of the given ``rows`` (in the order of ``rows``) from a row pointer, in :math:`O(\\sum
    \\text{row lengths})`."""
    starts, counts = ptr[rows], ptr[rows + 1] - ptr[rows]
    total = int(counts.sum())
    offsets = counts.cumsum(0) - counts
    return torch.arange(total, device=ptr.device) - offsets.repeat_interleave(counts, output_size=total) \
        + starts.repeat_interleave(counts, output_size=total)


class SubgraphCutter:
    """Cuts induced subgraphs out of one graph; keeps its row pointer and two :math:`(N,)` scratch arrays.

    Args:
        edge_index: :math:`(2, M)` edges sorted by source (as in :class:`~gtvviz.graph.Graph`).
        num_nodes: :math:`N`.
        edge_weight: optional :math:`(M,)` weights.
    """

    def __init__(self, edge_index: Tensor, num_nodes: int, edge_weight: Tensor | None = None) -> None:
        src = edge_index[0]
        if src.numel() > 1 and not bool((src[1:] >= src[:-1]).all()):
            raise ConfigError("Mini-batches need an edge list sorted by source node; build the graph with Graph.")
        self.edge_index, self.edge_weight = edge_index, edge_weight
        self.ptr = compressed_rows(src, num_nodes)
        self._inside = torch.zeros(num_nodes, dtype=torch.bool, device=edge_index.device)
        self._local = torch.full((num_nodes,), -1, dtype=torch.long, device=edge_index.device)

    def __call__(self, nodes: Tensor) -> Subgraph:
        """The subgraph induced by the sorted node ids ``nodes``."""
        entries = row_entries(self.ptr, nodes)
        dst = self.edge_index[1, entries]
        self._inside[nodes] = True
        self._local[nodes] = torch.arange(nodes.numel(), device=nodes.device)
        try:
            kept = entries[self._inside[dst]]
            local = self._local[self.edge_index[:, kept]]
        finally:  # the scratch arrays are all-False / -1 again for the next batch
            self._inside[nodes] = False
            self._local[nodes] = -1
        weight = None if self.edge_weight is None else self.edge_weight[kept]
        return Subgraph(nodes, local, weight)


def neighbour_rescaled_weights(sub: Subgraph, degree: Tensor) -> Tensor:
    r"""Edge weights under which a GTVConv on the batch's subgraph estimates the layer on the whole graph.

    A GTVConv sums its step over the neighbours, :math:`\sum_{j \in \mathcal{N}(i)} \Gamma_{ij}
    (\tilde{\mathbf{x}}_i - \tilde{\mathbf{x}}_j)` with :math:`\Gamma_{ij} \propto a_{ij}` (no degree
    normalisation), so on a batch that keeps :math:`d^B_i` of node :math:`i`'s (weighted) degree :math:`d_i` the
    step shrinks by about :math:`d^B_i / d_i` (:math:`b/N` on average for random node sets): the model trains on
    a graph much sparser than the one it is applied to. Scaling the weight of every edge *into* :math:`i` by
    :math:`d_i / d^B_i` makes the batch's sum the ratio estimator of the full one (the mean over the kept
    neighbours times :math:`d_i`), exact when the batch keeps every neighbour. A node without neighbours in the
    batch has no edge to scale. The loss keeps the graph's own weights.

    Args:
        sub: a batch's subgraph (its ``edge_index`` sorted by source; messages flow from ``edge_index[0]`` to
            ``edge_index[1]``, PyG's convention).
        degree: :math:`(N,)` weighted degree of every node in the whole graph.

    Returns:
        :math:`(M_B,)` the rescaled weights.
    """
    target = sub.edge_index[1]
    weight = (torch.ones(target.numel(), dtype=degree.dtype, device=degree.device) if sub.edge_weight is None
              else sub.edge_weight.to(degree.dtype))
    kept = torch.zeros(sub.nodes.numel(), dtype=degree.dtype, device=degree.device).index_add_(0, target, weight)
    factor = torch.where(kept > 0, degree[sub.nodes] / torch.where(kept > 0, kept, 1.0), 0.0)
    return weight * factor[target]


def weighted_degree(edge_index: Tensor, num_nodes: int, edge_weight: Tensor | None = None) -> Tensor:
    """:math:`(N,)` float32 sum of the weights of the entries pointing into each node (their count when
    unweighted)."""
    weight = torch.ones(edge_index.size(1), device=edge_index.device) if edge_weight is None else edge_weight.float()
    return torch.zeros(num_nodes, device=edge_index.device).index_add_(0, edge_index[1], weight)


def induced_subgraph(graph: Graph, nodes: Tensor) -> Subgraph:
    """The subgraph of ``graph`` induced by the sorted node ids ``nodes`` (see :class:`SubgraphCutter` to cut many)."""
    return SubgraphCutter(graph.edge_index, graph.num_nodes, graph.edge_weight)(nodes)


class Sampler(Protocol):
    """Splits the nodes into batches: ``num_batches`` of them make one pass over the nodes."""

    num_batches: int

    def batches(self, generator: torch.Generator, count: int | None = None) -> Iterator[Tensor]:
        """``count`` batches (default: one pass) of sorted node ids, drawn with ``generator``."""
        ...


def _check_batch_nodes(batch_nodes: int, num_nodes: int) -> None:
    if batch_nodes < 2:
        raise ConfigError(f"batch_nodes must be at least 2 nodes, got {batch_nodes}.")
    if num_nodes < 2:
        raise ConfigError("Mini-batch training needs a graph with at least 2 nodes.")


def _limited(passes: Iterator[list[Tensor]], count: int) -> Iterator[Tensor]:
    """The first ``count`` batches of as many passes as needed."""
    produced = 0
    for batches in passes:
        for batch in batches:
            if produced == count:
                return
            produced += 1
            yield batch


class RandomNodeSampler:
    """Random node sets: each pass is a random permutation of the nodes cut into batches of ``batch_nodes``.

    Args:
        num_nodes: :math:`N`.
        batch_nodes: nodes per batch (the last batch of a pass may be smaller).
    """

    def __init__(self, num_nodes: int, batch_nodes: int) -> None:
        _check_batch_nodes(batch_nodes, num_nodes)
        self.num_nodes, self.batch_nodes = num_nodes, min(batch_nodes, num_nodes)
        self.num_batches = math.ceil(num_nodes / self.batch_nodes)

    def _passes(self, generator: torch.Generator) -> Iterator[list[Tensor]]:
        while True:
            order = torch.randperm(self.num_nodes, generator=generator)
            yield [part.sort().values for part in order.split(self.batch_nodes)]

    def batches(self, generator: torch.Generator, count: int | None = None) -> Iterator[Tensor]:
        return _limited(self._passes(generator), self.num_batches if count is None else count)


class ClusterSampler:
    r"""ClusterGCN's stochastic multiple partitions: the graph is cut once with METIS into
    ``parts_per_batch * ceil(N / batch_nodes)`` parts; each pass joins ``parts_per_batch`` random parts per batch.

    Args:
        graph: the graph to partition (its edges are the METIS graph; weights are ignored by the cut).
        batch_nodes: nodes per batch, on average.
        parts_per_batch: parts joined in each batch. (default: ``4``)
        seed: seed of METIS's own randomness. (default: ``0``)
    """

    def __init__(self, graph: Graph, batch_nodes: int, parts_per_batch: int = 4, seed: int = 0) -> None:
        _check_batch_nodes(batch_nodes, graph.num_nodes)
        if parts_per_batch < 1:
            raise ConfigError(f"parts_per_batch must be at least 1, got {parts_per_batch}.")
        self.parts_per_batch = parts_per_batch
        batches = math.ceil(graph.num_nodes / min(batch_nodes, graph.num_nodes))
        self.parts = metis_parts(graph, batches * parts_per_batch, seed)
        self.num_batches = math.ceil(len(self.parts) / parts_per_batch)

    def _passes(self, generator: torch.Generator) -> Iterator[list[Tensor]]:
        while True:
            order = torch.randperm(len(self.parts), generator=generator)
            yield [torch.cat([self.parts[int(i)] for i in group]).sort().values
                   for group in order.split(self.parts_per_batch)]

    def batches(self, generator: torch.Generator, count: int | None = None) -> Iterator[Tensor]:
        return _limited(self._passes(generator), self.num_batches if count is None else count)


def metis_parts(graph: Graph, num_parts: int, seed: int = 0) -> list[Tensor]:
    """The node ids of each of ``num_parts`` METIS parts (k-way, minimum edge cut), each sorted; a part METIS
    leaves empty is dropped."""
    if num_parts <= 1:
        return [torch.arange(graph.num_nodes)]
    try:
        import pymetis
    except ImportError:
        raise ConfigError("The cluster sampler needs pymetis; install gtvviz[scale] (pip install pymetis) or use "
                          "the random sampler.") from None
    ptr = compressed_rows(graph.edge_index[0], graph.num_nodes)
    options = pymetis.Options(seed=seed)
    adjacency = pymetis.CSRAdjacency(ptr.numpy(), graph.edge_index[1].numpy())
    membership = np.asarray(pymetis.part_graph(num_parts, adjacency, options=options).vertex_part, dtype=np.int64)
    order = np.argsort(membership, kind="stable")
    sizes = np.bincount(membership, minlength=num_parts)
    return [torch.from_numpy(part) for part in np.split(order, np.cumsum(sizes)[:-1]) if len(part)]


#: Samplers by name (the first is the default of :class:`~gtvviz.scale.minibatch.MiniBatchTrainer`).
SAMPLERS = ("random", "cluster")


def make_sampler(name: str, graph: Graph, batch_nodes: int, seed: int = 0) -> Sampler:
    """The sampler called ``name`` (one of :data:`SAMPLERS`) for ``graph``."""
    if name == "random":
        return RandomNodeSampler(graph.num_nodes, batch_nodes)
    if name == "cluster":
        return ClusterSampler(graph, batch_nodes, seed=seed)
    raise ConfigError(f"Unknown sampler {name!r}; choose one of {', '.join(SAMPLERS)}.")
