r"""Several starts of one run, the kept one chosen without labels: the lowest loss (``n_init``, the spectral start).

TVGNN's training is non-convex: from different initialisations the same graph and settings end at different
stationary points, e.g. with a cluster lost to partial collapse (:mod:`gtvviz.partial_collapse`). Where it was
measured (Cora, the block models of ``benchmarks/results/quality_suite.md``), the AsymCheegerCut loss ranks those
ends much as the labels do: a partition that loses a cluster has a clearly higher loss. So, as scikit-learn's
``KMeans(n_init=...)`` keeps the start of least inertia, a run of several starts keeps the one with the least
reference loss :math:`\alpha_1 \mathcal{L}_{GTV} + \alpha_2 \mathcal{L}_{AN}` (``total``), compared at the end or,
with ``probe_epochs``, at that epoch, after which only the kept start trains on (:func:`best_start`).

The first start is the run of the seed itself, so ``n_init = 1`` is exactly the single run; the others take
seeds drawn from ``numpy.random.default_rng(seed)``, so that the starts of ``seed`` and ``seed + 1`` are not
shared and a longer list of starts begins with a shorter one. :func:`start_configs` adds a start from spectral
clustering's partition (:mod:`gtvviz.spectral_start`) after them: random starts tend to fail together on graphs
of several comparable communities, which that start reaches, and the loss drops it where the graph alone
misleads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from gtvviz.config import RunConfig
from gtvviz.defaults import SPECTRAL_START
from gtvviz.errors import ConfigError
from gtvviz.train import Trainer

#: A start as :func:`best_start` is given it: a seed, or a :class:`~gtvviz.config.RunConfig`.
Start = TypeVar("Start")

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


def start_configs(config: RunConfig, n_init: int, spectral: bool = SPECTRAL_START) -> list[RunConfig]:
    """The configuration of every start: ``config`` with each seed of :func:`start_seeds`, then, with ``spectral``,
    the first seed's start with ``init="spectral"`` where that is a new start and possible (TVGNN, full batch,
    ``init="random"``)."""
    if not isinstance(spectral, (bool, np.bool_)):
        raise ConfigError(f"spectral_start must be True or False, got {str(spectral)[:40]!r}.")
    starts = [config.replace(seed=seed) for seed in start_seeds(config.seed, n_init)]
    if spectral and config.method == "tvgnn" and config.batch_nodes is None and config.init == "random":
        starts.append(config.replace(init="spectral"))
    return starts


def best_start(starts: Sequence[Start], build: Callable[[int, Start], Trainer],
               advance: Callable[[Trainer, float], None],
               probe_epochs: int | None = None) -> tuple[Trainer, list[float]]:
    r"""Train every start and keep the one with the lowest ``total`` loss (the first such start on a tie),
    trained to its end; only the best start so far is kept in memory.

    With ``probe_epochs`` every start is trained that many epochs (or to its end, if sooner), the starts are
    compared at that epoch, and only the kept one is trained on to its end: ``n_init`` starts cost
    ``epochs + (n_init - 1) * probe_epochs`` epochs instead of ``n_init * epochs``. A trainer is deterministic,
    so the kept start ends exactly as its full run would; the choice equals the full runs' choice wherever the
    order of the losses at ``probe_epochs`` is that at the end. So ``probe_epochs`` should outlast the epochs in
    which the runs leave the uniform assignment and sharpen: starts compared while still near
    :math:`\mathbf{S} = 1/K` differ by noise.

    Args:
        starts: every start: its seed (:func:`start_seeds`) or its configuration (:func:`start_configs`).
        build: ``(index, start) -> trainer``, a new start at epoch 0.
        advance: ``(trainer, epoch)`` trains ``trainer`` until its epoch reaches ``epoch`` or it is done.
        probe_epochs: the epoch at which the starts are compared; ``None``: at their end (full runs).

    Returns:
        the kept trainer, trained to its end, and every start's loss at the epoch it was compared at, in order.
    """
    _check_probe(probe_epochs)
    compare_at = math.inf if probe_epochs is None else int(probe_epochs)
    best: Trainer | None = None
    losses: list[float] = []
    for index, start in enumerate(starts):
        trainer = build(index, start)
        advance(trainer, compare_at)
        assert trainer.last is not None
        losses.append(float(trainer.last.losses["total"]))
        if kept_index(losses) == index:
            best = trainer
    if best is None:
        raise ConfigError("n_init must be a positive integer, got 0 starts.")
    advance(best, math.inf)
    return best, losses


def kept_index(losses: Sequence[float]) -> int:
    """The index of the start :func:`best_start` keeps given every start's loss: the lowest, the first on a tie."""
    return min(range(len(losses)), key=lambda i: (losses[i], i))


def total_epochs(epochs: int, n_starts: int, probe_epochs: int | None = None) -> int:
    """The epochs :func:`best_start` trains at most over ``n_starts`` starts (:func:`start_configs`, the
    spectral start included): that many full runs, or one and ``n_starts - 1`` probes."""
    _check_probe(probe_epochs)
    return epochs * n_starts if probe_epochs is None else epochs + (n_starts - 1) * min(probe_epochs, epochs)


def _check_probe(probe_epochs: int | None) -> None:
    if probe_epochs is not None and (isinstance(probe_epochs, bool) or not isinstance(probe_epochs, (int, np.integer))
                                     or probe_epochs < 1):
        raise ConfigError(f"probe_epochs must be a positive integer (or None: compare the starts at their end), got "
                          f"{str(probe_epochs)[:40]!r}.")


def train_until(trainer: Trainer, epoch: float, progress: Callable[[object], None] | None = None) -> None:
    """Step ``trainer`` until its epoch reaches ``epoch`` or it is done (an ``advance`` for :func:`best_start`),
    calling ``progress`` with every snapshot."""
    while not trainer.done and trainer.epoch < epoch:
        for snapshot in trainer.step(1):
            if progress is not None:
                progress(snapshot)
