"""The sparse MinCutPool and DMoN losses against PyG's dense versions, and their defining properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.nn.dense import DMoNPooling, dense_mincut_pool
from torch_geometric.utils import to_dense_adj, to_dense_batch

from gtvviz.graph import Graph
from gtvviz.metrics import modularity
from gtvviz.nn.smooth_losses import dmon_loss, mincut_loss, orthogonality_loss


def random_graph(n: int, p: float, seed: int, weighted: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A symmetric random graph in float64, with an isolated node and optional random weights."""
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < p, k=1)
    upper[0, :] = False  # node 0 is isolated
    i, j = np.nonzero(upper)
    weights = rng.uniform(0.1, 2.0, len(i)) if weighted else None
    graph = Graph.from_edges(np.stack([i, j]), n, weights=weights)
    w = None if graph.edge_weight is None else graph.edge_weight.double()
    return graph.edge_index, w


CASES = [(12, 0.3, 0, False), (15, 0.4, 1, True), (9, 0.6, 2, True)]


@pytest.mark.parametrize(("n", "p", "seed", "weighted"), CASES)
@pytest.mark.parametrize("k", [2, 4])
def test_mincut_matches_pyg_dense(n: int, p: float, seed: int, weighted: bool, k: int) -> None:
    edge_index, w = random_graph(n, p, seed, weighted)
    adj = to_dense_adj(edge_index, edge_attr=w, max_num_nodes=n)[0].double()
    logits = torch.randn(n, k, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    _, _, cut, ortho = dense_mincut_pool(torch.zeros(n, 1, dtype=torch.float64), adj, logits)
    terms = mincut_loss(logits.softmax(dim=-1), edge_index, w)
    assert terms["mincut"].item() == pytest.approx(cut.item(), abs=1e-5)
    assert terms["ortho"].item() == pytest.approx(ortho.item(), abs=1e-5)
    assert terms["total"].item() == pytest.approx(cut.item() + ortho.item(), abs=1e-5)


@pytest.mark.parametrize(("n", "p", "seed", "weighted"), CASES)
@pytest.mark.parametrize("k", [2, 4])
def test_dmon_matches_pyg_dense(n: int, p: float, seed: int, weighted: bool, k: int) -> None:
    edge_index, w = random_graph(n, p, seed, weighted)
    adj = to_dense_adj(edge_index, edge_attr=w, max_num_nodes=n)[0].double()
    torch.manual_seed(seed)
    pool = DMoNPooling(3, k).double()
    s, _, _, spectral, ortho, collapse = pool(torch.randn(n, 3, dtype=torch.float64), adj)
    terms = dmon_loss(s[0], edge_index, w, collapse_weight=0.5)
    assert terms["spectral"].item() == pytest.approx(spectral.item(), abs=1e-5)
    assert terms["collapse"].item() == pytest.approx(collapse.item(), abs=1e-5)
    assert terms["total"].item() == pytest.approx(spectral.item() + 0.5 * collapse.item(), abs=1e-5)
    assert orthogonality_loss(s[0]).item() == pytest.approx(ortho.item(), abs=1e-5)


def two_triangles() -> Graph:
    return Graph.from_edges([[0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3]], 6)


def test_one_hot_values() -> None:
    graph = two_triangles()
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    s = torch.nn.functional.one_hot(labels, 2).double()
    cut = mincut_loss(s, graph.edge_index)
    # 6 of the 7 undirected edges are inside a cluster: Tr(S^T A S) = 12, Tr(S^T D S) = 2E = 14.
    assert cut["mincut"].item() == pytest.approx(-12 / 14)
    assert cut["ortho"].item() == pytest.approx(0.0, abs=1e-12)
    dmon = dmon_loss(s, graph.edge_index)
    assert dmon["spectral"].item() == pytest.approx(-modularity(graph, labels.numpy()))
    assert dmon["collapse"].item() == pytest.approx(0.0, abs=1e-12)


def test_everything_in_one_cluster() -> None:
    graph = two_triangles()
    s = torch.zeros(6, 3, dtype=torch.float64)
    s[:, 0] = 1.0
    assert mincut_loss(s, graph.edge_index)["mincut"].item() == pytest.approx(-1.0)
    assert orthogonality_loss(s).item() == pytest.approx(math.sqrt(2 - 2 / math.sqrt(3)))
    dmon = dmon_loss(s, graph.edge_index)
    assert dmon["spectral"].item() == pytest.approx(0.0, abs=1e-12)
    assert dmon["collapse"].item() == pytest.approx(math.sqrt(3) - 1)


def test_graph_without_edges_is_finite() -> None:
    s = torch.full((4, 2), 0.5, requires_grad=True)
    empty = torch.empty(2, 0, dtype=torch.long)
    for terms in (mincut_loss(s, empty), dmon_loss(s, empty)):
        assert all(torch.isfinite(v) for v in terms.values())
        terms["total"].backward()
        assert torch.isfinite(s.grad).all()
    assert mincut_loss(s, empty)["mincut"].item() == 0.0


def test_gradients_flow_and_are_finite() -> None:
    edge_index, w = random_graph(10, 0.4, 3, weighted=True)
    logits = torch.randn(10, 3, dtype=torch.float64, requires_grad=True)
    for loss in (mincut_loss, dmon_loss):
        logits.grad = None
        loss(logits.softmax(dim=-1), edge_index, w)["total"].backward()
        assert logits.grad is not None and torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0


def batch_of_graphs(sizes: tuple[int, ...], weighted: bool) -> Batch:
    graphs = []
    for i, n in enumerate(sizes):
        edge_index, w = random_graph(n, 0.4, 10 + i, weighted)
        graphs.append(Data(x=torch.randn(n, 3, dtype=torch.float64), edge_index=edge_index, edge_weight=w,
                           num_nodes=n))
    return Batch.from_data_list(graphs)


@pytest.mark.parametrize("weighted", [False, True])
def test_batched_losses_match_pyg_dense_per_graph(weighted: bool) -> None:
    """Graphs of 7, 12 and 4 nodes (each with an isolated node) in one batch; the dense inputs of PyG's versions
    come from to_dense_batch / to_dense_adj, padded to 12 nodes."""
    from gtvviz.nn import dmon_loss as exported_dmon, mincut_loss as exported_mincut

    batch = batch_of_graphs((7, 12, 4), weighted)
    x, mask = to_dense_batch(batch.x, batch.batch)
    adj = to_dense_adj(batch.edge_index, batch.batch, batch.edge_weight).double()
    k = 3
    logits = torch.randn(batch.num_nodes, k, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    logits_dense, _ = to_dense_batch(logits, batch.batch)
    _, _, cut, ortho = dense_mincut_pool(x, adj, logits_dense, mask)
    terms = exported_mincut(logits.softmax(dim=-1), batch.edge_index, batch.edge_weight, batch.batch)
    per_graph = exported_mincut(logits.softmax(dim=-1), batch.edge_index, batch.edge_weight, batch.batch, False)
    assert terms["mincut"].item() == pytest.approx(cut.item(), abs=1e-5)
    assert terms["ortho"].item() == pytest.approx(ortho.item(), abs=1e-5)
    for g in range(3):
        _, _, cut_g, ortho_g = dense_mincut_pool(x[g:g + 1], adj[g:g + 1], logits_dense[g:g + 1], mask[g:g + 1])
        assert per_graph["mincut"][g].item() == pytest.approx(cut_g.item(), abs=1e-5)
        assert per_graph["ortho"][g].item() == pytest.approx(ortho_g.item(), abs=1e-5)

    torch.manual_seed(1)
    pool = DMoNPooling(3, k).double()
    s, _, _, spectral, ortho, collapse = pool(x, adj, mask)
    terms = exported_dmon(s[mask], batch.edge_index, batch.edge_weight, batch.batch, collapse_weight=0.5)
    per_graph = dmon_loss(s[mask], batch.edge_index, batch.edge_weight, batch.batch, reduce=False)
    assert terms["spectral"].item() == pytest.approx(spectral.item(), abs=1e-5)
    assert orthogonality_loss(s[mask], batch.batch).item() == pytest.approx(ortho.item(), abs=1e-5)
    collapse_per_graph = []
    for g in range(3):
        _, _, _, spectral_g, _, collapse_g = pool(x[g:g + 1], adj[g:g + 1], mask[g:g + 1])
        assert per_graph["spectral"][g].item() == pytest.approx(spectral_g.item(), abs=1e-5)
        assert per_graph["collapse"][g].item() == pytest.approx(collapse_g.item(), abs=1e-5)
        collapse_per_graph.append(collapse_g.item())
    # DMoNPooling's batched collapse term divides a (B,) tensor by a (B, 1) one and averages the B x B result,
    # mixing the cluster sizes of one graph with the node count of another; the mean of its per-graph values is
    # the per-graph definition.
    assert terms["collapse"].item() == pytest.approx(np.mean(collapse_per_graph), abs=1e-5)
    assert terms["total"].item() == pytest.approx(spectral.item() + 0.5 * np.mean(collapse_per_graph), abs=1e-5)
