"""The library on a CUDA device: every layer and loss gives the CPU's numbers, training runs and moves between
devices, and memory stays O(E·K) on a graph whose dense adjacency could not fit on any GPU.

These tests need a CUDA device and are skipped without one (CI has none); ``benchmarks/gpu_check.sh`` runs them
on a GPU machine together with the GPU benchmarks.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch_geometric.data import Batch

from gtvviz import TVGNNClustering
from gtvviz.classification import (ClassifierTrainer, ClassifyConfig, build_classifier, make_synthetic_graphs,
                                   prepare_graphs)
from gtvviz.config import RunConfig
from gtvviz.data import load_graph
from gtvviz.graph import Graph
from gtvviz.methods import build_trainer
from gtvviz.nn import GTVConv
from gtvviz.nn.losses import asym_cheeger_cut_loss
from gtvviz.nn.smooth_losses import dmon_loss, mincut_loss
from gtvviz.nn.sparse import sparse_linear
from tests.reference_math import asym_norm_loss, dense_adjacency, gtv_loss

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
CUDA = torch.device("cuda")


def random_graph(seed: int, n: int, p: float) -> Graph:
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < p, k=1)
    i, j = np.nonzero(upper)
    return Graph.from_edges(np.stack([i, j]), n, weights=rng.uniform(0.2, 2.0, len(i)))


@pytest.mark.parametrize("directed", [False, True])
def test_gtv_conv_forward_and_gradients_match_the_cpu(directed: bool) -> None:
    graph = random_graph(0, 60, 0.1)
    edge_index, weight = graph.edge_index, graph.edge_weight.double()
    if directed:  # drop one direction of some edges: GTVConv then takes the message-passing path
        keep = torch.arange(edge_index.size(1)) % 3 != 0
        edge_index, weight = edge_index[:, keep], weight[keep]
    torch.manual_seed(0)
    conv = GTVConv(7, 5, delta_coeff=0.311, act="elu").double()
    x = torch.randn(graph.num_nodes, 7, dtype=torch.float64)
    results = []
    for device in ("cpu", CUDA):
        layer = conv.to(device)
        layer.zero_grad()
        xd = x.clone().to(device).requires_grad_(True)
        wd = weight.clone().to(device).requires_grad_(True)
        out = layer(xd, edge_index.to(device), wd)
        (out ** 2).sum().backward()
        results.append([t.detach().cpu() for t in (out, xd.grad, wd.grad, layer.lin.weight.grad)])
    for on_cpu, on_cuda in zip(*results):
        torch.testing.assert_close(on_cuda, on_cpu, rtol=1e-9, atol=1e-10)


def test_losses_on_cuda_match_the_numpy_equations() -> None:
    graph = random_graph(1, 40, 0.15)
    s = torch.softmax(torch.randn(40, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1)), dim=-1)
    terms = asym_cheeger_cut_loss(s.to(CUDA), graph.edge_index.to(CUDA), graph.edge_weight.double().to(CUDA),
                                  alpha1=0.785, alpha2=0.514)
    a = dense_adjacency(graph.edge_index.numpy(), 40, graph.edge_weight.double().numpy())
    assert terms["gtv"].item() == pytest.approx(gtv_loss(s.numpy(), a), abs=1e-9)
    assert terms["balance"].item() == pytest.approx(asym_norm_loss(s.numpy()), abs=1e-9)
    assert terms["total"].device.type == "cuda"


@pytest.mark.parametrize("loss", [mincut_loss, dmon_loss])
def test_smooth_losses_on_cuda_match_the_cpu(loss) -> None:
    graph = random_graph(2, 50, 0.1)
    s = torch.softmax(torch.randn(50, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2)), dim=-1)
    on_cpu = loss(s, graph.edge_index, graph.edge_weight.double())
    on_cuda = loss(s.to(CUDA), graph.edge_index.to(CUDA), graph.edge_weight.double().to(CUDA))
    for name, value in on_cpu.items():
        assert on_cuda[name].item() == pytest.approx(value.item(), abs=1e-10), name


def test_sparse_first_layer_on_cuda_matches_a_dense_product() -> None:
    x = torch.rand(30, 20, dtype=torch.float64)
    x[x < 0.8] = 0
    weight, bias = torch.randn(6, 20, dtype=torch.float64), torch.randn(6, dtype=torch.float64)
    out = sparse_linear(x.to_sparse().to(CUDA), weight.to(CUDA), bias.to(CUDA))
    torch.testing.assert_close(out.cpu(), x @ weight.T + bias, rtol=1e-12, atol=1e-12)


def test_karate_trains_on_cuda_and_finds_the_factions() -> None:
    model = TVGNNClustering(2, epochs=300, device="cuda").fit(load_graph("karate"))
    assert model.trainer_.torch_device.type == "cuda"
    assert isinstance(model.soft_assignments_, np.ndarray)  # snapshots come back to the CPU
    assert model.history_[-1]["nmi"] > 0.7 and model.history_[-1]["sharpness"] > 0.9


@pytest.mark.parametrize("method", ["tvgnn", "mincut", "dmon"])
def test_a_run_moves_from_cuda_to_cpu_and_back_without_losing_an_epoch(method: str) -> None:
    graph = load_graph("karate")
    config = RunConfig(clusters=2, epochs=30, seed=3, device="cuda", method=method, hidden=(16, 16), mlp=(8,))
    trainer = build_trainer(graph, config)
    list(trainer.step(10))
    trainer.to("cpu")
    list(trainer.step(10))
    assert trainer.torch_device.type == "cpu" and trainer.epoch == 20
    trainer.to("cuda")
    trainer.run()
    assert trainer.epoch == 30 and [r["epoch"] for r in trainer.history] == list(range(31))
    assert all(np.isfinite(record["total"]) for record in trainer.history)
    assert all(p.device.type == "cuda" for p in trainer.model.parameters())


def test_cli_cluster_reports_the_cuda_device() -> None:
    done = subprocess.run([sys.executable, "-m", "gtvviz", "cluster", "--graph", "karate", "--clusters", "2",
                           "--epochs", "50", "--device", "cuda", "--json", "-"], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout)["device"].startswith("cuda")


def test_pooling_classifier_trains_a_batch_on_cuda() -> None:
    dataset = prepare_graphs("synthetic", make_synthetic_graphs(num_graphs=16, min_nodes=8, max_nodes=14, seed=1))
    config = ClassifyConfig(epochs=2, batch_size=4, device="cuda")
    trainer = ClassifierTrainer(build_classifier(dataset, config), dataset.graphs[:12], dataset.graphs[12:], config)
    records = trainer.step(3)
    assert records and np.isfinite(records[-1].losses["total"])
    assert next(trainer.model.parameters()).device.type == "cuda"
    batch = Batch.from_data_list(dataset.graphs[:3]).to(CUDA)
    logits = trainer.model(batch.x, batch.edge_index, None, batch.batch).logits
    assert logits.shape[0] == 3 and logits.device.type == "cuda"


def test_memory_is_linear_in_the_edges_on_a_graph_without_room_for_a_dense_adjacency() -> None:
    """N = 400,000: a dense N x N float32 matrix would take 640 GB. A GTVConv layer of 64 channels, its backward
    pass and the AsymCheegerCut loss with K = 8 stay within a small multiple of E x (H + K) floats."""
    n, degree, hidden, k = 400_000, 10, 64, 8
    generator = torch.Generator().manual_seed(0)
    src = torch.randint(0, n, (n * degree // 2,), generator=generator)
    dst = torch.randint(0, n, (n * degree // 2,), generator=generator)
    keep = src != dst
    edge_index = torch.cat([torch.stack([src[keep], dst[keep]]), torch.stack([dst[keep], src[keep]])], 1).to(CUDA)
    x = torch.randn(n, 32, device=CUDA)
    conv, head = GTVConv(32, hidden).to(CUDA), torch.nn.Linear(hidden, k).to(CUDA)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    s = head(conv(x, edge_index)).softmax(dim=-1)
    asym_cheeger_cut_loss(s, edge_index)["total"].backward()
    torch.cuda.synchronize()
    used = torch.cuda.max_memory_allocated() - base
    edges = edge_index.size(1)
    assert used < 8 * 4 * edges * (hidden + k), f"{used / 2**20:.0f} MB for {edges} edges"
