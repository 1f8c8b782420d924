r"""Where a run sharpens: the epochs over which its sharpness rises, found from recorded snapshots.

The sharpness of an assignment is :math:`m = \frac{1}{N}\sum_i \max_k s_{ik}` (:math:`1/K` for the uniform
assignment, 1 for a one-hot one). A run that clusters the graph spends most of its epochs near its start level and
near its final level, and sharpens in a short stretch between them (on karate with the defaults, between epochs 11
and 39 of 500). :func:`sharpening_window` finds that stretch, so that the app can mark it on the loss chart and
replay it in slow motion:

* the *rise* is :math:`m_{\max} - m_0`, from the sharpness of the first recorded epoch to the highest recorded;
* the window runs from the first epoch whose sharpness reaches :math:`m_0 + 0.1\,\text{rise}` to the first that
  reaches :math:`m_0 + 0.9\,\text{rise}` (the classic 10 %-90 % rise time), widened by ``pad`` recorded epochs
  on each side so that a replay starts before the change and ends after it;
* ``steepest`` is the epoch that ends the largest rise per epoch between two consecutive recorded epochs;
* the rise has *settled* once the recorded epochs after its 90 % point span at least as many epochs as the
  10 %-90 % stretch itself (and ``pad`` recorded epochs): while the sharpness still climbs, the 90 % point moves
  on with it, so a run paused half-way (nodes still pale) has a window that is not yet settled.

A run whose rise is below ``min_rise`` of the possible :math:`1 - 1/K` (a run that stays grey, or a method without
epochs) has no window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from gtvviz.train import Snapshot

#: Fractions of the rise that open and close the window (the 10 %-90 % rise time).
LOW, HIGH = 0.1, 0.9
#: Smallest rise, as a fraction of the possible 1 - 1/K, that counts as sharpening.
MIN_RISE = 0.1


@dataclass(frozen=True)
class SharpeningWindow:
    """The epochs over which a run sharpens.

    Attributes:
        start: first epoch of the window (``pad`` recorded epochs before the 10 % point).
        end: last epoch of the window (``pad`` recorded epochs after the 90 % point).
        steepest: epoch that ends the fastest rise between two recorded epochs.
        low: sharpness at the start of the rise (the first recorded epoch's).
        high: highest sharpness recorded.
        settled: whether the sharpness has stopped rising (see the module docstring).
    """

    start: int
    end: int
    steepest: int
    low: float
    high: float
    settled: bool = True

    def __contains__(self, epoch: object) -> bool:
        return isinstance(epoch, (int, np.integer)) and self.start <= int(epoch) <= self.end


def sharpness_of(s: np.ndarray) -> float:
    r"""Mean confidence :math:`\frac{1}{N}\sum_i \max_k s_{ik}` of an :math:`(N, K)` assignment."""
    return float(np.asarray(s).max(axis=1).mean()) if len(s) else float("nan")


def sharpness_series(snapshots: Sequence[Snapshot]) -> tuple[np.ndarray, np.ndarray]:
    """The epochs and sharpness of recorded snapshots, in epoch order (a snapshot's own ``sharpness`` metric when
    it has one, else computed from its assignment)."""
    ordered = sorted(snapshots, key=lambda snap: snap.epoch)
    epochs = np.array([snap.epoch for snap in ordered], dtype=np.int64)
    values = np.array([snap.metrics.get("sharpness", sharpness_of(snap.s)) for snap in ordered], dtype=np.float64)
    return epochs, values


def sharpening_window(epochs: Sequence[int] | np.ndarray, sharpness: Sequence[float] | np.ndarray, k: int,
                      pad: int = 2, min_rise: float = MIN_RISE) -> SharpeningWindow | None:
    """The window of epochs over which the sharpness rises (see the module docstring), or ``None`` if it barely
    rises.

    Args:
        epochs: recorded epochs, increasing.
        sharpness: the sharpness at each of them.
        k: number of clusters (the sharpness lies in :math:`[1/K, 1]`).
        pad: recorded epochs added before and after the 10 %-90 % stretch.
        min_rise: smallest rise, as a fraction of :math:`1 - 1/K`, that counts.
    """
    epochs, values = np.asarray(epochs, dtype=np.int64), np.asarray(sharpness, dtype=np.float64)
    if epochs.shape != values.shape or epochs.ndim != 1:
        raise ValueError(f"epochs and sharpness must be 1-D of one length, got {epochs.shape} and {values.shape}.")
    finite = np.isfinite(values)
    epochs, values = epochs[finite], values[finite]
    if len(values) < 2:
        return None
    low, high = float(values[0]), float(values.max())
    rise = high - low
    if rise < min_rise * (1.0 - 1.0 / k) or rise <= 0.0:
        return None
    first = int(np.argmax(values >= low + LOW * rise))
    last = int(np.argmax(values >= low + HIGH * rise))
    gains = np.diff(values) / np.maximum(np.diff(epochs), 1)
    steepest = int(epochs[int(np.argmax(gains)) + 1])
    start, end = max(first - pad, 0), min(last + pad, len(epochs) - 1)
    settled = last + pad < len(epochs) and epochs[-1] - epochs[last] >= epochs[last] - epochs[first]
    return SharpeningWindow(int(epochs[start]), int(epochs[end]), steepest, low, high, bool(settled))


def snapshots_window(snapshots: Sequence[Snapshot], pad: int = 2) -> SharpeningWindow | None:
    """:func:`sharpening_window` of recorded snapshots (their K from the assignment's width)."""
    if not snapshots:
        return None
    epochs, values = sharpness_series(snapshots)
    return sharpening_window(epochs, values, int(snapshots[0].s.shape[1]), pad=pad)


#: Fill of the sharpening window on a chart, and colour of the shown epoch's line.
WINDOW_FILL, EPOCH_LINE = "rgba(255, 193, 7, 0.22)", "#222222"


def mark_epochs(fig: go.Figure, window: SharpeningWindow | None = None, epoch: int | None = None) -> go.Figure:
    """Shade the sharpening ``window`` and draw a vertical line at ``epoch`` (e.g. the replayed one) on a chart
    whose x axis is the epoch (:func:`~gtvviz.viz.figures.loss_figure`); returns the figure."""
    if window is not None:
        fig.add_vrect(x0=window.start, x1=window.end, fillcolor=WINDOW_FILL, line_width=0, layer="below",
                      annotation_text="sharpening", annotation_position="top left")
    if epoch is not None:
        fig.add_vline(x=epoch, line_color=EPOCH_LINE, line_width=2, line_dash="dot",
                      annotation_text=f"epoch {epoch}", annotation_position="bottom right")
    return fig
