"""GTVConv: the message-passing layer of Total Variation Graph Neural Networks."""

from __future__ import annotations

import math
from typing import Callable, Union

import torch
from torch import Tensor
from torch.nn.parameter import is_lazy
from torch_geometric.nn import MessagePassing
from torch_geometric.nn.dense.linear import Linear
from torch_geometric.typing import SparseTensor

from gtvviz.errors import GraphFormatError
from gtvviz.nn.activations import resolve_activation
from gtvviz.nn.gtv_laplacian import PairCache, gtv_laplacian
from gtvviz.nn.input_cache import LastInputCache
from gtvviz.nn.sparse import SparseFeaturesCache, sparse_linear

#: What :class:`GTVConv` takes as the graph: an ``edge_index`` (a plain tensor or PyG's ``EdgeIndex``), a
#: ``torch.sparse`` adjacency (COO or CSR) or a ``torch_sparse.SparseTensor``, the last two transposed (``adj_t``).
Adjacency = Union[Tensor, SparseTensor]
EdgeList = tuple[Tensor, Union[Tensor, None]]


class TorchSparseEdgesCache(LastInputCache[EdgeList]):
    r"""The ``(edge_index, edge_weight)`` of the last ``torch.sparse`` adjacency seen. ``adj_t`` follows PyG's
    convention (row = target): :math:`(\mathbf{A}^\top)_{ij} = a_{ji}` is the weight of the edge :math:`j \to i`,
    so the edge list is ``[col, row]`` with the values as weights (duplicate entries of a COO tensor summed)."""

    def compute(self, adj_t: Tensor) -> EdgeList:
        coo = adj_t.coalesce() if adj_t.layout == torch.sparse_coo else adj_t.to_sparse_coo().coalesce()
        row, col = coo.indices()
        return torch.stack([col, row]), coo.values()


class SparseTensorEdgesCache(LastInputCache[EdgeList]):
    """The ``(edge_index, edge_weight)`` of the last ``torch_sparse.SparseTensor`` seen, recognised by its stored
    ``row``, ``col`` and ``value`` tensors (row = target, as for :class:`TorchSparseEdgesCache`)."""

    def compute(self, row: Tensor, col: Tensor, value: Tensor | None) -> EdgeList:
        return torch.stack([col, row]), value


class GTVConv(MessagePassing):
    r"""The graph total variation convolution of `"Total Variation Graph Neural Networks"
    <https://arxiv.org/abs/2211.06218>`_ (Hansen & Bianchi, ICML 2023).

    .. math::
        \tilde{\mathbf{X}} &= \mathbf{X} \mathbf{\Theta}

        \Gamma_{ij} &= \frac{a_{ij}}{\max(\lVert \tilde{\mathbf{x}}_i - \tilde{\mathbf{x}}_j \rVert_1,
        \epsilon)}

        \mathbf{x}'_i &= \sigma\Big(\tilde{\mathbf{x}}_i - \delta \sum_{j \in \mathcal{N}(i)} \Gamma_{ij}
        (\tilde{\mathbf{x}}_i - \tilde{\mathbf{x}}_j) + \mathbf{b}\Big)

    i.e. :math:`\sigma((\mathbf{I} - \delta \mathbf{L}_\Gamma) \tilde{\mathbf{X}} + \mathbf{b})` with
    :math:`\mathbf{L}_\Gamma = \mathbf{D}_\Gamma - \Gamma`: one gradient step on the graph total variation of
    the transformed features. Neighbours whose features are close get a large :math:`\Gamma_{ij}` and are
    pulled together; neighbours across a sharp boundary get a small one and are left apart.

    Follows the authors' reference code: :math:`\Gamma` is computed on the *transformed* features, ``delta_coeff``
    multiplies :math:`\mathbf{L}_\Gamma` directly (it is :math:`2\delta` of the paper), there is no degree
    normalisation, no skip connection and no added self-loop (self-loops cancel in :math:`\mathbf{L}_\Gamma`), and
    gradients flow through :math:`\Gamma`. :math:`\mathbf{\Theta}` starts with the authors' variance :math:`2/H`
    (their ``kaiming_normal_`` on an :math:`F_{in} \times H` weight), drawn uniformly from :math:`[-\sqrt{6/H},
    \sqrt{6/H}]`: the scale decides how far apart :math:`\tilde{\mathbf{x}}_i` start relative to :math:`\epsilon`
    (PyG's Glorot scale, :math:`2/(F_{in} + H)`, is half of it on Cora and gave worse clusterings there, see
    ``benchmarks/results/reference_speed.md``). The layer works edge by edge in :math:`O(E \cdot H)` memory and
    never forms :math:`\mathbf{I} - \delta \mathbf{L}_\Gamma`, whose entries up to :math:`\delta d_i / \epsilon`
    would cancel and lose float32 precision. Pass every undirected edge in both directions (as :class:`gtvviz.Graph`
    does); a directed ``edge_index`` must be symmetrised first. When ``edge_index`` is symmetric (each edge once per
    direction; the two weights may differ) the layer computes each undirected edge once with a hand-written backward
    pass (:mod:`gtvviz.nn.gtv_laplacian`: half the work, and only :math:`O(N H + E)` kept for the backward pass);
    the decomposition is cached for the last ``edge_index`` seen. Other inputs go through PyG message passing, edge
    by edge. Compiled (``torch.compile``, e.g. ``Trainer(compile=True)``), inductor fuses either form with the
    step, the bias and the activation into a few loops.

    The graph may be given in any of PyG's forms, all with the same result: an ``edge_index`` (a plain tensor or a
    :class:`torch_geometric.EdgeIndex`) with optional ``edge_weight``; a transposed sparse adjacency ``adj_t``
    (PyG's convention: row :math:`i`, column :math:`j` holds the weight of the edge :math:`j \to i`) as a
    ``torch.sparse`` COO or CSR tensor, or a ``torch_sparse.SparseTensor`` where torch_sparse is installed; the
    weights are then its values. The edge list of a sparse adjacency is cached for the last one seen. The layer
    works on one node set: a bipartite ``(x_src, x_dst)`` pair raises :class:`~gtvviz.errors.GraphFormatError`.

    Args:
        in_channels (int): size of each input sample, or ``-1`` for lazy initialisation.
        out_channels (int): size of each output sample :math:`H`.
        delta_coeff (float): step size :math:`\delta` multiplying :math:`\mathbf{L}_\Gamma`. (default: ``1.0``)
        eps (float): lower bound :math:`\epsilon` of the :math:`\ell_1` distance. (default: ``1e-3``)
        act (str or callable, optional): ``"relu"``, ``"elu"``, ``None`` (identity) or a callable.
            (default: ``"relu"``)
        bias (bool): add a learnable bias :math:`\mathbf{b}`. (default: ``True``)

    Shapes:
        - **input:** node features :math:`(N, F_{in})` (dense or sparse COO), edge indices :math:`(2, M)` or a
          sparse adjacency :math:`(N, N)`, optional edge weights :math:`(M,)` (with edge indices only)
        - **output:** node features :math:`(N, H)`
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        delta_coeff: float = 1.0,
        eps: float = 1e-3,
        act: str | Callable[[Tensor], Tensor] | None = "relu",
        bias: bool = True,
    ) -> None:
        super().__init__(aggr="add")
        if eps <= 0:
            raise ValueError(f"eps must be positive, got {eps}.")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.delta_coeff = float(delta_coeff)
        self.eps = float(eps)
        self.act_name = act if isinstance(act, str) or act is None else getattr(act, "__name__", "callable")
        self.act = resolve_activation(act)
        self.lin = Linear(in_channels, out_channels, bias=False)
        self.bias = torch.nn.Parameter(torch.empty(out_channels)) if bias else None
        self._pair_cache = PairCache()
        self._feature_cache = SparseFeaturesCache()
        self._torch_sparse_cache = TorchSparseEdgesCache()
        self._sparse_tensor_cache = SparseTensorEdgesCache()
        if in_channels <= 0:  # lazy: materialise on the first input, dense or sparse, with this layer's init
            self._lazy_hook = self.register_forward_pre_hook(self._initialize_lazy)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        super().reset_parameters()
        if not is_lazy(self.lin.weight):
            bound = math.sqrt(6.0 / self.out_channels)
            torch.nn.init.uniform_(self.lin.weight, -bound, bound)
        if self.bias is not None:
            torch.nn.init.zeros_(self.bias)

    @torch.no_grad()
    def _initialize_lazy(self, module: torch.nn.Module, inputs: tuple) -> None:
        if is_lazy(self.lin.weight):
            _check_one_node_set(inputs[0])
            self.in_channels = self.lin.in_channels = inputs[0].size(-1)
            self.lin.weight.materialize((self.out_channels, self.in_channels))
            self.reset_parameters()
        self._lazy_hook.remove()
        del self._lazy_hook

    def forward(self, x: Tensor, edge_index: Adjacency, edge_weight: Tensor | None = None) -> Tensor:
        r"""The layer's output :math:`(N, H)` on features ``x`` and the graph ``edge_index`` (any form of
        :data:`Adjacency`); ``edge_weight`` goes with an ``edge_index`` only."""
        _check_one_node_set(x)
        edge_index, edge_weight = self._edge_list(edge_index, edge_weight, x.size(0))
        return self._smooth(self._transform(x), edge_index, edge_weight)

    def _edge_list(self, adj: Adjacency, edge_weight: Tensor | None, num_nodes: int) -> EdgeList:
        """``(edge_index, edge_weight)`` of any :data:`Adjacency`."""
        if isinstance(adj, Tensor) and adj.layout == torch.strided:
            return adj, edge_weight
        if edge_weight is not None:
            raise GraphFormatError("A sparse adjacency carries its edge weights as its values; pass edge_weight only "
                                   "with an edge_index.")
        is_sparse_tensor = isinstance(adj, SparseTensor)
        shape = tuple(adj.sparse_sizes() if is_sparse_tensor else adj.shape)
        if shape != (num_nodes, num_nodes):
            raise GraphFormatError(f"The sparse adjacency has shape {shape} but x has {num_nodes} rows; pass the "
                                   "N x N adjacency of the N nodes of x.")
        if is_sparse_tensor:
            return self._sparse_tensor_cache.get(adj.storage.row(), adj.storage.col(), adj.storage.value())
        return self._torch_sparse_cache.get(adj)

    def _smooth(self, xt: Tensor, edge_index: Tensor, edge_weight: Tensor | None) -> Tensor:
        r""":math:`\sigma(\tilde{\mathbf{X}} - \delta \mathbf{L}_\Gamma \tilde{\mathbf{X}} + \mathbf{b})`. One
        function, so that under torch.compile (which runs the sparse product and the pair cache eagerly, between
        graphs) inductor fuses the Laplacian with the step, the bias and the activation."""
        pairs = self._pair_cache.get(edge_index, edge_weight, xt.size(0), xt.size(1))
        if pairs is not None:  # symmetric graph: each undirected edge once, no E x H tensor kept for backward
            laplacian_xt = gtv_laplacian(xt, pairs, self.eps)
        else:
            laplacian_xt = self.propagate(edge_index, x=xt, edge_weight=edge_weight)
        out = xt - self.delta_coeff * laplacian_xt
        if self.bias is not None:
            out = out + self.bias
        return self.act(out)

    def _transform(self, x: Tensor) -> Tensor:
        """:math:`\\mathbf{X}\\mathbf{\\Theta}`; a sparse ``x`` (bag-of-words, identity) costs O(nnz(X) H)."""
        return sparse_linear(x, self.lin.weight, cache=self._feature_cache) if x.is_sparse else self.lin(x)

    def message(self, x_i: Tensor, x_j: Tensor, edge_weight: Tensor | None) -> Tensor:
        diff = x_i - x_j
        return self._gamma(diff, edge_weight).unsqueeze(-1) * diff

    def _gamma(self, diff: Tensor, edge_weight: Tensor | None) -> Tensor:
        gamma = 1.0 / diff.abs().sum(dim=-1).clamp_min(self.eps)
        return gamma if edge_weight is None else gamma * edge_weight

    def edge_gamma(self, x: Tensor, edge_index: Adjacency, edge_weight: Tensor | None = None) -> Tensor:
        r"""The edge weights :math:`\Gamma_{ij}` this layer would use on input ``x``, shape :math:`(M,)`, in the
        order of ``edge_index`` (of the edge list ``[col, row]`` of a sparse adjacency, sorted by row)."""
        _check_one_node_set(x)
        edge_index, edge_weight = self._edge_list(edge_index, edge_weight, x.size(0))
        xt = self._transform(x)
        src, dst = edge_index
        return self._gamma(xt[dst] - xt[src], edge_weight)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
                f"delta_coeff={self.delta_coeff}, eps={self.eps}, act={self.act_name})")


def _check_one_node_set(x: object) -> None:
    """GTVConv compares the features of the two ends of each edge, so both ends live in one feature matrix."""
    if isinstance(x, (tuple, list)):
        raise GraphFormatError("GTVConv works on one node set and does not take a bipartite (x_src, x_dst) pair; "
                               "pass one feature matrix x of all nodes, with edges between its rows.")
