"""The uniform-assignment trap: detected by the trainer, avoided by the adaptive balance weight (the
default), reproduced with ``balance_weight="fixed"`` (the reference); the GTV warm-up schedule as an option."""

import numpy as np
import pytest
import torch

from gtvviz.config import RunConfig
from gtvviz.data import generate
from gtvviz.errors import ConfigError
from gtvviz.graph import Graph
from gtvviz.methods import build_trainer
from gtvviz.nn.losses import asym_cheeger_cut_loss
from gtvviz.objective import AsymCheegerCutObjective, cut_ratio
from tests import reference_math as ref


def bag_of_words_sbm(seed: int = 0, signal: float = 0.3) -> Graph:
    """A trapping case: 4 blocks of 100 nodes, p_in 0.05, p_out 0.01, 16 weak word-count features."""
    return generate("word_sbm", blocks=4, size=100, p_in=0.05, p_out=0.01, words=16, signal=signal, seed=seed)


def test_objective_warmup_schedule() -> None:
    s = torch.softmax(torch.randn(6, 3), -1)
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    objective = AsymCheegerCutObjective(alpha1=0.8, alpha2=0.5, warmup=10, balance_weight="fixed")
    full = asym_cheeger_cut_loss(s, edge_index, None, 0.8, 0.5)
    objective.set_epoch(5)
    terms = objective(s, edge_index)
    assert torch.isclose(terms["total"], full["total"])
    assert torch.isclose(terms["train_total"], 0.4 * terms["gtv"] + 0.5 * terms["balance"])
    objective.set_epoch(10)
    assert "train_total" not in objective(s, edge_index)
    assert AsymCheegerCutObjective(0.8, 0.5, warmup=0).gtv_weight == 0.8


def test_adaptive_balance_weight_by_hand() -> None:
    adaptive = AsymCheegerCutObjective(alpha1=0.785, alpha2=0.514)
    assert adaptive.balance_weight_for(gtv=0.3, balance=0.6) == 0.514  # not engaged yet
    adaptive.engaged_at = 0
    # cut ratio G / B = 0.3 / (1 - 0.6) = 0.75 > alpha2 / alpha1: weight 1.1 * 0.785 * 0.75 = 0.647625
    assert adaptive.balance_weight_for(gtv=0.3, balance=0.6) == pytest.approx(0.647625, abs=1e-12)
    # ratio 0.1 / 0.5 = 0.2: well below, the reference weight
    assert adaptive.balance_weight_for(gtv=0.1, balance=0.5) == 0.514
    assert adaptive.balance_weight_for(gtv=0.0, balance=1.0) == 0.514  # exactly uniform: B = 0
    assert cut_ratio(0.3, 0.6) == pytest.approx(0.75) and cut_ratio(0.0, 1.0) is None
    assert AsymCheegerCutObjective(0.785, 0.514, balance_weight="fixed").balance_weight_for(0.3, 0.6) == 0.514
    with pytest.raises(ConfigError, match="balance_weight must be one of adaptive, fixed"):
        AsymCheegerCutObjective(balance_weight="ratio")


def test_the_remedy_engages_only_when_the_detector_fires() -> None:
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    uniform, sharp = torch.full((3, 3), 1 / 3), torch.eye(3)
    objective = AsymCheegerCutObjective(0.785, 0.514)
    for epoch in range(49):
        objective.set_epoch(epoch)
        objective(uniform, edge_index)
        objective(uniform, edge_index)  # a second call in the same epoch (a retried step) does not count
    assert objective.engaged_at is None
    objective.set_epoch(49)
    objective(uniform, edge_index)
    assert objective.engaged_at == 49
    assert objective.balance_weight_for(0.3, 0.6, epoch=48) == 0.514 < objective.balance_weight_for(0.3, 0.6)
    objective.reset()
    assert objective.engaged_at is None
    for epoch in range(200):
        objective.set_epoch(epoch)
        objective(sharp, edge_index)
    assert objective.engaged_at is None
    fixed = AsymCheegerCutObjective(0.785, 0.514, balance_weight="fixed")
    for epoch in range(60):
        fixed.set_epoch(epoch)
        fixed(uniform, edge_index)
    assert fixed.engaged_at is None


def _ray(t: float, direction: np.ndarray) -> np.ndarray:
    return 1.0 / direction.shape[1] + t * direction


def test_uniform_attracts_the_reference_loss_and_repels_the_adaptive_gradient() -> None:
    """Along S = 1/K + tD, D a random balanced partition minus 1/K, both terms grow linearly in t (numpy, by
    the equations): with a cut ratio above alpha2/alpha1 the reference loss rises with t (the trap), while the
    gradient gtvviz takes has a negative derivative in t (torch autograd through the library's objective)."""
    rng = np.random.default_rng(3)
    n, k, alpha1, alpha2 = 40, 4, 0.785, 0.514
    a = np.triu(rng.random((n, n)) < 0.2, 1).astype(float)
    a = a + a.T
    direction = np.eye(k)[rng.permutation(np.arange(n) % k)] - 1.0 / k
    t = 1e-3
    g1, b1 = ref.gtv_loss(_ray(t, direction), a), 1 - ref.asym_norm_loss(_ray(t, direction))
    g2, b2 = ref.gtv_loss(_ray(2 * t, direction), a), 1 - ref.asym_norm_loss(_ray(2 * t, direction))
    assert g2 == pytest.approx(2 * g1, rel=1e-9) and b2 == pytest.approx(2 * b1, rel=1e-9)
    assert g1 / b1 > alpha2 / alpha1
    reference = [alpha1 * g + alpha2 * (1 - b) for g, b in ((0.0, 0.0), (g1, b1), (g2, b2))]
    assert reference[0] < reference[1] < reference[2]

    edge_index = torch.tensor(np.argwhere(a).T)
    step = torch.tensor(t, dtype=torch.float64, requires_grad=True)
    s = 1.0 / k + step * torch.tensor(direction)
    adaptive = AsymCheegerCutObjective(alpha1, alpha2)
    adaptive.engaged_at = 0  # (as after the detector has fired)
    terms = adaptive(s, edge_index)
    (slope,) = torch.autograd.grad(terms["train_total"], step)
    weight = 1.1 * alpha1 * g1 / b1
    assert slope.item() == pytest.approx((alpha1 * g1 - weight * b1) / t, rel=1e-6)
    assert slope.item() < 0
    assert terms["total"].item() == pytest.approx(reference[1], rel=1e-9)
    s = 1.0 / k + step * torch.tensor(direction)
    fixed = AsymCheegerCutObjective(alpha1, alpha2, balance_weight="fixed")(s, edge_index)
    assert "train_total" not in fixed
    (fixed_slope,) = torch.autograd.grad(fixed["total"], step)
    assert fixed_slope.item() > 0


@pytest.mark.slow
def test_the_trap_is_flagged_and_a_good_run_is_not() -> None:
    small = dict(clusters=4, epochs=90, hidden=(64, 64), mlp=(32,), device="cpu", seed=0, balance_weight="fixed")
    trapped = build_trainer(bag_of_words_sbm(), RunConfig(**small), metrics_every=90)
    trapped.run()
    assert trapped.last.collapsed and trapped.last.metrics["nmi"] < 0.05
    good = build_trainer(bag_of_words_sbm(signal=1.0), RunConfig(**{**small, "lr": 0.01}), metrics_every=90)
    good.run()
    assert not good.last.collapsed and good.last.metrics["nmi"] > 0.5


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_the_default_escapes_the_trap_that_holds_the_reference(seed: int) -> None:
    """The 4-block bag-of-words SBM: the reference weights stay at S = 1/K (loss alpha2), the default leaves it
    once the detector fires, for a sharper assignment that correlates with the blocks and has a lower value of the
    reference loss itself."""
    small = dict(clusters=4, epochs=300, hidden=(64, 64), mlp=(32,), device="cpu", seed=seed)
    runs = {}
    for weight in ("fixed", "adaptive"):
        runs[weight] = build_trainer(bag_of_words_sbm(), RunConfig(**small, balance_weight=weight), metrics_every=90)
        runs[weight].run()
    trapped, escaped = runs["fixed"].last, runs["adaptive"].last
    assert trapped.collapsed and trapped.metrics["nmi"] < 0.05
    assert trapped.losses["total"] == pytest.approx(0.514, abs=1e-3)
    assert runs["adaptive"].objective.engaged_at == 49  # waited for the detector, as the reference run did
    assert not escaped.collapsed and escaped.metrics["nmi"] > 0.15 and escaped.metrics["sharpness"] > 0.5
    assert escaped.losses["total"] < trapped.losses["total"] - 0.005
