"""The one registry of clustering methods: each name with the function that builds its (model, objective).

Every method runs behind the same :class:`~gtvviz.train.Trainer`. The registry names each builder by module and
function instead of importing it, so that :mod:`gtvviz.config` can validate a method's name without importing the
models. To add a method: write ``build_<name>(graph, config, x) -> (model, objective)`` in its module and add one
entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, Callable


@dataclass(frozen=True)
class Method:
    """One clustering method: where its builder lives, its name on screen (``title``) and what it is."""

    module: str
    function: str
    title: str
    summary: str

    def builder(self) -> Callable[..., Any]:
        """The function ``(graph, config, x) -> (model, objective)`` that builds the method (typed as
        :data:`gtvviz.methods.MethodBuilder`)."""
        builder: Callable[..., Any] = getattr(import_module(self.module), self.function)
        return builder


#: Every method, in the order the app, the command line and the tables show them.
REGISTRY: dict[str, Method] = {
    "tvgnn": Method("gtvviz.methods", "build_tvgnn", "TVGNN", "TVGNN trained with the AsymCheegerCut loss"),
    "mincut": Method("gtvviz.baselines", "build_mincut", "MinCutPool", "GCSNet trained with the MinCutPool loss"),
    "dmon": Method("gtvviz.baselines", "build_dmon", "DMoN", "GCSNet trained with the DMoN loss"),
    "spectral": Method("gtvviz.baselines", "build_spectral", "spectral clustering",
                       "spectral clustering of the adjacency"),
    "kmeans": Method("gtvviz.baselines", "build_kmeans", "k-means", "k-means on the node features"),
}
#: The method names, in order.
METHODS = tuple(REGISTRY)
#: The baselines TVGNN is compared with.
BASELINES = tuple(name for name in REGISTRY if name != "tvgnn")
