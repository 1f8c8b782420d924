r"""Per-edge and per-cluster quantities that illustrate TVGNN's equations on a concrete graph.

These only evaluate the library's layers and losses on the current model and assignment; they train nothing.
"""

from __future__ import annotations

import numpy as np
import torch

from gtvviz.graph import Graph
from gtvviz.nn.gtv_conv import GTVConv


def first_gtv_layer(model: torch.nn.Module) -> GTVConv | None:
    """The first :class:`GTVConv` of ``model`` (in module order), or ``None`` if it has none."""
    return next((m for m in model.modules() if isinstance(m, GTVConv)), None)


def _upper(graph: Graph) -> torch.Tensor:
    row, col = graph.edge_index
    return row < col


@torch.no_grad()
def layer_gamma(layer: GTVConv, graph: Graph, x: torch.Tensor) -> np.ndarray:
    r"""The :math:`\Gamma_{ij}` that ``layer`` uses on input ``x``, one value per undirected edge.

    Edges come in the order of :func:`gtvviz.viz.figures.undirected_edges` (:math:`\Gamma` is symmetric).
    """
    device = next(layer.parameters()).device
    weight = None if graph.edge_weight is None else graph.edge_weight.to(device)
    gamma = layer.edge_gamma(x.to(device), graph.edge_index.to(device), weight)
    return gamma[_upper(graph).to(device)].cpu().double().numpy()


def edge_variation(graph: Graph, s: np.ndarray) -> np.ndarray:
    r""":math:`a_{ij} \lVert s_i - s_j \rVert_1` for every undirected edge (the summands of
    :math:`\mathcal{L}_{GTV}`), in the order of :func:`gtvviz.viz.figures.undirected_edges`."""
    row, col = graph.edge_index[:, _upper(graph)].numpy()
    tv = np.abs(s[row] - s[col]).sum(axis=1)
    if graph.edge_weight is not None:
        tv = tv * graph.edge_weight[_upper(graph)].double().numpy()
    return tv


def balance_quantiles(s: np.ndarray) -> np.ndarray:
    r"""The :math:`\rho`-quantile :math:`q_k` of every column of ``s`` used by :math:`\mathcal{L}_{AN}`: the element
    at 0-based index :math:`\min(\lfloor N/K \rfloor, N - 1)` of the column sorted in descending order."""
    n, k = s.shape
    return -np.sort(-s, axis=0)[min(n // k, n - 1)]
