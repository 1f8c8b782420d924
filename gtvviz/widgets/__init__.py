"""Notebook widgets (JupyterLab, Notebook 7, VS Code and any other anywidget host): watch a run train live.

:class:`TrainingWidget` shows the app's live graph (the same drawing module, ``gtvviz/viz/static/live_graph.js``),
the assignment simplex, a transport bar, the epoch counter, the loss curves and the main metrics, and trains in
the kernel without blocking it; :class:`CompareWidget` shows several methods side by side, trained in step, with
matched colours. Needs the ``notebook`` extra (``pip install gtvviz[notebook]``: anywidget);
``import gtvviz`` never imports this package.
"""

from __future__ import annotations

try:
    import anywidget  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError("gtvviz.widgets needs anywidget: pip install 'gtvviz[notebook]'.") from err

from gtvviz.widgets.compare import CompareWidget
from gtvviz.widgets.training import TrainingWidget

__all__ = ["CompareWidget", "TrainingWidget"]
