r"""Graph-classification datasets, ready for :class:`~gtvviz.classification.GraphClassifier`.

A :class:`GraphDataset` is a list of PyG ``Data`` (``x``, ``edge_index``, a 1-element ``y``), with the node
features already chosen:

* TU datasets keep PyG's features (the one-hot node labels; continuous node attributes are not loaded).
  Edge labels are dropped: the adjacency is binary, as in the reference.
* Graphs without node features (featureless TU datasets and :func:`~gtvviz.classification.make_synthetic_graphs`)
  get the one-hot degree, with degrees of :data:`DEGREE_CAP` and above sharing the last column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.utils import degree

from gtvviz.classification.synthetic import make_synthetic_graphs
from gtvviz.errors import ConfigError

#: Degrees from this value up share the last column of the one-hot degree features.
DEGREE_CAP = 64
#: The datasets of the TVGNN paper that ship with gtvviz's test data (any TU name may be tried).
TU_DATASETS = ("MUTAG", "PROTEINS", "ENZYMES", "NCI1", "Mutagenicity")
#: The name of the generated dataset, which needs no download.
SYNTHETIC = "synthetic"

PoolSizeBase = Literal["max", "mean"]


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


def pool_sizes(dataset: GraphDataset, base: PoolSizeBase = "max") -> tuple[int, int]:
    r"""The reference pooling sizes :math:`K_1 = \lfloor N/2 \rfloor`, :math:`K_2 = \lfloor N/4 \rfloor`, each at
    least 2, where :math:`N` is the largest graph of the dataset (``"max"``, the authors' scripts) or the mean
    number of nodes rounded (``"mean"``, much cheaper when a few graphs are far larger than the rest, e.g.
    PROTEINS: max 620, mean 39)."""
    if base not in ("max", "mean"):
        raise ConfigError(f"Unknown pool size base {base!r}; choose max or mean.")
    sizes = dataset.num_nodes
    n = int(sizes.max()) if base == "max" else int(round(float(sizes.mean())))
    return max(n // 2, 2), max(n // 4, 2)


def degree_features(graphs: Sequence[Data], cap: int = DEGREE_CAP) -> list[Tensor]:
    """One-hot degree of every node, :math:`D + 1` columns with :math:`D = \\min(\\text{max degree}, \\text{cap})`."""
    degrees = [degree(g.edge_index[0], g.num_nodes, dtype=torch.long) for g in graphs]
    top = min(max((int(d.max()) for d in degrees if d.numel()), default=0), cap)
    return [torch.nn.functional.one_hot(d.clamp(max=top), top + 1).float() for d in degrees]


def prepare_graphs(name: str, graphs: Sequence[Data]) -> GraphDataset:
    """Keep ``x`` (or use the one-hot degree when there are no node features), ``edge_index`` and ``y``."""
    if len(graphs) == 0:
        raise ConfigError(f"The dataset {name!r} has no graphs.")
    featureless = graphs[0].x is None or graphs[0].x.size(1) == 0
    xs = degree_features(graphs) if featureless else [g.x.float() for g in graphs]
    prepared = [Data(x=x, edge_index=g.edge_index, y=g.y.view(1).long(), num_nodes=g.num_nodes)
                for x, g in zip(xs, graphs)]
    num_classes = int(max(int(g.y) for g in prepared)) + 1
    if num_classes < 2:
        raise ConfigError(f"The dataset {name!r} has a single class; classification needs at least 2.")
    features = (f"one-hot degree ({xs[0].size(1)} columns, degrees >= {xs[0].size(1) - 1} share the last)"
                if featureless else f"dataset node features ({xs[0].size(1)} columns)")
    return GraphDataset(name=name, graphs=prepared, num_classes=num_classes, features=features)


def load_dataset(name: str, data_root: str | None = None, cleaned: bool = False, seed: int = 0) -> GraphDataset:
    """``"synthetic"`` (generated with ``seed``) or a TU dataset through :func:`gtvviz.data.load_tu_dataset`."""
    if name == SYNTHETIC:
        return prepare_graphs(name, make_synthetic_graphs(seed=seed))
    from gtvviz.data import load_tu_dataset

    dataset = load_tu_dataset(name, data_root=data_root, cleaned=cleaned)
    return prepare_graphs(f"{name} (cleaned)" if cleaned else name, list(dataset))
