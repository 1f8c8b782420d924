"""The runner contract: the clustering Trainer, the Comparison and the classifier's trainer all satisfy it."""

from __future__ import annotations

import pytest

from gtvviz import RunConfig, build_trainer
from gtvviz.classification import (ClassifierTrainer, ClassifyConfig, build_classifier, make_synthetic_graphs,
                                   prepare_graphs)
from gtvviz.compare import Comparison, ComparisonFrame
from gtvviz.data import load_graph
from gtvviz.runner import Runner
from gtvviz.train import Snapshot

SMALL = RunConfig(clusters=2, hidden=(8,), mlp=(4,), lr=1e-2, epochs=6, device="cpu")


@pytest.fixture(scope="module")
def graph():
    return load_graph("karate")


def _classifier() -> ClassifierTrainer:
    dataset = prepare_graphs("synthetic", make_synthetic_graphs(num_graphs=16, min_nodes=8, max_nodes=14, seed=1))
    config = ClassifyConfig(epochs=3, batch_size=4)
    return ClassifierTrainer(build_classifier(dataset, config), dataset.graphs[:12], dataset.graphs[12:], config)


def test_every_runner_satisfies_the_protocol(graph) -> None:
    for runner in (build_trainer(graph, SMALL), Comparison(graph, SMALL, ("tvgnn", "kmeans")), _classifier()):
        assert isinstance(runner, Runner)
        assert runner.epoch == 0 and not runner.done


def test_trainer_step_is_eager_and_stops_at_the_end(graph) -> None:
    trainer = build_trainer(graph, SMALL)
    frames = trainer.step(4)  # trains now, without iterating
    assert trainer.epoch == 4 and isinstance(frames, list) and [f.epoch for f in frames] == [1, 2, 3, 4]
    assert all(isinstance(f, Snapshot) for f in frames) and trainer.latest is frames[-1]
    assert [f.epoch for f in trainer.step(10)] == [5, 6] and trainer.done and trainer.step(3) == []
    trainer.reset()
    assert trainer.epoch == 0 and trainer.latest.epoch == 0


def test_a_zero_budget_stops_after_one_step(graph) -> None:
    trainer = build_trainer(graph, SMALL)
    assert [f.epoch for f in trainer.step(5, budget=0.0)] == [1]
    comparison = Comparison(graph, SMALL, ("tvgnn", "mincut"))
    assert [f.epoch for f in comparison.step(5, budget=0.0)] == [1]


def test_comparison_frames_hold_every_method_at_the_same_epoch(graph) -> None:
    comparison = Comparison(graph, SMALL, ("tvgnn", "mincut", "kmeans"))
    frames = comparison.step(3)
    assert all(isinstance(f, ComparisonFrame) for f in frames) and [f.epoch for f in frames] == [1, 2, 3]
    assert {m: s.epoch for m, s in frames[-1].snapshots.items()} == {"tvgnn": 3, "mincut": 3, "kmeans": 0}
    assert comparison.latest.snapshots["tvgnn"] is comparison.trainers["tvgnn"].last


def test_classifier_steps_are_mini_batches_and_reset_starts_again_exactly() -> None:
    trainer = _classifier()
    assert trainer.steps_per_epoch == 3 and trainer.latest is None
    records = trainer.step(trainer.steps_per_epoch)
    assert [r.epoch for r in records] == [1] and trainer.latest is records[0]
    trainer.reset()
    assert trainer.epoch == 0 and trainer.latest is None
    again = trainer.step(trainer.steps_per_epoch)
    assert again[0].losses == records[0].losses and again[0].val_loss == records[0].val_loss
