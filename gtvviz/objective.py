r"""The training objective of TVGNN: the AsymCheegerCut loss with the adaptive balance weight, and the objective
contract of the :class:`~gtvviz.train.Trainer`.

An :data:`Objective` maps ``(s, edge_index, edge_weight)`` to named loss terms with a ``total`` (a pure loss of
:mod:`gtvviz.nn.losses` or :mod:`gtvviz.nn.smooth_losses` is one). An objective that also follows the run (a
:class:`TrainingPolicy`) is told before each forward pass which epoch it is and whether the trainer's collapse
detector has fired; :class:`AsymCheegerCutObjective` uses that to engage its remedy against the uniform trap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol, runtime_checkable

import torch
from torch import Tensor

from gtvviz.collapse import CollapseDetector
from gtvviz.defaults import BALANCE_WEIGHTS
from gtvviz.errors import ConfigError
from gtvviz.escape import PartialCollapseEscape
from gtvviz.nn.losses import LossTerms, asym_cheeger_cut_loss
from gtvviz.spectral_start import ProposalStart

#: A loss the Trainer minimises: ``(s, edge_index, edge_weight) -> terms``; the gradient is taken of
#: ``train_total`` when present and of ``total`` otherwise.
Objective = Callable[[Tensor, Tensor, "Tensor | None"], LossTerms]


@runtime_checkable
class TrainingPolicy(Protocol):
    """An objective with state that follows the run (a schedule, a remedy).

    Attributes:
        engaged_at: the epoch at which the policy changed the objective the gradient follows (a remedy engaged),
            or ``None`` while it has not; a stopping rule starts again from there.
        escaping: whether the gradient currently follows a transient target instead of the loss (a re-seed);
            a trainer starts its optimiser's moments afresh when this changes, and a stopping rule does not stop.
        rejected_at: the epoch at which the policy judged its last escape worse than where it began, else
            ``None``; a trainer then returns to the parameters and optimiser state at which that escape began.
    """

    engaged_at: int | None
    escaping: bool
    rejected_at: int | None

    def set_epoch(self, epoch: int, collapsed: bool | None = None, partial: bool | None = None) -> None:
        """Told before each forward pass: the optimisation steps done, whether the run has collapsed by then
        (the trainer's :class:`~gtvviz.collapse.CollapseDetector`) and, from a full-batch trainer, whether the
        whole assignment is partially collapsed (:func:`~gtvviz.partial_collapse.partial_collapse`)."""
        ...

    def reset(self) -> None:
        """Forget the run (called when the trainer resets)."""
        ...


#: Relative margin by which the adaptive balance weight exceeds the assignment's cut ratio (see
#: :class:`AsymCheegerCutObjective`).
ADAPTIVE_MARGIN = 0.1


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

    **The escape from partial collapse** (``balance_weight="escape"``: the adaptive weight, and this). A run can
    also end sharp with some clusters (nearly) empty and others holding several communities, a stationary point of
    the training that the loss itself rates far worse than the true partition. Told by a full-batch trainer
    whether the whole assignment is partially collapsed (``set_epoch(..., partial=...)``), the objective runs a
    :class:`~gtvviz.escape.PartialCollapseEscape`: once such a partition is sharp and settled, the unused clusters
    are re-seeded by spectral bisection of the largest ones, the gradient follows the cross-entropy towards that
    proposal (``escaping``) until the run holds it, and after some epochs of the AsymCheegerCut loss the reference
    loss judges it: kept if lower than where it began, else ``rejected_at`` tells the trainer to return to that
    point. The why and the constants are in :mod:`gtvviz.escape`. A run that uses every cluster is never changed,
    and without the trainer's ``partial`` (on its own, or on mini-batches) there is no escape.

    **A start from a proposed partition** (``start``, ``init="spectral"`` in a :class:`~gtvviz.config.RunConfig`).
    For its first epochs the gradient is the cross-entropy towards ``start``
    (:class:`~gtvviz.spectral_start.ProposalStart`; ``escaping`` while it follows), then the AsymCheegerCut loss.
    Full batch only.

    ``warmup`` epochs ramp the GTV weight used for the gradient linearly from 0 to :math:`\alpha_1` (a schedule,
    off by default).

    **The collapse signal.** In a :class:`~gtvviz.train.Trainer` the objective is told by the trainer's detector
    (``set_epoch(epoch, collapsed)``), so one detector watches a run. Used on its own (``set_epoch(epoch)``), it
    watches the assignments it is called with itself, once per epoch.

    Args:
        alpha1 (float): weight of the GTV term. (default: ``1.0``)
        alpha2 (float): weight of the balance term. (default: ``1.0``)
        warmup (int): epochs of the GTV-weight ramp; 0 = none. (default: ``0``)
        balance_weight (str): ``"adaptive"``, ``"escape"`` (adaptive, and the escape from partial collapse) or
            ``"fixed"`` (the reference). (default: ``"adaptive"``)
        start (ProposalStart or None): a partition to follow first (see above). (default: ``None``)

    Attributes:
        engaged_at (int or None): the epoch at which the adaptive remedy engaged; ``None`` while it has not.
        escaping (bool): whether the gradient follows the escape's proposal or the start's this epoch.
        rejected_at (int or None): the epoch at which the escape was judged worse than where it began.
        reseeded_at (list of int): the epochs at which the escape from partial collapse re-seeded the run.
    """

    alpha1: float = 1.0
    alpha2: float = 1.0
    warmup: int = 0
    balance_weight: str = "adaptive"
    start: ProposalStart | None = None
    epoch: int = 0
    engaged_at: int | None = None
    _detector: CollapseDetector = field(default_factory=CollapseDetector, repr=False)
    _watched_epoch: int = field(default=-1, repr=False)
    _collapsed: bool | None = field(default=None, repr=False)
    _partial: bool | None = field(default=None, repr=False)
    _escape: PartialCollapseEscape = field(default_factory=PartialCollapseEscape, repr=False)

    def __post_init__(self) -> None:
        if self.balance_weight not in BALANCE_WEIGHTS:
            raise ConfigError(f"balance_weight must be one of {', '.join(BALANCE_WEIGHTS)}, "
                              f"got {self.balance_weight!r}.")

    def set_epoch(self, epoch: int, collapsed: bool | None = None, partial: bool | None = None) -> None:
        """Tell the objective how many optimisation steps have been done and, from a trainer, whether its
        collapse detector has fired (then the remedy engages at this epoch) and whether the whole assignment is
        partially collapsed (what the escape watches; ``None``: not known, no escape)."""
        self.epoch, self._collapsed, self._partial = epoch, collapsed, partial
        if collapsed:
            self._engage()

    def reset(self) -> None:
        """Forget the run (a new run starts at epoch 0 with the remedies disengaged)."""
        self.epoch, self.engaged_at = 0, None
        self._detector, self._watched_epoch = CollapseDetector(), -1
        self._partial, self._escape = None, PartialCollapseEscape()
        if self.start is not None:
            self.start.reset()

    @property
    def escaping(self) -> bool:
        """Whether the gradient follows the escape's proposal or the start's this epoch."""
        return self._escape.escaping or (self.start is not None and self.start.following)

    @property
    def rejected_at(self) -> int | None:
        """The epoch at which the escape was judged worse than where it began (the trainer goes back)."""
        return self._escape.rejected_at

    @property
    def reseeded_at(self) -> list[int]:
        """The epochs at which the escape re-seeded the run."""
        return self._escape.reseeded_at

    def _engage(self) -> None:
        if self.balance_weight != "fixed" and self.engaged_at is None:
            self.engaged_at = self.epoch

    def _watch(self, s: Tensor) -> None:
        """On its own (no trainer's signal this epoch), feed this epoch's assignment to the objective's detector
        (once per epoch) and engage the remedy when it fires."""
        if (self._collapsed is not None or self.balance_weight == "fixed" or self.engaged_at is not None
                or self.epoch == self._watched_epoch):
            return
        self._watched_epoch = self.epoch
        if self._detector.update(s.detach().to("cpu", torch.float32).numpy()):
            self._engage()

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
        if self.start is not None and batch is None and self.start.update(self.epoch, s):
            terms["train_total"] = self.start.loss(s)
            return terms
        if self.balance_weight == "escape" and batch is None and self._partial is not None:
            self._escape.update(self.epoch, self._partial, s, edge_index, edge_weight, float(terms["total"].detach()))
            if self._escape.escaping:
                terms["train_total"] = self._escape.loss(s)
                return terms
        weight1 = self.gtv_weight
        weight2 = self.balance_weight_for(float(terms["gtv"].detach()), float(terms["balance"].detach()))
        if weight1 != self.alpha1 or weight2 != self.alpha2:
            terms["train_total"] = weight1 * terms["gtv"] + weight2 * terms["balance"]
        return terms
