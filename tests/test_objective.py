"""The objective above nn/: fed by the trainer's one collapse detector, or watching on its own."""

from __future__ import annotations

import torch

from gtvviz import RunConfig, build_trainer
from gtvviz.data import load_graph
from gtvviz.objective import AsymCheegerCutObjective, TrainingPolicy


def test_a_trainer_s_signal_engages_the_remedy_at_that_epoch() -> None:
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    sharp = torch.eye(3)
    objective = AsymCheegerCutObjective(0.785, 0.514)
    for epoch in range(7):
        objective.set_epoch(epoch, collapsed=False)
        objective(sharp, edge_index)
    assert objective.engaged_at is None
    objective.set_epoch(7, collapsed=True)
    assert objective.engaged_at == 7
    objective.set_epoch(8, collapsed=True)
    assert objective.engaged_at == 7  # engaged once
    fixed = AsymCheegerCutObjective(0.785, 0.514, balance_weight="fixed")
    fixed.set_epoch(3, collapsed=True)
    assert fixed.engaged_at is None


def test_in_a_trainer_one_detector_watches_the_run() -> None:
    config = RunConfig(clusters=2, hidden=(8,), mlp=(4,), epochs=5, device="cpu")
    trainer = build_trainer(load_graph("karate"), config)
    assert isinstance(trainer.objective, TrainingPolicy)
    trainer.run()
    assert trainer.objective._detector.streak == 0 and trainer.objective._watched_epoch == -1  # never fed itself
