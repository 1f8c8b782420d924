r"""Node features as TVGNN's reference configuration prepares them.

* Graphs with features are row-normalised exactly like PyG's ``NormalizeFeatures`` (the reference
  configuration): :math:`\mathbf{X} \leftarrow \mathbf{X} - \min \mathbf{X}`, then each row divided by its sum
  clamped to at least 1.
* Graphs without features get a documented default: the identity matrix (one learnable embedding per node,
  the usual choice for featureless graphs) up to :data:`IDENTITY_LIMIT` nodes, and above that a seeded
  Gaussian random projection of the identity to :data:`RANDOM_FEATURES` columns, which keeps the memory at
  :math:`O(N)` while preserving distances between the identity rows (Johnson–Lindenstrauss).
"""

from __future__ import annotations

import torch

from gtvviz.graph import Graph

#: Featureless graphs up to this many nodes get identity features.
IDENTITY_LIMIT = 2048
#: Featureless graphs above :data:`IDENTITY_LIMIT` get this many random-projection features.
RANDOM_FEATURES = 128


def row_normalize(x: torch.Tensor) -> torch.Tensor:
    """Row-normalise like PyG's ``NormalizeFeatures``: shift to a minimum of 0, divide rows by max(sum, 1)."""
    if x.numel() == 0:
        return x.clone()
    shifted = x - x.min()
    return shifted / shifted.sum(dim=-1, keepdim=True).clamp_min(1.0)


def node_features(graph: Graph, normalize: bool = True, seed: int = 0) -> torch.Tensor:
    """The input features of ``graph`` for a TVGNN: its own (row-normalised) or the featureless default."""
    if graph.x is not None and graph.x.size(1) > 0:
        x = graph.x.to(torch.float32)
        return row_normalize(x) if normalize else x
    n = graph.num_nodes
    if n <= IDENTITY_LIMIT:
        return torch.eye(n)
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, RANDOM_FEATURES, generator=generator) / RANDOM_FEATURES**0.5
