r"""Full-graph assignments of a trained TVGNN in bounded memory: layer by layer, in chunks of nodes.

A full forward pass under autograd keeps every layer's activations and edge tensors for the backward pass.
Inference needs none of them: :func:`chunked_assignment` runs each GTVConv layer on all nodes under
:func:`torch.no_grad`, holding only that layer's input :math:`\tilde{\mathbf{X}} = \mathbf{X}\mathbf{\Theta}` and
its output (two :math:`N \times H` arrays), and computes the Laplacian chunk by chunk of destination nodes, each
chunk with at most ``chunk_edges`` edges (its :math:`\text{chunk} \times H` difference tensors are the only
per-edge memory). The assignment MLP then runs on chunks of nodes. Peak memory: the graph, the input features,
two :math:`N \times H` float32 arrays, one :math:`N \times K` output and ``chunk_edges`` :math:`\times H` scratch.

Each layer computes exactly GTVConv's update,

.. math::
    \mathbf{x}'_i = \sigma\Big(\tilde{\mathbf{x}}_i - \delta \sum_{(j \to i)} \frac{a_{ji}}
    {\max(\lVert \tilde{\mathbf{x}}_i - \tilde{\mathbf{x}}_j \rVert_1, \epsilon)}
    (\tilde{\mathbf{x}}_i - \tilde{\mathbf{x}}_j) + \mathbf{b}\Big),

summed over the edges that end at :math:`i` (PyG's source-to-target flow).
"""

from __future__ import annotations

import torch
from torch import Tensor

from gtvviz.errors import ConfigError
from gtvviz.nn.gtv_conv import GTVConv
from gtvviz.nn.models import ClusteringGNN
from gtvviz.scale.sampling import compressed_rows

#: Default bound on the edges of one chunk (each costs H floats of scratch per temporary).
CHUNK_EDGES = 1 << 16
#: Default number of nodes per chunk of the first layer's product and of the MLP.
CHUNK_NODES = 1 << 15


@torch.no_grad()
def chunked_assignment(model: ClusteringGNN, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
                       chunk_edges: int = CHUNK_EDGES, chunk_nodes: int = CHUNK_NODES) -> Tensor:
    r"""The soft assignment :math:`(N, K)` of ``model`` on the whole graph, equal to ``model(x, edge_index,
    edge_weight)`` up to float rounding, in the memory described in the module docstring.

    Args:
        model: a :class:`~gtvviz.nn.models.ClusteringGNN` whose layers are :class:`~gtvviz.nn.GTVConv` (e.g.
            :class:`~gtvviz.nn.TVGNN`), or a :class:`~torch.nn.parallel.DistributedDataParallel` around one.
        x: :math:`(N, F)` node features, dense or sparse COO.
        edge_index: :math:`(2, M)` edges; edge_weight: optional :math:`(M,)` weights.
        chunk_edges: most edges per Laplacian chunk; chunk_nodes: nodes per chunk of the dense products.
    """
    model = getattr(model, "module", model)
    if not isinstance(model, ClusteringGNN) or not all(isinstance(conv, GTVConv) for conv in model.convs):
        raise ConfigError(f"Chunked inference needs a TVGNN-like model of GTVConv layers, got {type(model).__name__}.")
    was_training = model.training
    model.eval()
    try:
        destinations = _DestinationChunks(edge_index, x.size(0), chunk_edges)
        h = x
        for conv in model.convs:
            h = _gtv_layer(conv, _product(h, conv.lin.weight, chunk_nodes), edge_index, edge_weight, destinations)
        return torch.cat([torch.softmax(model.mlp(part), dim=-1) for part in h.split(chunk_nodes)])
    finally:
        model.train(was_training)


def _product(h: Tensor, weight: Tensor, chunk_nodes: int) -> Tensor:
    """:math:`\\mathbf{H}\\mathbf{\\Theta}^\\top`: sparse in one product, dense chunk by chunk into one output."""
    if h.is_sparse:
        return torch.sparse.mm(h, weight.t())
    out = h.new_empty(h.size(0), weight.size(0))
    for start in range(0, h.size(0), chunk_nodes):
        torch.matmul(h[start:start + chunk_nodes], weight.t(), out=out[start:start + chunk_nodes])
    return out


class _DestinationChunks:
    """Edges grouped by destination node, cut into node ranges of at most ``chunk_edges`` edges each (a node
    with more edges than that forms a chunk of its own)."""

    def __init__(self, edge_index: Tensor, num_nodes: int, chunk_edges: int) -> None:
        dst = edge_index[1]
        self.order = torch.argsort(dst, stable=True)
        ptr = compressed_rows(dst, num_nodes)
        self.ranges: list[tuple[int, int, int, int]] = []
        start, ptr_list = 0, ptr.tolist()
        while start < num_nodes:
            limit = ptr_list[start] + max(chunk_edges, 1)
            stop = int(torch.searchsorted(ptr, limit, right=True)) - 1
            stop = min(max(stop, start + 1), num_nodes)
            self.ranges.append((start, stop, ptr_list[start], ptr_list[stop]))
            start = stop


def _gtv_layer(conv: GTVConv, xt: Tensor, edge_index: Tensor, edge_weight: Tensor | None,
               chunks: _DestinationChunks) -> Tensor:
    out = torch.empty_like(xt)
    for start, stop, first, last in chunks.ranges:
        edges = chunks.order[first:last]
        src, dst = edge_index[0, edges], edge_index[1, edges]
        diff = xt[dst] - xt[src]
        gamma = diff.abs().sum(dim=-1).clamp_min_(conv.eps).reciprocal_()
        if edge_weight is not None:
            gamma *= edge_weight[edges]
        laplacian = torch.zeros(stop - start, xt.size(1), dtype=xt.dtype, device=xt.device)
        laplacian.index_add_(0, dst - start, diff.mul_(gamma.unsqueeze(-1)))
        step = xt[start:stop] - conv.delta_coeff * laplacian
        if conv.bias is not None:
            step += conv.bias
        out[start:stop] = conv.act(step)
    return out
