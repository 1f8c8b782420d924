r"""Detect a run that sits at a degenerate solution: the uniform assignment :math:`\mathbf{S} = 1/K` (grey graph,
flat loss) or every node in one cluster.

A snapshot counts as degenerate when its sharpness :math:`\frac{1}{N}\sum_i \max_k s_{ik}` is within
``margin * (1 - 1/K)`` of :math:`1/K`, or when a single cluster holds every node. The run is *collapsed* once
this has held for ``patience`` consecutive epochs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class CollapseDetector:
    """Stateful detector fed one assignment per epoch.

    Args:
        margin: relative distance from :math:`1/K` under which the sharpness counts as uniform.
        patience: number of consecutive degenerate epochs before the run is flagged.
    """

    margin: float = 0.1
    patience: int = 50
    streak: int = 0

    def is_degenerate(self, s: np.ndarray) -> bool:
        """Whether one assignment is (nearly) uniform or puts every node in one cluster."""
        n, k = s.shape
        if n == 0:
            return False
        sharp = float(s.max(axis=1).mean())
        uniform = sharp <= 1.0 / k + self.margin * (1.0 - 1.0 / k)
        single = n > 1 and np.unique(s.argmax(axis=1)).size == 1
        return uniform or single

    def update(self, s: np.ndarray) -> bool:
        """Feed the next epoch's assignment; return whether the run is now collapsed."""
        self.streak = self.streak + 1 if self.is_degenerate(s) else 0
        return self.streak >= self.patience
