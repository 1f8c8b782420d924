r"""AsymCheegerCut pooling for graph classification, and GTVConv on the pooled (dense) graphs.

A pooling level maps a graph with :math:`N` nodes to one with :math:`K` nodes through a soft assignment
:math:`\mathbf{S} \in [0, 1]^{N \times K}`:

.. math::
    \mathbf{X}^{pool} = \mathbf{S}^\top \mathbf{X}, \qquad \mathbf{A}^{pool} = \mathbf{S}^\top \mathbf{A} \mathbf{S}

Every graph of a batch is pooled to the same :math:`K` nodes, so after the first level a batch of :math:`B`
graphs is naturally dense: :math:`(B, K, F)` features and :math:`(B, K, K)` adjacencies with no padding.
The pooled adjacency is dense (softmax assignments are never exactly zero), so the layers after a pooling
level work on dense tensors (:class:`DenseGTVConv`, :meth:`AsymCheegerCutPool.forward_dense`) in
:math:`O(B K^2)` memory instead of an edge list of :math:`B K^2` entries with one feature vector each.

The diagonal of :math:`\mathbf{A}^{pool}` (the edges inside a cluster) is ignored by everything here:
self-loops cancel in :math:`\mathbf{L}_\Gamma = \mathbf{D}_\Gamma - \Gamma`, add nothing to the total variation,
and a gtvviz graph has no self-loops (:func:`dense_to_block_edges` drops them too).

The lift (unpooling) step maps features of the pooled nodes back to the original nodes through the same
assignment, :math:`\mathbf{X}^{lift} = \mathbf{S} \mathbf{X}'` (:meth:`AsymCheegerCutPool.lift`): each node
gets the mix of its clusters' features, weighted by its soft assignment.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NoReturn, Sequence

import torch
from torch import Tensor
from torch_geometric.utils import to_dense_batch

from gtvviz.defaults import check_cluster_count
from gtvviz.nn.gtv_conv import GTVConv
from gtvviz.nn.losses import LossTerms, asym_norm_loss, gtv_loss
from gtvviz.nn.models import AssignmentMLP


@dataclasses.dataclass(frozen=True)
class PoolOutput:
    """One pooling level of a batch, read by name (``out.x``, ``out.losses["total"]``).

    It is deliberately not a tuple: PyG's ``dense_mincut_pool`` returns ``(x, adj, loss, loss)``, and code written
    for it that unpacked four values from this output would take ``s`` as a loss without a word. Unpacking raises
    a ``TypeError`` instead; :meth:`AsymCheegerCutPool.forward_pyg` gives ``dense_mincut_pool``'s tuple.

    Attributes:
        x: :math:`(B, K, F)` pooled features :math:`\\mathbf{S}^\\top \\mathbf{X}`.
        adj: :math:`(B, K, K)` pooled adjacency (for TVGNN the raw :math:`\\mathbf{S}^\\top \\mathbf{A} \\mathbf{S}`).
        s: the assignment in the layout of the input: :math:`(N, K)` for a sparse batch (rows in node order),
            :math:`(B, N, K)` for a dense one (zero rows on padding).
        losses: named auxiliary loss terms; ``total`` is the weighted sum to add to the task loss.
    """

    x: Tensor
    adj: Tensor
    s: Tensor
    losses: LossTerms

    def replace(self, **changes: Any) -> PoolOutput:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def __iter__(self) -> NoReturn:
        raise TypeError("A PoolOutput is not a tuple: read out.x, out.adj, out.s and out.losses by name, or call "
                        "AsymCheegerCutPool.forward_pyg for the (x, adj, gtv_loss, balance_loss) tuple of PyG's "
                        "dense_mincut_pool.")


def _off_diagonal(adj: Tensor) -> Tensor:
    eye = torch.eye(adj.size(-1), dtype=torch.bool, device=adj.device)
    return adj.masked_fill(eye, 0.0)


def _mask_nodes(t: Tensor, mask: Tensor | None) -> Tensor:
    return t if mask is None else t * mask.unsqueeze(-1).to(t.dtype)


class DenseGTVConv(GTVConv):
    r""":class:`~gtvviz.nn.GTVConv` on a batch of dense graphs, with identical math and parameters.

    .. math::
        \tilde{\mathbf{X}}_b = \mathbf{X}_b \mathbf{\Theta}, \qquad
        \Gamma_{b,ij} = \frac{a_{b,ij}\,[i \neq j]}{\max(\lVert \tilde{\mathbf{x}}_{b,i} -
        \tilde{\mathbf{x}}_{b,j} \rVert_1, \epsilon)}, \qquad
        \mathbf{X}'_b = \sigma\big(\tilde{\mathbf{X}}_b - \delta\, \mathbf{L}_{\Gamma_b} \tilde{\mathbf{X}}_b
        + \mathbf{b}\big)

    The diagonal of :math:`\mathbf{A}_b` is ignored (self-loops cancel in :math:`\mathbf{L}_\Gamma`). The
    pairwise :math:`\ell_1` distances come from :func:`torch.cdist`, so the cost is :math:`O(B N^2 H)` time
    and :math:`O(B N^2)` memory. :math:`\mathbf{L}_\Gamma \tilde{\mathbf{X}} = \mathrm{diag}(\Gamma \mathbf{1})
    \tilde{\mathbf{X}} - \Gamma \tilde{\mathbf{X}}` is evaluated on features centred per graph (exact, since
    :math:`\mathbf{L}_\Gamma \mathbf{1} = \mathbf{0}`), which keeps the cancellation between the two terms, whose
    entries reach :math:`a_{ij} / \epsilon`, small; :math:`\mathbf{I} - \delta \mathbf{L}_\Gamma` is never formed.
    A state dict moves freely between :class:`GTVConv` and :class:`DenseGTVConv`.

    Args: as :class:`~gtvviz.nn.GTVConv`.

    Shapes:
        - **input:** node features :math:`(B, N, F_{in})` (or :math:`(N, F_{in})`), adjacency :math:`(B, N, N)`
          (or :math:`(N, N)`), optional boolean mask :math:`(B, N)` of the real nodes
        - **output:** node features :math:`(B, N, H)`, zero on masked-out nodes
    """

    def forward(self, x: Tensor, adj: Tensor, mask: Tensor | None = None) -> Tensor:  # type: ignore[override]
        x = x.unsqueeze(0) if x.dim() == 2 else x
        adj = adj.unsqueeze(0) if adj.dim() == 2 else adj
        xt = self.lin(x)
        gamma = _off_diagonal(adj) / torch.cdist(xt, xt, p=1.0).clamp_min(self.eps)
        centred = xt - xt.mean(dim=-2, keepdim=True)
        laplacian_xt = gamma.sum(dim=-1, keepdim=True) * centred - gamma @ centred
        out = xt - self.delta_coeff * laplacian_xt
        if self.bias is not None:
            out = out + self.bias
        return _mask_nodes(self.act(out), mask)


def dense_gtv_loss(s: Tensor, adj: Tensor, mask: Tensor | None = None, reduce: bool = True) -> Tensor:
    r""":func:`~gtvviz.nn.losses.gtv_loss` of each graph of a dense batch, diagonal ignored:

    .. math::
        \mathcal{L}_{GTV}(b) = \frac{\sum_{i \neq j} a_{b,ij} \lVert \mathbf{s}_{b,i} - \mathbf{s}_{b,j}
        \rVert_1}{2 \max(\mathrm{nnz}_{i \neq j}(\mathbf{A}_b), 1)}

    the same value as :func:`~gtvviz.nn.losses.gtv_loss` on the edge list of :func:`dense_to_block_edges`,
    in :math:`O(B N^2)` memory. On a pooled graph the reference code also counts the diagonal in
    :math:`\mathrm{nnz}`, which makes its term :math:`(K-1)/K` times this one; gtvviz's pooled graphs have no
    self-loops.

    Args:
        s: :math:`(B, N, K)` soft assignment (zero rows on padding).
        adj: :math:`(B, N, N)` adjacency (zero on padding).
        mask: optional :math:`(B, N)` boolean mask of the real nodes.
        reduce: average over graphs (``True``) or return one value per graph.
    """
    if mask is not None:
        adj = adj * (mask.unsqueeze(-1) & mask.unsqueeze(-2)).to(adj.dtype)
    adj = _off_diagonal(adj)
    tv = (adj * torch.cdist(s, s, p=1.0)).sum(dim=(-1, -2))
    nnz = (adj != 0).sum(dim=(-1, -2)).clamp_min(1).to(s.dtype)
    per_graph = tv / (2.0 * nnz)
    return per_graph.mean() if reduce else per_graph


def dense_to_block_edges(adj: Tensor) -> tuple[Tensor, Tensor]:
    r"""The edge list of a dense batch :math:`(B, N, N)` as one block-diagonal graph of :math:`B N` nodes.

    Node :math:`i` of graph :math:`b` becomes node :math:`bN + i`. Zero entries and the diagonal are dropped.
    An entry :math:`a_{b,ij}` becomes the edge :math:`bN + j \to bN + i` with weight :math:`a_{b,ij}`, so that
    :class:`~gtvviz.nn.GTVConv` aggregates row :math:`i` of :math:`\mathbf{A}_b` at node :math:`i`, exactly like
    :class:`DenseGTVConv` (the two agree on any input). Gradients flow into the weights.

    Returns:
        ``(edge_index, edge_weight)`` of shapes :math:`(2, M)` and :math:`(M,)`.
    """
    adj = adj.unsqueeze(0) if adj.dim() == 2 else adj
    graph, row, col = _off_diagonal(adj).nonzero(as_tuple=True)
    offset = graph * adj.size(-1)
    return torch.stack([offset + col, offset + row]), adj[graph, row, col]


class AsymCheegerCutPool(torch.nn.Module):
    r"""The AsymCheegerCut pooling layer of `"Total Variation Graph Neural Networks"
    <https://arxiv.org/abs/2211.06218>`_ (Hansen & Bianchi, ICML 2023), for mini-batches of graphs.

    .. math::
        \mathbf{S} &= \mathrm{softmax}(\mathrm{MLP}(\mathbf{X}))

        \mathbf{X}^{pool} &= \mathbf{S}^\top \mathbf{X}, \qquad
        \mathbf{A}^{pool} = \mathbf{S}^\top \mathbf{A} \mathbf{S}

        \mathcal{L}_{aux} &= \alpha_1 \mathcal{L}_{GTV} + \alpha_2 \mathcal{L}_{AN}

    per graph, as in the authors' code (raw :math:`\mathbf{A}^{pool}`, no normalisation). The auxiliary terms
    (:func:`~gtvviz.nn.losses.gtv_loss`, :func:`~gtvviz.nn.losses.asym_norm_loss`) are computed for each graph on
    its own real nodes and averaged over the graphs of the batch, so padding never biases the balance term. (The
    reference pads the batch: its balance term uses the padded :math:`N`, and its GTV term divides the batch's
    total by the batch's edge count, which weights graphs by their size.)

    :math:`K` may exceed a graph's number of nodes :math:`N` (the usual case when :math:`K` is set from the
    largest graph of a dataset). The graph is then mapped to :math:`K` nodes, most of them light, and the quantile
    index :math:`\lfloor N/K \rfloor` of the balance term is 0 (the index is clamped to :math:`N - 1` anyway), so
    :math:`q_k = \max_i s_{ik}` and :math:`\mathcal{L}_{AN} = 1 - (\sum_k \max_i s_{ik} - 1)/(K - 1)`: it rewards
    giving each node a cluster of its own and bottoms out at :math:`1 - (N-1)/(K-1) > 0`.

    Two forms of call:

    * :meth:`forward` takes a sparse PyG batch (the first level, :math:`O(E K)` memory) and :meth:`forward_dense`
      a dense one (the output of a previous level, or any padded batch with a mask); both return a
      :class:`PoolOutput`, read by name: ``out.x``, ``out.adj``, ``out.s`` and ``out.losses["total"]`` (also
      ``"gtv"`` and ``"balance"``, unweighted).
    * :meth:`forward_pyg` takes what PyG's ``dense_mincut_pool`` takes (less ``s``, which the layer computes) and
      returns the tuple its users expect, ``x, adj, gtv_loss, balance_loss = pool.forward_pyg(x, adj, mask)``,
      the two losses weighted by :math:`\alpha_1` and :math:`\alpha_2` so that their sum is the auxiliary
      loss.

    :meth:`lift` maps features of the pooled nodes back to the nodes, :math:`\mathbf{S} \mathbf{X}'`, per
    graph of a batch (the unpooling step of an encoder-decoder).

    Args:
        in_channels (int): input feature width :math:`F`.
        k (int): number of clusters :math:`K \ge 2` (nodes of the pooled graph).
        mlp_channels (sequence of int): hidden widths of the assignment MLP. (default: ``(32,)``, the
            reference classification setting)
        mlp_act (str): activation of the MLP's hidden layers. (default: ``"relu"``)
        alpha1 (float): weight of the GTV term. (default: ``1.0``)
        alpha2 (float): weight of the balance term. (default: ``1.0``)
    """

    def __init__(self, in_channels: int, k: int, mlp_channels: Sequence[int] = (32,), mlp_act: str = "relu",
                 alpha1: float = 1.0, alpha2: float = 1.0) -> None:
        super().__init__()
        check_cluster_count(k, "Pooling")
        self.in_channels = in_channels
        self.k = k
        self.alpha1 = float(alpha1)
        self.alpha2 = float(alpha2)
        self.mlp = AssignmentMLP(in_channels, k, mlp_channels, mlp_act)

    def reset_parameters(self) -> None:
        self.mlp.reset_parameters()

    def assign(self, x: Tensor) -> Tensor:
        r"""The soft assignment :math:`\mathbf{S} = \mathrm{softmax}(\mathrm{MLP}(\mathbf{X}))`, row-wise."""
        return torch.softmax(self.mlp(x), dim=-1)

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
                batch: Tensor | None = None) -> PoolOutput:
        r"""Pool a sparse batch.

        Args:
            x: :math:`(N, F)` node features of all graphs.
            edge_index: :math:`(2, M)` both directions of every edge.
            edge_weight: optional :math:`(M,)` edge weights.
            batch: optional :math:`(N,)` graph index of each node, sorted (as in a PyG ``Batch``).

        Returns:
            :class:`PoolOutput` with ``x`` :math:`(B, K, F)`, ``adj`` :math:`(B, K, K)`, ``s`` :math:`(N, K)`.
        """
        s = self.assign(x)
        src, dst = edge_index
        messages = s[src] if edge_weight is None else edge_weight.unsqueeze(-1) * s[src]
        a_s = torch.zeros_like(s).index_add(0, dst, messages)  # A S, O(M K)
        s_dense, _ = to_dense_batch(s, batch)
        x_dense, _ = to_dense_batch(x, batch)
        a_s_dense, _ = to_dense_batch(a_s, batch)
        s_t = s_dense.transpose(1, 2)
        gtv = gtv_loss(s, edge_index, edge_weight, batch=batch)
        balance = asym_norm_loss(s, batch=batch)
        return PoolOutput(s_t @ x_dense, s_t @ a_s_dense, s, self._terms(gtv, balance))

    def forward_dense(self, x: Tensor, adj: Tensor, mask: Tensor | None = None) -> PoolOutput:
        r"""Pool a dense batch.

        Args:
            x: :math:`(B, N, F)` node features.
            adj: :math:`(B, N, N)` adjacency; its diagonal is ignored by the loss.
            mask: optional :math:`(B, N)` boolean mask of the real nodes (``None``: all are real).

        Returns:
            :class:`PoolOutput` with ``x`` :math:`(B, K, F)`, ``adj`` :math:`(B, K, K)`, ``s`` :math:`(B, N, K)`.
        """
        x = _mask_nodes(x, mask)
        s = _mask_nodes(self.assign(x), mask)
        s_t = s.transpose(1, 2)
        real = torch.ones(s.shape[:2], dtype=torch.bool, device=s.device) if mask is None else mask
        graph_of_node = torch.arange(s.size(0), device=s.device).unsqueeze(-1).expand_as(real)
        gtv = dense_gtv_loss(s, adj, mask)
        balance = asym_norm_loss(s[real], batch=graph_of_node[real])
        return PoolOutput(s_t @ x, s_t @ adj @ s, s, self._terms(gtv, balance))

    def forward_pyg(self, x: Tensor, adj: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        r"""Pool a dense batch and return PyG's ``dense_mincut_pool`` tuple: ``(x_pool, adj_pool,
        gtv_loss, balance_loss)`` with ``gtv_loss`` :math:`= \alpha_1 \mathcal{L}_{GTV}` and ``balance_loss``
        :math:`= \alpha_2 \mathcal{L}_{AN}`, so that ``task_loss + gtv_loss + balance_loss`` is the training loss,
        as with MinCutPool's two losses.

        Unlike ``dense_mincut_pool``, the layer computes :math:`\mathbf{S}` itself and returns the raw
        :math:`\mathbf{S}^\top \mathbf{A} \mathbf{S}` (the authors' pooled graph; ``dense_mincut_pool`` zeroes its
        diagonal and normalises it symmetrically). The values are those of :meth:`forward_dense`.

        Args:
            x: :math:`(B, N, F)` node features (or :math:`(N, F)` for one graph).
            adj: :math:`(B, N, N)` adjacency (or :math:`(N, N)`).
            mask: optional :math:`(B, N)` boolean mask of the real nodes.

        Returns:
            ``x`` :math:`(B, K, F)`, ``adj`` :math:`(B, K, K)` and the two weighted loss terms (scalars).
        """
        x = x.unsqueeze(0) if x.dim() == 2 else x
        adj = adj.unsqueeze(0) if adj.dim() == 2 else adj
        out = self.forward_dense(x, adj, mask)
        return out.x, out.adj, self.alpha1 * out.losses["gtv"], self.alpha2 * out.losses["balance"]

    @staticmethod
    def lift(x_pool: Tensor, s: Tensor, batch: Tensor | None = None) -> Tensor:
        r"""Map features of the pooled nodes back to the nodes (unpooling), per graph of a batch:

        .. math::
            \mathbf{x}^{lift}_i = \sum_k s_{ik}\, \mathbf{x}'_{b(i), k}

        where :math:`b(i)` is the graph of node :math:`i`: :math:`\mathbf{S}_b \mathbf{X}'_b` for each graph.

        Args:
            x_pool: :math:`(B, K, F')` features of the pooled nodes (e.g. ``out.x`` after further layers).
            s: the assignment as a :class:`PoolOutput` holds it: :math:`(N, K)` for a sparse batch, with
                ``batch``; :math:`(B, N, K)` for a dense one (zero rows on padding give zero rows).
            batch: optional :math:`(N,)` graph index of each node of a sparse batch, sorted.

        Returns:
            :math:`(N, F')` for a sparse batch, :math:`(B, N, F')` for a dense one.
        """
        if s.dim() == 3:
            return s @ x_pool
        s_dense, mask = to_dense_batch(s, batch, batch_size=x_pool.size(0))
        return (s_dense @ x_pool)[mask]

    def _terms(self, gtv: Tensor, balance: Tensor) -> LossTerms:
        return {"total": self.alpha1 * gtv + self.alpha2 * balance, "gtv": gtv, "balance": balance}

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, k={self.k}, alpha1={self.alpha1}, "
                f"alpha2={self.alpha2})")
