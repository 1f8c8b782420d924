r"""The first layer's product with a sparse feature matrix (bag-of-words, neighbourhood rows).

:math:`\mathbf{X}\mathbf{W}^\top` costs :math:`O(\mathrm{nnz}(\mathbf{X}) H)` instead of :math:`O(N F H)` when
:math:`\mathbf{X}` is sparse. The features stay COO tensors (what :mod:`gtvviz.features` returns and what moves
between devices everywhere). On the CPU and CUDA the product is a weighted sum of rows of :math:`\mathbf{W}^\top`
per row of :math:`\mathbf{X}` (:func:`torch.nn.functional.embedding_bag`), and its gradient a weighted sum of rows of
the upstream gradient per column of :math:`\mathbf{X}`; both need :math:`\mathbf{X}` in compressed-row form, which a
:class:`SparseFeaturesCache` builds once for features passed at every epoch, so that no conversion is paid per
epoch (timings against PyTorch's CSR product: ``benchmarks/results/reference_speed.md``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable

from gtvviz.nn.input_cache import LastInputCache

#: Devices whose weighted row sums are used; elsewhere (MPS) PyTorch's COO product.
ROW_SUM_DEVICES = ("cpu", "cuda")


class CompressedRows(NamedTuple):
    """The nonzeros of a sparse matrix row by row: row ``r`` holds ``values[offsets[r]:offsets[r + 1]]`` in the
    columns ``columns[offsets[r]:offsets[r + 1]]``."""

    offsets: Tensor
    columns: Tensor
    values: Tensor

    def times(self, dense: Tensor) -> Tensor:
        r"""The product with ``dense``, whose rows are the columns of this matrix: row :math:`r` of the result is
        :math:`\sum_c m_{rc}\, \mathbf{d}_c`."""
        return F.embedding_bag(self.columns, dense, self.offsets, mode="sum",
                               per_sample_weights=self.values.to(dense.dtype), include_last_offset=True)


class SparseFeatures(NamedTuple):
    r"""A sparse :math:`\mathbf{X}` by rows and by columns (the rows of :math:`\mathbf{X}^\top`)."""

    rows: CompressedRows
    columns: CompressedRows


def compressed_rows(x: Tensor) -> CompressedRows:
    """The rows of a sparse COO matrix ``x``."""
    x = x.coalesce()  # sorted by row, then column
    row, column = x.indices()
    offsets = torch.zeros(x.size(0) + 1, dtype=torch.long, device=x.device)
    offsets[1:] = torch.bincount(row, minlength=x.size(0)).cumsum(0)
    return CompressedRows(offsets, column.clone(), x.values().clone())  # plain tensors, not views of ``x``


def sparse_features(x: Tensor) -> SparseFeatures:
    """A sparse COO ``x`` by rows and by columns."""
    return SparseFeatures(compressed_rows(x), compressed_rows(x.t()))


class SparseFeaturesCache(LastInputCache[SparseFeatures]):
    """The :class:`SparseFeatures` of the last sparse feature tensor seen."""

    def compute(self, x: Tensor) -> SparseFeatures:
        return sparse_features(x)


@torch.compiler.disable  # sparse inputs: eager, between the compiled graphs
def sparse_linear(x: Tensor, weight: Tensor, bias: Tensor | None = None,
                  cache: SparseFeaturesCache | None = None) -> Tensor:
    r""":math:`\mathbf{X}\mathbf{W}^\top (+ \mathbf{b})` for a sparse COO ``x`` of shape :math:`(N, F)` and a dense
    ``weight`` of shape :math:`(H, F)`, differentiable in ``weight`` and ``bias``. A ``cache`` keeps the compressed
    form of ``x`` between calls."""
    if x.device.type in ROW_SUM_DEVICES:
        features = cache.get(x) if cache is not None else sparse_features(x)
        out = _SparseLinear.apply(weight, features)
    else:
        out = torch.sparse.mm(x, weight.t())
    return out if bias is None else out + bias


class _SparseLinear(torch.autograd.Function):
    r"""Forward :math:`\mathbf{X}\mathbf{W}^\top`; backward :math:`\partial\mathcal{L}/\partial\mathbf{W} =
    (\mathbf{X}^\top \mathbf{G})^\top`, one weighted sum of rows of :math:`\mathbf{G}` per column of
    :math:`\mathbf{X}`."""

    @staticmethod
    def forward(ctx: Any, weight: Tensor, features: SparseFeatures) -> Tensor:
        ctx.columns = features.columns
        return features.rows.times(weight.t().contiguous())

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_out: Tensor) -> tuple[Tensor, None]:
        return ctx.columns.times(grad_out.contiguous()).t(), None
