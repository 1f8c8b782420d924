r"""Several starts of one run, the kept one chosen without labels: the lowest final loss (``n_init``).

TVGNN's training is non-convex: from different initialisations the same graph and settings end at different
stationary points, e.g. with a cluster lost to partial collapse (:mod:`gtvviz.partial_collapse`). The
AsymCheegerCut loss rates those ends consistently with their quality on the graphs where it was measured (on
Cora's five seeds the order of the final losses is the order of the NMIs; on the 6-block SBMs the true
partition has a third of the loss of a 4-cluster end: ``benchmarks/results/quality_suite.md``). So, as
scikit-learn's ``KMeans(n_init=...)`` keeps the start of least inertia, a run of ``n_init`` starts keeps the one
whose last epoch has the least reference loss :math:`\alpha_1 \mathcal{L}_{GTV} + \alpha_2 \mathcal{L}_{AN}`
(``total``). It costs ``n_init`` runs.

The first start is the run of the seed itself, so ``n_init = 1`` is exactly the single run; the others take
seeds drawn from ``numpy.random.default_rng(seed)``, so that the starts of ``seed`` and ``seed + 1`` are not
shared and a longer list of starts begins with a shorter one.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from gtvviz.errors import ConfigError
from gtvviz.train import Trainer

#: Seeds are drawn below this bound (the range of :attr:`gtvviz.config.RunConfig.seed`).
SEED_BOUND = 2**31 - 1


def start_seeds(first: int, n_init: int) -> list[int]:
    """The seed of every start: ``first``, then ``n_init - 1`` seeds drawn from ``default_rng(first)``.

    Raises :class:`~gtvviz.errors.ConfigError` unless ``n_init`` is a positive integer.
    """
    if isinstance(n_init, bool) or not isinstance(n_init, (int, np.integer)) or n_init < 1:
        raise ConfigError(f"n_init must be a positive integer, got {str(n_init)[:40]!r}.")
    others = np.random.default_rng(first).integers(0, SEED_BOUND, size=int(n_init) - 1)
    return [int(first), *(int(seed) for seed in others)]


def best_start(seeds: Sequence[int], train: Callable[[int, int], Trainer]) -> tuple[Trainer, list[float]]:
    """Train one start per seed and keep the one whose last snapshot has the lowest ``total`` loss (the first
    such start on a tie); only the best start so far is kept in memory.

    Args:
        seeds: the seed of every start (:func:`start_seeds`).
        train: ``(index, seed) -> trainer``, trained to its end (``trainer.last`` is its last snapshot).

    Returns:
        the kept trainer and the final loss of every start, in order.
    """
    best: Trainer | None = None
    losses: list[float] = []
    for index, seed in enumerate(seeds):
        trainer = train(index, seed)
        assert trainer.last is not None
        losses.append(float(trainer.last.losses["total"]))
        if best is None or losses[-1] < min(losses[:-1]):
            best = trainer
    if best is None:
        raise ConfigError("n_init must be a positive integer, got 0 starts.")
    return best, losses
