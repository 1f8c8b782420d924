r"""The AsymCheegerCut loss of one mini-batch, and what it estimates.

On a batch :math:`B` of :math:`b` nodes with induced edges :math:`E_B` (both directions), the batch loss is the
full loss's formula applied to the batch's own subgraph:

.. math::
    \hat{\mathcal{L}}_{GTV} = \frac{\sum_{(i,j) \in E_B} a_{ij} \lVert \mathbf{s}_i - \mathbf{s}_j \rVert_1}
    {2\, \lvert E_B \rvert}, \qquad
    \hat{\mathcal{L}}_{AN} = 1 - \frac{\sum_{i \in B,\, k} \lvert s_{ik} - \hat q_k \rvert_\rho}{b\,(K-1)}

with :math:`\hat q_k` the batch's own quantile (index :math:`\lfloor b/K \rfloor` of column :math:`k` of the batch,
sorted descending). Both are :func:`gtvviz.nn.losses.gtv_loss` and :func:`gtvviz.nn.losses.asym_norm_loss`
unchanged, so a batch that is the whole graph gives exactly the full loss.

**What each term estimates, and its bias.**

* :math:`\hat{\mathcal{L}}_{GTV}` is a ratio estimator of :math:`\mathcal{L}_{GTV}` (a mean of
  :math:`a_{ij}\lVert\mathbf{s}_i - \mathbf{s}_j\rVert_1` over the edges, halved). With random node sets every edge
  is kept with the same probability, so numerator and denominator are unbiased up to the same factor and the
  ratio is consistent, with a bias of order :math:`1/\lvert E_B \rvert` (a ratio of means). With partition
  batches (ClusterGCN) the kept edges are mostly the edges inside METIS parts, which are cut less often than
  the average edge: the term *underestimates* the graph's cut, by about the share of cut edges that run between
  batches, so the gradient sees less of the boundary than the full loss.
* :math:`\hat{\mathcal{L}}_{AN}` is the plug-in estimator with the batch's sample quantile. For random node sets
  the batch is a uniform sample: the sample quantile is consistent and the term's bias is of order :math:`1/b`
  (a nonlinear function of a sample quantile), but each batch is pushed to be balanced on its own, which is what
  the full loss asks of the whole graph. For partition batches the batch is not a uniform sample: a batch that
  holds a few communities is pushed to spread them over all :math:`K` clusters, a bias towards splitting
  communities that joining several random parts per batch lessens.
"""

from __future__ import annotations

from torch import Tensor

from gtvviz.nn.losses import LossTerms, asym_norm_loss, gtv_loss


def batch_loss(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None, alpha1: float, alpha2: float,
               gtv_weight: float | None = None) -> LossTerms:
    r"""Loss terms of one batch: ``gtv`` (:math:`\hat{\mathcal{L}}_{GTV}`), ``balance``
    (:math:`\hat{\mathcal{L}}_{AN}`) and ``total`` :math:`= \alpha_1 \hat{\mathcal{L}}_{GTV} + \alpha_2
    \hat{\mathcal{L}}_{AN}`; with ``gtv_weight`` (a warm-up ramp of :math:`\alpha_1`) also ``train_total``, the same
    sum with that GTV weight, of which the gradient is taken.

    Args:
        s: :math:`(b, K)` assignment of the batch's nodes.
        edge_index: :math:`(2, M_B)` the batch's induced edges, local ids.
        edge_weight: their weights, or ``None``.
        alpha1, alpha2: weights of the two terms.
        gtv_weight: the GTV weight for the gradient when it differs from ``alpha1``.
    """
    gtv = gtv_loss(s, edge_index, edge_weight)
    balance = asym_norm_loss(s)
    terms = {"total": alpha1 * gtv + alpha2 * balance, "gtv": gtv, "balance": balance}
    if gtv_weight is not None and gtv_weight != alpha1:
        terms["train_total"] = gtv_weight * gtv + alpha2 * balance
    return terms


def chunked_gtv_loss(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
                     chunk_edges: int = 1 << 20) -> Tensor:
    r""":func:`~gtvviz.nn.losses.gtv_loss` of the whole graph, computed over chunks of at most ``chunk_edges``
    entries so that its :math:`M \times K` temporaries never exist at once: with :math:`\mathrm{nnz}_c` the nonzero
    entries of chunk :math:`c` and :math:`\mathcal{L}_c` its own loss,
    :math:`\mathcal{L}_{GTV} = \sum_c \max(\mathrm{nnz}_c, 1)\, \mathcal{L}_c / \max(\sum_c \mathrm{nnz}_c, 1)`
    (a chunk without nonzeros contributes 0). For snapshots of large graphs (no gradient needed)."""
    total = s.new_zeros(())
    nonzero = 0
    for start in range(0, edge_index.size(1), chunk_edges):
        weight = None if edge_weight is None else edge_weight[start:start + chunk_edges]
        count = int(edge_index[:, start:start + chunk_edges].size(1) if weight is None else (weight != 0).sum())
        total = total + gtv_loss(s, edge_index[:, start:start + chunk_edges], weight) * max(count, 1)
        nonzero += count
    return total / max(nonzero, 1)
