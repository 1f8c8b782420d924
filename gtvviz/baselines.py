r"""The baselines TVGNN is compared with, behind the same :class:`~gtvviz.train.Trainer` interface (each builder
is listed in :mod:`gtvviz.registry`).

=============  ====================================================================================
``spectral``   normalised-cut spectral clustering on :math:`\mathbf{A}` (topology only, :mod:`gtvviz.spectral`);
               rounded labels, with the continuous relaxed solution kept in :attr:`FixedAssignment.relaxed`.
``mincut``     :class:`~gtvviz.nn.smooth_models.GCSNet` trained with the MinCutPool loss.
``dmon``       :class:`~gtvviz.nn.smooth_models.GCSNet` trained with the DMoN loss.
``kmeans``     scikit-learn ``KMeans`` on the node features alone (what the features say without the graph).
=============  ====================================================================================

The two GNN baselines use TVGNN's widths (``hidden``, ``mlp``), learning rate and epochs from the
:class:`~gtvviz.config.RunConfig`; only the message passing and the loss differ (their papers used smaller
networks: one GCSConv(16) and a linear layer for MinCutPool's clustering example, one GCN(64) layer for DMoN).
With wide, deep low-pass layers and features that differ little between nodes, the rows of :math:`\mathbf{S}`
start nearly identical, where both losses are flat: MinCutPool then tends to put every node in one cluster and
DMoN to stay at the uniform assignment (a stationary point of its loss). The two baselines without training
(spectral, kmeans) are models without parameters: they are fitted once, seeded by ``config.seed``, when the method is built, and
their assignment :math:`\mathbf{S}` is the one-hot matrix of their labels, so that every metric (sharpness
included) is that of the hard result.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.cluster import KMeans
from torch import Tensor

from gtvviz.config import RunConfig
from gtvviz.graph import Graph
from gtvviz.nn.losses import LossTerms
from gtvviz.nn.smooth_losses import dmon_loss, mincut_loss
from gtvviz.nn.smooth_models import GCSNet
from gtvviz.objective import Objective
from gtvviz.spectral import round_embedding, spectral_embedding

#: Number of k-means restarts of the spectral rounding and the kmeans baseline (scikit-learn's classic default).
N_INIT = 10


class FixedAssignment(torch.nn.Module):
    r"""A clustering model without parameters: it returns the one-hot assignment of labels computed once.

    The :class:`~gtvviz.train.Trainer` evaluates it once and is then done.

    Args:
        labels (numpy.ndarray): :math:`(N,)` cluster of each node, in ``0..K-1``.
        n_clusters (int): :math:`K`.
        relaxed (numpy.ndarray, optional): :math:`(N, K)` continuous solution that the labels round (the
            spectral embedding of spectral clustering), for figures.
    """

    assignment: Tensor

    def __init__(self, labels: np.ndarray, n_clusters: int, relaxed: np.ndarray | None = None) -> None:
        super().__init__()
        one_hot = torch.nn.functional.one_hot(torch.as_tensor(labels, dtype=torch.long), n_clusters)
        self.register_buffer("assignment", one_hot.to(torch.float32))
        self.relaxed = relaxed
        self.n_clusters = n_clusters

    @property
    def fiedler(self) -> np.ndarray | None:
        r"""The first non-trivial coordinate of :attr:`relaxed`: for :math:`K = 2`, the Fiedler vector (the
        whole relaxed solution); ``None`` when there is no relaxed solution."""
        return None if self.relaxed is None else self.relaxed[:, 1]

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        """The fixed one-hot :math:`\\mathbf{S}`, shape :math:`(N, K)`; the inputs are ignored."""
        return self.assignment

    def __repr__(self) -> str:
        relaxed = ", relaxed" if self.relaxed is not None else ""
        return f"{self.__class__.__name__}(num_nodes={self.assignment.size(0)}, n_clusters={self.n_clusters}{relaxed})"


def relaxed_solution(model: torch.nn.Module) -> np.ndarray | None:
    """The relaxed solution a one-shot method rounded, as :attr:`FixedAssignment.fiedler` (for spectral clustering
    with :math:`K = 2`, the Fiedler vector); ``None`` for a trained model or a method without one."""
    return model.fiedler if isinstance(model, FixedAssignment) else None


def spectral_clustering(graph: Graph, n_clusters: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Spectral clustering of the vertices on :math:`\mathbf{A}` alone, and the relaxed solution it rounds.

    The relaxed solution solves the normalised-cut relaxation
    :math:`\mathbf{L}_{sym} \mathbf{x} = \lambda \mathbf{x}` for the :math:`K` smallest eigenvalues and returns
    :math:`\mathbf{U} = \mathbf{D}^{-1/2} \mathbf{X}` (scikit-learn's ``spectral_embedding`` with
    ``drop_first=False``, up to signs), computed once by :func:`gtvviz.spectral.spectral_embedding` without a
    matrix factorisation; the labels are its k-means rounding (:data:`N_INIT` restarts). For a connected graph
    the first column is constant and, for :math:`K = 2`, the second is the Fiedler vector. Disconnected graphs
    and isolated nodes are clustered without error or warning (:mod:`gtvviz.spectral` says how components are
    embedded).

    Args:
        graph: the graph; its edge weights are the affinities.
        n_clusters: :math:`K`.
        seed: seed of the eigensolver's start vector and of the k-means rounding.

    Returns:
        ``(labels, relaxed)``: :math:`(N,)` labels in ``0..K-1`` and the :math:`(N, K)` relaxed solution.
    """
    relaxed = spectral_embedding(graph.to_scipy(), n_clusters, seed)
    return round_embedding(relaxed, n_clusters, seed, N_INIT), relaxed


def kmeans_inertia(s: Tensor, x: Tensor) -> LossTerms:
    r"""Within-cluster sum of squares of the features around the soft centroids
    :math:`\mathbf{C} = \mathrm{diag}(\mathbf{S}^\top \mathbf{1})^{-1} \mathbf{S}^\top \mathbf{X}` (k-means'
    inertia for a one-hot :math:`\mathbf{S}`), expanded so that a sparse ``x`` is never densified:

    .. math::
        \sum_i \lVert \mathbf{x}_i - (\mathbf{S}\mathbf{C})_i \rVert^2 = \lVert \mathbf{X} \rVert_F^2
        - 2 \langle \mathbf{S}^\top \mathbf{X}, \mathbf{C} \rangle_F
        + \langle \mathbf{S}^\top \mathbf{S}\, \mathbf{C}, \mathbf{C} \rangle_F

    Named terms ``total`` and ``inertia``.
    """
    x = x.to(s.dtype)
    pooled = (x.t() @ s).t()  # S^T X, (K, F), also for a sparse COO x
    centroids = pooled / s.sum(dim=0).clamp_min(1e-15).unsqueeze(-1)
    squared = x.coalesce().values().square().sum() if x.is_sparse else x.square().sum()
    inertia = squared - 2 * (pooled * centroids).sum() + ((s.t() @ s) @ centroids * centroids).sum()
    return {"total": inertia, "inertia": inertia}


def build_spectral(graph: Graph, config: RunConfig, x: Tensor) -> tuple[torch.nn.Module, Objective]:
    """Spectral clustering on the topology, reported with the MinCutPool loss (the trace-ratio relaxation of
    the normalised cut that it rounds); ``model.relaxed`` holds the spectral embedding."""
    labels, relaxed = spectral_clustering(graph, config.clusters, config.seed)
    return FixedAssignment(labels, config.clusters, relaxed), mincut_loss


def _to_numpy(x: Tensor) -> np.ndarray | sp.csr_matrix:
    """A dense tensor as a numpy array, a sparse COO tensor as a scipy CSR matrix (scikit-learn takes both)."""
    if not x.is_sparse:
        return x.numpy()
    x = x.coalesce()
    row, col = x.indices().numpy()
    return sp.csr_matrix((x.values().numpy(), (row, col)), shape=tuple(x.shape))


def build_kmeans(graph: Graph, config: RunConfig, x: Tensor) -> tuple[torch.nn.Module, Objective]:
    """k-means on the (row-normalised) node features, reported with its inertia. On a featureless graph the
    features are the identity (see :func:`gtvviz.features.node_features`): all nodes are equally far apart, so
    k-means learns nothing and its labels are an artefact of its tie-breaking (they follow the node order)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = KMeans(config.clusters, n_init=N_INIT, random_state=config.seed).fit(_to_numpy(x)).labels_

    def objective(s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> LossTerms:
        return kmeans_inertia(s, x.to(s.device))

    return FixedAssignment(labels, config.clusters), objective


def build_mincut(graph: Graph, config: RunConfig, x: Tensor) -> tuple[torch.nn.Module, Objective]:
    """GCSNet with TVGNN's widths, trained with the MinCutPool loss."""
    return GCSNet(x.size(1), config.clusters, config.hidden, config.mlp), mincut_loss


def build_dmon(graph: Graph, config: RunConfig, x: Tensor) -> tuple[torch.nn.Module, Objective]:
    """GCSNet with TVGNN's widths, trained with the DMoN loss."""
    return GCSNet(x.size(1), config.clusters, config.hidden, config.mlp), dmon_loss
