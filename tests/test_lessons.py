"""The lessons (gtvviz_app.lessons): their data, the stepping logic, and — trained to every step's epoch — the claims
their texts make (``slow``: the settings and numbers are in benchmarks/results/lessons.md)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from gtvviz import RunConfig
from gtvviz.compare import Comparison
from gtvviz.data import load_graph
from gtvviz.errors import ConfigError
from gtvviz.train import Trainer
from gtvviz.viz.figures import undirected_edges
from gtvviz_app.lessons import (LESSONS, Lesson, LessonWalk, Step, assignments, cut_labels, gamma_across_cut,
                                gamma_of, lesson_named, snapshots)


def _load(source: str):
    return load_graph(source), source


def _walk(name: str) -> LessonWalk:
    return LessonWalk(lesson_named(name), _load)


# ---------------------------------------------------------------- data and stepping
def test_the_three_lessons_of_the_issue_exist_with_short_texts() -> None:
    assert {"sharp-vs-smooth", "gamma", "uniform-trap"} <= set(LESSONS)
    for lesson in LESSONS.values():
        assert 2 <= len(lesson.steps) <= 6
        for step in lesson.steps:
            sentences = [s for s in step.text.replace("(NMI 1)", "").split(". ") if s.strip()]
            assert 1 <= len(sentences) <= 3 and len(step.text) < 330, step.title  # fits above the fold


def test_unknown_lesson_and_bad_steps_say_what_is_wrong() -> None:
    with pytest.raises(ConfigError, match="choose one of sharp-vs-smooth"):
        lesson_named("nope")
    with pytest.raises(ConfigError, match="view"):
        Step("t", "x.", RunConfig(), 0, view="loss")
    with pytest.raises(ConfigError, match="epoch"):
        Step("t", "x.", RunConfig(epochs=10), 11)
    with pytest.raises(ConfigError, match="TVGNN alone"):
        Step("t", "x.", RunConfig(), 0, methods=("tvgnn", "dmon"), view="gamma")


SMALL = RunConfig(graph="karate", clusters=2, hidden=(8,), mlp=(4,), epochs=30, seed=0)
TINY = Lesson("tiny", "Tiny", "for the stepping logic", (
    Step("a", "x.", SMALL, 0), Step("b", "x.", SMALL, 5), Step("c", "x.", SMALL.replace(seed=1), 3),
    Step("d", "x.", SMALL, 4, ("tvgnn", "dmon")),
))


def test_next_plays_on_the_same_run_and_back_rebuilds_it_at_the_same_state() -> None:
    loads: list[str] = []
    walk = LessonWalk(TINY, lambda source: (loads.append(source), _load(source))[1])
    assert walk.go(0) and walk.arrived and walk.first
    runner = walk.runner
    assert not walk.go(1) and walk.runner is runner and walk.remaining == 5  # same run: plays on
    walk.play_to_target()
    assert runner.epoch == 5 and walk.arrived
    at_five = runner.latest.s.copy()
    assert walk.go(2) and walk.runner is not runner  # another seed: a new run
    walk.play_to_target()
    assert walk.runner.epoch == 3
    assert walk.go(1) and walk.runner.epoch == 0  # back to a run left behind: rebuilt, played again
    walk.play_to_target()
    np.testing.assert_allclose(walk.runner.latest.s, at_five, atol=1e-6)  # seeded: the same state again
    assert walk.go(0) and walk.runner.epoch == 0  # back behind the run's epoch: rebuilt
    assert walk.go(3) and isinstance(walk.runner, Comparison) and walk.last
    assert not walk.go(99) and walk.index == 3  # clamped to the last step, whose run it already is
    assert len(loads) == 5


def test_snapshots_and_assignments_name_every_method() -> None:
    walk = LessonWalk(TINY, _load)
    walk.go(3)
    walk.play_to_target()
    assert set(snapshots(walk.runner, walk.step.methods)) == set(assignments(walk.runner, walk.step.methods)) == {
        "tvgnn", "dmon"}
    walk.go(0)
    assert list(assignments(walk.runner, walk.step.methods)) == ["tvgnn"]


def test_gamma_across_cut_takes_medians_of_the_cut_and_the_inside_edges() -> None:
    graph = load_graph("karate")
    src, dst = undirected_edges(graph)
    labels = graph.y.numpy()
    gamma = np.where(labels[src] != labels[dst], 1.0, 3.0) + np.arange(len(src)) * 1e-6
    across, inside, n_cut = gamma_across_cut(graph, gamma, labels)
    assert n_cut == 11 and across == pytest.approx(1.0, abs=1e-3) and inside == pytest.approx(3.0, abs=1e-3)
    assert np.isnan(gamma_across_cut(graph, gamma, np.zeros_like(labels))[0])


# ---------------------------------------------------------------- the claims, step by step
def _metrics(walk: LessonWalk) -> dict[str, dict[str, float]]:
    assert walk.runner is not None
    if isinstance(walk.runner, Comparison):
        return walk.runner.results()
    assert isinstance(walk.runner, Trainer)
    return {walk.step.methods[0]: walk.runner.metrics(walk.runner.last)}


def _gamma_ratio(walk: LessonWalk) -> tuple[float, int]:
    across, inside, n_cut = gamma_across_cut(walk.graph, gamma_of(walk.runner, walk.graph),
                                             cut_labels(walk.graph, walk.runner))
    return across / inside, n_cut


def _darkest_share(walk: LessonWalk) -> float:
    """The share of the cut edges whose Γ is below the 10th percentile of the edges inside (drawn darkest)."""
    gamma, labels = gamma_of(walk.runner, walk.graph), cut_labels(walk.graph, walk.runner)
    src, dst = undirected_edges(walk.graph)
    cut = labels[src] != labels[dst]
    return float((gamma[cut] < np.quantile(gamma[~cut], 0.1)).mean())


def _both_undecided(walk: LessonWalk) -> None:
    m = _metrics(walk)
    assert m["tvgnn"]["sharpness"] < 0.6 and m["dmon"]["sharpness"] < 0.6, m


def _tvgnn_decides(walk: LessonWalk) -> None:
    m = _metrics(walk)
    assert m["tvgnn"]["sharpness"] > 0.95 and 0.49 <= m["dmon"]["sharpness"] < 0.51, m


def _sharp_to_the_boundary(walk: LessonWalk) -> None:
    m = _metrics(walk)
    assert m["tvgnn"]["nmi"] > 0.999 and m["tvgnn"]["boundary_sharpness"] > 0.99, m["tvgnn"]
    assert m["dmon"]["sharpness"] < 0.51, m["dmon"]
    s = assignments(walk.runner, walk.step.methods)["tvgnn"]
    src, dst = undirected_edges(walk.graph)
    dark = np.abs(s[src] - s[dst]).sum(axis=1) / 2 > 0.5  # edges drawn dark: GTV share above one half
    truth = walk.graph.y.numpy()
    assert dark.sum() == 3 and (truth[src[dark]] != truth[dst[dark]]).all()  # the three bridges, nothing else


def _gamma_alike_at_start(walk: LessonWalk) -> None:
    ratio, n_cut = _gamma_ratio(walk)
    assert n_cut == 11 and 0.85 < ratio < 1.15, ratio


def _gamma_learns_the_cut(walk: LessonWalk) -> None:
    ratio, n_cut = _gamma_ratio(walk)
    assert n_cut == 11 and 0.18 < ratio < 0.35, ratio  # "about a quarter"
    assert _darkest_share(walk) >= 0.75  # "among the thinnest, darkest lines"
    assert _metrics(walk)["tvgnn"]["nmi"] > 0.999  # the two factions


def _gamma_on_the_outlines(walk: LessonWalk) -> None:
    ratio, _ = _gamma_ratio(walk)
    assert 0.18 < ratio < 0.35, ratio  # "about a quarter"
    assert _darkest_share(walk) >= 0.7  # "dark along the outlines"


def _stuck_at_uniform(walk: LessonWalk) -> None:
    trainer = walk.runner
    assert isinstance(trainer, Trainer)
    k = walk.step.config.clusters
    assert trainer.last.metrics["sharpness"] < 1.1 / k and trainer.last.collapsed
    assert trainer.last.losses["total"] == pytest.approx(walk.step.config.alpha2, abs=0.005)
    assert trainer.objective.engaged_at is None


def _remedy_engaged(walk: LessonWalk) -> None:
    trainer = walk.runner
    assert isinstance(trainer, Trainer)
    engaged = trainer.objective.engaged_at
    assert engaged is not None and 45 <= engaged <= 55, engaged  # "after 50 epochs near uniform"
    assert trainer.last.metrics["sharpness"] < 1.1 / walk.step.config.clusters  # "not moved yet"
    assert trainer.last.losses["train_total"] > trainer.last.losses["total"]  # a larger balance weight


def _out_of_the_trap(walk: LessonWalk) -> None:
    trainer = walk.runner
    assert isinstance(trainer, Trainer)
    assert trainer.last.metrics["sharpness"] > 0.8 and trainer.last.metrics["nmi"] > 0.5
    assert not trainer.last.collapsed and trainer.objective.engaged_at is not None


CLAIMS: dict[tuple[str, int], Callable[[LessonWalk], None]] = {
    ("sharp-vs-smooth", 0): _both_undecided, ("sharp-vs-smooth", 1): _tvgnn_decides,
    ("sharp-vs-smooth", 2): _sharp_to_the_boundary,
    ("gamma", 0): _gamma_alike_at_start, ("gamma", 1): _gamma_learns_the_cut, ("gamma", 2): _gamma_on_the_outlines,
    ("uniform-trap", 0): _stuck_at_uniform, ("uniform-trap", 1): _remedy_engaged,
    ("uniform-trap", 2): _out_of_the_trap,
}


def test_every_step_has_its_claim_checked() -> None:
    assert set(CLAIMS) == {(name, i) for name, lesson in LESSONS.items() for i in range(len(lesson.steps))}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(LESSONS))
def test_every_step_says_what_is_true_at_its_epoch(name: str) -> None:
    walk = _walk(name)
    for index in range(len(walk.lesson.steps)):
        walk.go(index)
        walk.play_to_target()
        assert walk.runner.epoch == walk.step.epoch
        CLAIMS[(name, index)](walk)
