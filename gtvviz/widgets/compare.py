"""Several methods side by side in the notebook, trained in step, with matched colours (an anywidget).

One :class:`~gtvviz.compare.Comparison` (every method on the same graph, configuration and seed) plays as
:class:`~gtvviz.widgets.training.TrainingWidget`'s run does (the same transport bar, the same asyncio task); each
method is drawn by the app's drawing module in its own panel, from one shared geometry. Cluster ids are matched
(Hungarian matching, :meth:`~gtvviz.compare.Comparison.aligned`) to the ground truth when the graph has labels, else
to the first method, so equal colours mean equal clusters. Every panel's frame carries the comparison's epoch, and
the counter shows the epoch the panels have just drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import traitlets

from gtvviz.compare import METHODS, TRUTH, Comparison
from gtvviz.config import RunConfig
from gtvviz.train import Snapshot
from gtvviz.widgets.training import PlayerWidget

#: Default height of each method's graph, in pixels.
COMPARE_HEIGHT = 320


class CompareWidget(PlayerWidget):
    """Train several clustering methods in step in the notebook and watch them side by side.

    Args:
        graph: as for :class:`~gtvviz.widgets.TrainingWidget`.
        methods: the methods (names of :data:`gtvviz.registry.REGISTRY`, e.g. ``("tvgnn", "mincut", "dmon")``).
        config: the shared settings (:class:`~gtvviz.config.RunConfig`); its ``method`` is replaced by each method.
        positions, metrics_every, **settings: as for :class:`~gtvviz.widgets.TrainingWidget`.
        height: height of each method's graph in pixels.
    """

    _frames = traitlets.Dict().tag(sync=True)
    _methods = traitlets.List().tag(sync=True)

    def __init__(self, graph: Any, methods: Sequence[str] | str = METHODS, config: RunConfig | None = None, *,
                 positions: np.ndarray | None = None, height: int = COMPARE_HEIGHT, metrics_every: int = 1,
                 **settings: Any) -> None:
        super().__init__(graph, config, positions, height, settings)
        self._runner: Comparison = Comparison(self.graph, self.config, methods=methods, metrics_every=metrics_every)
        self._methods = list(self._runner.methods)
        #: What cluster ids are matched to: the ground truth, or the first method when the graph has no labels.
        self.reference: str = TRUTH if self.graph.has_labels else self._methods[0]
        self._show(playing=False)

    @property
    def comparison(self) -> Comparison:
        """The methods being shown (stepping it directly does not redraw: use :meth:`step`)."""
        return self._runner

    @property
    def snapshots(self) -> dict[str, Snapshot]:
        """Every method's current state."""
        return self._runner.snapshots()

    @property
    def history(self) -> pd.DataFrame:
        """One row per method and epoch trained so far (``method`` column first)."""
        return pd.DataFrame([{"method": method, **row} for method, trainer in self._runner.trainers.items()
                             for row in trainer.history])

    def _show(self, playing: bool) -> None:
        """Send every method's frame of the current epoch, matched colours."""
        aligned, epoch = self._runner.aligned(self.reference), self._runner.epoch
        self._frames = {method: self._frame_of(self._runner.trainers[method], s, epoch, playing)
                        for method, s in aligned.items()}
