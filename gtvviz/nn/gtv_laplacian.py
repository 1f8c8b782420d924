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
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from gtvviz.nn.input_cache import LastInputCache

#: Elements (pairs x channels) of one chunk of edge differences: 2^24 floats = 64 MB in float32.
CHUNK_ELEMENTS = 1 << 24


class EdgePairs(NamedTuple):
    """The undirected pairs of a symmetric ``edge_index``: nodes ``a < b``; ``forward`` holds the position in
    ``edge_index`` of the edge ``a -> b`` (message at ``b``), ``reverse`` that of ``b -> a`` (message at ``a``)."""

    a: Tensor
    b: Tensor
    forward: Tensor
    reverse: Tensor
    weight: Tensor | None


def edge_pairs(edge_index: Tensor, edge_weight: Tensor | None, num_nodes: int) -> EdgePairs | None:
    r"""The undirected pairs of ``edge_index`` when it lists every edge in both directions, exactly once per
    direction (the two weights may differ); ``None`` otherwise (then the directed form is needed). Self-loops are
    dropped: their difference is 0, so they add nothing to :math:`\mathbf{L}_\Gamma \tilde{\mathbf{X}}` or its
    gradient."""
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
    return EdgePairs(src[forward], dst[forward], forward, reverse[forward], edge_weight)


class PairCache(LastInputCache[EdgePairs | None]):
    """The :class:`EdgePairs` of the last ``(edge_index, edge_weight, num_nodes)`` seen, so that a layer called
    every epoch on the same graph decomposes it once."""

    def compute(self, edge_index: Tensor, edge_weight: Tensor | None, num_nodes: int) -> EdgePairs | None:
        return edge_pairs(edge_index, edge_weight, num_nodes)


def gtv_laplacian(xt: Tensor, pairs: EdgePairs, eps: float) -> Tensor:
    r""":math:`\mathbf{L}_\Gamma \tilde{\mathbf{X}}` with :math:`\Gamma_{ab} = w_{ab} / \max(\lVert
    \tilde{\mathbf{x}}_a - \tilde{\mathbf{x}}_b \rVert_1, \epsilon)`, shape :math:`(N, H)`, differentiable in
    ``xt`` and in the edge weights (each direction of an edge weighs its own message, as in the directed
    form)."""
    return _GTVLaplacian.apply(xt, pairs.a, pairs.b, pairs.forward, pairs.reverse, pairs.weight, eps)


def _chunks(num_pairs: int, channels: int) -> list[slice]:
    size = max(1, CHUNK_ELEMENTS // max(channels, 1))
    return [slice(start, min(start + size, num_pairs)) for start in range(0, num_pairs, size)]


class _GTVLaplacian(torch.autograd.Function):
    """Pair p = {a, b}: message ``w_ba d / max(n, eps)`` at a (edge b -> a) and ``-w_ab d / max(n, eps)`` at b."""

    @staticmethod
    def forward(ctx: Any, xt: Tensor, a: Tensor, b: Tensor, forward: Tensor, reverse: Tensor,
                edge_weight: Tensor | None, eps: float) -> Tensor:
        out = torch.zeros_like(xt)
        norms = torch.empty(a.numel(), dtype=xt.dtype, device=xt.device)
        for part in _chunks(a.numel(), xt.size(1)):
            diff = xt.index_select(0, a[part]) - xt.index_select(0, b[part])
            norms[part] = diff.abs().sum(dim=1)
            scaled = diff.mul_((1.0 / norms[part].clamp_min(eps)).unsqueeze(1))  # d / max(n, eps)
            if edge_weight is None:
                out.index_add_(0, a[part], scaled)
                out.index_add_(0, b[part], scaled, alpha=-1)
            else:
                out.index_add_(0, a[part], scaled * edge_weight[reverse[part]].unsqueeze(1))
                out.index_add_(0, b[part], scaled * edge_weight[forward[part]].unsqueeze(1), alpha=-1)
        ctx.save_for_backward(xt, a, b, forward, reverse, edge_weight, norms)
        ctx.eps = eps
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_out: Tensor) -> tuple[Tensor | None, None, None, None, None, Tensor | None, None]:
        xt, a, b, forward, reverse, edge_weight, norms = ctx.saved_tensors
        eps = ctx.eps
        grad_x = torch.zeros_like(xt) if ctx.needs_input_grad[0] else None
        grad_w = torch.zeros_like(edge_weight) if edge_weight is not None and ctx.needs_input_grad[5] else None
        for part in _chunks(a.numel(), xt.size(1)):
            ia, ib = a[part], b[part]
            diff = xt.index_select(0, ia) - xt.index_select(0, ib)
            inverse = 1.0 / norms[part].clamp_min(eps)
            grad_a, grad_b = grad_out.index_select(0, ia), grad_out.index_select(0, ib)
            if grad_w is not None:
                grad_w[reverse[part]] = (grad_a * diff).sum(dim=1) * inverse
                grad_w[forward[part]] = -(grad_b * diff).sum(dim=1) * inverse
            if grad_x is None:
                continue
            if edge_weight is None:  # u = w_ba g_a - w_ab g_b
                upstream = grad_a.sub_(grad_b)
            else:
                upstream = (grad_a.mul_(edge_weight[reverse[part]].unsqueeze(1))
                            .sub_(grad_b.mul_(edge_weight[forward[part]].unsqueeze(1))))
            dot = (upstream * diff).sum(dim=1)
            # d (1 / n) / d diff = -sign(diff) / n^2 where n >= eps (0 where the clamp holds), as autograd's clamp
            slope = torch.where(norms[part] >= eps, -dot * inverse * inverse, torch.zeros_like(dot))
            grad_diff = upstream.mul_(inverse.unsqueeze(1)).add_(diff.sign_().mul_(slope.unsqueeze(1)))
            grad_x.index_add_(0, ia, grad_diff)
            grad_x.index_add_(0, ib, grad_diff, alpha=-1)
        return grad_x, None, None, None, None, grad_w, None
