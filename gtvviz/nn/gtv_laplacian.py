r"""The GTV Laplacian product :math:`\mathbf{L}_\Gamma \tilde{\mathbf{X}}` over undirected edge pairs, with a
hand-written backward pass that keeps no :math:`E \times H` tensor between forward and backward.

For a symmetric edge list every undirected edge :math:`p = \{a, b\}` appears twice, and its two messages share
one difference: with :math:`\mathbf{d}_p = \tilde{\mathbf{x}}_a - \tilde{\mathbf{x}}_b`,
:math:`n_p = \lVert \mathbf{d}_p \rVert_1` and :math:`m_p = \max(n_p, \epsilon)`, the message at :math:`a` is
:math:`w_{b \to a} \mathbf{d}_p / m_p` and the one at :math:`b` is :math:`-w_{a \to b} \mathbf{d}_p / m_p`, so each
pair is computed once (half the work of the directed form). Backward, with the upstream gradient
:math:`\mathbf{G}` and :math:`\mathbf{u}_p = w_{b \to a} \mathbf{g}_a - w_{a \to b} \mathbf{g}_b`:

.. math::
    \frac{\partial \mathcal{L}}{\partial \mathbf{d}_p} = \frac{\mathbf{u}_p}{m_p}
    - [n_p \ge \epsilon]\, \frac{\langle \mathbf{u}_p, \mathbf{d}_p \rangle}{n_p^2}\,
    \operatorname{sign}(\mathbf{d}_p), \qquad
    \frac{\partial \mathcal{L}}{\partial w_{b \to a}} = \frac{\langle \mathbf{g}_a, \mathbf{d}_p \rangle}{m_p},
    \quad
    \frac{\partial \mathcal{L}}{\partial w_{a \to b}} = -\frac{\langle \mathbf{g}_b, \mathbf{d}_p \rangle}{m_p},

where :math:`\partial \mathcal{L} / \partial \mathbf{d}_p` is added to the gradient of :math:`\tilde{\mathbf{x}}_a`
and subtracted from that of :math:`\tilde{\mathbf{x}}_b` (the same subgradients as autograd:
:math:`\operatorname{sign}(0) = 0`, and the clamp passes the gradient where :math:`n_p \ge \epsilon`). The
differences :math:`\mathbf{d}_p` are recomputed in the backward pass, in chunks of edges, so the memory kept per
layer is :math:`O(N H + E)` and the peak :math:`O(N H + C H)` for a chunk of :math:`C` pairs.

Every gather and scatter of the pass is a product with a signed incidence matrix between the pairs of a chunk and
the nodes, :math:`\mathbf{B}` with :math:`b_{pa} = 1` and :math:`b_{pb} = -1`: :math:`\mathbf{d}_p = (\mathbf{B}
\tilde{\mathbf{X}})_p`, :math:`\mathbf{u}_p = (\mathbf{B}_w \mathbf{G})_p` with the entries weighted by
:math:`w_{b \to a}` and :math:`w_{a \to b}`, the output :math:`\mathbf{B}_w^\top (\mathbf{d}_p / m_p)_p` and the
gradient of :math:`\tilde{\mathbf{X}}` :math:`\mathbf{B}^\top (\partial \mathcal{L} / \partial \mathbf{d}_p)_p`.
Each is a weighted sum of rows (:meth:`gtvviz.nn.sparse.CompressedRows.times`), which runs on every thread and has
no scatter for torch.compile to turn into atomic additions (timings against ``index_select`` and ``index_add_``:
``benchmarks/results/reference_speed.md``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from gtvviz.nn.input_cache import LastInputCache
from gtvviz.nn.sparse import CompressedRows

#: Elements (pairs x channels) of one chunk of edge differences: 2^24 floats = 64 MB in float32.
CHUNK_ELEMENTS = 1 << 24


class Incidence(NamedTuple):
    r"""Signed incidence entries in compressed rows (values :math:`\pm 1`), with the position in ``edge_index`` of
    the edge whose weight scales each entry."""

    rows: CompressedRows
    edges: Tensor

    def times(self, dense: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        """The product with ``dense``, each entry scaled by its edge's weight when ``edge_weight`` is given."""
        if edge_weight is None:
            return self.rows.times(dense)
        return self.rows._replace(values=self.rows.values * edge_weight[self.edges]).times(dense)


class PairChunk(NamedTuple):
    r"""A chunk of pairs: their nodes and edges, and their incidence with the nodes by pairs (row :math:`p`:
    :math:`+1` at :math:`a_p` for the edge :math:`b \to a`, :math:`-1` at :math:`b_p` for :math:`a \to b`) and by
    nodes (the transpose, columns numbered within the chunk)."""

    a: Tensor
    b: Tensor
    forward: Tensor
    reverse: Tensor
    by_pair: Incidence
    by_node: Incidence


class EdgePairs(NamedTuple):
    """The undirected pairs of a symmetric ``edge_index``: nodes ``a < b``; ``forward`` holds the position in
    ``edge_index`` of the edge ``a -> b`` (message at ``b``), ``reverse`` that of ``b -> a`` (message at ``a``);
    ``chunks`` splits them for the pass (:func:`pair_chunks`)."""

    a: Tensor
    b: Tensor
    forward: Tensor
    reverse: Tensor
    weight: Tensor | None
    chunks: tuple[PairChunk, ...]


def edge_pairs(edge_index: Tensor, edge_weight: Tensor | None, num_nodes: int, channels: int) -> EdgePairs | None:
    r"""The undirected pairs of ``edge_index`` when it lists every edge in both directions, exactly once per
    direction (the two weights may differ); ``None`` otherwise (then the directed form is needed). Self-loops are
    dropped: their difference is 0, so they add nothing to :math:`\mathbf{L}_\Gamma \tilde{\mathbf{X}}` or its
    gradient. The chunks hold at most :data:`CHUNK_ELEMENTS` differences of ``channels`` entries each."""
    src, dst = edge_index
    if src.numel() == 0:
        return None
    forward_key = src * num_nodes + dst
    backward_key = dst * num_nodes + src
    order_f, order_b = torch.argsort(forward_key), torch.argsort(backward_key)
    sorted_f = forward_key[order_f]
    if bool((sorted_f[1:] == sorted_f[:-1]).any()) or not torch.equal(sorted_f, backward_key[order_b]):
        return None
    reverse = torch.empty_like(order_f)
    reverse[order_f] = order_b
    forward = torch.nonzero(src < dst).squeeze(1)
    a, b, reverse = src[forward], dst[forward], reverse[forward]
    return EdgePairs(a, b, forward, reverse, edge_weight, pair_chunks(a, b, forward, reverse, num_nodes, channels))


def pair_chunks(a: Tensor, b: Tensor, forward: Tensor, reverse: Tensor, num_nodes: int,
                channels: int) -> tuple[PairChunk, ...]:
    """The pairs ``(a, b)`` in chunks of at most ``CHUNK_ELEMENTS // channels`` pairs."""
    size = max(1, CHUNK_ELEMENTS // max(channels, 1))
    return tuple(_chunk(a[part], b[part], forward[part], reverse[part], num_nodes)
                 for part in (slice(start, start + size) for start in range(0, a.numel(), size)))


def _chunk(a: Tensor, b: Tensor, forward: Tensor, reverse: Tensor, num_nodes: int) -> PairChunk:
    count = a.numel()
    pair = torch.arange(count, device=a.device).repeat_interleave(2)  # entries p: (p, a_p), (p, b_p)
    node = torch.stack([a, b], dim=1).reshape(-1)
    sign = torch.tensor([1.0, -1.0], device=a.device).repeat(count)
    edge = torch.stack([reverse, forward], dim=1).reshape(-1)  # a's entry weighs by b -> a, b's by a -> b
    by_pair = Incidence(CompressedRows(torch.arange(0, 2 * count + 1, 2, device=a.device), node, sign), edge)
    order = torch.argsort(node, stable=True)
    offsets = torch.zeros(num_nodes + 1, dtype=torch.long, device=a.device)
    offsets[1:] = torch.bincount(node, minlength=num_nodes).cumsum(0)
    by_node = Incidence(CompressedRows(offsets, pair[order], sign[order]), edge[order])
    return PairChunk(a, b, forward, reverse, by_pair, by_node)


class PairCache(LastInputCache[EdgePairs | None]):
    """The :class:`EdgePairs` of the last ``(edge_index, edge_weight, num_nodes, channels)`` seen, so that a layer
    called every epoch on the same graph decomposes it once."""

    def compute(self, edge_index: Tensor, edge_weight: Tensor | None, num_nodes: int,
                channels: int) -> EdgePairs | None:
        return edge_pairs(edge_index, edge_weight, num_nodes, channels)


def gtv_laplacian(xt: Tensor, pairs: EdgePairs, eps: float) -> Tensor:
    r""":math:`\mathbf{L}_\Gamma \tilde{\mathbf{X}}` with :math:`\Gamma_{ab} = w_{ab} / \max(\lVert
    \tilde{\mathbf{x}}_a - \tilde{\mathbf{x}}_b \rVert_1, \epsilon)`, shape :math:`(N, H)`, differentiable in
    ``xt`` and in the edge weights (each direction of an edge weighs its own message, as in the directed
    form)."""
    return _GTVLaplacian.apply(xt, pairs.weight, pairs.chunks, eps)


class _GTVLaplacian(torch.autograd.Function):
    """Pair p = {a, b}: message ``w_ba d / max(n, eps)`` at a (edge b -> a) and ``-w_ab d / max(n, eps)`` at b."""

    @staticmethod
    def forward(ctx: Any, xt: Tensor, edge_weight: Tensor | None, chunks: tuple[PairChunk, ...],
                eps: float) -> Tensor:
        out, norms = None, []
        for chunk in chunks:
            diff = chunk.by_pair.times(xt)
            norms.append(diff.abs().sum(dim=1))
            scaled = diff.mul_((1.0 / norms[-1].clamp_min(eps)).unsqueeze(1))  # d / max(n, eps)
            out = _accumulate(out, chunk.by_node.times(scaled, edge_weight))
        ctx.save_for_backward(xt, edge_weight, *norms)
        ctx.chunks, ctx.eps = chunks, eps
        return torch.zeros_like(xt) if out is None else out

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_out: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        xt, edge_weight, *norms = ctx.saved_tensors
        eps = ctx.eps
        grad_x = None
        grad_w = torch.zeros_like(edge_weight) if edge_weight is not None and ctx.needs_input_grad[1] else None
        grad_out = grad_out.contiguous()
        for chunk, norm in zip(ctx.chunks, norms):
            diff = chunk.by_pair.times(xt)
            inverse = 1.0 / norm.clamp_min(eps)
            if grad_w is not None:
                grad_w[chunk.reverse] = (grad_out.index_select(0, chunk.a) * diff).sum(dim=1) * inverse
                grad_w[chunk.forward] = -(grad_out.index_select(0, chunk.b) * diff).sum(dim=1) * inverse
            if not ctx.needs_input_grad[0]:
                continue
            upstream = chunk.by_pair.times(grad_out, edge_weight)  # u = w_ba g_a - w_ab g_b
            dot = (upstream * diff).sum(dim=1)
            # d (1 / n) / d diff = -sign(diff) / n^2 where n >= eps (0 where the clamp holds), as autograd's clamp
            slope = torch.where(norm >= eps, -dot * inverse * inverse, torch.zeros_like(dot))
            grad_diff = upstream.mul_(inverse.unsqueeze(1)).add_(diff.sign_().mul_(slope.unsqueeze(1)))
            grad_x = _accumulate(grad_x, chunk.by_node.times(grad_diff))
        if grad_x is None and ctx.needs_input_grad[0]:  # no pair at all
            grad_x = torch.zeros_like(xt)
        return grad_x, grad_w, None, None


def _accumulate(total: Tensor | None, part: Tensor) -> Tensor:
    """``total + part``, in place; the first part is the total."""
    return part if total is None else total.add_(part)
