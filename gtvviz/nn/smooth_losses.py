r"""The losses of the smooth graph-clustering baselines, MinCutPool and DMoN, on edge lists.

Both relax a discrete graph-cut objective to a trace of :math:`\mathbf{S}^\top \mathbf{A} \mathbf{S}`, which
rewards neighbours for having *similar* (not equal) assignment rows: the spectral relaxation that TVGNN's
total-variation loss replaces. Every function takes a soft assignment :math:`\mathbf{S} \in [0, 1]^{N \times K}`
(rows on the simplex) and the directed entries of a symmetric :math:`\mathbf{A}` (both directions of each edge,
as :class:`gtvviz.Graph` stores them), and works in :math:`O(E \cdot K + N \cdot K^2)` time and memory, never
forming an :math:`N \times N` matrix. The values equal those of PyG's dense ``dense_mincut_pool`` and
``DMoNPooling`` for one graph, except on a graph without edges, where the denominators are clamped and the
cut terms are 0 instead of NaN.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from gtvviz.nn.losses import LossTerms


def _edge_values(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None) -> tuple[Tensor, Tensor]:
    r""":math:`\mathrm{Tr}(\mathbf{S}^\top \mathbf{A} \mathbf{S}) = \sum_{(i,j)} a_{ij} \langle \mathbf{s}_i,
    \mathbf{s}_j \rangle` and the weighted degrees :math:`d_i = \sum_j a_{ij}`."""
    src, dst = edge_index
    w = torch.ones(src.numel(), dtype=s.dtype, device=s.device) if edge_weight is None else edge_weight.to(s.dtype)
    trace_sas = (w * (s[src] * s[dst]).sum(dim=-1)).sum()
    degree = torch.zeros(s.size(0), dtype=s.dtype, device=s.device).index_add(0, src, w)
    return trace_sas, degree


def orthogonality_loss(s: Tensor) -> Tensor:
    r"""Orthogonality regulariser of MinCutPool, in :math:`[0, \sqrt{2 - 2/\sqrt{K}}]`:

    .. math::
        \mathcal{L}_o = \left\lVert \frac{\mathbf{S}^\top \mathbf{S}}{\lVert \mathbf{S}^\top \mathbf{S}
        \rVert_F} - \frac{\mathbf{I}_K}{\sqrt{K}} \right\rVert_F

    0 for one-hot clusters of equal size; largest when every node is in one cluster.

    Args:
        s: :math:`(N, K)` soft assignment.
    """
    k = s.size(1)
    gram = s.t() @ s
    eye = torch.eye(k, dtype=s.dtype, device=s.device)
    return torch.linalg.matrix_norm(gram / torch.linalg.matrix_norm(gram).clamp_min(1e-15) - eye / math.sqrt(k))


def mincut_loss(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> LossTerms:
    r"""The MinCutPool loss of `"Spectral Clustering with Graph Neural Networks for Graph Pooling"
    <https://arxiv.org/abs/1907.00481>`_ (Bianchi et al., ICML 2020):

    .. math::
        \mathcal{L}_c = -\frac{\mathrm{Tr}(\mathbf{S}^\top \mathbf{A} \mathbf{S})}
        {\mathrm{Tr}(\mathbf{S}^\top \mathbf{D} \mathbf{S})}, \qquad
        \mathcal{L} = \mathcal{L}_c + \mathcal{L}_o

    with :math:`\mathbf{D}` the degree matrix and :math:`\mathcal{L}_o` the :func:`orthogonality_loss`.
    :math:`\mathcal{L}_c \in [-1, 0]` is a relaxed normalised cut, computed as
    :math:`\sum_{(i,j)} a_{ij} \langle \mathbf{s}_i, \mathbf{s}_j \rangle / \sum_i d_i \lVert \mathbf{s}_i
    \rVert^2`; a graph without edges gives 0.

    Args:
        s: :math:`(N, K)` soft assignment.
        edge_index: :math:`(2, M)` directed entries of :math:`\mathbf{A}` (both directions of each edge).
        edge_weight: optional :math:`(M,)` weights :math:`a_{ij}`.

    Returns:
        Named terms ``total``, ``mincut`` (:math:`\mathcal{L}_c`) and ``ortho`` (:math:`\mathcal{L}_o`).
    """
    trace_sas, degree = _edge_values(s, edge_index, edge_weight)
    trace_sds = (degree * (s * s).sum(dim=-1)).sum()
    cut = -trace_sas / trace_sds.clamp_min(1e-15)
    ortho = orthogonality_loss(s)
    return {"total": cut + ortho, "mincut": cut, "ortho": ortho}


def dmon_loss(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
              collapse_weight: float = 1.0) -> LossTerms:
    r"""The DMoN loss of `"Graph Clustering with Graph Neural Networks"
    <https://arxiv.org/abs/2006.16904>`_ (Tsitsulin et al., JMLR 2023): negative spectral modularity plus
    the collapse regulariser,

    .. math::
        \mathcal{L}_s = -\frac{1}{2m} \mathrm{Tr}(\mathbf{S}^\top \mathbf{B} \mathbf{S}), \qquad
        \mathcal{L}_{col} = \frac{\sqrt{K}}{N} \Big\lVert \sum_i \mathbf{s}_i \Big\rVert_2 - 1, \qquad
        \mathcal{L} = \mathcal{L}_s + \lambda\, \mathcal{L}_{col}

    with the modularity matrix :math:`\mathbf{B} = \mathbf{A} - \mathbf{d}\mathbf{d}^\top / 2m` and
    :math:`2m = \sum_i d_i`. :math:`\mathbf{B}` is dense, so the trace is computed as
    :math:`\mathrm{Tr}(\mathbf{S}^\top \mathbf{A} \mathbf{S}) - \lVert \mathbf{S}^\top \mathbf{d} \rVert^2 / 2m`.
    For a one-hot :math:`\mathbf{S}`, :math:`-\mathcal{L}_s` is Newman's modularity. :math:`\mathcal{L}_{col}`
    is 0 for equal cluster sizes and :math:`\sqrt{K} - 1` when every node is in one cluster. A graph without
    edges gives :math:`\mathcal{L}_s = 0`.

    Args:
        s: :math:`(N, K)` soft assignment.
        edge_index: :math:`(2, M)` directed entries of :math:`\mathbf{A}` (both directions of each edge).
        edge_weight: optional :math:`(M,)` weights :math:`a_{ij}`.
        collapse_weight: :math:`\lambda`. (default: ``1.0``, as in the DMoN paper)

    Returns:
        Named terms ``total``, ``spectral`` (:math:`\mathcal{L}_s`) and ``collapse`` (:math:`\mathcal{L}_{col}`).
    """
    n, k = s.shape
    trace_sas, degree = _edge_values(s, edge_index, edge_weight)
    two_m = degree.sum().clamp_min(1e-15)
    pooled_degree = degree @ s
    spectral = -(trace_sas - (pooled_degree * pooled_degree).sum() / two_m) / two_m
    collapse = math.sqrt(k) / max(n, 1) * torch.linalg.vector_norm(s.sum(dim=0)) - 1.0
    return {"total": spectral + collapse_weight * collapse, "spectral": spectral, "collapse": collapse}
