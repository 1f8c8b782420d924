r"""The message passing of the smooth GNN baselines (MinCutPool, DMoN): a GCN with a skip connection.

Everything but the message-passing layer is TVGNN's (:class:`gtvviz.nn.models.AssignmentMLP`, softmax, the
same widths), so that a comparison changes only what the paper changes: GTVConv and the AsymCheegerCut loss
against a low-pass GCN and a spectral loss.
"""

from __future__ import annotations

from typing import Callable, Sequence

from torch import Tensor
from torch_geometric.nn import MessagePassing
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.nn.dense.linear import Linear

from gtvviz.nn.activations import resolve_activation
from gtvviz.nn.models import ClusteringGNN
from gtvviz.nn.sparse import SparseFeaturesCache, sparse_linear


def _apply(lin: Linear, x: Tensor, cache: SparseFeaturesCache) -> Tensor:
    """``lin(x)``; a sparse COO ``x`` (bag-of-words, identity) costs :math:`O(\\mathrm{nnz}(X) F_{out})`."""
    return sparse_linear(x, lin.weight, lin.bias, cache) if x.is_sparse else lin(x)


class GCSConv(MessagePassing):
    r"""The graph convolution with skip connection of `"Spectral Clustering with Graph Neural Networks for
    Graph Pooling" <https://arxiv.org/abs/1907.00481>`_ (Bianchi et al., ICML 2020; Spektral's ``GCSConv``):

    .. math::
        \mathbf{X}' = \sigma\big(\hat{\mathbf{A}} \mathbf{X} \mathbf{\Theta}_1 + \mathbf{X} \mathbf{\Theta}_2
        + \mathbf{b}\big), \qquad \hat{\mathbf{A}} = \mathbf{D}^{-1/2} \mathbf{A} \mathbf{D}^{-1/2}

    The symmetric normalisation has no added self-loops (the skip term plays their part); isolated nodes get
    :math:`\hat{a}_{ij} = 0` and keep only the skip term. :math:`\hat{\mathbf{A}}` is a low-pass filter: it
    averages every node with its neighbours, across cluster boundaries too.

    Args:
        in_channels (int): size of each input sample.
        out_channels (int): size of each output sample.
        act (str or callable, optional): activation :math:`\sigma`. (default: ``"elu"``)

    Shapes:
        - **input:** node features :math:`(N, F_{in})` (dense or sparse COO), edge indices :math:`(2, M)`
          (both directions of each edge), optional edge weights :math:`(M,)`
        - **output:** node features :math:`(N, F_{out})`
    """

    def __init__(self, in_channels: int, out_channels: int,
                 act: str | Callable[[Tensor], Tensor] | None = "elu") -> None:
        super().__init__(aggr="add")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.act = resolve_activation(act)
        self.lin_neighbours = Linear(in_channels, out_channels, bias=False, weight_initializer="glorot")
        self.lin_skip = Linear(in_channels, out_channels, bias=True, weight_initializer="glorot")
        self._feature_cache = SparseFeaturesCache()  # one compressed form of sparse features for both products
        self.reset_parameters()

    def reset_parameters(self) -> None:
        super().reset_parameters()
        self.lin_neighbours.reset_parameters()
        self.lin_skip.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        edge_index, norm = gcn_norm(edge_index, edge_weight, x.size(0), add_self_loops=False, dtype=x.dtype)
        smoothed = self.propagate(edge_index, x=_apply(self.lin_neighbours, x, self._feature_cache), norm=norm)
        return self.act(smoothed + _apply(self.lin_skip, x, self._feature_cache))

    def message(self, x_j: Tensor, norm: Tensor) -> Tensor:
        return norm.unsqueeze(-1) * x_j

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.in_channels}, {self.out_channels})"


class GCSNet(ClusteringGNN):
    r"""A stack of :class:`GCSConv` layers, an assignment MLP and a row-wise softmax:

    .. math::
        \mathbf{S} = \mathrm{softmax}\big(\mathrm{MLP}(\mathrm{GCSConv}_L(\cdots \mathrm{GCSConv}_1(\mathbf{X})))\big)

    The model of the MinCutPool and DMoN baselines; trained with :func:`gtvviz.nn.smooth_losses.mincut_loss`
    or :func:`gtvviz.nn.smooth_losses.dmon_loss`.

    Args:
        in_channels (int): number of input features :math:`F`.
        n_clusters (int): number of clusters :math:`K`.
        hidden_channels (sequence of int): widths of the GCSConv layers. (default: ``(512, 512)``)
        mlp_channels (sequence of int): hidden widths of the assignment MLP. (default: ``(256,)``)
        conv_act (str): activation of the GCSConv layers. (default: ``"elu"``)
        mlp_act (str): activation of the MLP's hidden layers. (default: ``"relu"``)
    """

    def __init__(self, in_channels: int, n_clusters: int, hidden_channels: Sequence[int] = (512, 512),
                 mlp_channels: Sequence[int] = (256,), conv_act: str = "elu", mlp_act: str = "relu") -> None:
        widths = [in_channels, *hidden_channels]
        convs = [GCSConv(a, b, act=conv_act) for a, b in zip(widths[:-1], widths[1:])]
        super().__init__(convs, widths[-1], n_clusters, mlp_channels, mlp_act)
