import numpy as np
import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.utils import to_dense_adj, to_dense_batch

from gtvviz.errors import ConfigError
from gtvviz.nn import GTVConv
from gtvviz.nn.losses import asym_norm_loss, gtv_loss
from gtvviz.nn.pool import AsymCheegerCutPool, DenseGTVConv, dense_gtv_loss, dense_to_block_edges
from tests.reference_math import asym_norm_loss as np_asym_norm
from tests.reference_math import dense_adjacency
from tests.reference_math import gtv_conv as np_gtv_conv
from tests.reference_math import gtv_loss as np_gtv
from tests.test_gtv_conv import random_graph

F_IN = 4


def graph_batch(sizes: tuple[int, ...], seed: int = 0, weighted: bool = True) -> Batch:
    data = []
    for i, n in enumerate(sizes):
        graph = random_graph(seed + i, n, 0.5, weighted=weighted)
        w = None if graph.edge_weight is None else graph.edge_weight.double()
        data.append(Data(x=torch.randn(n, F_IN, dtype=torch.float64), edge_index=graph.edge_index, edge_weight=w))
    return Batch.from_data_list(data)


def make_pool(k: int, seed: int = 0) -> AsymCheegerCutPool:
    torch.manual_seed(seed)
    return AsymCheegerCutPool(F_IN, k, mlp_channels=(8,), alpha1=0.7, alpha2=0.3).double()


def pooled_adjacency(seed: int, b: int, k: int) -> torch.Tensor:
    """Dense symmetric (B, K, K) adjacencies like S^T A S: nonzero diagonal, a few exact zeros."""
    rng = np.random.default_rng(seed)
    adj = rng.uniform(0.0, 2.0, (b, k, k)) * (rng.random((b, k, k)) < 0.7)
    return torch.as_tensor(adj + adj.transpose(0, 2, 1))


def test_shapes_and_masks() -> None:
    batch = graph_batch((5, 9, 3))
    out = make_pool(4)(batch.x, batch.edge_index, batch.edge_weight, batch.batch)
    assert out.x.shape == (3, 4, F_IN) and out.adj.shape == (3, 4, 4) and out.s.shape == (17, 4)
    assert torch.allclose(out.s.sum(-1), torch.ones(17, dtype=torch.float64))
    assert torch.allclose(out.adj, out.adj.transpose(1, 2))
    assert set(out.losses) == {"total", "gtv", "balance"}
    x, mask = to_dense_batch(batch.x, batch.batch)
    dense = make_pool(4).forward_dense(x, to_dense_adj(batch.edge_index, batch.batch, batch.edge_weight), mask)
    assert dense.s.shape == (3, 9, 4) and (dense.s[~mask] == 0).all()
    for name in ("x", "adj"):  # padding changes nothing
        assert torch.allclose(getattr(dense, name), getattr(out, name))
    for name, value in out.losses.items():
        assert torch.allclose(dense.losses[name], value)


def test_pooled_graph_is_st_x_and_st_a_s() -> None:
    batch = graph_batch((6, 4))
    out = make_pool(3)(batch.x, batch.edge_index, batch.edge_weight, batch.batch)
    for g, data in enumerate(batch.to_data_list()):
        s = out.s[batch.batch == g].detach().numpy()
        a = dense_adjacency(data.edge_index.numpy(), data.num_nodes, data.edge_weight.numpy())
        np.testing.assert_allclose(out.x[g].detach().numpy(), s.T @ data.x.numpy(), atol=1e-12)
        np.testing.assert_allclose(out.adj[g].detach().numpy(), s.T @ a @ s, atol=1e-12)


@pytest.mark.parametrize("dense", [False, True])
def test_batch_losses_are_the_mean_of_single_graph_losses(dense: bool) -> None:
    batch = graph_batch((12, 5, 8), seed=3)
    pool = make_pool(3).requires_grad_(False)

    def run(b: Batch) -> dict[str, torch.Tensor]:
        if not dense:
            return pool(b.x, b.edge_index, b.edge_weight, b.batch).losses
        x, mask = to_dense_batch(b.x, b.batch)
        return pool.forward_dense(x, to_dense_adj(b.edge_index, b.batch, b.edge_weight), mask).losses

    batched = run(batch)
    singles = [run(Batch.from_data_list([d])) for d in batch.to_data_list()]
    for name in ("gtv", "balance"):
        expected = torch.stack([single[name] for single in singles]).mean()
        assert torch.allclose(batched[name], expected, atol=1e-12), name
    # and each single-graph value is the numpy equation on that graph's real nodes only
    for single, data in zip(singles, batch.to_data_list()):
        s = pool.assign(data.x).detach().numpy()
        a = dense_adjacency(data.edge_index.numpy(), data.num_nodes, data.edge_weight.numpy())
        assert abs(float(single["balance"]) - np_asym_norm(s)) < 1e-12
        assert abs(float(single["gtv"]) - np_gtv(s, a)) < 1e-12
        assert abs(float(single["total"]) - (0.7 * np_gtv(s, a) + 0.3 * np_asym_norm(s))) < 1e-12


def test_k_larger_than_n_works() -> None:
    batch = graph_batch((3, 2, 7), seed=5)
    pool = make_pool(6).requires_grad_(False)
    out = pool(batch.x, batch.edge_index, batch.edge_weight, batch.batch)
    assert out.x.shape == (3, 6, F_IN)
    assert all(torch.isfinite(v) for v in out.losses.values())
    expected = np.mean([np_asym_norm(pool.assign(d.x).detach().numpy()) for d in batch.to_data_list()])
    assert abs(float(out.losses["balance"]) - expected) < 1e-12
    one_node_per_cluster = torch.eye(6, dtype=torch.float64)[:3]  # N = 3 < K = 6: the documented minimum
    assert float(asym_norm_loss(one_node_per_cluster)) == pytest.approx(1 - (3 - 1) / (6 - 1))


def test_gradients_flow_to_the_input_and_the_mlp() -> None:
    batch = graph_batch((6, 9), seed=2)
    x = batch.x.clone().requires_grad_(True)
    pool = make_pool(3)
    out = pool(x, batch.edge_index, batch.edge_weight, batch.batch)
    level2 = pool.forward_dense(out.x, out.adj)
    (out.losses["total"] + out.x.sum() + out.adj.sum() + level2.losses["total"]).backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    for p in pool.parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0


@pytest.mark.parametrize("seed", range(4))
def test_dense_and_sparse_gtvconv_on_pooled_graphs_agree_with_numpy(seed: int) -> None:
    b, k = 3, 7
    adj = pooled_adjacency(seed, b, k)
    torch.manual_seed(seed)
    x = torch.randn(b, k, 5, dtype=torch.float64)
    x[0, 1] = x[0, 2]  # identical neighbours exercise the eps clamp
    dense = DenseGTVConv(5, 4, delta_coeff=2.0, eps=1e-3, act="relu").double()
    torch.nn.init.normal_(dense.bias)
    sparse = GTVConv(5, 4, delta_coeff=2.0, eps=1e-3, act="relu").double()
    sparse.load_state_dict(dense.state_dict())
    out_dense = dense(x, adj)
    edge_index, edge_weight = dense_to_block_edges(adj)
    out_sparse = sparse(x.reshape(b * k, 5), edge_index, edge_weight).reshape(b, k, 4)
    weight, bias = dense.lin.weight.detach().numpy().T, dense.bias.detach().numpy()
    for g in range(b):  # numpy keeps the diagonal: self-loops cancel in L_Gamma
        expected = np_gtv_conv(x[g].numpy(), adj[g].numpy(), weight, bias, 2.0, 1e-3, "relu")
        np.testing.assert_allclose(out_dense[g].detach().numpy(), expected, atol=1e-9)
        np.testing.assert_allclose(out_sparse[g].detach().numpy(), expected, atol=1e-9)


def test_dense_gtvconv_masks_padding_and_passes_gradients() -> None:
    adj = pooled_adjacency(7, 2, 5)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    adj = adj * (mask.unsqueeze(1) & mask.unsqueeze(2))
    x = torch.randn(2, 5, 3, dtype=torch.float64, requires_grad=True)
    conv = DenseGTVConv(3, 2, act="elu").double()
    out = conv(x, adj, mask)
    assert (out[1, 3:] == 0).all()
    alone = conv(x[1:, :3], adj[1:, :3, :3])
    assert torch.allclose(out[1:, :3], alone)
    out.sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_dense_gtv_loss_matches_the_edge_list_loss_and_numpy() -> None:
    adj = pooled_adjacency(11, 3, 6)
    s = torch.softmax(torch.randn(3, 6, 4, dtype=torch.float64), dim=-1)
    edge_index, edge_weight = dense_to_block_edges(adj)
    batch = torch.arange(3).repeat_interleave(6)
    per_graph = dense_gtv_loss(s, adj, reduce=False)
    assert torch.allclose(per_graph, gtv_loss(s.reshape(18, 4), edge_index, edge_weight, batch, reduce=False))
    for g in range(3):
        off_diagonal = adj[g].numpy() * (1 - np.eye(6))
        assert abs(float(per_graph[g]) - np_gtv(s[g].numpy(), off_diagonal)) < 1e-12


def test_block_edges_drop_zeros_and_the_diagonal() -> None:
    adj = torch.tensor([[[5.0, 1.0, 0.0], [1.0, 5.0, 2.0], [0.0, 2.0, 0.0]]]).repeat(2, 1, 1)
    edge_index, edge_weight = dense_to_block_edges(adj)
    assert edge_index.shape == (2, 8) and (edge_index[0] != edge_index[1]).all()
    assert sorted(edge_weight.tolist()) == [1.0] * 4 + [2.0] * 4
    assert edge_index.min() == 0 and edge_index.max() == 5


def test_k_below_two_and_repr() -> None:
    with pytest.raises(ConfigError, match="K >= 2"):
        AsymCheegerCutPool(4, 1)
    assert "k=5" in repr(AsymCheegerCutPool(4, 5))
    assert "delta_coeff=2.0" in repr(DenseGTVConv(4, 4, delta_coeff=2.0))


def hand_pool() -> tuple[AsymCheegerCutPool, Batch]:
    """A pool whose assignment is known by hand: one linear layer, logits (ln 3, 0) for a node with feature
    e0 (S row (3/4, 1/4)) and (0, 0) for e1 (S row (1/2, 1/2)); a path 0-1-2 with features e0, e0, e1 and an
    edge 0-1 with features e1, e0."""
    pool = AsymCheegerCutPool(2, 2, mlp_channels=(), alpha1=0.7, alpha2=0.3).double()
    with torch.no_grad():
        pool.mlp.output_layer.weight.zero_()
        pool.mlp.output_layer.bias.zero_()
        pool.mlp.output_layer.weight[0, 0] = np.log(3.0)
    e0, e1 = [1.0, 0.0], [0.0, 1.0]
    path = Data(x=torch.tensor([e0, e0, e1], dtype=torch.float64), edge_index=torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]]))
    pair = Data(x=torch.tensor([e1, e0], dtype=torch.float64), edge_index=torch.tensor([[0, 1], [1, 0]]))
    return pool, Batch.from_data_list([path, pair])


def test_pyg_tuple_form_gives_hand_computed_values() -> None:
    """S^T X, S^T A S by hand; L_GTV: path 2 * 0.5 / (2 * 4) = 0.125, pair 2 * 0.5 / (2 * 2) = 0.25; L_AN:
    path 1 - 0.5 / 3 = 5/6 (q = 0.75, 0.25), pair 1 - 0.5 / 2 = 0.75 (q = 0.5, 0.25); weighted 0.7 and 0.3."""
    pool, batch = hand_pool()
    x, mask = to_dense_batch(batch.x, batch.batch)
    adj = to_dense_adj(batch.edge_index, batch.batch).double()
    x_pool, adj_pool, gtv, balance = pool.forward_pyg(x, adj, mask)
    expected_x = [[[1.5, 0.5], [0.5, 0.5]], [[0.75, 0.5], [0.25, 0.5]]]
    expected_adj = [[[1.875, 0.875], [0.875, 0.375]], [[0.75, 0.5], [0.5, 0.25]]]
    torch.testing.assert_close(x_pool, torch.tensor(expected_x, dtype=torch.float64))
    torch.testing.assert_close(adj_pool, torch.tensor(expected_adj, dtype=torch.float64))
    assert float(gtv) == pytest.approx(0.7 * (0.125 + 0.25) / 2)
    assert float(balance) == pytest.approx(0.3 * (5 / 6 + 0.75) / 2)
    one_x, one_adj, one_gtv, one_balance = pool.forward_pyg(x[0], adj[0])  # one graph, 2-D like dense_mincut_pool
    torch.testing.assert_close(one_x[0], x_pool[0])
    assert float(one_gtv) == pytest.approx(0.7 * 0.125) and float(one_balance) == pytest.approx(0.3 * 5 / 6)


def test_pool_output_cannot_be_unpacked_as_dense_mincut_pool() -> None:
    pool, batch = hand_pool()
    out = pool(batch.x, batch.edge_index, batch=batch.batch)
    with pytest.raises(TypeError, match="forward_pyg"):
        x, adj, loss_1, loss_2 = out
    assert out.replace(s=out.s[:2]).s.shape == (2, 2) and out.s.shape == (5, 2)


def test_lift_maps_pooled_features_back_per_graph() -> None:
    """x_lift_i = sum_k s_ik x'_{b(i),k}: graph 0 (S rows 3/4 1/4, 3/4 1/4, 1/2 1/2) with x' = (1, 3), graph 1
    (S rows 1/2 1/2, 3/4 1/4) with x' = (10, 20)."""
    pool, batch = hand_pool()
    x_pool = torch.tensor([[[1.0], [3.0]], [[10.0], [20.0]]], dtype=torch.float64)
    expected = torch.tensor([[1.5], [1.5], [2.0], [15.0], [12.5]], dtype=torch.float64)
    sparse = pool(batch.x, batch.edge_index, batch=batch.batch)
    torch.testing.assert_close(pool.lift(x_pool, sparse.s, batch.batch), expected)
    x, mask = to_dense_batch(batch.x, batch.batch)
    dense = pool.forward_dense(x, to_dense_adj(batch.edge_index, batch.batch).double(), mask)
    lifted = AsymCheegerCutPool.lift(x_pool, dense.s)
    assert lifted.shape == (2, 3, 1) and float(lifted[1, 2, 0]) == 0.0  # the padding stays zero
    torch.testing.assert_close(lifted[mask], expected)
