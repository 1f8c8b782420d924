"""TVGNN for vertex clustering: a GTVConv stack followed by an assignment MLP and a softmax."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from gtvviz.defaults import DELTA, EPS, HIDDEN, MLP
from gtvviz.nn.activations import resolve_activation
from gtvviz.nn.gtv_conv import GTVConv


class AssignmentMLP(torch.nn.Module):
    r"""The MLP that maps node embeddings to cluster logits: ``Linear -> act`` per hidden width, then
    ``Linear(K)``. :math:`\mathbf{S} = \mathrm{softmax}(\mathrm{MLP}(\mathbf{H}))` row-wise, no temperature.

    Args:
        in_channels (int): embedding width.
        n_clusters (int): :math:`K`.
        hidden_channels (sequence of int): hidden widths. (default: ``(256,)``)
        act (str): activation after every hidden layer. (default: ``"relu"``)
    """

    def __init__(self, in_channels: int, n_clusters: int, hidden_channels: Sequence[int] = MLP,
                 act: str = "relu") -> None:
        super().__init__()
        widths = [in_channels, *hidden_channels, n_clusters]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.act = resolve_activation(act)

    def reset_parameters(self) -> None:
        for layer in self.layers:
            layer.reset_parameters()

    @property
    def output_layer(self) -> torch.nn.Linear:
        """The last linear layer, which produces the cluster logits."""
        return self.layers[-1]  # type: ignore[return-value]

    def forward(self, h: Tensor) -> Tensor:
        for layer in self.layers[:-1]:
            h = self.act(layer(h))
        return self.layers[-1](h)


class ClusteringGNN(torch.nn.Module):
    r"""A stack of message-passing layers, an :class:`AssignmentMLP` and a row-wise softmax,
    :math:`\mathbf{S} = \mathrm{softmax}(\mathrm{MLP}(\mathrm{conv}_L(\cdots \mathrm{conv}_1(\mathbf{X}))))`.

    The shared body of :class:`TVGNN` and of the smooth baselines' model; subclasses choose the layers.

    Args:
        convs (sequence of modules): layers called as ``conv(x, edge_index, edge_weight)``.
        embed_channels (int): output width of the last layer.
        n_clusters (int): number of clusters :math:`K`.
        mlp_channels (sequence of int): hidden widths of the assignment MLP.
        mlp_act (str): activation of the MLP's hidden layers.
    """

    def __init__(self, convs: Sequence[torch.nn.Module], embed_channels: int, n_clusters: int,
                 mlp_channels: Sequence[int], mlp_act: str) -> None:
        super().__init__()
        self.convs = torch.nn.ModuleList(convs)
        self.mlp = AssignmentMLP(embed_channels, n_clusters, mlp_channels, mlp_act)
        self.n_clusters = n_clusters

    def reset_parameters(self) -> None:
        for conv in self.convs:
            conv.reset_parameters()
        self.mlp.reset_parameters()

    def embed(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        r"""Node embeddings :math:`\mathbf{H}` after the message-passing stack."""
        for conv in self.convs:
            x = conv(x, edge_index, edge_weight)
        return x

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        r"""The soft assignment :math:`\mathbf{S}`, shape :math:`(N, K)`."""
        return torch.softmax(self.mlp(self.embed(x, edge_index, edge_weight)), dim=-1)

    def __repr__(self) -> str:
        convs = ", ".join(repr(c) for c in self.convs)
        return f"{self.__class__.__name__}(convs=[{convs}], mlp={self.mlp}, n_clusters={self.n_clusters})"


class TVGNN(ClusteringGNN):
    r"""The Total Variation GNN for vertex clustering (Hansen & Bianchi, ICML 2023).

    .. math::
        \mathbf{H} = \mathrm{GTVConv}_L(\cdots \mathrm{GTVConv}_1(\mathbf{X})), \qquad
        \mathbf{S} = \mathrm{softmax}(\mathrm{MLP}(\mathbf{H}))

    trained with :func:`gtvviz.nn.losses.asym_cheeger_cut_loss`. The defaults are the authors' Cora setting:
    two GTVConv(512) layers with ELU and ``delta_coeff = 0.311``, ``eps = 1e-3``, and an assignment MLP with
    one hidden layer of 256 units and ReLU.

    Args:
        in_channels (int): number of input features :math:`F`.
        n_clusters (int): number of clusters :math:`K \ge 2`.
        hidden_channels (sequence of int): widths of the GTVConv layers. (default: ``(512, 512)``)
        mlp_channels (sequence of int): hidden widths of the assignment MLP. (default: ``(256,)``)
        conv_act (str): activation of the GTVConv layers. (default: ``"elu"``)
        mlp_act (str): activation of the MLP's hidden layers. (default: ``"relu"``)
        delta_coeff (float): GTVConv step size. (default: ``0.311``)
        eps (float): GTVConv lower bound of the :math:`\ell_1` distance. (default: ``1e-3``)
    """

    def __init__(self, in_channels: int, n_clusters: int, hidden_channels: Sequence[int] = HIDDEN,
                 mlp_channels: Sequence[int] = MLP, conv_act: str = "elu", mlp_act: str = "relu",
                 delta_coeff: float = DELTA, eps: float = EPS) -> None:
        widths = [in_channels, *hidden_channels]
        convs = [GTVConv(a, b, delta_coeff=delta_coeff, eps=eps, act=conv_act) for a, b in zip(widths[:-1], widths[1:])]
        super().__init__(convs, widths[-1], n_clusters, mlp_channels, mlp_act)
