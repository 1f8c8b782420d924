"""Tables, snapshot replay, the pyvis view, thumbnails and the Theory page's per-edge quantities."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
import torch

from gtvviz import Graph, RunConfig, build_trainer
from gtvviz.errors import GtvvizError
from gtvviz.nn.losses import asym_norm_loss, gtv_loss
from gtvviz.train import Snapshot
from gtvviz.viz import (
    PYVIS_LIMIT,
    SnapshotRecorder,
    assignments_table,
    history_table,
    node_table,
    pyvis_html,
    to_csv,
)
from gtvviz.viz.layout import compute_layout
from gtvviz.viz.theory import balance_quantiles, edge_variation, first_gtv_layer, layer_gamma
from gtvviz.viz.thumbnail import thumbnail_png

GRAPH = Graph.from_edges([["a", "b"], ["b", "c"], ["c", "d"], ["a", "c"]], node_ids=["a", "b", "c", "d"],
                         y=[0, 0, 1, -1])
S = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.5, 0.5]], dtype=np.float32)


def snap(epoch: int, n: int = 100, k: int = 4) -> Snapshot:
    return Snapshot(epoch, np.full((n, k), 1 / k, dtype=np.float32), {"total": 1.0}, {}, 0.0)


def test_assignments_table_columns_and_values() -> None:
    table = assignments_table(GRAPH, S)
    assert list(table.columns) == ["node", "name", "label", "cluster", "confidence", "s_0", "s_1"]
    assert table["name"].tolist() == ["a", "b", "c", "d"]
    assert table["label"].isna().tolist() == [False, False, False, True]
    assert table["cluster"].tolist() == [0, 0, 1, 0]
    back = pd.read_csv(io.StringIO(to_csv(table)))
    np.testing.assert_allclose(back[["s_0", "s_1"]].to_numpy(), S, rtol=1e-6)


def test_node_and_history_tables() -> None:
    nodes = node_table(GRAPH)
    assert nodes["degree"].tolist() == [2, 2, 3, 1]
    history = history_table([{"epoch": 0, "total": 1.0}, {"epoch": 1, "total": 0.5, "nmi": 0.2}])
    assert list(history.columns) == ["epoch", "total", "nmi"] and len(history) == 2


def test_recorder_keeps_every_epoch_within_budget() -> None:
    recorder = SnapshotRecorder(budget=10**9)
    for epoch in range(20):
        recorder.add(snap(epoch))
    assert recorder.epochs() == list(range(20)) and recorder.stride == 1
    assert recorder.get(7).epoch == 7 and recorder.get(99).epoch == 19


def test_recorder_thins_to_stay_in_budget() -> None:
    one = snap(0).s.nbytes
    recorder = SnapshotRecorder(budget=10 * one)
    for epoch in range(101):
        recorder.add(snap(epoch))
    assert recorder.nbytes <= 10 * one
    epochs = recorder.epochs()
    assert epochs[0] == 0 and epochs[-1] == 100
    assert recorder.stride > 1 and all(e % recorder.stride == 0 for e in epochs[:-1])
    assert recorder.get(recorder.stride + 1).epoch == recorder.stride  # nearest recorded epoch before


def test_recorder_empty() -> None:
    with pytest.raises(LookupError):
        SnapshotRecorder().get(0)


def test_pyvis_view_is_self_contained_and_safe() -> None:
    graph = Graph.from_edges([["<script>x</script>", "b"]], node_ids=["<script>x</script>", "b"])
    html = pyvis_html(graph, np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert "vis-network" in html or "vis.Network" in html
    assert not re.findall(r'(?:src|href)="https?://', html)  # works offline
    assert "<script>x</script>" not in html
    too_big = Graph.from_edges(np.stack([np.arange(PYVIS_LIMIT), np.arange(1, PYVIS_LIMIT + 1)]), PYVIS_LIMIT + 1)
    with pytest.raises(GtvvizError):
        pyvis_html(too_big)


def test_thumbnail_is_a_png() -> None:
    png = thumbnail_png(GRAPH, compute_layout(GRAPH), size=64)
    assert png.startswith(b"\x89PNG")


def test_edge_variation_and_quantiles_match_the_loss() -> None:
    tv = edge_variation(GRAPH, S)
    expected = gtv_loss(torch.tensor(S), GRAPH.edge_index)
    assert tv.sum() / (2 * GRAPH.num_edges) == pytest.approx(float(expected), rel=1e-6)
    q = balance_quantiles(S)
    n, k = S.shape
    d = S - q
    an = 1 - np.where(d >= 0, (k - 1) * d, -d).sum() / (n * (k - 1))
    assert an == pytest.approx(float(asym_norm_loss(torch.tensor(S))), rel=1e-6)


def test_layer_gamma_is_the_first_layers_edge_gamma() -> None:
    trainer = build_trainer(GRAPH, RunConfig(hidden=(8,), mlp=(), epochs=3))
    layer = first_gtv_layer(trainer.model)
    assert layer is not None
    gamma = layer_gamma(layer, GRAPH, trainer.x)
    full = layer.edge_gamma(trainer.x, GRAPH.edge_index).detach().numpy()
    upper = (GRAPH.edge_index[0] < GRAPH.edge_index[1]).numpy()
    np.testing.assert_allclose(gamma, full[upper], rtol=1e-6)
    assert len(gamma) == GRAPH.num_edges and np.all(gamma > 0) and np.all(gamma <= 1 / layer.eps + 1e-6)
    assert first_gtv_layer(torch.nn.Linear(2, 2)) is None
