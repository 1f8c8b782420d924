r"""Node features as TVGNN's reference configuration prepares them.

* Graphs with features are row-normalised exactly like PyG's ``NormalizeFeatures`` (the reference
  configuration): :math:`\mathbf{X} \leftarrow \mathbf{X} - \min \mathbf{X}`, then each row divided by its sum
  clamped to at least 1.
* Graphs without features get a documented default (:func:`neighbourhood_features`): the rows of
  :math:`\mathbf{D}^{-1}(\mathbf{A} + \mathbf{I})`, sparse, up to :data:`IDENTITY_LIMIT` nodes, and above that a
  seeded Gaussian random projection of those rows to :data:`RANDOM_FEATURES` columns, which keeps the memory at
  :math:`O(N)` while preserving distances between the rows (Johnson–Lindenstrauss).
"""

from __future__ import annotations

import torch

from gtvviz.graph import Graph

#: Featureless graphs up to this many nodes get their sparse neighbourhood rows as features.
IDENTITY_LIMIT = 2048
#: Featureless graphs above :data:`IDENTITY_LIMIT` get this many random-projection features.
RANDOM_FEATURES = 128
#: Feature matrices with at most this fraction of nonzeros are handed to the model as sparse COO tensors.
SPARSE_DENSITY = 0.1


def row_normalize(x: torch.Tensor) -> torch.Tensor:
    """Row-normalise like PyG's ``NormalizeFeatures``: shift to a minimum of 0, divide rows by max(sum, 1)."""
    if x.numel() == 0:
        return x.clone()
    shifted = x - x.min()
    return shifted / shifted.sum(dim=-1, keepdim=True).clamp_min(1.0)


def sparse_if_sparse(x: torch.Tensor) -> torch.Tensor:
    """``x`` as a sparse COO tensor when at most :data:`SPARSE_DENSITY` of it is nonzero (bag-of-words features):
    the first layer then costs :math:`O(\\mathrm{nnz}(X) H)` instead of :math:`O(N F H)`."""
    if x.numel() == 0 or int(torch.count_nonzero(x)) > SPARSE_DENSITY * x.numel():
        return x
    return x.to_sparse_coo().coalesce()


def neighbourhood_features(graph: Graph, seed: int = 0) -> torch.Tensor:
    r"""Features of a featureless graph: the rows of :math:`\mathbf{D}^{-1}(\mathbf{A} + \mathbf{I})`, i.e. each node
    described by its closed neighbourhood, so that nodes of one community start with overlapping features.

    Sparse with :math:`N + 2E` nonzeros up to :data:`IDENTITY_LIMIT` nodes; above it, projected on
    :data:`RANDOM_FEATURES` seeded Gaussian directions (dense :math:`N \times 128`, :math:`O(E)` to compute).
    """
    n = graph.num_nodes
    loops = torch.arange(n).repeat(2, 1)
    index = torch.cat([graph.edge_index, loops], dim=1)
    weight = torch.ones(index.size(1)) if graph.edge_weight is None else torch.cat(
        [graph.edge_weight, torch.ones(n)])
    degree = torch.zeros(n).index_add_(0, index[0], weight)
    rows = torch.sparse_coo_tensor(index, weight / degree[index[0]], (n, n), check_invariants=True).coalesce()
    if n <= IDENTITY_LIMIT:
        return rows
    generator = torch.Generator().manual_seed(seed)
    return torch.sparse.mm(rows, torch.randn(n, RANDOM_FEATURES, generator=generator) / RANDOM_FEATURES**0.5)


def node_features(graph: Graph, normalize: bool = True, seed: int = 0) -> torch.Tensor:
    """The input features of ``graph`` for a TVGNN: its own (row-normalised) or :func:`neighbourhood_features`.

    Sparse feature matrices come back as sparse COO tensors (see :func:`sparse_if_sparse`).
    """
    if graph.x is not None and graph.x.size(1) > 0:
        x = graph.x.to(torch.float32)
        return sparse_if_sparse(row_normalize(x) if normalize else x)
    return neighbourhood_features(graph, seed)
