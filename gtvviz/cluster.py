"""TVGNN vertex clustering as a scikit-learn estimator."""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from gtvviz.config import RunConfig
from gtvviz.defaults import N_INIT, PROBE_EPOCHS, SPECTRAL_START
from gtvviz.errors import ConfigError, GraphFormatError, PartialCollapseWarning
from gtvviz.features import node_features
from gtvviz.graph import Graph, as_graph
from gtvviz.methods import build_trainer
from gtvviz.nn.models import TVGNN
from gtvviz.scale.inference import CHUNK_NODES, chunked_assignment
from gtvviz.starts import SEED_BOUND, best_start, kept_index, start_configs, total_epochs, train_until
from gtvviz.train import Trainer

#: The defaults of every training setting, read from one place.
_DEFAULTS = RunConfig()
#: Version of the file layout written by :meth:`TVGNNClustering.save`.
_FILE_FORMAT = 1


class TVGNNClustering(ClusterMixin, BaseEstimator):
    r"""Cluster the vertices of a graph with TVGNN (Hansen & Bianchi, ICML 2023), as a scikit-learn clusterer.

    ``__init__`` only stores the parameters; :meth:`fit` trains and sets the results in trailing-underscore
    attributes. The training settings are those of :class:`gtvviz.config.RunConfig` (``n_clusters`` for
    ``clusters``, ``random_state`` for ``seed``), with its defaults and its validation: a bad value raises
    :class:`~gtvviz.errors.ConfigError` at :meth:`fit`.

    The graph given to :meth:`fit`, :meth:`fit_predict` and :meth:`predict` may be a :class:`gtvviz.Graph`, a
    networkx graph, a PyG ``Data``, a scipy sparse or dense numpy :math:`N \times N` adjacency (symmetric,
    non-negative weights), or an ``edge_index`` tensor :math:`(2, M)`; ``X=`` gives node features :math:`(N, F)`
    (replacing the graph's own). Graphs without features get :func:`gtvviz.features.node_features`'s default (the
    rows of :math:`\mathbf{D}^{-1}(\mathbf{A} + \mathbf{I})`, whose width is :math:`N`).

    The model is trained from several starts and the one with the lowest loss is kept (the AsymCheegerCut loss;
    no labels are used): a start can lose a cluster in its first epochs and never regain it
    (:mod:`gtvviz.partial_collapse`), and the loss ranks such an end clearly worse. The starts are ``n_init`` random
    ones and, with ``spectral_start`` (TVGNN, full batch), one that first follows spectral clustering's partition
    (:mod:`gtvviz.spectral_start`), which reaches communities that random starts merge
    (:func:`gtvviz.starts.start_configs`). They are compared after ``probe_epochs`` epochs (``None``: at their
    end) and only the kept one trains on (:func:`gtvviz.starts.best_start`): four starts cost 1.6 runs at the default
    500 epochs. The first start is the run of ``RunConfig(seed=random_state)`` (``gtvviz cluster --seed S --n-init 1
    --no-spectral-start``), so ``n_init=1, spectral_start=False`` is the single run of the reference; the other
    random starts take seeds drawn from ``numpy.random.default_rng(random_state)``. ``random_state=None`` draws a
    fresh seed at each fit. What the starts do to the NMI is measured in ``benchmarks/results/quality_suite.md``
    (fifth and sixth rounds).

    A fit whose kept start still uses fewer than :math:`K` clusters (or gives one cluster nearly every node) warns
    with :class:`~gtvviz.errors.PartialCollapseWarning`; ``summary_`` holds ``clusters_used`` and
    ``partial_collapse``.

    The trained GNN is inductive: :meth:`predict` clusters another graph whose node features have the same width.

    Args:
        n_clusters (int): number of clusters :math:`K \ge 2`.
        alpha1, alpha2, delta, eps, hidden, mlp, lr, epochs, device, warmup, balance_weight, stop, normalize, init:
            as in :class:`~gtvviz.config.RunConfig`.
        random_state (int or None): seed of the first start (see above). A ``numpy.random.RandomState`` draws it.
        n_init (int): number of random starts. (default: ``3``)
        probe_epochs (int or None): compare the starts after this many epochs and train only the kept one on;
            ``None`` compares them at their end. (default: ``100``)
        spectral_start (bool): add a start from spectral clustering's partition. (default: ``True``)
        verbose (bool): show a tqdm progress bar over the epochs of all starts. (default: ``False``)
        batch_nodes (int or None): train on mini-batches of about this many nodes (see :mod:`gtvviz.scale`);
            ``None`` trains full batch. ``lr`` stays the learning rate per epoch: each of an epoch's :math:`S`
            steps uses ``lr / S`` (:class:`~gtvviz.scale.minibatch.MiniBatchTrainer`). (default: ``None``)
        compile (bool): compile the model with :func:`torch.compile` (see :class:`gtvviz.train.Trainer`).
        seed (int or None): deprecated alias of ``random_state``; it warns and, when given, takes precedence.

    Attributes:
        labels_ (numpy.ndarray): hard cluster of every node, :math:`\arg\max_k s_{ik}` at the last epoch.
        soft_assignments_ (numpy.ndarray): :math:`(N, K)` soft assignment at the last epoch.
        history_ (list of dict): one row per epoch of the kept start (losses, metrics, elapsed time).
        summary_ (dict): metrics at the last epoch and at the epoch of lowest loss of the kept start.
        final_losses_ (list of float): the loss of every start at the epoch the starts were compared at (their
            last, or ``probe_epochs``), in order.
        starts_ (list of dict): the ``seed`` and ``init`` of every start, the first being ``random_state``'s.
        kept_start_ (int): the index of the kept start in ``starts_``.
        seed_ (int): the seed of the kept start.
        model_ (gtvviz.nn.TVGNN): the trained model.
        n_features_in_ (int): width of the node features the model takes.
        trainer_ (gtvviz.train.Trainer): the kept start's trainer, to continue or inspect the run (not restored
            by :meth:`load`).

    Example:
        >>> import networkx as nx
        >>> labels = TVGNNClustering(n_clusters=2, epochs=200).fit_predict(nx.karate_club_graph())
    """

    def __init__(self, n_clusters: int = _DEFAULTS.clusters, *, alpha1: float = _DEFAULTS.alpha1,
                 alpha2: float = _DEFAULTS.alpha2, delta: float = _DEFAULTS.delta, eps: float = _DEFAULTS.eps,
                 hidden: tuple[int, ...] = _DEFAULTS.hidden, mlp: tuple[int, ...] = _DEFAULTS.mlp,
                 lr: float = _DEFAULTS.lr, epochs: int = _DEFAULTS.epochs, random_state: Any = _DEFAULTS.seed,
                 device: str = _DEFAULTS.device, warmup: int = _DEFAULTS.warmup,
                 balance_weight: str = _DEFAULTS.balance_weight, stop: str = _DEFAULTS.stop,
                 normalize: str = _DEFAULTS.normalize, init: str = _DEFAULTS.init,
                 batch_nodes: int | None = _DEFAULTS.batch_nodes, n_init: int = N_INIT,
                 probe_epochs: int | None = PROBE_EPOCHS, spectral_start: bool = SPECTRAL_START,
                 verbose: bool = False,
                 compile: bool = False, seed: int | None = None) -> None:
        self.n_clusters = n_clusters
        self.alpha1 = alpha1
        self.alpha2 = alpha2
        self.delta = delta
        self.eps = eps
        self.hidden = hidden
        self.mlp = mlp
        self.lr = lr
        self.epochs = epochs
        self.random_state = random_state
        self.device = device
        self.warmup = warmup
        self.balance_weight = balance_weight
        self.stop = stop
        self.normalize = normalize
        self.init = init
        self.n_init = n_init
        self.probe_epochs = probe_epochs
        self.spectral_start = spectral_start
        self.verbose = verbose
        self.batch_nodes = batch_nodes
        self.compile = compile
        self.seed = seed

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = True  # an array is an N x N adjacency, not N samples of F features
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True  # edge weights
        return tags

    # ---------------------------------------------------------------- fitting
    def fit(self, graph: Any, y: Any = None, X: Any = None) -> TVGNNClustering:
        """Train on ``graph`` (any form listed in the class description) with optional node features ``X``;
        ``y`` is ignored (the clustering uses no labels)."""
        g = to_graph(graph, X)
        starts = start_configs(self._config(self._first_seed()), self.n_init, self.spectral_start)
        total = total_epochs(starts[0].epochs, len(starts), self.probe_epochs)
        with tqdm(total=total, desc="TVGNN", unit="epoch", disable=not self.verbose) as bar:
            def build(index: int, start: RunConfig) -> Trainer:
                bar.set_postfix(start=f"{index + 1}/{len(starts)}")
                return build_trainer(g, start, compile=self.compile)

            best, final_losses = best_start(starts, build, lambda trainer, epoch: train_until(
                trainer, epoch, lambda snapshot: bar.update(1)), self.probe_epochs)
        self.starts_ = [{"seed": start.seed, "init": start.init} for start in starts]
        self.kept_start_ = kept_index(final_losses)
        self.trainer_ = best
        self.model_ = best.model
        self.seed_ = best.seed
        self.final_losses_ = final_losses
        self.n_features_in_ = int(best.model.convs[0].in_channels)
        self.soft_assignments_ = best.last.s
        self.labels_ = np.asarray(best.last.labels)
        self.history_ = best.history
        self.summary_ = best.summary()
        verdict = best.last.partial
        if verdict.collapsed:
            warnings.warn(verdict.message(), PartialCollapseWarning, stacklevel=2)
        return self

    def fit_predict(self, graph: Any, y: Any = None, X: Any = None) -> np.ndarray:
        """Train on ``graph`` (with optional features ``X``) and return the hard label of every node."""
        return self.fit(graph, X=X).labels_

    def predict(self, graph: Any, X: Any = None) -> np.ndarray:
        """The clusters of the nodes of another graph under the trained model (inductive): a graph in any form
        :meth:`fit` takes, whose node features have the width the model was trained on."""
        return self.predict_soft(graph, X).argmax(axis=1)

    def predict_soft(self, graph: Any, X: Any = None) -> np.ndarray:
        """The soft assignment :math:`(N, K)` of the nodes of another graph under the trained model (above
        :data:`~gtvviz.scale.inference.CHUNK_NODES` nodes by :func:`~gtvviz.scale.inference.chunked_assignment`, in
        bounded memory)."""
        check_is_fitted(self, "model_")
        g = to_graph(graph, X)
        x = node_features(g, self.normalize, seed=self.seed_)
        if x.size(1) != self.n_features_in_:
            raise GraphFormatError(
                f"The graph's node features have {x.size(1)} columns but the model was trained on "
                f"{self.n_features_in_}; pass a graph with features of the training width (a graph without "
                "features is described by its N adjacency rows, so its width is its number of nodes).")
        device = next(self.model_.parameters()).device
        edge_weight = None if g.edge_weight is None else g.edge_weight.to(device)
        if g.num_nodes > CHUNK_NODES:  # layer by layer in chunks: one layer's activations, no autograd graph
            s = chunked_assignment(self.model_, x.to(device), g.edge_index.to(device), edge_weight)
        else:
            self.model_.eval()
            with torch.no_grad():
                s = self.model_(x.to(device), g.edge_index.to(device), edge_weight)
        return s.to("cpu", torch.float32).numpy()

    # ---------------------------------------------------------------- saving
    def save(self, path: str | os.PathLike) -> None:
        """Write the parameters, the trained model and the results of :meth:`fit` to ``path`` (a file that
        :meth:`load` reads with ``torch.load(weights_only=True)``: tensors and plain containers only)."""
        check_is_fitted(self, "model_")
        params = {**self.get_params(), "random_state": self.starts_[0]["seed"], "seed": None,
                  "hidden": list(self.hidden), "mlp": list(self.mlp)}
        torch.save({
            "format": _FILE_FORMAT,
            "params": params,
            "starts": self.starts_,
            "kept_start": self.kept_start_,
            "n_features_in": self.n_features_in_,
            "state_dict": {name: t.detach().cpu() for name, t in self.model_.state_dict().items()},
            "labels": torch.from_numpy(self.labels_.astype(np.int64)),
            "soft_assignments": torch.from_numpy(self.soft_assignments_),
            "final_losses": list(self.final_losses_),
            "history": _plain(self.history_),
            "summary": _plain(self.summary_),
        }, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> TVGNNClustering:
        """A fitted estimator from a file written by :meth:`save`, on the CPU (everything but ``trainer_``)."""
        data = torch.load(path, weights_only=True, map_location="cpu")
        if not isinstance(data, dict) or data.get("format") != _FILE_FORMAT:
            raise GraphFormatError(f"{os.fspath(path)} is not a TVGNNClustering file written by save(); save the "
                                   "fitted estimator with TVGNNClustering.save first.")
        params = {**data["params"], "hidden": tuple(data["params"]["hidden"]), "mlp": tuple(data["params"]["mlp"])}
        estimator = cls(**params)
        config = estimator._config(params["random_state"])
        model = TVGNN(data["n_features_in"], config.clusters, config.hidden, config.mlp, delta_coeff=config.delta,
                      eps=config.eps)
        model.load_state_dict(data["state_dict"])
        estimator.model_ = model
        estimator.starts_ = data.get("starts", [{"seed": params["random_state"], "init": params.get("init", "random")}])
        estimator.kept_start_ = data.get("kept_start", 0)
        estimator.seed_ = estimator.starts_[estimator.kept_start_]["seed"]
        estimator.n_features_in_ = data["n_features_in"]
        estimator.labels_ = data["labels"].numpy()
        estimator.soft_assignments_ = data["soft_assignments"].numpy()
        estimator.final_losses_ = data["final_losses"]
        estimator.history_ = data["history"]
        estimator.summary_ = data["summary"]
        return estimator

    # ---------------------------------------------------------------- internals
    def _config(self, seed: int) -> RunConfig:
        """The :class:`RunConfig` of one start (validated there)."""
        settings = {name: getattr(self, name) for name in ("alpha1", "alpha2", "delta", "eps", "hidden", "mlp", "lr",
                                                            "epochs", "device", "warmup", "balance_weight",
                                                            "stop", "normalize", "batch_nodes", "init")}
        try:
            return RunConfig(clusters=self.n_clusters, method="tvgnn", seed=seed, **settings)
        except ConfigError as err:  # the estimator names the setting n_clusters
            message = str(err)
            raise ConfigError("n_" + message if message.startswith("clusters ") else message) from None

    def _first_seed(self) -> int:
        """The seed of the first start: ``random_state`` (or ``seed``, deprecated), or one drawn from it."""
        random_state = self.random_state
        if self.seed is not None:
            warnings.warn("TVGNNClustering(seed=...) is deprecated; use random_state=... instead.", FutureWarning,
                          stacklevel=3)
            random_state = self.seed
        if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
            return int(random_state)
        return int(check_random_state(random_state).randint(SEED_BOUND))


def to_graph(graph: Any, X: Any = None) -> Graph:
    """A :class:`Graph` from any input :class:`TVGNNClustering` takes: a gtvviz ``Graph``, a networkx graph, a PyG
    ``Data``, a scipy sparse or dense numpy :math:`N \\times N` adjacency or an ``edge_index`` tensor
    :math:`(2, M)`, with ``X`` (optional, :math:`(N, F)`) replacing the node features."""
    if isinstance(graph, torch.Tensor) and not graph.is_floating_point() and graph.dim() == 2 and graph.size(0) == 2:
        num_nodes = None if X is None else len(X)
        return Graph.from_edges(graph, num_nodes, x=X, source="edge_index")
    if _is_adjacency(graph):
        return _from_adjacency(graph, X)
    g = as_graph(graph)
    if X is not None:
        features = torch.as_tensor(np.asarray(X, dtype=np.float32))
        if features.dim() != 2 or features.size(0) != g.num_nodes:
            raise GraphFormatError(f"X has shape {tuple(features.shape)} but the graph has {g.num_nodes} nodes; pass "
                                   "one row of features per node.")
        g = g.with_updates(x=features)
    return g


def _is_adjacency(obj: Any) -> bool:
    import scipy.sparse as sp

    return sp.issparse(obj) or isinstance(obj, (np.ndarray, torch.Tensor, list)) or hasattr(obj, "__array__")


def _from_adjacency(adjacency: Any, X: Any) -> Graph:
    """A graph from a square adjacency (scipy sparse, numpy, torch or array-like): its nonzeros are the edges, their
    values the weights (none when all are 1)."""
    import scipy.sparse as sp

    if sp.issparse(adjacency):
        coo = sp.coo_matrix(adjacency)
        shape, values = coo.shape, _edge_weights(coo.data)
        row, col = coo.row, coo.col
    else:
        dense = adjacency.detach().cpu().numpy() if isinstance(adjacency, torch.Tensor) else np.asarray(adjacency)
        shape, dense = dense.shape, _edge_weights(dense)
    if len(shape) != 2 or shape[0] != shape[1] or shape[0] == 0:
        raise GraphFormatError(f"An array graph must be a square N x N adjacency with N >= 1, got shape {shape}; pass "
                               "node features as X=... next to the adjacency or edge_index.")
    if not sp.issparse(adjacency):
        row, col = np.nonzero(dense)
        values = dense[row, col]
    keep = values != 0  # explicit zeros of a sparse matrix are no edges
    weights = None if np.all(values[keep] == 1.0) else values[keep]
    return Graph.from_edges(np.stack([row[keep], col[keep]]).astype(np.int64), int(shape[0]), weights=weights, x=X,
                            source="adjacency")


def _edge_weights(values: np.ndarray) -> np.ndarray:
    """``values`` as float64 edge weights, checked to be real, finite and non-negative."""
    if np.iscomplexobj(values):
        raise GraphFormatError("Complex data not supported: an adjacency holds real, non-negative edge weights.")
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise GraphFormatError("The adjacency must hold numbers; pass a numeric N x N adjacency.") from None
    if not np.isfinite(values).all():
        raise GraphFormatError("Input contains NaN or infinity: edge weights must be finite; fix or drop them.")
    if (values < 0).any():
        raise GraphFormatError("Negative values in data: edge weights must be non-negative; fix or drop them.")
    return values


def _plain(obj: Any) -> Any:
    """``obj`` with numpy scalars turned into Python numbers (what ``torch.load(weights_only=True)`` rebuilds)."""
    return json.loads(json.dumps(obj, default=lambda value: value.item() if hasattr(value, "item") else str(value)))
