"""scikit-learn style clustering estimators on graphs."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from gtvviz.config import RunConfig
from gtvviz.graph import as_graph
from gtvviz.methods import build_trainer


class TVGNNClustering:
    """Cluster the vertices of a graph with TVGNN, scikit-learn style.

    ``__init__`` only stores parameters (those of :class:`gtvviz.config.RunConfig`, ``n_clusters`` for
    ``clusters``, and ``compile``: compile the model with :func:`torch.compile`, see
    :class:`gtvviz.train.Trainer`; ``batch_nodes`` trains on mini-batches, see :mod:`gtvviz.scale`); :meth:`fit`
    trains and sets the results in trailing-underscore attributes.

    Attributes:
        labels_ (numpy.ndarray): hard cluster of every node, :math:`\\arg\\max_k s_{ik}` at the last epoch.
        soft_assignments_ (numpy.ndarray): :math:`(N, K)` soft assignment at the last epoch.
        history_ (list of dict): one row per epoch (losses, metrics, elapsed time).
        summary_ (dict): metrics at the last epoch and at the epoch of lowest loss.
        trainer_ (gtvviz.train.Trainer): the trainer, to continue or inspect the run.

    Example:
        >>> import networkx as nx
        >>> labels = TVGNNClustering(n_clusters=2, epochs=200).fit_predict(nx.karate_club_graph())
    """

    method = "tvgnn"

    def __init__(self, n_clusters: int = 2, *, alpha1: float = 0.785, alpha2: float = 0.514, delta: float = 0.311,
                 eps: float = 1e-3, hidden: tuple[int, ...] = (512, 512), mlp: tuple[int, ...] = (256,),
                 lr: float = 1e-3, epochs: int = 500, seed: int = 0, device: str = "auto",
                 warmup: int = 0, balance_weight: str = "adaptive", batch_nodes: int | None = None,
                 compile: bool = False) -> None:
        self.n_clusters = n_clusters
        self.alpha1 = alpha1
        self.alpha2 = alpha2
        self.delta = delta
        self.eps = eps
        self.hidden = hidden
        self.mlp = mlp
        self.lr = lr
        self.epochs = epochs
        self.seed = seed
        self.device = device
        self.warmup = warmup
        self.balance_weight = balance_weight
        self.batch_nodes = batch_nodes
        self.compile = compile

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this estimator (scikit-learn protocol)."""
        names = (["n_clusters"] + [f.name for f in fields(RunConfig) if f.name not in ("graph", "clusters", "method")]
                 + ["compile"])
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> "TVGNNClustering":
        """Set parameters (scikit-learn protocol)."""
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"Unknown parameter {name!r} for {type(self).__name__}.")
            setattr(self, name, value)
        return self

    def config(self) -> RunConfig:
        """The :class:`RunConfig` these parameters describe."""
        params = self.get_params()
        clusters = params.pop("n_clusters")
        params.pop("compile")
        return RunConfig(clusters=clusters, method=self.method, **params)

    def fit(self, graph: Any, y: Any = None) -> "TVGNNClustering":
        """Train on ``graph`` (a gtvviz ``Graph``, a networkx graph or a PyG ``Data``); ``y`` is ignored."""
        g = as_graph(graph)
        trainer = build_trainer(g, self.config(), compile=self.compile)
        last = trainer.run()
        self.trainer_ = trainer
        self.soft_assignments_ = last.s
        self.labels_ = np.asarray(last.labels)
        self.history_ = trainer.history
        self.summary_ = trainer.summary()
        return self

    def fit_predict(self, graph: Any, y: Any = None) -> np.ndarray:
        """Train on ``graph`` and return the hard labels."""
        return self.fit(graph).labels_

    def __repr__(self) -> str:
        defaults = type(self)().get_params()
        changed = {k: v for k, v in self.get_params().items() if v != defaults[k]}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in changed.items())})"
