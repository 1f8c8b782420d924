"""A start that first follows spectral clustering's partition: the following stops as documented, its loss is the
cross-entropy computed by hand, the objective and the trainer hand over to the AsymCheegerCut loss, and the start
finds the cliques that a random start merges."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gtvviz import RunConfig, build_trainer, load_graph
from gtvviz.errors import ConfigError
from gtvviz.escape import AGREEMENT, STEPS
from gtvviz.metrics import nmi
from gtvviz.nn.losses import asym_cheeger_cut_loss
from gtvviz.objective import AsymCheegerCutObjective
from gtvviz.spectral_start import ProposalStart


def test_the_loss_is_the_mean_negative_log_of_each_node_s_proposed_entry() -> None:
    s = torch.tensor([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]])
    start = ProposalStart(torch.tensor([0, 1]))
    assert float(start.loss(s)) == pytest.approx(-(math.log(0.7) + math.log(0.25)) / 2, rel=1e-6)


def test_following_ends_once_enough_nodes_agree_or_after_steps_epochs_and_starts_again_on_reset() -> None:
    target = torch.arange(100) % 4
    agreeing = torch.nn.functional.one_hot(target, 4).float() * 0.9 + 0.025
    start = ProposalStart(target)
    assert start.update(0, torch.full((100, 4), 0.25))  # argmax 0 everywhere: a quarter agree
    nearly = agreeing.clone()
    nearly[:2] = agreeing[:2].roll(1, dims=1)  # 98 of 100 nodes agree: fewer than AGREEMENT
    assert float((nearly.argmax(1) == target).float().mean()) == pytest.approx(0.98) and 0.98 < AGREEMENT
    assert start.update(1, nearly)
    assert not start.update(2, agreeing) and not start.following
    start.reset()
    assert start.following and start.update(STEPS - 1, torch.full((100, 4), 0.25))
    assert not start.update(STEPS, torch.full((100, 4), 0.25))


def test_the_objective_follows_the_proposal_then_hands_over_to_the_asymmetric_cheeger_cut_loss() -> None:
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    target = torch.tensor([0, 0, 1, 1])
    objective = AsymCheegerCutObjective(0.785, 0.514, start=ProposalStart(target))
    s = torch.full((4, 2), 0.5)
    objective.set_epoch(0)
    terms = objective(s, edge_index)
    reference = asym_cheeger_cut_loss(s, edge_index, None, 0.785, 0.514)
    assert objective.escaping and float(terms["train_total"]) == pytest.approx(math.log(2))
    assert float(terms["total"]) == pytest.approx(float(reference["total"]))  # the reference loss is reported
    sharp = torch.tensor([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.3, 0.7]])
    objective.set_epoch(1)
    terms = objective(sharp, edge_index)
    assert not objective.escaping and "train_total" not in terms
    objective.reset()
    assert objective.escaping


def test_init_spectral_needs_full_batch_training() -> None:
    with pytest.raises(ConfigError, match="init=spectral needs full-batch"):
        RunConfig(init="spectral", batch_nodes=100)


def test_a_spectral_start_finds_the_cliques_that_a_random_start_merges() -> None:
    graph = load_graph("ring_of_cliques")
    runs = {}
    for init in ("random", "spectral"):
        trainer = build_trainer(graph, RunConfig(graph="ring_of_cliques", clusters=6, seed=0, epochs=150, init=init,
                                                 device="cpu"))
        trainer.step(150)
        runs[init] = trainer.last
    assert runs["random"].clusters_used == 5 and nmi(graph.y, runs["random"].labels) < 0.95
    assert runs["spectral"].clusters_used == 6 and nmi(graph.y, runs["spectral"].labels) == pytest.approx(1.0)
    assert runs["spectral"].losses["total"] < runs["random"].losses["total"]
    assert np.all(np.bincount(runs["spectral"].labels, minlength=6) == 5)
