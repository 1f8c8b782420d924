r"""The AsymCheegerCut loss of TVGNN, on edge lists in :math:`O(E \cdot K)` memory.

All functions take a soft assignment :math:`\mathbf{S} \in [0, 1]^{N \times K}` (rows on the simplex) and,
optionally, a ``batch`` vector that assigns each node to one of several graphs; every term is then computed
per graph on that graph's own nodes and averaged over the graphs (no padding, so no padding bias).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from gtvviz.collapse import CollapseDetector
from gtvviz.errors import ConfigError

LossTerms = dict[str, Tensor]


def _check_assignment(s: Tensor) -> None:
    if s.dim() != 2:
        raise ConfigError(f"The assignment matrix must be N x K, got shape {tuple(s.shape)}.")
    if s.size(1) < 2:
        raise ConfigError(f"Clustering needs at least K = 2 clusters, got K = {s.size(1)}; choose K >= 2.")


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


#: Relative margin by which the adaptive balance weight exceeds the assignment's cut ratio (see
#: :class:`AsymCheegerCutObjective`).
ADAPTIVE_MARGIN = 0.1
#: Balance-weight modes of :class:`AsymCheegerCutObjective`: ``"fixed"`` is the reference behaviour.
BALANCE_WEIGHTS = ("adaptive", "fixed")


def cut_ratio(gtv: float, balance: float) -> float | None:
    r"""The cut ratio :math:`G/B` of an assignment from its unweighted terms, :math:`G = \mathcal{L}_{GTV}` and
    :math:`B = 1 - \mathcal{L}_{AN}`; ``None`` at the uniform assignment (or a single cluster), where :math:`B = 0`."""
    spread = 1.0 - balance
    return gtv / spread if spread > 0.0 else None


@dataclass
class AsymCheegerCutObjective:
    r"""The training objective of TVGNN: :func:`asym_cheeger_cut_loss`, with a guard against the uniform trap.

    ``total`` is always the reference loss :math:`\alpha_1 \mathcal{L}_{GTV} + \alpha_2 \mathcal{L}_{AN}`, so
    curves and the lowest-loss epoch are comparable across runs and modes. The gradient is taken of
    ``train_total`` when the terms contain it: the same loss with the weights below.

    **Why the reference run can stall at** :math:`\mathbf{S} = 1/K`. Write :math:`G = \mathcal{L}_{GTV}` and
    :math:`B = 1 - \mathcal{L}_{AN}` (the normalised asymmetric norm, 0 at the uniform assignment). Both are
    positively 1-homogeneous in the distance from it: along :math:`\mathbf{S} = 1/K + t\mathbf{D}`,
    :math:`G = t\,g(\mathbf{D})` and :math:`B = t\,b(\mathbf{D})` for small :math:`t > 0`, so the loss is
    :math:`\alpha_2 + t\,(\alpha_1 g - \alpha_2 b)`. The uniform assignment is therefore a local minimum along
    every direction whose *cut ratio* :math:`g/b` exceeds :math:`\alpha_2/\alpha_1` (0.655 with the reference
    weights). At initialisation the model can only reach directions that are little better than random
    partitions, whose cut ratio is about the cut fraction of a random balanced partition, :math:`1 - 1/K`
    (lowered somewhat by message passing): 0.5 for :math:`K = 2`, 0.67 for 3, 0.75 for 4. This is why the
    reference configuration trains with 2 or 3 clusters and stays grey with 4 or more on graphs whose
    features carry little signal.

    Early in a healthy run the assignment *should* stay near uniform for a while: the GTV gradient first turns the
    direction :math:`\mathbf{D}` towards smooth partitions (on Cora the cut ratio falls from about 1.0 to 0.35 in
    the first 30 epochs while the sharpness stays near :math:`1/K`), and the balance term then pulls the
    assignment out along it. The trap is a run whose ratio never falls below :math:`\alpha_2/\alpha_1`.

    **The remedy** (``balance_weight="adaptive"``, gtvviz's default). Once the run has sat near the uniform
    assignment for as long as :class:`~gtvviz.collapse.CollapseDetector` needs to call it collapsed (sharpness
    within 10% of :math:`1/K` for 50 epochs in a row; ``engaged_at`` records the epoch), the gradient is taken
    with the balance weight

    .. math::
        \tilde\alpha_2 = \max\left(\alpha_2,\; (1 + m)\, \alpha_1 \frac{G}{B}\right), \qquad m = 0.1,

    held constant (no gradient through it). Along the current direction the slope is then
    :math:`\alpha_1 g - \tilde\alpha_2 b \le -m \alpha_1 g < 0`: the run moves away from the uniform assignment
    along the smoothest direction it has found, while the GTV gradient keeps lowering the cut ratio (Dinkelbach's
    scheme for the ratio :math:`G/B`, the asymmetric Cheeger ratio itself). Whenever the assignment's ratio is
    below :math:`\alpha_2 / ((1+m)\alpha_1)`, :math:`\tilde\alpha_2 = \alpha_2` and the gradient is exactly the
    reference's. A run that leaves the uniform assignment before the detector fires is never changed; after it
    fires, only the epochs at which the ratio is above the threshold are. At exactly uniform
    :math:`\mathbf{S}` (:math:`B = 0`) the weight is :math:`\alpha_2`. ``balance_weight="fixed"`` is the reference
    behaviour.

    An older, weaker remedy stays available: ``warmup`` epochs over which the GTV weight used for the gradient
    ramps linearly from 0 to :math:`\alpha_1`.

    Args:
        alpha1 (float): weight of the GTV term. (default: ``1.0``)
        alpha2 (float): weight of the balance term. (default: ``1.0``)
        warmup (int): epochs of the GTV-weight ramp; 0 = none. (default: ``0``)
        balance_weight (str): ``"adaptive"`` or ``"fixed"`` (the reference). (default: ``"adaptive"``)

    Attributes:
        engaged_at (int or None): the epoch at which the adaptive remedy engaged; ``None`` while it has not.
    """

    alpha1: float = 1.0
    alpha2: float = 1.0
    warmup: int = 0
    balance_weight: str = "adaptive"
    epoch: int = 0
    engaged_at: int | None = None
    _detector: CollapseDetector = field(default_factory=CollapseDetector, repr=False)
    _watched_epoch: int = field(default=-1, repr=False)

    def __post_init__(self) -> None:
        if self.balance_weight not in BALANCE_WEIGHTS:
            raise ConfigError(f"balance_weight must be one of {', '.join(BALANCE_WEIGHTS)}, "
                              f"got {self.balance_weight!r}.")

    def set_epoch(self, epoch: int) -> None:
        """Tell the objective how many optimisation steps have been done."""
        self.epoch = epoch

    def reset(self) -> None:
        """Forget the run (a new run starts at epoch 0 with the remedy disengaged)."""
        self.epoch, self.engaged_at = 0, None
        self._detector, self._watched_epoch = CollapseDetector(), -1

    def _watch(self, s: Tensor) -> None:
        """Feed this epoch's assignment to the detector (once per epoch); engage the remedy when it fires."""
        if self.balance_weight == "fixed" or self.engaged_at is not None or self.epoch == self._watched_epoch:
            return
        self._watched_epoch = self.epoch
        if self._detector.update(s.detach().to("cpu", torch.float32).numpy()):
            self.engaged_at = self.epoch

    @property
    def gtv_weight(self) -> float:
        """The GTV weight used for the gradient at the current epoch."""
        return self.alpha1 * min(1.0, self.epoch / self.warmup) if self.warmup > 0 else self.alpha1

    def balance_weight_for(self, gtv: float, balance: float, epoch: int | None = None) -> float:
        r"""The balance weight used for the gradient, given the (unweighted) terms: :math:`\alpha_2`, or
        :math:`\tilde\alpha_2` above once the remedy has engaged (by ``epoch``, when given; else by now)."""
        engaged = self.engaged_at is not None and (epoch is None or epoch >= self.engaged_at)
        ratio = cut_ratio(gtv, balance)
        if not engaged or ratio is None:
            return self.alpha2
        return max(self.alpha2, (1.0 + ADAPTIVE_MARGIN) * self.gtv_weight * ratio)

    def __call__(self, s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
                 batch: Tensor | None = None) -> LossTerms:
        terms = asym_cheeger_cut_loss(s, edge_index, edge_weight, self.alpha1, self.alpha2, batch=batch)
        self._watch(s)
        weight1 = self.gtv_weight
        weight2 = self.balance_weight_for(float(terms["gtv"].detach()), float(terms["balance"].detach()))
        if weight1 != self.alpha1 or weight2 != self.alpha2:
            terms["train_total"] = weight1 * terms["gtv"] + weight2 * terms["balance"]
        return terms
