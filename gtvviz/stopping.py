r"""A label-free stopping rule: stop when the loss has stopped improving (a plateau).

With losses :math:`\ell_0, \ell_1, \dots` and running minima :math:`m_t = \min_{s \le t} \ell_s`, the rule stops at
epoch :math:`t \ge` ``min_epochs`` (counting from 1) when the last ``window`` epochs brought less than a share
``rel_tol`` of all the progress made so far:

.. math::
    m_{t - w} - m_t \;\le\; \rho\, (\ell_0 - m_t).

Measuring the recent gain against the total gain makes the rule free of the loss's units and scale (which change
with :math:`N`, :math:`E` and the balance weight), and of its sign. A loss that never moved (:math:`\ell_0 = m_t`)
is a plateau too: the rule stops at ``min_epochs``, and telling a stuck run from a finished one is the collapse
detectors' job (:mod:`gtvviz.collapse`, :mod:`gtvviz.partial_collapse`). Non-finite losses are not progress.

A trainer should feed the rule the reference loss (``total``, whose weights never change), not the loss it
differentiates, should not stop while the assignment is degenerate (the uniform trap is a plateau too, and so is a
partial collapse), and should start the rule again when a remedy changes the objective, so that the gain is
measured from there: :class:`GuardedPlateau` does this for :class:`~gtvviz.train.Trainer` (``stop="plateau"``;
measured in ``benchmarks/results/quality_suite.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

#: Epochs over which the recent gain is measured.
WINDOW = 50

#: Share of the total gain below which the recent gain counts as a plateau.
REL_TOL = 0.01

#: No stop before this many epochs.
MIN_EPOCHS = 100


@dataclass
class LossPlateau:
    """Stateful rule fed one loss per epoch (see the module docstring for the criterion).

    Args:
        window: :math:`w`, epochs over which the recent gain is measured.
        rel_tol: :math:`\\rho`, the share of the total gain below which the loss has plateaued.
        min_epochs: no stop before this many epochs.

    Attributes:
        stopped_at: the epoch (1-based count of losses fed) at which the rule first fired, else ``None``.
    """

    window: int = WINDOW
    rel_tol: float = REL_TOL
    min_epochs: int = MIN_EPOCHS
    stopped_at: int | None = None
    _first: float = field(default=math.inf, repr=False)
    _minima: list[float] = field(default_factory=list, repr=False)

    def update(self, loss: float) -> bool:
        """Feed the next epoch's loss; return whether training should stop now (and from then on)."""
        best = self._minima[-1] if self._minima else math.inf
        if math.isfinite(loss):
            if not self._minima:
                self._first = loss
            best = min(best, loss)
        self._minima.append(best)
        t = len(self._minima)
        if self.stopped_at is None and t >= max(self.min_epochs, self.window + 1) and math.isfinite(best):
            recent = self._minima[t - 1 - self.window] - best
            if recent <= self.rel_tol * (self._first - best):
                self.stopped_at = t
        return self.stopped_at is not None

    def reset(self) -> None:
        """Forget every loss fed (a new run)."""
        self.stopped_at, self._first, self._minima = None, math.inf, []


@dataclass
class GuardedPlateau:
    """:class:`LossPlateau` for a training run, blind while the run is degenerate and restarted by a remedy.

    Fed once per epoch with the reference loss and two verdicts on that epoch: whether the assignment is
    degenerate (uniform, one cluster, or partially collapsed: fewer than :math:`K` clusters used) and whether the
    training objective changed at this epoch (a remedy engaged). Either verdict starts the plateau rule again, so
    a stop needs ``plateau.min_epochs`` epochs in a row at non-degenerate assignments under one objective, the
    last ``plateau.window`` of them bringing less than ``plateau.rel_tol`` of the progress made since then. A run
    that stays degenerate never stops here (the trainer's epoch limit ends it, and the collapse detectors flag it).

    Args:
        plateau: the rule applied to each stretch of healthy epochs (default: :class:`LossPlateau`'s defaults).

    Attributes:
        stopped_at: the epoch (as the caller counts them) at which the rule fired, else ``None``.
    """

    plateau: LossPlateau = field(default_factory=LossPlateau)
    stopped_at: int | None = None

    def update(self, epoch: int, loss: float, degenerate: bool, objective_changed: bool = False) -> bool:
        """Feed epoch ``epoch``'s reference loss and verdicts; return whether training should stop now (and from
        then on)."""
        if self.stopped_at is not None:
            return True
        if degenerate or objective_changed:
            self.plateau.reset()
            if degenerate:
                return False
        if self.plateau.update(loss):
            self.stopped_at = epoch
        return self.stopped_at is not None

    def reset(self) -> None:
        """Forget the run."""
        self.plateau.reset()
        self.stopped_at = None
