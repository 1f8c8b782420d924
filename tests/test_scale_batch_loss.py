import numpy as np
import pytest
import torch

from gtvviz.objective import AsymCheegerCutObjective
from gtvviz.scale.batch_loss import chunked_gtv_loss
from gtvviz.scale.sampling import induced_subgraph
from tests.reference_math import asym_norm_loss as np_asym_norm
from tests.reference_math import dense_adjacency
from tests.reference_math import gtv_loss as np_gtv
from tests.test_gtv_conv import random_graph


def _softmax(rng: np.random.Generator, n: int, k: int) -> torch.Tensor:
    return torch.softmax(torch.as_tensor(rng.normal(size=(n, k)) * 3.0), dim=-1)


@pytest.mark.parametrize("seed", range(4))
def test_whole_graph_batch_is_the_full_loss(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = 25, 3
    graph = random_graph(seed, n, 0.2, weighted=seed % 2 == 1)
    s = _softmax(rng, n, k)
    sub = induced_subgraph(graph, torch.arange(n))
    w = None if sub.edge_weight is None else sub.edge_weight.double()
    terms = AsymCheegerCutObjective(alpha1=0.7, alpha2=0.4, balance_weight="fixed")(s, sub.edge_index, w)
    a = dense_adjacency(graph.edge_index.numpy(), n, None if graph.edge_weight is None else graph.edge_weight.numpy())
    gtv, balance = np_gtv(s.numpy(), a), np_asym_norm(s.numpy())
    assert float(terms["gtv"]) == pytest.approx(gtv, abs=1e-9)
    assert float(terms["balance"]) == pytest.approx(balance, abs=1e-9)
    assert float(terms["total"]) == pytest.approx(0.7 * gtv + 0.4 * balance, abs=1e-9)
    assert "train_total" not in terms


@pytest.mark.parametrize("seed", range(4))
def test_batch_uses_its_own_edges_and_quantile(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = 30, 4
    graph = random_graph(seed, n, 0.3, weighted=True)
    nodes = np.sort(rng.choice(n, size=12, replace=False))
    s = _softmax(rng, n, k)
    sub = induced_subgraph(graph, torch.as_tensor(nodes))
    objective = AsymCheegerCutObjective(alpha1=1.0, alpha2=1.0, warmup=4, balance_weight="fixed")
    objective.set_epoch(1)  # the warm-up's GTV weight 1/4 for the gradient
    terms = objective(s[nodes], sub.edge_index, sub.edge_weight.double())
    a = dense_adjacency(graph.edge_index.numpy(), n, graph.edge_weight.numpy())[np.ix_(nodes, nodes)]
    gtv, balance = np_gtv(s.numpy()[nodes], a), np_asym_norm(s.numpy()[nodes])
    assert float(terms["gtv"]) == pytest.approx(gtv, abs=1e-9)
    assert float(terms["balance"]) == pytest.approx(balance, abs=1e-9)
    assert float(terms["train_total"]) == pytest.approx(0.25 * gtv + balance, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("chunk_edges", [1, 5, 1000])
def test_chunked_gtv_is_the_full_gtv(seed: int, chunk_edges: int) -> None:
    rng = np.random.default_rng(seed)
    graph = random_graph(seed, 20, 0.3, weighted=seed % 2 == 0)
    s = _softmax(rng, 20, 3)
    w = None if graph.edge_weight is None else graph.edge_weight.double()
    a = dense_adjacency(graph.edge_index.numpy(), 20, None if w is None else w.numpy())
    got = float(chunked_gtv_loss(s, graph.edge_index, w, chunk_edges=chunk_edges))
    assert got == pytest.approx(np_gtv(s.numpy(), a), abs=1e-9)
