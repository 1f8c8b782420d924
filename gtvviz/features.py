r"""Node features as TVGNN gets them: scaled so that GTVConv's step means what it means on Cora.

GTVConv moves each transformed feature vector :math:`\tilde{\mathbf{x}}_i` by
:math:`\delta \sum_j \Gamma_{ij} (\tilde{\mathbf{x}}_i - \tilde{\mathbf{x}}_j)` with
:math:`\Gamma_{ij} = a_{ij} / \max(\lVert \tilde{\mathbf{x}}_i - \tilde{\mathbf{x}}_j \rVert_1, \epsilon)`: each
neighbour contributes a vector of :math:`\ell_1` norm :math:`\delta a_{ij}` whatever the scale of the features, so
the step is about :math:`\delta d_i` in :math:`\ell_1`. Whether a layer keeps the features' structure or replaces it
with its neighbours' directions depends on how far apart the rows of :math:`\mathbf{X}` are compared with that step.
The reference (Cora, CiteSeer: bag-of-words counts) row-normalises, so every row has :math:`\ell_1` norm 1 and two
rows differ by up to 2 (different words), and :math:`\delta = 0.311` is tuned at that scale.

:func:`node_features` prepares a graph's own features :math:`\mathbf{X} \in \mathbb{R}^{N \times F}` by the rule
``normalize`` names (:data:`gtvviz.defaults.NORMALIZATIONS`, ``RunConfig.normalize``, default ``"auto"``):

* ``"row"`` (:func:`row_normalize`, exactly PyG's ``NormalizeFeatures``, the reference):
  :math:`\mathbf{X} \leftarrow \mathbf{X} - \min \mathbf{X}` (one minimum over the whole matrix), then row
  :math:`i` divided by :math:`\max(\sum_f x_{if}, 1)`. Right for counts: rows become word distributions.
* ``"standard"`` (:func:`standardize`): each column to zero mean and unit (population) variance,
  :math:`z_{if} = (x_{if} - \mu_f) / \sigma_f` (a constant column becomes 0), then the whole matrix divided by
  one number, the mean row norm :math:`\frac{1}{N} \sum_i \lVert \mathbf{z}_i \rVert_1`, so that rows have
  :math:`\ell_1` norm 1 on average, the scale of row-normalised features. Right for real-valued measurements
  (positions, colours, Gaussian features): the row normalisation's global shift and division by a row sum leave
  such rows nearly equal (one common positive row plus deviations: with :math:`F = 32` Gaussian columns every
  entry is about :math:`1/F` and two rows differ by a few thousandths per entry), and GTVConv's step, far larger
  than those differences, smooths the structure away in the first layer; without the final division,
  standardised rows have :math:`\ell_1` norms of about :math:`0.8 F` (Gaussian columns), a scale at which
  :math:`\delta` smooths far less than it does on Cora. Invariant to shifting and (positively) scaling any column.
* ``"auto"``: ``"row"`` when no entry is negative (counts, bag-of-words: Cora, CiteSeer, DBLP get the reference's
  features bit for bit), ``"standard"`` when some entry is negative (a sign that the features are measurements,
  not counts).
* ``"none"``: the features unchanged.

The statistics (minimum, row sums, column means and deviations) are those of the graph at hand, also when a
trained model clusters another graph. Measured effect: ``benchmarks/results/presets.md``,
``benchmarks/results/scale.md`` and ``benchmarks/results/quality_suite.md``.

Graphs without features get a documented default (:func:`neighbourhood_features`): the rows of
:math:`\mathbf{D}^{-1}(\mathbf{A} + \mathbf{I})`, sparse, up to :data:`IDENTITY_LIMIT` nodes, and above that a
seeded Gaussian random projection of those rows to :data:`RANDOM_FEATURES` columns, which keeps the memory at
:math:`O(N)` while preserving distances between the rows (Johnson–Lindenstrauss); ``normalize`` does not apply.
"""

from __future__ import annotations

import torch

from gtvviz.defaults import NORMALIZATIONS
from gtvviz.errors import ConfigError
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


def standardize(x: torch.Tensor) -> torch.Tensor:
    r"""Standardise each column (zero mean, unit population variance), then divide the matrix by its mean row
    :math:`\ell_1` norm, so that rows have :math:`\ell_1` norm 1 on average.

    The column sums are accumulated in float64, so the mean of a constant column is exact, the column centres to
    exactly 0 and stays 0 (instead of rounding noise blown up to unit variance). The deviation is computed on the
    centred column divided by its largest magnitude :math:`m_f`, :math:`\sigma_f = m_f \sqrt{\operatorname{mean}
    ((c_{if} / m_f)^2)}`, so that squares of features near the float32 limit do not overflow.
    """
    if x.numel() == 0:
        return x.clone()
    n = x.size(0)
    centred = x - (x.sum(dim=0, dtype=torch.float64) / n).to(x.dtype)
    peak = centred.abs().amax(dim=0)
    peak = torch.where(peak > 0, peak, torch.ones_like(peak))
    std = peak * ((centred / peak).square().sum(dim=0, dtype=torch.float64) / n).sqrt().to(x.dtype)
    z = centred / torch.where(std > 0, std, torch.ones_like(std))
    scale = z.abs().sum(dim=-1).mean()
    return z / scale if scale > 0 else z


def check_normalize(normalize: str) -> None:
    """Raise :class:`ConfigError` unless ``normalize`` names a rule of :data:`gtvviz.defaults.NORMALIZATIONS`."""
    if normalize not in NORMALIZATIONS:
        raise ConfigError(f"normalize must be one of {', '.join(NORMALIZATIONS)}, got {str(normalize)[:40]!r}.")


def scale_features(x: torch.Tensor, normalize: str = "auto") -> torch.Tensor:
    """``x`` prepared by the rule ``normalize`` names (see the module docstring and
    :data:`gtvviz.defaults.NORMALIZATIONS`).

    Raises:
        ConfigError: if ``normalize`` names no rule.
    """
    check_normalize(normalize)
    if normalize == "auto":
        normalize = "standard" if x.numel() and bool((x < 0).any()) else "row"
    if normalize == "row":
        return row_normalize(x)
    return standardize(x) if normalize == "standard" else x


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


def node_features(graph: Graph, normalize: str = "auto", seed: int = 0) -> torch.Tensor:
    """The input features of ``graph`` for a TVGNN: its own, scaled by :func:`scale_features` (``normalize``: see
    the module docstring), or :func:`neighbourhood_features` for a graph without features.

    Sparse feature matrices come back as sparse COO tensors (see :func:`sparse_if_sparse`).
    """
    if graph.x is not None and graph.x.size(1) > 0:
        return sparse_if_sparse(scale_features(graph.x.to(torch.float32), normalize))
    check_normalize(normalize)
    return neighbourhood_features(graph, seed)
