r"""The pooling operators a :class:`~gtvviz.classification.GraphClassifier` can use, behind one interface.

Every operator has ``forward(x, edge_index, edge_weight, batch)`` for a sparse PyG batch (the first level) and
``forward_dense(x, adj, mask)`` for a dense one (later levels), and returns a
:class:`~gtvviz.nn.pool.PoolOutput` whose ``losses["total"]`` is added to the classification loss:

* ``tvgnn``: :class:`~gtvviz.nn.pool.AsymCheegerCutPool` (GTV + asymmetric-norm balance).
* ``mincut``: PyG's :func:`~torch_geometric.nn.dense.dense_mincut_pool` with the same assignment MLP as TVGNN;
  terms ``mincut`` and ``ortho`` with weight 1, as in PyG's examples. Its pooled adjacency is PyG's:
  diagonal zeroed, then :math:`\mathbf{D}^{-1/2} \mathbf{A} \mathbf{D}^{-1/2}`.
* ``dmon``: PyG's :class:`~torch_geometric.nn.dense.DMoNPooling` with its own (linear) assignment layer and
  SELU on the pooled features; terms ``spectral``, ``ortho`` and ``cluster`` with weight 1. A graph without
  edges makes its spectral term NaN (PyG divides by the edge count).

The MinCut and DMoN operators are dense only: their sparse entry point pads the batch with
:func:`~torch_geometric.utils.to_dense_batch` and :func:`~torch_geometric.utils.to_dense_adj` (:math:`O(B N_{max}^2)`
memory) and returns ``s`` on the real nodes only, :math:`(N, K)`, like the TVGNN operator.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor
from torch_geometric.nn.dense import DMoNPooling, dense_mincut_pool
from torch_geometric.utils import to_dense_adj, to_dense_batch

from gtvviz.errors import ConfigError
from gtvviz.nn.models import AssignmentMLP
from gtvviz.nn.pool import AsymCheegerCutPool, PoolOutput

#: The pooling choices of :class:`~gtvviz.classification.GraphClassifier` (``none`` = no pooling).
POOL_METHODS = ("tvgnn", "mincut", "dmon", "none")


class _PaddedPool(torch.nn.Module):
    """Base of the dense-only operators: a sparse batch is padded, pooled densely, and ``s`` unpadded."""

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
                batch: Tensor | None = None) -> PoolOutput:
        x_dense, mask = to_dense_batch(x, batch)
        adj = to_dense_adj(edge_index, batch, edge_weight, max_num_nodes=x_dense.size(1))
        out = self.forward_dense(x_dense, adj, mask)
        return out.replace(s=out.s[mask])

    def forward_dense(self, x: Tensor, adj: Tensor, mask: Tensor | None = None) -> PoolOutput:
        raise NotImplementedError


class MinCutPool(_PaddedPool):
    r"""MinCutPool (Bianchi et al., ICML 2020) through PyG's :func:`dense_mincut_pool`:
    :math:`\mathcal{L} = -\frac{\mathrm{Tr}(\mathbf{S}^\top \mathbf{A} \mathbf{S})}{\mathrm{Tr}(\mathbf{S}^\top
    \mathbf{D} \mathbf{S})} + \left\lVert \frac{\mathbf{S}^\top \mathbf{S}}{\lVert \mathbf{S}^\top \mathbf{S}
    \rVert_F} - \frac{\mathbf{I}_K}{\sqrt{K}} \right\rVert_F`, with
    :math:`\mathbf{S} = \mathrm{softmax}(\mathrm{MLP}(\mathbf{X}))`."""

    def __init__(self, in_channels: int, k: int, mlp_channels: Sequence[int] = (32,), mlp_act: str = "relu") -> None:
        super().__init__()
        self.mlp = AssignmentMLP(in_channels, k, mlp_channels, mlp_act)

    def forward_dense(self, x: Tensor, adj: Tensor, mask: Tensor | None = None) -> PoolOutput:
        logits = self.mlp(x)
        x_pool, adj_pool, mincut, ortho = dense_mincut_pool(x, adj, logits, mask)
        s = torch.softmax(logits, dim=-1)
        s = s if mask is None else s * mask.unsqueeze(-1).to(s.dtype)
        return PoolOutput(x_pool, adj_pool, s, {"total": mincut + ortho, "mincut": mincut, "ortho": ortho})


class DMoNPool(_PaddedPool):
    r"""DMoN (Tsitsulin et al., JMLR 2023) through PyG's :class:`DMoNPooling`: spectral modularity
    :math:`-\frac{1}{2m}\mathrm{Tr}(\mathbf{S}^\top \mathbf{B} \mathbf{S})` plus orthogonality and collapse
    regularisers."""

    def __init__(self, in_channels: int, k: int) -> None:
        super().__init__()
        self.dmon = DMoNPooling(in_channels, k)

    def forward_dense(self, x: Tensor, adj: Tensor, mask: Tensor | None = None) -> PoolOutput:
        s, x_pool, adj_pool, spectral, ortho, cluster = self.dmon(x, adj, mask)
        total = spectral + ortho + cluster
        return PoolOutput(x_pool, adj_pool, s, {"total": total, "spectral": spectral, "ortho": ortho,
                                                "cluster": cluster})


def build_pool(method: str, in_channels: int, k: int, mlp_channels: Sequence[int] = (32,),
               alpha1: float = 0.5, alpha2: float = 0.5) -> torch.nn.Module:
    """The pooling operator ``method`` (one of :data:`POOL_METHODS` but ``none``) to :math:`K` = ``k`` nodes."""
    if method == "tvgnn":
        return AsymCheegerCutPool(in_channels, k, mlp_channels, alpha1=alpha1, alpha2=alpha2)
    if k < 2:
        raise ConfigError(f"Pooling needs at least K = 2 clusters, got K = {k}; choose K >= 2.")
    if method == "mincut":
        return MinCutPool(in_channels, k, mlp_channels)
    if method == "dmon":
        return DMoNPool(in_channels, k)
    raise ConfigError(f"Unknown pooling method {method!r}; choose one of {', '.join(POOL_METHODS)}.")
