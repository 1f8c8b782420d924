r"""The AsymCheegerCut loss of TVGNN, on edge lists in :math:`O(E \cdot K)` memory: pure functions.

The training policy built on them (the adaptive balance weight) lives above ``nn``, in :mod:`gtvviz.objective`.
All functions take a soft assignment :math:`\mathbf{S} \in [0, 1]^{N \times K}` (rows on the simplex) and,
optionally, a ``batch`` vector that assigns each node to one of several graphs; every term is then computed
per graph on that graph's own nodes and averaged over the graphs (no padding, so no padding bias).
"""

from __future__ import annotations

import torch
from torch import Tensor

from gtvviz.defaults import check_cluster_count
from gtvviz.errors import ConfigError

LossTerms = dict[str, Tensor]


def _check_assignment(s: Tensor) -> None:
    if s.dim() != 2:
        raise ConfigError(f"The assignment matrix must be N x K, got shape {tuple(s.shape)}.")
    check_cluster_count(s.size(1))


def _graph_count(batch: Tensor | None, num_nodes: int, device: torch.device) -> tuple[Tensor, int]:
    if batch is None:
        return torch.zeros(num_nodes, dtype=torch.long, device=device), 1
    return batch, int(batch.max()) + 1 if batch.numel() else 1


def gtv_loss(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None, batch: Tensor | None = None,
             reduce: bool = True) -> Tensor:
    r"""Graph total variation of the assignment, normalised as in the reference code:

    .. math::
        \mathcal{L}_{GTV} = \frac{1}{2\,\mathrm{nnz}(\mathbf{A})} \sum_{(i,j):\, a_{ij} \neq 0}
        a_{ij} \lVert \mathbf{s}_i - \mathbf{s}_j \rVert_1

    where the sum runs over the *directed* entries of :math:`\mathbf{A}` (both directions of every edge).
    For an unweighted graph it lies in :math:`[0, 1]`, and for a one-hot :math:`\mathbf{S}` it equals the
    fraction of edges that are cut. With weights the reference still divides by the count of nonzeros, so the
    bound no longer holds. A graph without edges gives 0 (the denominator is clamped to at least 1).

    Args:
        s: :math:`(N, K)` soft assignment.
        edge_index: :math:`(2, M)` directed entries of :math:`\mathbf{A}` (both directions of each edge).
        edge_weight: optional :math:`(M,)` weights :math:`a_{ij}`; entries equal to 0 are not counted.
        batch: optional :math:`(N,)` graph index of each node.
        reduce: average over graphs (``True``) or return one value per graph.
    """
    _check_assignment(s)
    batch, num_graphs = _graph_count(batch, s.size(0), s.device)
    src, dst = edge_index
    tv = (s[src] - s[dst]).abs().sum(dim=-1)
    nonzero = torch.ones_like(tv)
    if edge_weight is not None:
        tv = tv * edge_weight
        nonzero = (edge_weight != 0).to(tv.dtype)
    edge_graph = batch[src]
    total = torch.zeros(num_graphs, dtype=s.dtype, device=s.device).index_add(0, edge_graph, tv)
    nnz = torch.zeros(num_graphs, dtype=s.dtype, device=s.device).index_add(0, edge_graph, nonzero)
    per_graph = total / (2.0 * nnz.clamp_min(1.0))
    return per_graph.mean() if reduce else per_graph


def asym_norm_loss(s: Tensor, batch: Tensor | None = None, reduce: bool = True) -> Tensor:
    r"""Asymmetric :math:`\ell_1`-norm balance term, in :math:`[0, 1]`:

    .. math::
        \mathcal{L}_{AN} = 1 - \frac{\sum_{i,k} \lvert s_{ik} - q_k \rvert_\rho}{N (K - 1)}, \qquad
        \lvert d \rvert_\rho = \begin{cases} \rho\, d & d \ge 0 \\ -d & d < 0 \end{cases}, \qquad
        \rho = K - 1

    where :math:`q_k` is the :math:`\rho`-quantile of column :math:`k`: the element at 0-based index
    :math:`\min(\lfloor N/K \rfloor, N-1)` of the column sorted in descending order (the clamp makes
    :math:`K > N` work, e.g. when pooling a small graph). A perfectly balanced one-hot :math:`\mathbf{S}` gives
    0; a uniform :math:`\mathbf{S}` or everything in one cluster gives 1. Gradients flow through the sorted
    quantile. With ``batch``, :math:`N` and the quantile are those of each graph's own nodes.

    Args:
        s: :math:`(N, K)` soft assignment, :math:`K \ge 2`.
        batch: optional :math:`(N,)` graph index of each node.
        reduce: average over graphs (``True``) or return one value per graph.
    """
    _check_assignment(s)
    n, k = s.shape
    batch, num_graphs = _graph_count(batch, n, s.device)
    rho = k - 1
    sizes = torch.bincount(batch, minlength=num_graphs)
    starts = torch.cumsum(sizes, 0) - sizes
    # Sort each column descending, then regroup by graph with a stable sort so that the order inside each
    # graph stays descending: the quantile of graph g in column k is then at starts[g] + index[g].
    values, perm = s.sort(dim=0, descending=True, stable=True)
    regroup = batch[perm].sort(dim=0, stable=True).indices
    values = values.gather(0, regroup)
    index = torch.minimum(sizes // k, (sizes - 1).clamp_min(0))
    quantile = values[(starts + index).clamp(max=max(n - 1, 0))]  # (num_graphs, K)
    d = s - quantile[batch]
    asym = torch.where(d >= 0, rho * d, -d)
    per_graph_sum = torch.zeros(num_graphs, dtype=s.dtype, device=s.device).index_add(0, batch, asym.sum(dim=-1))
    per_graph = 1.0 - per_graph_sum / (sizes.clamp_min(1).to(s.dtype) * rho)
    per_graph = torch.where(sizes > 0, per_graph, torch.zeros_like(per_graph))
    return per_graph.mean() if reduce else per_graph


def asym_cheeger_cut_loss(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
                          alpha1: float = 1.0, alpha2: float = 1.0, batch: Tensor | None = None) -> LossTerms:
    r"""The AsymCheegerCut loss :math:`\alpha_1 \mathcal{L}_{GTV} + \alpha_2 \mathcal{L}_{AN}`.

    Returns a dict of named terms: ``gtv`` (:func:`gtv_loss`), ``balance`` (:func:`asym_norm_loss`), both
    unweighted, and ``total`` = ``alpha1 * gtv + alpha2 * balance``.
    """
    gtv = gtv_loss(s, edge_index, edge_weight, batch=batch)
    balance = asym_norm_loss(s, batch=batch)
    return {"total": alpha1 * gtv + alpha2 * balance, "gtv": gtv, "balance": balance}
