"""Build a ready :class:`~gtvviz.train.Trainer` for any clustering method from a :class:`RunConfig`.

Every method (TVGNN and the baselines of :mod:`gtvviz.baselines`) is a pair (model, objective) behind the same
Trainer, so the app, the command line and notebooks treat them alike.
"""

from __future__ import annotations

from typing import Callable

import torch

from gtvviz.config import RunConfig
from gtvviz.errors import ConfigError
from gtvviz.features import node_features
from gtvviz.graph import Graph
from gtvviz.nn.losses import AsymCheegerCutObjective
from gtvviz.nn.models import TVGNN
from gtvviz.train import Objective, Trainer

MethodBuilder = Callable[[Graph, RunConfig, torch.Tensor], tuple[torch.nn.Module, Objective]]


def build_tvgnn(graph: Graph, config: RunConfig, x: torch.Tensor) -> tuple[torch.nn.Module, Objective]:
    """TVGNN with the configuration's widths, delta and eps, trained with the AsymCheegerCut loss (with the
    configured balance weight and warm-up, see :class:`~gtvviz.nn.losses.AsymCheegerCutObjective`)."""
    model = TVGNN(x.size(1), config.clusters, config.hidden, config.mlp, delta_coeff=config.delta,
                  eps=config.eps)
    return model, AsymCheegerCutObjective(config.alpha1, config.alpha2, config.warmup, config.balance_weight)


def _builders() -> dict[str, MethodBuilder]:
    from gtvviz.baselines import BASELINE_BUILDERS

    return {"tvgnn": build_tvgnn, **BASELINE_BUILDERS}


def check_clusters(graph: Graph, clusters: int) -> None:
    """Raise :class:`ConfigError` when ``clusters`` is impossible for ``graph``."""
    if graph.num_nodes == 0:
        raise ConfigError("The graph is empty (0 nodes); load or generate a graph with at least 2 nodes.")
    if clusters < 2:
        raise ConfigError(f"Clustering needs at least K = 2 clusters, got K = {clusters}; choose K >= 2.")
    if clusters > graph.num_nodes:
        raise ConfigError(
            f"K = {clusters} clusters is more than the {graph.num_nodes} nodes of the graph; choose K <= "
            f"{graph.num_nodes}."
        )


def build_trainer(graph: Graph, config: RunConfig, metrics_every: int = 1, compile: bool = False) -> Trainer:
    """A Trainer for ``config.method`` on ``graph``, seeded and on ``config.device``; ``compile`` compiles its model
    with :func:`torch.compile` (see :class:`~gtvviz.train.Trainer`). With ``config.batch_nodes`` it is a
    :class:`~gtvviz.scale.minibatch.MiniBatchTrainer` (TVGNN only, not compiled), which takes its full-graph
    snapshots every ``metrics_every`` epochs."""
    check_clusters(graph, config.clusters)
    builders = _builders()
    if config.method not in builders:
        raise ConfigError(f"Unknown method {config.method!r}; choose one of {', '.join(builders)}.")
    x = node_features(graph, seed=config.seed)
    with torch.random.fork_rng(devices=[]):  # building layers draws random numbers; the Trainer re-seeds them
        model, objective = builders[config.method](graph, config, x)
    if config.batch_nodes is not None:
        from gtvviz.scale.minibatch import build_minibatch_trainer

        return build_minibatch_trainer(graph, config, model, x, eval_every=metrics_every)  # type: ignore[return-value]
    return Trainer(graph, model, objective, lr=config.lr, epochs=config.epochs, seed=config.seed,
                   device=config.device, x=x, metrics_every=metrics_every, compile=compile)
