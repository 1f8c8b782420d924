r"""Graph-classification datasets, ready for :class:`~gtvviz.classification.GraphClassifier`.

A :class:`GraphDataset` is a list of PyG ``Data`` (``x``, ``edge_index``, a 1-element ``y``), with the node
features already chosen:

* TU datasets keep PyG's features (the one-hot node labels; continuous node attributes are not loaded).
  Edge labels are dropped: the adjacency is binary, as in the reference.
* Graphs without node features (featureless TU datasets and :func:`~gtvviz.classification.make_synthetic_graphs`)
  get the one-hot degree, with degrees of :data:`DEGREE_CAP` and above sharing the last column.
* Optionally (``positional=m``, off by default and in the reference) every graph also gets :math:`m` Laplacian
  eigenvector columns (:func:`laplacian_features`): features that vary smoothly over the graph, so that a pooling
  layer can tell apart nodes in different regions that look alike locally (one-hot degrees cannot) and form
  connected clusters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.utils import degree, get_laplacian, to_scipy_sparse_matrix

from gtvviz.classification.synthetic import make_synthetic_graphs
from gtvviz.errors import ConfigError

#: Degrees from this value up share the last column of the one-hot degree features.
DEGREE_CAP = 64
#: The datasets of the TVGNN paper that ship with gtvviz's test data (any TU name may be tried).
TU_DATASETS = ("MUTAG", "PROTEINS", "ENZYMES", "NCI1", "Mutagenicity")
#: The name of the generated dataset, which needs no download.
SYNTHETIC = "synthetic"

PoolSizeBase = Literal["max", "mean"]
#: The reference's pooling ratios: :math:`K_1 = N/2`, :math:`K_2 = N/4`.
REFERENCE_POOL_RATIOS = (0.5, 0.25)
#: Graphs up to this many nodes get their Laplacian eigenvectors from a dense solver, larger ones from a sparse one.
DENSE_EIGEN_NODES = 512


@dataclass(frozen=True)
class GraphDataset:
    """Graphs with features and labels, and a line that says how the features were made."""

    name: str
    graphs: list[Data]
    num_classes: int
    features: str

    @property
    def num_features(self) -> int:
        return int(self.graphs[0].x.size(1))

    @property
    def labels(self) -> np.ndarray:
        """:math:`(G,)` class of each graph."""
        return np.array([int(g.y) for g in self.graphs])

    @property
    def num_nodes(self) -> np.ndarray:
        """:math:`(G,)` number of nodes of each graph."""
        return np.array([g.num_nodes for g in self.graphs])


def check_pool_ratios(ratios: Sequence[float]) -> None:
    """Raise :class:`~gtvviz.errors.ConfigError` unless ``ratios`` is a non-empty sequence of numbers in (0, 1]."""
    if not ratios or any(not 0.0 < r <= 1.0 for r in ratios):
        raise ConfigError(f"Pooling ratios must lie in (0, 1], got {tuple(ratios)}; e.g. (0.5, 0.25).")


def pool_sizes(dataset: GraphDataset, base: PoolSizeBase = "max",
               ratios: Sequence[float] = REFERENCE_POOL_RATIOS) -> tuple[int, ...]:
    r"""The pooling sizes :math:`K_\ell = \max(\lfloor r_\ell N \rfloor, 2)`, where :math:`N` is the largest graph
    of the dataset (``"max"``, the authors' scripts) or the mean number of nodes rounded (``"mean"``, much cheaper
    when a few graphs are far larger than the rest, e.g. PROTEINS: max 620, mean 39), and :math:`r_\ell` the
    ``ratios`` (the reference's :math:`1/2, 1/4` by default). Smaller ratios give few clusters per graph, which
    leave the uniform assignment much sooner (see :class:`~gtvviz.objective.AsymCheegerCutObjective`)."""
    if base not in ("max", "mean"):
        raise ConfigError(f"Unknown pool size base {base!r}; choose max or mean.")
    check_pool_ratios(ratios)
    sizes = dataset.num_nodes
    n = int(sizes.max()) if base == "max" else int(round(float(sizes.mean())))
    return tuple(max(int(n * r), 2) for r in ratios)


def degree_features(graphs: Sequence[Data], cap: int = DEGREE_CAP) -> list[Tensor]:
    """One-hot degree of every node, :math:`D + 1` columns with :math:`D = \\min(\\text{max degree}, \\text{cap})`."""
    degrees = [degree(g.edge_index[0], g.num_nodes, dtype=torch.long) for g in graphs]
    top = min(max((int(d.max()) for d in degrees if d.numel()), default=0), cap)
    return [torch.nn.functional.one_hot(d.clamp(max=top), top + 1).float() for d in degrees]


def laplacian_features(graph: Data, m: int) -> Tensor:
    r"""The eigenvectors of the :math:`m` smallest eigenvalues after the first of the symmetric normalised
    Laplacian :math:`\mathbf{I} - \mathbf{D}^{-1/2} \mathbf{A} \mathbf{D}^{-1/2}`, as :math:`(N, m)` features
    (zero columns past :math:`N - 1`). On a graph with communities they are smooth inside each community and differ
    between them (the first is the Fiedler vector). Each column's sign is fixed so that its entry of largest
    magnitude is positive, so the features are deterministic. Dense solver up to :data:`DENSE_EIGEN_NODES` nodes,
    a sparse one (``scipy.sparse.linalg.eigsh``, :math:`O(E m)` memory) above."""
    n = int(graph.num_nodes)
    edge_index, weight = get_laplacian(graph.edge_index, normalization="sym", num_nodes=n)
    laplacian = to_scipy_sparse_matrix(edge_index, weight, n).astype(np.float64)
    count = min(m + 1, n)
    if n <= DENSE_EIGEN_NODES or count >= n - 1:
        vectors = np.linalg.eigh(laplacian.toarray())[1][:, :count]
    else:
        from scipy.sparse.linalg import eigsh

        values, vectors = eigsh(laplacian.tocsc(), k=count, which="SA", tol=1e-6)
        vectors = vectors[:, np.argsort(values)]
    vectors = vectors[:, 1:]
    signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(vectors.shape[1])])
    features = np.zeros((n, m))
    features[:, :vectors.shape[1]] = vectors * np.where(signs == 0, 1.0, signs)
    return torch.as_tensor(features, dtype=torch.float)


def prepare_graphs(name: str, graphs: Sequence[Data], positional: int = 0) -> GraphDataset:
    """Keep ``x`` (or use the one-hot degree when there are no node features), ``edge_index`` and ``y``; with
    ``positional`` > 0, append that many :func:`laplacian_features` columns."""
    if len(graphs) == 0:
        raise ConfigError(f"The dataset {name!r} has no graphs.")
    if positional < 0:
        raise ConfigError(f"positional must be 0 or more Laplacian eigenvectors, got {positional}.")
    featureless = graphs[0].x is None or graphs[0].x.size(1) == 0
    xs = degree_features(graphs) if featureless else [g.x.float() for g in graphs]
    features = (f"one-hot degree ({xs[0].size(1)} columns, degrees >= {xs[0].size(1) - 1} share the last)"
                if featureless else f"dataset node features ({xs[0].size(1)} columns)")
    if positional:
        xs = [torch.cat([x, laplacian_features(g, positional)], dim=1) for x, g in zip(xs, graphs)]
        features += f" + {positional} Laplacian eigenvectors"
    prepared = [Data(x=x, edge_index=g.edge_index, y=g.y.view(1).long(), num_nodes=g.num_nodes)
                for x, g in zip(xs, graphs)]
    num_classes = int(max(int(g.y) for g in prepared)) + 1
    if num_classes < 2:
        raise ConfigError(f"The dataset {name!r} has a single class; classification needs at least 2.")
    return GraphDataset(name=name, graphs=prepared, num_classes=num_classes, features=features)


def load_dataset(name: str, data_root: str | None = None, cleaned: bool = False, seed: int = 0,
                 positional: int = 0) -> GraphDataset:
    """``"synthetic"`` (generated with ``seed``) or a TU dataset through :func:`gtvviz.data.load_tu_dataset`, with
    ``positional`` Laplacian eigenvector columns appended to the features (:func:`prepare_graphs`)."""
    if name == SYNTHETIC:
        return prepare_graphs(name, make_synthetic_graphs(seed=seed), positional)
    from gtvviz.data import load_tu_dataset

    dataset = load_tu_dataset(name, data_root=data_root, cleaned=cleaned)
    return prepare_graphs(f"{name} (cleaned)" if cleaned else name, list(dataset), positional)
