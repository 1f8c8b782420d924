"""The runner contract: one interface for every run that advances in steps and can be played, paused and reset.

The clustering :class:`~gtvviz.train.Trainer` (frame: :class:`~gtvviz.train.Snapshot`), the
:class:`~gtvviz.compare.Comparison` (frame: :class:`~gtvviz.compare.ComparisonFrame`) and the classification
:class:`~gtvviz.classification.ClassifierTrainer` (frame: :class:`~gtvviz.classification.EpochRecord`) satisfy it,
so the app plays any of them with one player, and a script drives any of them with one loop::

    while not runner.done:
        for frame in runner.step(10, budget=0.5):
            ...

A *step* is the runner's unit of training: one epoch for the full-batch runners (``steps_per_epoch == 1``), one
mini-batch for the classifier (``steps_per_epoch`` of them make an epoch). ``step`` is eager: it trains before it
returns, and returns every frame produced, oldest first.
"""

from __future__ import annotations

from typing import Protocol, TypeVar, runtime_checkable

import torch

Frame = TypeVar("Frame")


@runtime_checkable
class Runner(Protocol[Frame]):
    """A run that advances in steps and produces frames."""

    def step(self, n: int = 1, budget: float | None = None) -> list[Frame]:
        """Train up to ``n`` steps (never past the end), stopping early once ``budget`` seconds have been spent
        (after at least one step); return the frames produced, oldest first (an empty list when done)."""
        ...

    def reset(self) -> object:
        """Start the run again from its initial state."""
        ...

    @property
    def done(self) -> bool:
        """Whether the run has ended (its epochs are spent, or it stopped early)."""
        ...

    @property
    def epoch(self) -> int:
        """Epochs done."""
        ...

    @property
    def latest(self) -> Frame | None:
        """The last frame produced (``None`` before the first one)."""
        ...

    @property
    def steps_per_epoch(self) -> int:
        """Steps that make one epoch (1 for full-batch training)."""
        ...

    @property
    def torch_device(self) -> torch.device:
        """The device the run trains on (to tell a failure of the device from a failure of the run)."""
        ...
