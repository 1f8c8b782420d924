"""The escape from partial collapse: the spectral bisection that proposes, the state machine that follows and
judges, and the trainer that keeps and restores the point where an escape began."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import Tensor

from gtvviz.escape import (
    HORIZON,
    JUDGE,
    PATIENCE,
    PartialCollapseEscape,
    reseed_partition,
    sweep_bisection,
)
from gtvviz.graph import Graph
from gtvviz.metrics import nmi
from gtvviz.nn.losses import asym_cheeger_cut_loss
from gtvviz.objective import AsymCheegerCutObjective
from gtvviz.train import Trainer


def cliques(sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Cliques of the given sizes joined in a ring by one edge between consecutive cliques: directed edge list
    (both directions) and the clique of every node."""
    edges, block, start = [], [], 0
    firsts = []
    for b, size in enumerate(sizes):
        nodes = range(start, start + size)
        edges += [(i, j) for i in nodes for j in nodes if i < j]
        block += [b] * size
        firsts.append(start)
        start += size
    if len(sizes) > 1:
        edges += [(firsts[b] + 1, firsts[(b + 1) % len(sizes)]) for b in range(len(sizes))]
    pairs = np.array(edges).T
    return np.concatenate([pairs, pairs[::-1]], axis=1), np.array(block)


def test_sweep_bisection_cuts_the_bridge_and_returns_the_smaller_side() -> None:
    edge_index, _ = cliques([10, 20])
    side = sweep_bisection(edge_index, np.arange(30), 30, min_size=3)
    # The only cut of one edge is the bridge; with ratio 2 / 10 (both directions) it beats every other prefix.
    assert sorted(side.tolist()) == list(range(10))


def test_sweep_bisection_respects_the_smallest_side_and_stays_inside_the_cluster() -> None:
    edge_index, _ = cliques([10, 20])
    assert sweep_bisection(edge_index, np.arange(30), 30, min_size=16) is None  # no split leaves 16 each side
    inside = np.arange(10, 30)  # the 20-clique alone: any split is balanced, both sides within it
    side = sweep_bisection(edge_index, inside, 30, min_size=5)
    assert side is not None and set(side.tolist()) <= set(inside.tolist()) and len(side) == 10


def test_reseed_partition_splits_a_merged_cluster_into_its_cliques() -> None:
    edge_index, block = cliques([12, 12, 12, 12])
    labels = np.array([0] * 36 + [1] * 12)  # clusters 2 and 3 are empty; cluster 0 holds three cliques
    reseeded = reseed_partition(labels, edge_index, 4, min_size=2)
    assert nmi(block, reseeded) == pytest.approx(1.0)
    assert reseed_partition(block, edge_index, 4, min_size=2) is None  # every cluster used: nothing to re-seed


def one_hot(labels: np.ndarray, k: int, scale: float = 6.0) -> Tensor:
    return torch.softmax(scale * torch.eye(k)[torch.as_tensor(labels)], dim=-1)


def drive(escape: PartialCollapseEscape, s: Tensor, edge_index: np.ndarray, losses: list[float],
          partial: bool = True, start: int = 0) -> None:
    for epoch, total in enumerate(losses, start):
        escape.update(epoch, partial, s, torch.as_tensor(edge_index), None, total)


def test_the_escape_re_seeds_a_settled_partial_collapse_and_not_a_good_or_moving_run() -> None:
    edge_index, block = cliques([12, 12, 12])
    merged = one_hot(np.where(block == 2, 1, 0), 3)
    escape = PartialCollapseEscape()
    drive(escape, merged, edge_index, [0.3] * PATIENCE)
    assert escape.phase == "watch"  # PATIENCE epochs seen, the loss's fall over them not yet measured
    drive(escape, merged, edge_index, [0.3], start=PATIENCE)
    assert escape.escaping and escape.reseeded_at == [PATIENCE]
    assert nmi(block, escape.target.numpy()) == pytest.approx(1.0)
    cross_entropy = escape.loss(merged)
    assert cross_entropy.item() == pytest.approx(
        -np.mean(np.log(merged.numpy()[np.arange(36), escape.target.numpy()])), rel=1e-6)

    good = PartialCollapseEscape()
    drive(good, one_hot(block, 3), edge_index, [0.1] * 100, partial=False)
    assert good.phase == "watch" and not good.reseeded_at
    moving = PartialCollapseEscape()  # partially collapsed but its loss still falls 1% an epoch: not settled
    drive(moving, merged, edge_index, [0.3 * 0.99 ** e for e in range(100)])
    assert not moving.reseeded_at
    soft = PartialCollapseEscape()  # argmax uses two clusters but the assignment is near uniform: undecided
    drive(soft, one_hot(np.where(block == 2, 1, 0), 3, scale=0.1), edge_index, [0.5] * 100)
    assert not soft.reseeded_at


@pytest.mark.parametrize("after, verdict", [(0.2, "watch"), (0.35, "done")])
def test_the_loss_judges_the_escape(after: float, verdict: str) -> None:
    edge_index, block = cliques([12, 12, 12])
    merged = one_hot(np.where(block == 2, 1, 0), 3)
    escape = PartialCollapseEscape()
    drive(escape, merged, edge_index, [0.3] * (PATIENCE + 1))
    target = one_hot(escape.target.numpy(), 3)
    escape.update(PATIENCE + 1, True, target, torch.as_tensor(edge_index), None, 0.5)  # reached: settle
    assert escape.phase == "settle" and not escape.escaping
    drive(escape, target, edge_index, [after] * JUDGE, partial=False, start=PATIENCE + 2)
    assert escape.phase == verdict
    assert escape.rejected_at == (None if verdict == "watch" else PATIENCE + 1 + JUDGE)


class Logits(torch.nn.Module):
    """A free assignment: S = softmax(Z), Z a parameter initialised at ``init``. Planted with logit gaps of 30,
    an empty column's entries are about exp(-30): the loss's gradient through them is far below Adam's epsilon, the
    softmax lock of a partially collapsed TVGNN run."""

    def __init__(self, init: Tensor) -> None:
        super().__init__()
        self.init = init
        self.z = torch.nn.Parameter(init.clone())

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.z.copy_(self.init)

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        return torch.softmax(self.z, dim=-1)


def clique_trainer(labels: np.ndarray, balance_weight: str = "escape", epochs: int = 400) -> tuple[Trainer, np.ndarray]:
    edge_index, block = cliques([12, 12, 12])
    graph = Graph.from_edges([tuple(e) for e in edge_index.T if e[0] < e[1]], 36, x=np.ones((36, 1)))
    model = Logits(30.0 * torch.eye(3)[torch.as_tensor(labels)])
    objective = AsymCheegerCutObjective(0.785, 0.514, balance_weight=balance_weight)
    return Trainer(graph, model, objective, lr=0.5, epochs=epochs, device="cpu", metrics_every=epochs), block


@pytest.mark.slow
def test_a_trainer_escapes_a_planted_partial_collapse_and_leaves_a_good_run_alone() -> None:
    _, block = cliques([12, 12, 12])
    merged = np.where(block == 2, 1, 0)  # cliques 0 and 1 in cluster 0, cluster 2 empty
    trainer, _ = clique_trainer(merged)
    start = trainer.last.losses["total"]
    trainer.run()
    assert trainer.objective.reseeded_at and trainer.objective.rejected_at is None
    assert nmi(block, trainer.last.labels) == pytest.approx(1.0)
    assert trainer.last.losses["total"] < start and not trainer.last.partial_collapse

    for weight in ("fixed", "adaptive"):  # the reference and the default: no escape, the collapse stays
        stays, _ = clique_trainer(merged, balance_weight=weight)
        stays.run()
        assert not stays.objective.reseeded_at and stays.last.partial_collapse

    short, _ = clique_trainer(merged, epochs=HORIZON + PATIENCE - 1)  # too short to judge an escape: none starts
    short.run()
    assert not short.objective.reseeded_at

    good, _ = clique_trainer(block)
    good.run()
    assert not good.objective.reseeded_at and nmi(block, good.last.labels) == pytest.approx(1.0)


class ScriptedEscape:
    """The AsymCheegerCut loss with a scripted escape: following column 0's cross-entropy over epochs
    ``[begin, end)``, rejected at ``reject``."""

    def __init__(self, begin: int, end: int, reject: int | None) -> None:
        self.begin, self.end, self.reject = begin, end, reject
        self.engaged_at, self.escaping, self.rejected_at, self.epoch = None, False, None, 0

    def set_epoch(self, epoch: int, collapsed: bool | None = None, partial: bool | None = None) -> None:
        self.epoch = epoch
        self.escaping = self.begin <= epoch < self.end
        if self.reject is not None and epoch >= self.reject:
            self.rejected_at = self.reject

    def reset(self) -> None:
        self.escaping, self.rejected_at = False, None

    def __call__(self, s: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> dict[str, Tensor]:
        terms = asym_cheeger_cut_loss(s, edge_index, edge_weight, 0.785, 0.514)
        if self.escaping:
            terms["train_total"] = -torch.log(s[:, 0]).mean()
        return terms


def scripted_trainer(objective: ScriptedEscape) -> Trainer:
    edge_index, _ = cliques([6, 6])
    graph = Graph.from_edges([tuple(e) for e in edge_index.T if e[0] < e[1]], 12, x=np.ones((12, 1)))
    init = torch.randn(12, 2, generator=torch.Generator().manual_seed(0))
    return Trainer(graph, Logits(init), objective, lr=0.05, epochs=20, device="cpu")


def test_a_rejected_escape_returns_the_trainer_to_where_it_began() -> None:
    plain = scripted_trainer(ScriptedEscape(100, 100, None))
    plain.step(4)
    rolled = scripted_trainer(ScriptedEscape(3, 6, reject=8))
    rolled.step(9)
    # Epoch 9 of the rejected run is one step from the parameters and Adam state of epoch 3: epoch 4 of the
    # plain run (the same loss and gradient there).
    np.testing.assert_allclose(rolled.last.s, plain.last.s, rtol=0, atol=1e-6)
    kept = scripted_trainer(ScriptedEscape(3, 6, reject=None))
    kept.step(9)
    assert np.abs(kept.last.s - plain.last.s).max() > 1e-3  # without the rejection it went elsewhere
