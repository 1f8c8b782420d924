r"""The losses of the smooth graph-clustering baselines, MinCutPool and DMoN, on edge lists.

Both relax a discrete graph-cut objective to a trace of :math:`\mathbf{S}^\top \mathbf{A} \mathbf{S}`, which
rewards neighbours for having *similar* (not equal) assignment rows: the spectral relaxation that TVGNN's
total-variation loss replaces. Every function takes a soft assignment :math:`\mathbf{S} \in [0, 1]^{N \times K}`
(rows on the simplex) and the directed entries of a symmetric :math:`\mathbf{A}` (both directions of each edge,
as :class:`gtvviz.Graph` stores them), and works in :math:`O(E \cdot K + N \cdot K^2)` time and memory, never
forming an :math:`N \times N` matrix (PyG's ``dense_mincut_pool`` and ``DMoNPooling`` need the dense
:math:`(B, N_{max}, N_{max})` adjacency of a batch). An optional ``batch`` vector assigns each node to one of
several graphs (as in a PyG ``Batch``); every term is then computed per graph on that graph's own nodes and
edges and averaged over the graphs (``reduce=False`` gives one value per graph). The values equal those of
PyG's dense versions graph by graph, except on a graph without edges, where the denominators are clamped and the
cut terms are 0 instead of NaN. (For a batch of several graphs, ``DMoNPooling``'s collapse term broadcasts a
:math:`(B,)` tensor against a :math:`(B, 1)` one and mixes graphs; here it is the mean of the per-graph values.)
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from gtvviz.nn.losses import LossTerms


def _graphs(s: Tensor, batch: Tensor | None) -> tuple[Tensor, int]:
    """The graph index of each node (all zeros without ``batch``) and the number of graphs."""
    if batch is None:
        return torch.zeros(s.size(0), dtype=torch.long, device=s.device), 1
    return batch, int(batch.max()) + 1 if batch.numel() else 1


def _per_graph(values: Tensor, index: Tensor, num_graphs: int) -> Tensor:
    """Sums of the rows of ``values`` by graph: shape ``(num_graphs, *values.shape[1:])``."""
    return values.new_zeros((num_graphs, *values.shape[1:])).index_add(0, index, values)


def _reduce(per_graph: Tensor, reduce: bool) -> Tensor:
    return per_graph.mean() if reduce else per_graph


def _edge_values(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None, graph: Tensor,
                 num_graphs: int) -> tuple[Tensor, Tensor]:
    r""":math:`\mathrm{Tr}(\mathbf{S}^\top \mathbf{A} \mathbf{S}) = \sum_{(i,j)} a_{ij} \langle \mathbf{s}_i,
    \mathbf{s}_j \rangle` per graph and the weighted degrees :math:`d_i = \sum_j a_{ij}` per node."""
    src, dst = edge_index
    w = torch.ones(src.numel(), dtype=s.dtype, device=s.device) if edge_weight is None else edge_weight.to(s.dtype)
    trace_sas = _per_graph(w * (s[src] * s[dst]).sum(dim=-1), graph[src], num_graphs)
    degree = torch.zeros(s.size(0), dtype=s.dtype, device=s.device).index_add(0, src, w)
    return trace_sas, degree


def orthogonality_loss(s: Tensor, batch: Tensor | None = None, reduce: bool = True) -> Tensor:
    r"""Orthogonality regulariser of MinCutPool, in :math:`[0, \sqrt{2 - 2/\sqrt{K}}]`, per graph:

    .. math::
        \mathcal{L}_o = \left\lVert \frac{\mathbf{S}^\top \mathbf{S}}{\lVert \mathbf{S}^\top \mathbf{S}
        \rVert_F} - \frac{\mathbf{I}_K}{\sqrt{K}} \right\rVert_F

    0 for one-hot clusters of equal size; largest when every node is in one cluster.

    Args:
        s: :math:`(N, K)` soft assignment.
        batch: optional :math:`(N,)` graph index of each node.
        reduce: average over graphs (``True``) or return one value per graph.
    """
    graph, num_graphs = _graphs(s, batch)
    k = s.size(1)
    gram = _per_graph(s.unsqueeze(2) * s.unsqueeze(1), graph, num_graphs)  # S_b^T S_b, O(N K^2)
    norm = torch.linalg.matrix_norm(gram).clamp_min(1e-15).view(-1, 1, 1)
    eye = torch.eye(k, dtype=s.dtype, device=s.device)
    return _reduce(torch.linalg.matrix_norm(gram / norm - eye / math.sqrt(k)), reduce)


def mincut_loss(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None, batch: Tensor | None = None,
                reduce: bool = True) -> LossTerms:
    r"""The MinCutPool loss of `"Spectral Clustering with Graph Neural Networks for Graph Pooling"
    <https://arxiv.org/abs/1907.00481>`_ (Bianchi et al., ICML 2020), per graph:

    .. math::
        \mathcal{L}_c = -\frac{\mathrm{Tr}(\mathbf{S}^\top \mathbf{A} \mathbf{S})}
        {\mathrm{Tr}(\mathbf{S}^\top \mathbf{D} \mathbf{S})}, \qquad
        \mathcal{L} = \mathcal{L}_c + \mathcal{L}_o

    with :math:`\mathbf{D}` the degree matrix and :math:`\mathcal{L}_o` the :func:`orthogonality_loss`.
    :math:`\mathcal{L}_c \in [-1, 0]` is a relaxed normalised cut, computed as
    :math:`\sum_{(i,j)} a_{ij} \langle \mathbf{s}_i, \mathbf{s}_j \rangle / \sum_i d_i \lVert \mathbf{s}_i
    \rVert^2`; a graph without edges gives 0. For a batch, both terms are averaged over the graphs, as
    ``dense_mincut_pool`` does.

    Args:
        s: :math:`(N, K)` soft assignment.
        edge_index: :math:`(2, M)` directed entries of :math:`\mathbf{A}` (both directions of each edge).
        edge_weight: optional :math:`(M,)` weights :math:`a_{ij}`.
        batch: optional :math:`(N,)` graph index of each node.
        reduce: average over graphs (``True``) or return one value per graph.

    Returns:
        Named terms ``total``, ``mincut`` (:math:`\mathcal{L}_c`) and ``ortho`` (:math:`\mathcal{L}_o`).
    """
    graph, num_graphs = _graphs(s, batch)
    trace_sas, degree = _edge_values(s, edge_index, edge_weight, graph, num_graphs)
    trace_sds = _per_graph(degree * (s * s).sum(dim=-1), graph, num_graphs)
    cut = _reduce(-trace_sas / trace_sds.clamp_min(1e-15), reduce)
    ortho = orthogonality_loss(s, batch, reduce)
    return {"total": cut + ortho, "mincut": cut, "ortho": ortho}


def dmon_loss(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None, batch: Tensor | None = None,
              collapse_weight: float = 1.0, reduce: bool = True) -> LossTerms:
    r"""The DMoN loss of `"Graph Clustering with Graph Neural Networks"
    <https://arxiv.org/abs/2006.16904>`_ (Tsitsulin et al., JMLR 2023): negative spectral modularity plus
    the collapse regulariser, per graph,

    .. math::
        \mathcal{L}_s = -\frac{1}{2m} \mathrm{Tr}(\mathbf{S}^\top \mathbf{B} \mathbf{S}), \qquad
        \mathcal{L}_{col} = \frac{\sqrt{K}}{N} \Big\lVert \sum_i \mathbf{s}_i \Big\rVert_2 - 1, \qquad
        \mathcal{L} = \mathcal{L}_s + \lambda\, \mathcal{L}_{col}

    with the modularity matrix :math:`\mathbf{B} = \mathbf{A} - \mathbf{d}\mathbf{d}^\top / 2m` and
    :math:`2m = \sum_i d_i`. :math:`\mathbf{B}` is dense, so the trace is computed as
    :math:`\mathrm{Tr}(\mathbf{S}^\top \mathbf{A} \mathbf{S}) - \lVert \mathbf{S}^\top \mathbf{d} \rVert^2 / 2m`.
    For a one-hot :math:`\mathbf{S}`, :math:`-\mathcal{L}_s` is Newman's modularity. :math:`\mathcal{L}_{col}`
    is 0 for equal cluster sizes and :math:`\sqrt{K} - 1` when every node is in one cluster. A graph without
    edges gives :math:`\mathcal{L}_s = 0`. For a batch, :math:`m` and :math:`N` are those of each graph and the
    terms are averaged over the graphs.

    Args:
        s: :math:`(N, K)` soft assignment.
        edge_index: :math:`(2, M)` directed entries of :math:`\mathbf{A}` (both directions of each edge).
        edge_weight: optional :math:`(M,)` weights :math:`a_{ij}`.
        batch: optional :math:`(N,)` graph index of each node.
        collapse_weight: :math:`\lambda`. (default: ``1.0``, as in the DMoN paper)
        reduce: average over graphs (``True``) or return one value per graph.

    Returns:
        Named terms ``total``, ``spectral`` (:math:`\mathcal{L}_s`) and ``collapse`` (:math:`\mathcal{L}_{col}`).
    """
    graph, num_graphs = _graphs(s, batch)
    k = s.size(1)
    trace_sas, degree = _edge_values(s, edge_index, edge_weight, graph, num_graphs)
    two_m = _per_graph(degree, graph, num_graphs).clamp_min(1e-15)
    pooled_degree = _per_graph(degree.unsqueeze(1) * s, graph, num_graphs)  # S_b^T d_b
    spectral = -(trace_sas - (pooled_degree * pooled_degree).sum(dim=-1) / two_m) / two_m
    nodes = torch.bincount(graph, minlength=num_graphs).clamp_min(1).to(s.dtype)
    cluster_sizes = _per_graph(s, graph, num_graphs)
    collapse = math.sqrt(k) / nodes * torch.linalg.vector_norm(cluster_sizes, dim=-1) - 1.0
    spectral, collapse = _reduce(spectral, reduce), _reduce(collapse, reduce)
    return {"total": spectral + collapse_weight * collapse, "spectral": spectral, "collapse": collapse}
