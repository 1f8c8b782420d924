r"""The memory budget of a clustering run, checked from the sizes alone before anything is allocated.

A run on :math:`N` nodes, :math:`M` directed edge entries and :math:`F` input features, with GTVConv widths
:math:`h_1..h_L`, MLP widths :math:`m_1..m_J` and :math:`K` clusters, holds (float32, 4 bytes a number):

* the model's :math:`P = F h_1 + \sum_l h_l h_{l+1} + h_L m_1 + \sum_j m_j m_{j+1} + m_J K` weights (plus
  biases) :data:`PARAMETER_COPIES` times: the weights, their gradients, Adam's two moments and the snapshots;
* :data:`ACTIVATION_COPIES` node activations :math:`N (\sum_l h_l + \sum_j m_j + K)` (outputs, pre-activations
  kept for backward and their gradients) and :data:`EDGE_COPIES` numbers per edge and layer (the GTV weights);
* the input features: two copies of a dense :math:`N \times F` matrix while they are normalised, or
  :math:`N \times 128` for a featureless graph (:mod:`gtvviz.features`);
* :data:`CHUNK_BYTES` for the chunks of edge differences of :mod:`gtvviz.nn.gtv_laplacian`.

The budget is :data:`DEFAULT_BUDGET_MB` megabytes unless the environment variable ``GTVVIZ_MEMORY_BUDGET_MB``
sets it; the person who runs gtvviz (a library or CLI user, or the server of the app) may raise it there, a
visitor of the app cannot. ``benchmarks/memory_budget.py`` compares the estimate with measured peaks
(``benchmarks/results/memory_budget.md``).
"""

from __future__ import annotations

import os
from typing import Sequence

from gtvviz.errors import ConfigError

#: The memory budget of a run when ``GTVVIZ_MEMORY_BUDGET_MB`` is not set, in megabytes.
DEFAULT_BUDGET_MB = 6144
#: Copies of every weight a training run holds (weights, gradients, Adam's moments, snapshots, initialisation).
PARAMETER_COPIES = 8
#: Copies of every node activation (output, pre-activation kept for backward, gradients).
ACTIVATION_COPIES = 8
#: Numbers kept per edge and layer.
EDGE_COPIES = 4
#: Peak of the chunked edge differences of the GTV Laplacian (three chunks of 64 MB).
CHUNK_BYTES = 3 * 64 * 1024**2
#: Features of a featureless graph above 2048 nodes (see :data:`gtvviz.features.RANDOM_FEATURES`).
_PROJECTED_FEATURES = 128
_FLOAT = 4


def memory_budget() -> int:
    """The budget in bytes: ``GTVVIZ_MEMORY_BUDGET_MB`` megabytes if set, else :data:`DEFAULT_BUDGET_MB`."""
    text = os.environ.get("GTVVIZ_MEMORY_BUDGET_MB", "").strip()
    if not text:
        return DEFAULT_BUDGET_MB * 1024**2
    try:
        megabytes = float(text)
    except ValueError:
        raise ConfigError(
            f"GTVVIZ_MEMORY_BUDGET_MB must be a number of megabytes, got {text[:40]!r}; fix the variable."
        ) from None
    if not megabytes > 0:
        raise ConfigError(f"GTVVIZ_MEMORY_BUDGET_MB must be positive, got {text[:40]!r}; fix the variable.")
    return int(min(megabytes, 2.0**50) * 1024**2)


def parameter_count(num_features: int, hidden: Sequence[int], mlp: Sequence[int], clusters: int) -> int:
    """The weights and biases of a TVGNN with these widths (see the module docstring)."""
    widths = [num_features, *hidden, *mlp, clusters]
    return sum(a * b + b for a, b in zip(widths, widths[1:]))


def model_bytes(num_features: int, hidden: Sequence[int], mlp: Sequence[int], clusters: int) -> int:
    """Bytes of the model's weights in training: :data:`PARAMETER_COPIES` float32 copies."""
    return PARAMETER_COPIES * _FLOAT * parameter_count(num_features, hidden, mlp, clusters)


def run_bytes(num_nodes: int, num_edges: int, num_features: int, hidden: Sequence[int], mlp: Sequence[int],
              clusters: int) -> int:
    """The estimated peak bytes of a training run (see the module docstring); ``num_features`` 0 = featureless."""
    if num_features > 0:
        features, inputs = num_features, 2 * num_nodes * num_features
    else:
        features = num_nodes if num_nodes <= 2048 else _PROJECTED_FEATURES
        inputs = 3 * num_nodes * _PROJECTED_FEATURES if num_nodes > 2048 else 3 * (num_nodes + num_edges)
    activations = ACTIVATION_COPIES * num_nodes * (sum(hidden) + sum(mlp) + clusters)
    edges = EDGE_COPIES * num_edges * (len(hidden) + 1)
    return model_bytes(features, hidden, mlp, clusters) + _FLOAT * (inputs + activations + edges) + CHUNK_BYTES


def check_run_budget(num_nodes: int, num_edges: int, num_features: int, hidden: Sequence[int], mlp: Sequence[int],
                     clusters: int, budget: int | None = None) -> None:
    """Raise :class:`ConfigError` when a run of these sizes is estimated above ``budget`` bytes.

    Args:
        budget: the budget in bytes; :func:`memory_budget` when ``None``.
    """
    budget = memory_budget() if budget is None else budget
    need = run_bytes(num_nodes, num_edges, num_features, hidden, mlp, clusters)
    if need > budget:
        raise ConfigError(
            f"This run needs about {_mb(need)} of memory ({num_nodes:,} nodes, {_layers(hidden, mlp)}), over the "
            f"memory budget of {_mb(budget)}; use fewer or "
            "narrower layers or a smaller graph, or (whoever runs gtvviz) raise GTVVIZ_MEMORY_BUDGET_MB."
        )


def check_model_budget(hidden: Sequence[int], mlp: Sequence[int], clusters: int, budget: int | None = None) -> None:
    """Raise :class:`ConfigError` when the model alone (without its input layer) is over the budget.

    This is the part of :func:`check_run_budget` that a setting decides before any graph is known (a link).
    """
    budget = memory_budget() if budget is None else budget
    need = model_bytes(hidden[0] if hidden else 1, hidden, mlp, clusters)
    if need > budget:
        raise ConfigError(
            f"{_layers(hidden, mlp)} need about {_mb(need)} of memory, over "
            f"the memory budget of {_mb(budget)}; use fewer or narrower layers."
        )


def _layers(hidden: Sequence[int], mlp: Sequence[int]) -> str:
    return f"{len(hidden)} GTVConv and {len(mlp)} MLP layers up to {max([*hidden, *mlp], default=0):,} wide"


def _mb(num_bytes: int) -> str:
    return f"{num_bytes / 1024**2:,.0f} MB"
