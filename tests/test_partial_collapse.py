"""The partial-collapse check on planted assignments and on a trained run."""

from __future__ import annotations

import numpy as np
import pytest

from gtvviz.partial_collapse import MAX_SHARE, PartialCollapse, partial_collapse


def soft_one_hot(labels: np.ndarray, k: int, confidence: float = 0.8) -> np.ndarray:
    """Rows with ``confidence`` on the label and the rest spread evenly."""
    s = np.full((len(labels), k), (1 - confidence) / (k - 1))
    s[np.arange(len(labels)), labels] = confidence
    return s


def test_fires_on_a_planted_one_cluster_run() -> None:
    s = soft_one_hot(np.zeros(300, dtype=int), 4, confidence=0.4)  # soft, not uniform, every node in cluster 0
    verdict = partial_collapse(s)
    assert verdict.collapsed and verdict.used == 1 and verdict.nonempty == 1 and verdict.largest_share == 1.0
    assert "1 of 4 clusters" in verdict.message()


def test_fires_when_clusters_are_missing_but_the_rest_is_sharp() -> None:
    labels = np.repeat([0, 1, 2, 3], 250)  # K = 6, two clusters never chosen; sharpness 0.99
    verdict = partial_collapse(soft_one_hot(labels, 6, confidence=0.99))
    assert verdict.collapsed and verdict.used == 4 and verdict.largest_share == 0.25


def test_fires_on_a_nearly_empty_cluster_and_on_a_dominant_one() -> None:
    labels = np.concatenate([np.zeros(597, dtype=int), [1, 1, 1], np.full(400, 2)])  # 3 < 0.1 * 1000 / 3
    verdict = partial_collapse(soft_one_hot(labels, 3))
    assert verdict.collapsed and verdict.used == 2 and verdict.nonempty == 3
    dominant = np.concatenate([np.zeros(910, dtype=int), np.full(45, 1), np.full(45, 2)])
    assert 45 >= 0.1 * 1000 / 3 and 910 / 1000 >= MAX_SHARE
    assert partial_collapse(soft_one_hot(dominant, 3)).collapsed


def test_quiet_on_a_good_run_with_unequal_clusters() -> None:
    labels = np.repeat([0, 1, 2, 3], [500, 300, 150, 50])  # 50 >= 0.1 * 1000 / 4: small but used
    verdict = partial_collapse(soft_one_hot(labels, 4, confidence=0.9))
    assert not verdict.collapsed and verdict.used == 4 and verdict.largest_share == 0.5
    assert verdict.message() == "All 4 clusters are used."


def test_effective_number_of_clusters_is_the_exponential_entropy() -> None:
    s = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]] * 5)
    assert partial_collapse(s).effective == pytest.approx(2.0)
    s = np.array([[0.5, 0.25, 0.25]] * 4)
    p = np.array([0.5, 0.25, 0.25])
    assert partial_collapse(s).effective == pytest.approx(np.exp(-(p * np.log(p)).sum()))


def test_quiet_on_a_real_run_that_finds_the_blocks() -> None:
    from gtvviz.config import RunConfig
    from gtvviz.data.generators import generate
    from gtvviz.methods import build_trainer
    from gtvviz.metrics import nmi

    graph = generate("sbm", sizes=(40, 40, 40), p_in=0.3, p_out=0.01, snr=2.0, features=8, seed=0)
    config = RunConfig(clusters=3, method="spectral", seed=0, device="cpu")
    last = build_trainer(graph, config).last
    assert last is not None and nmi(graph.y, last.labels) > 0.9
    expected = PartialCollapse(3, 3, pytest.approx(1 / 3, abs=0.05), pytest.approx(3.0, abs=0.05), 3, False)
    assert partial_collapse(last.s) == expected
