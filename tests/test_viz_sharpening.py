"""The sharpening window: the 10 %-90 % rise of the sharpness, found from recorded snapshots."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gtvviz.train import Snapshot
from gtvviz.viz import SnapshotRecorder
from gtvviz.viz.sharpening import (mark_epochs, sharpening_window, sharpness_of, sharpness_series,
                                   snapshots_window)
from gtvviz.viz.figures import loss_figure


def logistic(epochs: np.ndarray, centre: float, tau: float, low: float = 0.5, high: float = 1.0) -> np.ndarray:
    return low + (high - low) / (1.0 + np.exp(-(epochs - centre) / tau))


def test_window_of_a_logistic_rise_is_its_10_to_90_percent_points() -> None:
    epochs = np.arange(0, 500)
    values = logistic(epochs, centre=25.0, tau=4.0)
    window = sharpening_window(epochs, values, k=2, pad=0)
    assert window is not None
    low, rise = values[0], values.max() - values[0]
    # by hand: the first epoch at or above low + 0.1 rise and low + 0.9 rise
    first = next(e for e, v in zip(epochs, values) if v >= low + 0.1 * rise)
    last = next(e for e, v in zip(epochs, values) if v >= low + 0.9 * rise)
    assert (window.start, window.end) == (first, last)
    # and, for a logistic that starts near its floor, close to centre -/+ tau ln 9
    assert abs(window.start - (25 - 4 * math.log(9))) <= 1.5 and abs(window.end - (25 + 4 * math.log(9))) <= 1.5
    assert window.steepest in (25, 26)  # the largest step of a logistic is at its centre
    assert window.low == pytest.approx(values[0]) and window.high == pytest.approx(values.max())
    assert 25 in window and 100 not in window


def test_padding_counts_recorded_epochs_and_stays_inside_the_run() -> None:
    epochs = np.arange(0, 40, 4)  # a thinned recording: every 4th epoch
    values = np.array([0.5, 0.5, 0.5, 0.6, 0.8, 0.95, 1.0, 1.0, 1.0, 1.0])
    window = sharpening_window(epochs, values, k=2, pad=1)
    assert window is not None
    # 10 % point at 0.55 -> epoch 12, 90 % point at 0.95 -> epoch 20; one recorded epoch on each side
    assert (window.start, window.end) == (8, 24)
    assert window.steepest == 16  # 0.6 -> 0.8 is the largest step
    wide = sharpening_window(epochs, values, k=2, pad=50)
    assert wide is not None and (wide.start, wide.end) == (0, 36)


def test_a_rise_is_settled_once_the_flat_stretch_after_it_is_as_long_as_the_rise() -> None:
    values = logistic(np.arange(0, 200), centre=25.0, tau=4.0)  # 10 %-90 % points at epochs 16 and 34 (by hand)
    low, rise = values[0], values.max() - values[0]
    first = next(e for e, v in enumerate(values) if v >= low + 0.1 * rise)
    last = next(e for e, v in enumerate(values) if v >= low + 0.9 * rise)
    # half-way up (paused at epoch 25, nodes still pale): the 90 % point is the latest epoch, not settled
    half = sharpening_window(np.arange(26), values[:26], k=2, pad=2)
    assert half is not None and not half.settled
    # the 90 % point of the full rise at `last`: settled from epoch last + (last - first) on, not one epoch before
    done = last + (last - first)
    assert sharpening_window(np.arange(done + 1), values[:done + 1], k=2, pad=2).settled
    assert not sharpening_window(np.arange(done), values[:done], k=2, pad=2).settled
    # a steady climb never settles while it climbs
    climb = 0.5 + 0.004 * np.arange(100)
    assert not sharpening_window(np.arange(100), climb, k=2).settled


def test_a_run_that_stays_grey_or_has_one_epoch_has_no_window() -> None:
    epochs = np.arange(100)
    assert sharpening_window(epochs, np.full(100, 1 / 3) + 0.01 * np.sin(epochs), k=3) is None
    assert sharpening_window([0], [0.5], k=2) is None
    assert sharpening_window([0, 1, 2], [0.5, float("nan"), 0.9], k=2) is not None  # a skipped metric is ignored
    with pytest.raises(ValueError, match="one length"):
        sharpening_window([0, 1], [0.5], k=2)


def snapshot(epoch: int, s: np.ndarray, metrics: dict | None = None) -> Snapshot:
    return Snapshot(epoch, s.astype(np.float32), {"total": 0.0}, metrics or {}, 0.0)


def test_series_from_snapshots_uses_their_metric_or_computes_it() -> None:
    uniform, sharp = np.full((4, 2), 0.5), np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.3, 0.7]])
    assert sharpness_of(sharp) == pytest.approx((1 + 1 + 0.9 + 0.7) / 4)
    snaps = [snapshot(2, sharp), snapshot(0, uniform, {"sharpness": 0.5}), snapshot(1, uniform)]
    epochs, values = sharpness_series(snaps)
    assert epochs.tolist() == [0, 1, 2] and values == pytest.approx([0.5, 0.5, 0.9])
    recorder = SnapshotRecorder()
    for snap in sorted(snaps, key=lambda s: s.epoch):
        recorder.add(snap)
    assert [snap.epoch for snap in recorder.snapshots()] == [0, 1, 2]
    window = snapshots_window(recorder.snapshots(), pad=0)
    assert window is not None and (window.start, window.end, window.steepest) == (2, 2, 2)
    assert snapshots_window([]) is None


def test_marks_shade_the_window_and_line_the_epoch() -> None:
    history = [{"epoch": e, "total": 1.0 / (e + 1)} for e in range(50)]
    window = sharpening_window(np.arange(50), logistic(np.arange(50), 20, 3), k=2)
    fig = mark_epochs(loss_figure(history, ["total"]), window, epoch=30)
    shapes = fig.layout.shapes
    assert len(shapes) == 2
    assert (shapes[0].x0, shapes[0].x1) == (window.start, window.end)
    assert shapes[1].x0 == shapes[1].x1 == 30
    assert any("epoch 30" in a.text for a in fig.layout.annotations)
    assert len(mark_epochs(loss_figure(history, ["total"])).layout.shapes) == 0
