r"""The AsymCheegerCut loss of one mini-batch and what it estimates; the full loss in chunks for snapshots.

On a batch :math:`B` of :math:`b` nodes with induced edges :math:`E_B` (both directions), the batch loss is the
full loss's formula applied to the batch's own subgraph (the trainer calls
:class:`~gtvviz.objective.AsymCheegerCutObjective` on it, with the graph's own edge weights):

.. math::
    \hat{\mathcal{L}}_{GTV} = \frac{\sum_{(i,j) \in E_B} a_{ij} \lVert \mathbf{s}_i - \mathbf{s}_j \rVert_1}
    {2\, \lvert E_B \rvert}, \qquad
    \hat{\mathcal{L}}_{AN} = 1 - \frac{\sum_{i \in B,\, k} \lvert s_{ik} - \hat q_k \rvert_\rho}{b\,(K-1)}

with :math:`\hat q_k` the batch's own quantile (index :math:`\lfloor b/K \rfloor` of column :math:`k` of the batch,
sorted descending). Both are :func:`gtvviz.nn.losses.gtv_loss` and :func:`gtvviz.nn.losses.asym_norm_loss`
unchanged, so a batch that is the whole graph gives exactly the full loss.

The adaptive balance weight (the remedy against the uniform trap) then uses the batch's ratio
:math:`\hat G / \hat B` (:math:`\hat G = \hat{\mathcal{L}}_{GTV}`, :math:`\hat B = 1 - \hat{\mathcal{L}}_{AN}`),
a ratio of the two estimators below, consistent for random node sets.

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

from gtvviz.nn.losses import gtv_loss


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
