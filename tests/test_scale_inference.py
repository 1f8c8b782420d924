import numpy as np
import pytest
import torch

from gtvviz.errors import ConfigError
from gtvviz.features import node_features
from gtvviz.graph import Graph
from gtvviz.nn.models import TVGNN
from gtvviz.nn.smooth_models import GCSNet
from gtvviz.scale.inference import chunked_assignment
from tests.test_gtv_conv import random_graph


def _model(in_channels: int, seed: int, k: int = 3) -> TVGNN:
    torch.manual_seed(seed)
    model = TVGNN(in_channels, k, hidden_channels=(16, 12), mlp_channels=(8,), delta_coeff=0.9, eps=1e-3)
    for conv in model.convs:
        torch.nn.init.normal_(conv.bias, std=0.3)
    return model


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("chunk_edges", [1, 7, 10_000])
def test_chunks_equal_the_full_forward(seed: int, chunk_edges: int) -> None:
    graph = random_graph(seed, 40, 0.15, weighted=seed % 2 == 0)
    x = torch.randn(40, 6, generator=torch.Generator().manual_seed(seed))
    model = _model(6, seed)
    with torch.no_grad():
        full = model(x, graph.edge_index, graph.edge_weight)
    chunked = chunked_assignment(model, x, graph.edge_index, graph.edge_weight, chunk_edges=chunk_edges,
                                 chunk_nodes=9)
    torch.testing.assert_close(chunked, full, atol=1e-5, rtol=0)
    assert model.training  # the model's mode is given back


def test_sparse_features_and_a_directed_edge_list() -> None:
    graph = Graph.from_edges(np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]]), 6)
    x = node_features(graph)  # sparse D^-1 (A + I) rows
    assert x.is_sparse
    model = _model(6, 0, k=2)
    directed = graph.edge_index[:, graph.edge_index[0] < graph.edge_index[1]]  # one direction: PyG's message path
    for edge_index in (graph.edge_index, directed):
        with torch.no_grad():
            full = model(x, edge_index)
        torch.testing.assert_close(chunked_assignment(model, x, edge_index, chunk_edges=2), full, atol=1e-5, rtol=0)


def test_a_model_without_gtv_layers_is_refused() -> None:
    with pytest.raises(ConfigError, match="GTVConv"):
        chunked_assignment(GCSNet(4, 2, hidden_channels=(4,)), torch.randn(5, 4), torch.zeros(2, 0, dtype=torch.long))
