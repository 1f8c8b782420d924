"""Build a ready :class:`~gtvviz.train.Trainer` for any clustering method of :mod:`gtvviz.registry` from a
:class:`RunConfig`.

Every method (TVGNN and the baselines of :mod:`gtvviz.baselines`) is a pair (model, objective) behind the same
Trainer, so the app, the command line and notebooks treat them alike.
"""

from __future__ import annotations

from typing import Callable

import torch

from gtvviz.baselines import spectral_clustering
from gtvviz.budget import check_run_budget
from gtvviz.config import RunConfig
from gtvviz.defaults import check_cluster_count
from gtvviz.errors import ConfigError
from gtvviz.features import node_features
from gtvviz.graph import Graph, as_graph
from gtvviz.nn.models import TVGNN
from gtvviz.objective import AsymCheegerCutObjective, Objective
from gtvviz.registry import REGISTRY
from gtvviz.spectral_start import ProposalStart
from gtvviz.train import Trainer

#: What every method's builder is: ``(graph, config, x) -> (model, objective)``.
MethodBuilder = Callable[[Graph, RunConfig, torch.Tensor], tuple[torch.nn.Module, Objective]]


def build_tvgnn(graph: Graph, config: RunConfig, x: torch.Tensor) -> tuple[torch.nn.Module, Objective]:
    """TVGNN with the configuration's widths, delta and eps, trained with the AsymCheegerCut loss (with the
    configured balance weight and warm-up, see :class:`~gtvviz.objective.AsymCheegerCutObjective`); with
    ``init="spectral"`` it first follows spectral clustering's partition (:mod:`gtvviz.spectral_start`)."""
    model = TVGNN(x.size(1), config.clusters, config.hidden, config.mlp, delta_coeff=config.delta,
                  eps=config.eps)
    start = None
    if config.init == "spectral":
        labels, _ = spectral_clustering(graph, config.clusters, config.seed)
        start = ProposalStart(torch.as_tensor(labels, dtype=torch.long))
    return model, AsymCheegerCutObjective(config.alpha1, config.alpha2, config.warmup, config.balance_weight, start)


def check_clusters(graph: Graph, clusters: int) -> None:
    """Raise :class:`ConfigError` when ``clusters`` is impossible for ``graph``."""
    if graph.num_nodes == 0:
        raise ConfigError("The graph is empty (0 nodes); load or generate a graph with at least 2 nodes.")
    check_cluster_count(clusters)
    if clusters > graph.num_nodes:
        raise ConfigError(
            f"K = {clusters} clusters is more than the {graph.num_nodes} nodes of the graph; choose K <= "
            f"{graph.num_nodes}."
        )


def build_trainer(graph: Graph, config: RunConfig, metrics_every: int = 1, compile: bool = False) -> Trainer:
    """A Trainer for ``config.method`` on ``graph`` (a Graph, networkx graph or PyG Data), seeded and on
    ``config.device``, within the memory budget (:mod:`gtvviz.budget`; of one batch when mini-batched); ``compile`` compiles its model with
    :func:`torch.compile` (see :class:`~gtvviz.train.Trainer`). With ``config.batch_nodes`` it is a
    :class:`~gtvviz.scale.minibatch.MiniBatchTrainer` (TVGNN only, not compiled), which takes its full-graph
    snapshots every ``metrics_every`` epochs."""
    graph = as_graph(graph)
    if not isinstance(config, RunConfig):
        raise ConfigError(f"config must be a gtvviz.config.RunConfig, got {type(config).__name__}.")
    check_clusters(graph, config.clusters)
    trained_nodes = graph.num_nodes if config.batch_nodes is None else min(config.batch_nodes, graph.num_nodes)
    trained_edges = graph.edge_index.size(1) * trained_nodes // max(graph.num_nodes, 1)  # a batch's expected share
    check_run_budget(trained_nodes, trained_edges, graph.num_features, config.hidden, config.mlp, config.clusters)
    if config.method not in REGISTRY:
        raise ConfigError(f"Unknown method {config.method!r}; choose one of {', '.join(REGISTRY)}.")
    x = node_features(graph, config.normalize, seed=config.seed)
    with torch.random.fork_rng(devices=[]):  # building layers draws random numbers; the Trainer re-seeds them
        build: MethodBuilder = REGISTRY[config.method].builder()
        model, objective = build(graph, config, x)
    if config.batch_nodes is not None:
        from gtvviz.scale.minibatch import build_minibatch_trainer

        return build_minibatch_trainer(graph, config, model, x, eval_every=metrics_every)  # type: ignore[return-value]
    return Trainer(graph, model, objective, lr=config.lr, epochs=config.epochs, seed=config.seed,
                   device=config.device, x=x, metrics_every=metrics_every, compile=compile, stop=config.stop)
