"""The label-free stop wired into the Trainer (``stop="plateau"``), and the clusters-used / partial-collapse fields
of snapshots and summaries."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import Tensor

from gtvviz.config import RunConfig
from gtvviz.data import load_sample
from gtvviz.errors import ConfigError
from gtvviz.graph import Graph
from gtvviz.methods import build_trainer
from gtvviz.stopping import GuardedPlateau, LossPlateau
from gtvviz.train import Snapshot, Trainer

N, K = 40, 4


class FixedAssignment(torch.nn.Module):
    """S = softmax of fixed logits (a chosen assignment), with one trainable scalar w that only the loss sees."""

    def __init__(self, logits: Tensor) -> None:
        super().__init__()
        self.logits = logits
        self.w = torch.nn.Parameter(torch.zeros(()))

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.w.zero_()

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        return torch.softmax(self.logits + 0.0 * self.w, dim=-1)


class Quadratic:
    """total = (w - 1)^2 through the model's scalar: Adam drives it to 0 and the loss flattens. ``engage_at``
    plays a remedy that changes the objective at that epoch (its ``engaged_at``, as the adaptive objective's)."""

    def __init__(self, model: FixedAssignment, engage_at: int | None = None) -> None:
        self.model, self.engage_at, self.engaged_at, self.epoch = model, engage_at, None, 0
        self.escaping, self.rejected_at = False, None

    def set_epoch(self, epoch: int, collapsed: bool | None = None, partial: bool | None = None) -> None:
        self.epoch = epoch
        if self.engage_at is not None and epoch >= self.engage_at:
            self.engaged_at = self.engage_at

    def reset(self) -> None:
        self.engaged_at = None

    def __call__(self, s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> dict[str, Tensor]:
        return {"total": (self.model.w - 1.0) ** 2 + 0.0 * s.sum()}


def ring() -> Graph:
    return Graph.from_edges([(i, (i + 1) % N) for i in range(N)], N, x=np.ones((N, 1)))


def synthetic_trainer(labels: np.ndarray | None, stop: str = "plateau", epochs: int = 600,
                      engage_at: int | None = None) -> Trainer:
    """A trainer whose assignment is one-hot-like on ``labels`` (uniform when ``None``) and whose loss plateaus."""
    logits = torch.zeros(N, K) if labels is None else 8.0 * torch.eye(K)[torch.as_tensor(labels)]
    model = FixedAssignment(logits)
    return Trainer(ring(), model, Quadratic(model, engage_at), lr=0.05, epochs=epochs, device="cpu", stop=stop)


BALANCED = np.repeat(np.arange(K), N // K)


def test_a_plateau_stops_a_healthy_run_before_the_limit() -> None:
    trainer = synthetic_trainer(BALANCED)
    trainer.run()
    assert trainer.stopped_at is not None and trainer.done
    assert 100 <= trainer.stopped_at < 600 and trainer.epoch == trainer.stopped_at
    assert trainer.last.metrics and trainer.summary()["stopped_at"] == trainer.stopped_at
    assert not trainer.last.partial_collapse and trainer.last.clusters_used == K


def test_the_default_rule_trains_every_epoch() -> None:
    trainer = synthetic_trainer(BALANCED, stop="epochs")
    trainer.run()
    assert trainer.epoch == 600 and trainer.stopped_at is None and trainer.summary()["stopped_at"] is None


@pytest.mark.parametrize("labels", [None, np.repeat([0, 1, 2, 2], N // K), np.zeros(N, dtype=int)],
                         ids=["uniform", "three of four clusters", "one cluster"])
def test_a_degenerate_run_never_stops_on_its_plateau(labels: np.ndarray | None) -> None:
    trainer = synthetic_trainer(labels)
    trainer.run()
    assert trainer.epoch == 600 and trainer.stopped_at is None
    assert trainer.last.partial_collapse and trainer.summary()["partial_collapse"]


def test_a_remedy_that_engages_restarts_the_patience() -> None:
    plain = synthetic_trainer(BALANCED)
    plain.run()
    assert plain.stopped_at is not None
    engage = plain.stopped_at - 10  # the loss is flat by then: without the restart the run would stop 10 later
    remedied = synthetic_trainer(BALANCED, engage_at=engage)
    remedied.run()
    assert remedied.stopped_at is not None and remedied.stopped_at >= engage + LossPlateau().min_epochs - 1


def test_reset_forgets_the_stop() -> None:
    trainer = synthetic_trainer(BALANCED)
    trainer.run()
    trainer.reset()
    assert trainer.stopped_at is None and not trainer.done and trainer.epoch == 0


def test_guarded_plateau_counts_only_healthy_epochs() -> None:
    rule = GuardedPlateau(LossPlateau(window=5, rel_tol=0.01, min_epochs=10))
    assert not any(rule.update(e, 1.0, degenerate=True) for e in range(50))  # a flat, degenerate run
    verdicts = [rule.update(50 + e, 1.0, degenerate=False) for e in range(10)]
    assert verdicts == [False] * 9 + [True] and rule.stopped_at == 59
    rule.reset()
    assert rule.stopped_at is None and not rule.update(0, 1.0, degenerate=False)


def test_clusters_used_and_partial_collapse_by_hand() -> None:
    # K = 4, N = 84: fair share 21, a tenth of it 2.1 nodes. Sizes 50, 30, 2, 2: two clusters used.
    labels = np.repeat([0, 1, 2, 3], [50, 30, 2, 2])
    s = np.eye(4, dtype=np.float32)[labels] * 0.7 + 0.075
    snapshot = Snapshot(3, s, {"total": 0.5}, {}, 0.0)
    assert snapshot.clusters_used == 2 and snapshot.partial_collapse
    row = snapshot.record()
    assert row["clusters_used"] == 2.0 and row["partial_collapse"] == 1.0
    labels = np.repeat([0, 1, 2, 3], [30, 27, 24, 3])  # 3 >= 2.1 nodes: every cluster used, largest 36%
    healthy = Snapshot(3, np.eye(4, dtype=np.float32)[labels], {"total": 0.5}, {}, 0.0)
    assert healthy.clusters_used == 4 and not healthy.partial_collapse


def test_run_config_stop_field() -> None:
    assert RunConfig().stop == "epochs"
    config = RunConfig(stop="plateau")
    assert RunConfig.from_json(config.to_json()) == config and RunConfig.from_query(config.to_query())[0] == config
    with pytest.raises(ConfigError, match="stop must be one of"):
        RunConfig(stop="never")
    with pytest.raises(ConfigError, match="full-batch"):
        RunConfig(stop="plateau", batch_nodes=100)


def test_a_real_run_stops_on_its_plateau() -> None:
    left = [(i, j) for i in range(6) for j in range(i + 1, 6)]
    edges = left + [(i + 6, j + 6) for i, j in left] + [(5, 6)]
    x = np.vstack([np.eye(2)[[0] * 6], np.eye(2)[[1] * 6]]) + 0.05
    graph = Graph.from_edges(edges, 12, x=x, y=[0] * 6 + [1] * 6)
    config = RunConfig(clusters=2, epochs=2000, lr=0.01, hidden=(16, 16), mlp=(8,), device="cpu", stop="plateau")
    trainer = build_trainer(graph, config)
    trainer.run()
    summary = trainer.summary()
    assert summary["stopped_at"] is not None and summary["epochs"] == summary["stopped_at"] < 2000
    assert summary["clusters_used"] == 2 and not summary["partial_collapse"] and summary["last"]["nmi"] == pytest.approx(1.0)


def test_the_cli_and_the_estimator_take_the_plateau_rule(tmp_path) -> None:
    from gtvviz import TVGNNClustering
    from gtvviz.cli import main

    out = tmp_path / "run.json"
    assert main(["cluster", "--graph", "karate", "--clusters", "2", "--epochs", "3000", "--device", "cpu",
                 "--stop", "plateau", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["stopped_at"] is not None and result["epochs"] == result["stopped_at"] < 3000
    assert result["config"]["stop"] == "plateau"
    estimator = TVGNNClustering(2, epochs=3000, stop="plateau", device="cpu", random_state=0)
    assert estimator.get_params()["stop"] == "plateau"
    graph = load_sample("karate")
    estimator.fit(graph)
    assert estimator.summary_["stopped_at"] is not None and len(estimator.labels_) == 34
