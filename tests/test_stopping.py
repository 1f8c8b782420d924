"""The loss-plateau stopping rule on synthetic loss curves."""

from __future__ import annotations

import math

import numpy as np

from gtvviz.stopping import LossPlateau


def first_stop(rule: LossPlateau, losses: np.ndarray) -> int | None:
    for loss in losses:
        if rule.update(float(loss)):
            return rule.stopped_at
    return None


def test_stops_on_a_flat_loss_at_min_epochs() -> None:
    rule = LossPlateau(window=20, rel_tol=0.01, min_epochs=30)
    assert first_stop(rule, np.full(100, 0.7)) == 30


def test_stops_after_the_decrease_levels_off() -> None:
    """Loss 1 + 9 exp(-t/20): the last 20 epochs gain 9 e^{-t/20} (e^{1} - 1) <= 0.01 * 9 (1 - e^{-t/20})
    first at t = 20 ln(100 (e - 1) + 1) ~ 103 epochs (counting losses from 1: t + 1)."""
    t = np.arange(400)
    rule = LossPlateau(window=20, rel_tol=0.01, min_epochs=30)
    expected = math.ceil(20 * math.log(100 * (math.e - 1) + 1)) + 1
    assert abs(first_stop(rule, 1 + 9 * np.exp(-t / 20)) - expected) <= 1  # type: ignore[operator]


def test_never_stops_while_the_loss_keeps_falling_linearly() -> None:
    rule = LossPlateau(window=50, rel_tol=0.01, min_epochs=100)
    assert first_stop(rule, -np.arange(1000.0)) is None


def test_scale_and_sign_of_the_loss_do_not_matter() -> None:
    t = np.arange(400)
    curve = 1 + 9 * np.exp(-t / 30)
    stops = {first_stop(LossPlateau(), scale * curve + offset) for scale, offset in [(1, 0), (1e4, -5e4), (1e-3, -2)]}
    assert len(stops) == 1 and stops != {None}


def test_min_epochs_keeps_a_run_whose_loss_starts_falling_late() -> None:
    losses = np.concatenate([np.full(60, 1.0), np.linspace(1.0, 0.0, 100)])
    assert first_stop(LossPlateau(window=20, min_epochs=80), losses) is None  # the drop starts before epoch 80
    assert first_stop(LossPlateau(window=20, min_epochs=40), losses) == 40


def test_non_finite_losses_are_not_progress_and_reset_forgets() -> None:
    rule = LossPlateau(window=5, rel_tol=0.01, min_epochs=10)
    losses = [5.0, 4.0, 3.0, 2.0, 1.0] + [math.nan] * 10
    assert first_stop(rule, np.array(losses)) == 10
    rule.reset()
    assert rule.stopped_at is None and not rule.update(1.0)
