r"""The escape from partial collapse: re-seed the unused clusters of a sharp, settled partition by spectral
bisection, pull the run to that partition, and let the loss judge it.

**Why a partial collapse needs an escape.** A TVGNN run can end sharp with some clusters (nearly) empty and others
holding several communities (:mod:`gtvviz.partial_collapse`): a stationary point of the training, not of the loss
(on the 6-block SBMs of ``benchmarks/results/quality_suite.md`` the true partition has a third of the loss). Two
locks hold it. The softmax: the balance term's gradient on the top :math:`N/K` entries of an empty column is as
large as on a full one (:math:`-\alpha_2/N` per entry, the asymmetric norm's slope :math:`\rho/(N(K-1))`), but
it reaches the logits through :math:`\partial s_{ik}/\partial z_{ik} = s_{ik}(1 - s_{ik}) \approx 0`. And the
representation: the merged communities reach the assignment head with nearly the same input, so no change of the
head splits them again. So the run is restarted from a proposed partition rather than pushed.

**The proposal** (:func:`reseed_partition`), as k-means++ re-seeds an empty centre, but for a cut objective: for
every unused cluster :math:`k` (fewer than ``min_size`` nodes), take the currently largest cluster :math:`c` and
split the largest connected part :math:`C` of the subgraph it induces by a *sweep cut* of its Fiedler vector
(:func:`sweep_bisection`): order the nodes of :math:`C` by the second eigenvector of its normalised Laplacian
(:func:`gtvviz.spectral.spectral_embedding`, the relaxation of the normalised cut) and choose, among the prefixes
:math:`P` with both sides of at least ``min_size`` nodes, the one of least ratio

.. math::
    \frac{\mathrm{cut}(P, C \setminus P)}{\min(|P|, |C \setminus P|)},

the Cheeger ratio that the GTV and asymmetric balance terms relax. The smaller side becomes cluster :math:`k`.
Splits are made one at a time, so a cluster of three communities is cut into one and two, and the two again.

**The escape** (:class:`PartialCollapseEscape`, run by :class:`~gtvviz.objective.AsymCheegerCutObjective`):

1. *watch*: the run is re-seeded once its whole assignment has been partially collapsed for :data:`PATIENCE`
   epochs in a row at a sharpness of at least :data:`SHARPNESS` (the partition is decided) and the reference loss
   fell by less than :data:`SETTLED` (relative) over them (a stationary point, not a run still moving);
2. *escape*: the gradient is that of the cross-entropy :math:`-\frac{1}{N}\sum_i \log s_{i, t_i}` towards the
   proposal :math:`t`, which retrains representation and head together, until :data:`AGREEMENT` of the nodes
   have it as their argmax (at most :data:`STEPS` epochs);
3. *settle*: the AsymCheegerCut loss again, for :data:`JUDGE` epochs;
4. *judge*: kept if the reference loss is now lower than where the re-seed began; otherwise the escape is
   *rejected* (``rejected_at``): the trainer returns to the parameters and optimiser state at which it began, and
   no further re-seed is made. An accepted escape may be followed by another (at most :data:`MAX_RESEEDS`).

The labels are never used: the graph proposes, the loss decides. A run that uses every cluster is never changed.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import torch
from scipy.sparse.csgraph import connected_components
from torch import Tensor

from gtvviz.partial_collapse import MIN_FRACTION
from gtvviz.spectral import spectral_embedding

#: Consecutive partially collapsed epochs at a sharpness of at least :data:`SHARPNESS` before a re-seed.
PATIENCE = 20
#: The mean largest entry per row from which the partition counts as decided.
SHARPNESS = 0.5
#: Largest relative fall of the reference loss over the :data:`PATIENCE` epochs for the run to count as settled.
SETTLED = 0.005
#: Share of the nodes whose argmax must equal the proposal for the escape to end.
AGREEMENT = 0.99
#: The most epochs the gradient follows a proposal.
STEPS = 60
#: Epochs of the AsymCheegerCut loss after an escape before it is judged.
JUDGE = 40
#: The most re-seeds in one run.
MAX_RESEEDS = 3
#: The most epochs from a re-seed to its judgement: a trainer reports partial collapse only while at least this
#: many epochs are left, so that no run ends inside an escape that has not been judged.
HORIZON = STEPS + JUDGE


def _induced_adjacency(edge_index: np.ndarray, edge_weight: np.ndarray | None, nodes: np.ndarray,
                       num_nodes: int) -> sp.csr_matrix:
    """The symmetric adjacency of the subgraph induced by ``nodes`` (in their order)."""
    local = np.full(num_nodes, -1)
    local[nodes] = np.arange(len(nodes))
    src, dst = local[edge_index[0]], local[edge_index[1]]
    keep = (src >= 0) & (dst >= 0) & (src != dst)
    weight = np.ones(int(keep.sum())) if edge_weight is None else np.asarray(edge_weight, np.float64)[keep]
    adjacency = sp.coo_matrix((weight, (src[keep], dst[keep])), shape=(len(nodes), len(nodes))).tocsr()
    return ((adjacency + adjacency.T) * 0.5).tocsr()


def sweep_bisection(edge_index: np.ndarray, nodes: np.ndarray, num_nodes: int, min_size: int,
                    edge_weight: np.ndarray | None = None) -> np.ndarray | None:
    """The smaller side of the least-ratio sweep cut of the Fiedler vector of the largest connected part of the
    subgraph induced by ``nodes`` (see the module docstring), as node ids; ``None`` when that part has no split
    with both sides of at least ``min_size`` nodes.

    Args:
        edge_index: :math:`(2, M)` directed edges of the whole graph (both directions of each edge).
        nodes: the node ids of the cluster to split.
        num_nodes: :math:`N`.
        min_size: the fewest nodes each side may have (at least 1).
        edge_weight: optional :math:`(M,)` edge weights.
    """
    min_size = max(int(min_size), 1)
    adjacency = _induced_adjacency(edge_index, edge_weight, nodes, num_nodes)
    _, component = connected_components(adjacency, directed=False)
    largest = np.flatnonzero(component == np.bincount(component).argmax())
    if len(largest) < 2 * min_size or len(largest) < 3:
        return None
    part = adjacency[largest][:, largest].tocoo()
    fiedler = spectral_embedding(part, 2)[:, 1]
    order = np.argsort(fiedler, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    # An edge (u, v) is cut by the prefixes of length p with min(rank) < p <= max(rank): a difference array.
    low, high = np.minimum(rank[part.row], rank[part.col]), np.maximum(rank[part.row], rank[part.col])
    change = np.zeros(len(order) + 1)
    np.add.at(change, low + 1, part.data)
    np.add.at(change, high + 1, -part.data)
    cut = np.cumsum(change)[1:len(order)]  # prefix lengths 1 .. n - 1 (each edge counted in both directions)
    prefix = np.arange(1, len(order))
    smaller = np.minimum(prefix, len(order) - prefix)
    ratio = np.where(smaller >= min_size, cut / smaller, np.inf)
    best = int(np.argmin(ratio)) + 1
    if not np.isfinite(ratio[best - 1]):
        return None
    side = order[:best] if best <= len(order) - best else order[best:]
    return nodes[largest[side]]


def reseed_partition(labels: np.ndarray, edge_index: np.ndarray, n_clusters: int, min_size: int,
                     edge_weight: np.ndarray | None = None) -> np.ndarray | None:
    """Labels in which every unused cluster (fewer than ``min_size`` nodes) holds the smaller side of a
    :func:`sweep_bisection` of the then largest cluster, one unused cluster at a time; ``None`` when no cluster
    is unused or the largest cluster cannot be split.

    Args:
        labels: :math:`(N,)` hard assignment in ``0 .. n_clusters - 1``.
        edge_index: :math:`(2, M)` directed edges (both directions of each edge).
        n_clusters: :math:`K`.
        min_size: a cluster with fewer nodes is unused; each side of a split gets at least this many.
        edge_weight: optional :math:`(M,)` edge weights.
    """
    labels = np.asarray(labels).copy()
    sizes = np.bincount(labels, minlength=n_clusters)
    unused = np.flatnonzero(sizes < min_size)
    if unused.size == 0:
        return None
    split = 0
    for k in unused:
        largest = int(np.argmax(sizes))
        side = sweep_bisection(edge_index, np.flatnonzero(labels == largest), len(labels), min_size, edge_weight)
        if side is None:
            break
        labels[side] = k
        sizes = np.bincount(labels, minlength=n_clusters)
        split += 1
    return labels if split else None


@dataclass
class PartialCollapseEscape:
    """The state of the escape over one run (see the module docstring); fed once per epoch by :meth:`update`.

    Attributes:
        phase: ``"watch"``, ``"escape"``, ``"settle"`` or ``"done"`` (rejected, or nothing left to re-seed).
        reseeded_at: the epochs at which the run was re-seeded.
        rejected_at: the epoch at which an escape was judged worse than where it began, else ``None``.
        target: the proposal :math:`(N,)` while escaping, else ``None``.
    """

    phase: str = "watch"
    reseeded_at: list[int] = field(default_factory=list)
    rejected_at: int | None = None
    target: Tensor | None = None
    _losses: deque = field(default_factory=lambda: deque(maxlen=PATIENCE + 1), repr=False)
    _phase_start: int = 0
    _from_loss: float = math.inf
    _seen: int = -1

    @property
    def escaping(self) -> bool:
        """Whether the gradient follows the proposal (:meth:`loss`) this epoch."""
        return self.phase == "escape"

    def update(self, epoch: int, partial: bool, s: Tensor, edge_index: Tensor, edge_weight: Tensor | None,
               total: float) -> None:
        """Advance the escape by epoch ``epoch`` (once; a repeated epoch is ignored), given whether the whole
        assignment ``s`` is partially collapsed, the graph and the reference loss ``total``."""
        if epoch == self._seen:
            return
        self._seen = epoch
        s = s.detach()
        if self.phase == "escape":
            if agreement(s, self.target) >= AGREEMENT or epoch - self._phase_start >= STEPS:
                self.phase, self.target, self._phase_start = "settle", None, epoch
        elif self.phase == "settle" and epoch - self._phase_start >= JUDGE:
            if total < self._from_loss:
                self.phase = "watch" if len(self.reseeded_at) < MAX_RESEEDS else "done"
            else:
                self.phase, self.rejected_at = "done", epoch
        elif self.phase == "watch":
            self._watch(epoch, partial, s, edge_index, edge_weight, total)

    def _watch(self, epoch: int, partial: bool, s: Tensor, edge_index: Tensor, edge_weight: Tensor | None,
               total: float) -> None:
        if not (partial and float(s.max(dim=1).values.mean()) >= SHARPNESS):
            self._losses.clear()
            return
        self._losses.append(total)
        if len(self._losses) <= PATIENCE or self._losses[0] - total > SETTLED * abs(self._losses[0]):
            return
        self._losses.clear()
        n, k = s.shape
        weight = None if edge_weight is None else edge_weight.detach().cpu().numpy()
        labels = reseed_partition(s.argmax(dim=1).cpu().numpy(), edge_index.cpu().numpy(), k,
                                  max(1, math.ceil(MIN_FRACTION * n / k)), weight)
        if labels is None:
            self.phase = "done"
            return
        self.phase, self.target = "escape", torch.as_tensor(labels, device=s.device)
        self._phase_start, self._from_loss = epoch, total
        self.reseeded_at.append(epoch)

    def loss(self, s: Tensor) -> Tensor:
        """The cross-entropy towards the proposal (while escaping; :func:`cross_entropy_to`)."""
        assert self.target is not None
        return cross_entropy_to(s, self.target)


def agreement(s: Tensor, target: Tensor) -> float:
    """The share of the nodes whose argmax in ``s`` :math:`(N, K)` is their label in ``target`` :math:`(N,)`."""
    return float((s.detach().argmax(dim=1) == target.to(s.device)).float().mean())


def cross_entropy_to(s: Tensor, target: Tensor) -> Tensor:
    r"""The cross-entropy :math:`-\frac{1}{N}\sum_i \log s_{i, t_i}` of the soft assignment ``s`` :math:`(N, K)`
    towards the labels ``target`` :math:`(N,)`. Entries are floored at the dtype's smallest normal number only: a
    larger floor would cut the gradient of exactly the saturated entries a proposal has to raise."""
    chosen = s.gather(1, target.to(s.device)[:, None])
    return -torch.log(chosen.clamp_min(torch.finfo(s.dtype).tiny)).mean()
