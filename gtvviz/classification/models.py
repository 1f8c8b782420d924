r"""The graph classifier of the TVGNN paper, with a choice of pooling operator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Batch, Data
from torch_geometric.nn import global_mean_pool

from gtvviz.classification.pools import POOL_METHODS, build_pool
from gtvviz.errors import ConfigError
from gtvviz.nn.gtv_conv import GTVConv
from gtvviz.nn.losses import LossTerms
from gtvviz.nn.pool import DenseGTVConv, PoolOutput


class ClassifierOutput(NamedTuple):
    """What :meth:`GraphClassifier.forward` returns.

    Attributes:
        logits: :math:`(B, C)` class scores (before softmax).
        losses: auxiliary terms of all pooling levels, each summed over the levels (e.g. ``gtv``, ``balance``);
            ``total`` is the weighted sum to add to the cross-entropy (0 without pooling).
        levels: the :class:`~gtvviz.nn.pool.PoolOutput` of each pooling level, first to last.
    """

    logits: Tensor
    losses: LossTerms
    levels: tuple[PoolOutput, ...]


@dataclass(frozen=True)
class PoolLevel:
    """One pooling level of one graph, as numpy arrays (for figures).

    Attributes:
        s: :math:`(N_\\ell, K_\\ell)` soft assignment of the level's input nodes to its clusters.
        x: :math:`(K_\\ell, H)` pooled features.
        adj: :math:`(K_\\ell, K_\\ell)` pooled adjacency, as passed to the next GTVConv (diagonal ignored there).
    """

    s: np.ndarray
    x: np.ndarray
    adj: np.ndarray

    @property
    def mass(self) -> np.ndarray:
        """:math:`(K_\\ell,)` cluster masses :math:`\\sum_i s_{ik}`."""
        return self.s.sum(axis=0)


class GraphClassifier(torch.nn.Module):
    r"""GTVConv message passing with hierarchical pooling, then global mean pooling and a linear readout:

    .. math::
        \mathrm{GTVConv}(H) \to \mathrm{Pool}(K_1) \to \mathrm{GTVConv}(H) \to \mathrm{Pool}(K_2) \to
        \mathrm{GTVConv}(H) \to \mathrm{mean} \to \mathrm{Linear}(C)

    The defaults are the authors' classification setting (PROTEINS script): :math:`H = 32`, ReLU,
    ``delta_coeff = 2.0``, an assignment MLP with one hidden layer of 32 units, :math:`\alpha_1 = \alpha_2 = 0.5`;
    :math:`K_1, K_2` are set by the caller (the reference uses :math:`N_{max}/2` and :math:`N_{max}/4`, see
    :func:`gtvviz.classification.pool_sizes`). The first GTVConv runs on the sparse input graphs; the ones after a
    pooling level run on the dense pooled graphs (:class:`~gtvviz.nn.pool.DenseGTVConv`). The mean after the last
    level runs over all :math:`K` pooled nodes, as in the reference.

    ``pool`` swaps only the pooling operator (:mod:`gtvviz.classification.pools`), so that the comparison is
    controlled: ``"tvgnn"``, ``"mincut"``, ``"dmon"``, or ``"none"`` (the same GTVConv layers on the input
    graph, then a mean over each graph's real nodes).

    Args:
        in_channels (int): node feature width :math:`F`.
        num_classes (int): number of classes :math:`C`.
        pool_sizes (sequence of int): :math:`K` of each pooling level (one GTVConv follows each).
        pool (str): pooling operator. (default: ``"tvgnn"``)
        hidden_channels (int): width :math:`H` of every GTVConv. (default: ``32``)
        mlp_channels (sequence of int): hidden widths of the assignment MLPs. (default: ``(32,)``)
        delta_coeff (float): GTVConv step size. (default: ``2.0``)
        eps (float): GTVConv lower bound of the :math:`\ell_1` distance. (default: ``1e-3``)
        alpha1 (float): weight of TVGNN's GTV term. (default: ``0.5``)
        alpha2 (float): weight of TVGNN's balance term. (default: ``0.5``)
    """

    def __init__(self, in_channels: int, num_classes: int, pool_sizes: Sequence[int], pool: str = "tvgnn",
                 hidden_channels: int = 32, mlp_channels: Sequence[int] = (32,), delta_coeff: float = 2.0,
                 eps: float = 1e-3, alpha1: float = 0.5, alpha2: float = 0.5) -> None:
        super().__init__()
        if pool not in POOL_METHODS:
            raise ConfigError(f"Unknown pooling method {pool!r}; choose one of {', '.join(POOL_METHODS)}.")
        if num_classes < 2:
            raise ConfigError(f"Classification needs at least 2 classes, got {num_classes}.")
        self.pool_method = pool
        self.pool_sizes = tuple(int(k) for k in pool_sizes)
        conv_kwargs = {"delta_coeff": delta_coeff, "eps": eps, "act": "relu"}
        after_pool = GTVConv if pool == "none" else DenseGTVConv
        self.conv = GTVConv(in_channels, hidden_channels, **conv_kwargs)
        self.pools = torch.nn.ModuleList(
            [] if pool == "none" else
            [build_pool(pool, hidden_channels, k, mlp_channels, alpha1, alpha2) for k in self.pool_sizes]
        )
        self.level_convs = torch.nn.ModuleList(
            after_pool(hidden_channels, hidden_channels, **conv_kwargs) for _ in self.pool_sizes
        )
        self.readout = torch.nn.Linear(hidden_channels, num_classes)

    def reset_parameters(self) -> None:
        for module in (self.conv, *self.pools, *self.level_convs, self.readout):
            module.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
                batch: Tensor | None = None) -> ClassifierOutput:
        r"""Classify a sparse PyG batch: :math:`(N, F)` features, :math:`(2, M)` edges, optional :math:`(M,)`
        weights and :math:`(N,)` graph index (``None``: one graph)."""
        h = self.conv(x, edge_index, edge_weight)
        if self.pool_method == "none":
            for conv in self.level_convs:
                h = conv(h, edge_index, edge_weight)
            return ClassifierOutput(self.readout(global_mean_pool(h, batch)), {"total": h.new_zeros(())}, ())
        levels = [self.pools[0](h, edge_index, edge_weight, batch)]
        for depth, conv in enumerate(self.level_convs):
            h = conv(levels[-1].x, levels[-1].adj)
            if depth + 1 < len(self.pools):
                levels.append(self.pools[depth + 1].forward_dense(h, levels[-1].adj))
        losses = {name: sum(level.losses[name] for level in levels) for name in levels[0].losses}
        return ClassifierOutput(self.readout(h.mean(dim=1)), losses, tuple(levels))

    @torch.no_grad()
    def pooling_levels(self, data: Data) -> list[PoolLevel]:
        """Every pooling level of one graph (empty without pooling), computed in evaluation mode."""
        was_training = self.training
        self.eval()
        try:
            device = self.readout.weight.device
            batch = Batch.from_data_list([data]).to(device)
            out = self(batch.x, batch.edge_index, getattr(batch, "edge_weight", None), batch.batch)
        finally:
            self.train(was_training)
        return [PoolLevel(s=_one_graph(level.s), x=_one_graph(level.x), adj=_one_graph(level.adj))
                for level in out.levels]

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(pool={self.pool_method}, pool_sizes={list(self.pool_sizes)}, "
                f"conv={self.conv}, classes={self.readout.out_features})")


def _one_graph(t: Tensor) -> np.ndarray:
    return (t[0] if t.dim() == 3 else t).detach().cpu().numpy()
