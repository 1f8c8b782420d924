"""Guided lessons: short sequences of steps that set a run, play it to a chosen epoch and say what to look at.

A :class:`Lesson` is data: its :class:`Step` s each name a configuration (graph, K, settings, seed), the methods to
run side by side, the epoch to play to and pause at, what to draw (the assignment, or the :math:`\\Gamma` edge
weights of the last GTVConv layer) and one or two sentences of what to look at. Every claim of a step's text was
measured at its settings (``benchmarks/results/lessons.md``) and is checked by ``tests/test_lessons.py``, which
trains every step.

:class:`LessonWalk` is the stepping logic, without Streamlit: it walks a lesson forwards and backwards and keeps
one runner (a :class:`~gtvviz.train.Trainer` for one method, a :class:`~gtvviz.compare.Comparison` for several,
both :class:`~gtvviz.runner.Runner` s) for as long as consecutive steps share its configuration, so that Next
plays on from where the previous step paused; a step whose run is new, or whose epoch lies behind the runner's,
starts its run again from epoch 0 (runs are seeded, so the same epoch shows the same state). The page
``gtvviz_app/pages/lessons.py`` draws a walk and plays its runner; ``?lesson=NAME`` opens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from gtvviz import Graph, RunConfig
from gtvviz.compare import Comparison
from gtvviz.errors import ConfigError
from gtvviz.methods import build_trainer
from gtvviz.runner import Runner
from gtvviz.train import Snapshot, Trainer
from gtvviz.nn import GTVConv
from gtvviz.objective import TrainingPolicy
from gtvviz.registry import REGISTRY
from gtvviz.viz import layer_gamma
from gtvviz.viz.figures import undirected_edges

#: The URL parameter that opens a lesson.
LESSON_PARAM = "lesson"
#: What a step draws: the assignment (graph, simplex, colour key) or the Γ weights of the last GTVConv layer.
VIEWS = ("assignment", "gamma")
#: Method names as the lessons' panels title them.
METHOD_TITLES = {name: method.title for name, method in REGISTRY.items()}


@dataclass(frozen=True)
class Step:
    """One step of a lesson.

    Attributes:
        title: a few words, shown as the step's heading.
        text: one or two sentences of what to look at (true at this step's settings and epoch).
        config: the run's settings (graph, K, seed, ...); ``method`` is replaced by each of ``methods``.
        epoch: play to this epoch, then pause.
        methods: one method (a Trainer) or several side by side (a Comparison, colours matched to the first).
        view: ``"assignment"`` or ``"gamma"`` (see :data:`VIEWS`).
    """

    title: str
    text: str
    config: RunConfig
    epoch: int
    methods: tuple[str, ...] = ("tvgnn",)
    view: str = "assignment"

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ConfigError(f"A lesson step's view must be one of {', '.join(VIEWS)}, got {self.view!r}.")
        if not 0 <= self.epoch <= self.config.epochs:
            raise ConfigError(f"A lesson step's epoch must lie in 0..{self.config.epochs}, got {self.epoch}.")
        if self.view == "gamma" and self.methods != ("tvgnn",):
            raise ConfigError("A lesson step that draws Γ runs TVGNN alone (methods=('tvgnn',)).")

    @property
    def run_key(self) -> tuple[RunConfig, tuple[str, ...]]:
        """Steps with equal keys share one run (Next plays it on)."""
        return self.config, self.methods


@dataclass(frozen=True)
class Lesson:
    """A named sequence of steps: ``name`` (its URL value), ``title``, one-line ``summary`` and ``steps``."""

    name: str
    title: str
    summary: str
    steps: tuple[Step, ...]


# ---------------------------------------------------------------- the lessons (measured: benchmarks/results/lessons.md)
#: The landing preset (gtvviz.data.samples): the reference's row-normalised features, nearly equal on this graph.
_BRIDGED = RunConfig(graph="bridged_communities", clusters=2, delta=1.0, seed=0, normalize="row")
_KARATE = RunConfig(graph="karate", clusters=2, seed=0)
_PIXELS = RunConfig(graph="pixel_grid", clusters=4, seed=0)
#: A word-count SBM of 6 blocks of 40 nodes with weak features, where the reference loss stays uniform.
TRAP_GRAPH = "word_sbm:blocks=6,size=40,p_in=0.164103,p_out=0.008,words=16,signal=0.3,seed=0"
_TRAP_FIXED = RunConfig(graph=TRAP_GRAPH, clusters=6, seed=0, balance_weight="fixed")
_TRAP_ADAPTIVE = _TRAP_FIXED.replace(balance_weight="adaptive")

LESSONS: dict[str, Lesson] = {lesson.name: lesson for lesson in (
    Lesson("sharp-vs-smooth", "Sharp against smooth",
           "TVGNN next to DMoN on two communities joined by three bridges.", (
               Step("Two methods, one graph",
                    "TVGNN (left) and DMoN (right) train on the same graph, two dense communities joined by three "
                    "bridge edges, whose row-normalised features differ little. At epoch 0 every node is pale and "
                    "sits in the middle of the simplex: undecided, about half in each cluster.",
                    _BRIDGED, 0, ("tvgnn", "dmon")),
               Step("TVGNN decides, DMoN does not",
                    "After 60 epochs almost every TVGNN node has its cluster's colour (sharpness above 0.95), while "
                    "DMoN's nodes are still pale in the middle (sharpness 0.50): its smooth objective is content to "
                    "leave every node half in each cluster.",
                    _BRIDGED, 60, ("tvgnn", "dmon")),
               Step("Sharp right up to the boundary",
                    "At epoch 150 TVGNN has found both communities (NMI 1), and the nodes at the ends of the "
                    "bridges are as sharp as the rest: the three bridges are the only dark edges. DMoN is still "
                    "undecided everywhere.",
                    _BRIDGED, 150, ("tvgnn", "dmon")),
           )),
    Lesson("gamma", "What GTVConv's Γ does to the edges across a cut",
           "The edge weights Γ of the last GTVConv layer, on the karate club and on an image.", (
               Step("Γ at the start",
                    "Left, each edge's Γᵢⱼ = aᵢⱼ / ‖x̃ᵢ − x̃ⱼ‖₁ in TVGNN's last GTVConv layer: the layer pulls the ends "
                    "of bright, thick edges together and leaves those of dark, thin ones apart. At epoch 0 the 11 "
                    "edges between the two factions of the karate club get about the same Γ as the edges inside.",
                    _KARATE, 0, view="gamma"),
               Step("Γ learns the cut",
                    "After 60 epochs TVGNN has split the club into its two factions, and the 11 edges between them "
                    "are among the thinnest, darkest lines (median Γ about a quarter of that inside): the layer has "
                    "stopped averaging across the cut, which keeps the boundary sharp.",
                    _KARATE, 60, view="gamma"),
               Step("Γ on an image",
                    "On a pixel grid the features are noisy colours, so Γ varies from edge to edge inside a shape; "
                    "but along the outlines of the three shapes, where neighbouring pixels differ, most edges are "
                    "thin and dark (median Γ about a quarter of that inside): the layer does not smooth across "
                    "a region's edge.",
                    _PIXELS, 150, view="gamma"),
           )),
    Lesson("uniform-trap", "The uniform trap, and how the balance term gets out of it",
           "A 6-block SBM with weak word-count features, with the reference and the adaptive balance weight.", (
               Step("Stuck at uniform",
                    "With the reference loss (balance weight α₂ fixed) every node is still grey in the middle of "
                    "the simplex after 120 epochs: S = 1/K is a local minimum, the loss sits at α₂ and the run is "
                    "flagged as collapsed.",
                    _TRAP_FIXED, 120),
               Step("The remedy engages",
                    "Same graph and seed with gtvviz's adaptive balance weight. After 50 epochs near uniform the "
                    "collapse detector fires and the gradient takes a larger balance weight, just enough that "
                    "leaving the uniform assignment pays; the nodes have not moved yet.",
                    _TRAP_ADAPTIVE, 60),
               Step("Out of the trap",
                    "By epoch 220 the run has left the uniform assignment: the nodes have moved out towards the "
                    "corners of the simplex (sharpness above 0.8) and the clusters follow the blocks (NMI above "
                    "0.5).",
                    _TRAP_ADAPTIVE, 220),
           )),
)}


def lesson_named(name: str) -> Lesson:
    """The lesson called ``name`` (raises :class:`ConfigError`, naming the lessons, for an unknown one)."""
    if name not in LESSONS:
        raise ConfigError(f"There is no lesson {name[:40]!r}; choose one of {', '.join(LESSONS)}.")
    return LESSONS[name]


# ---------------------------------------------------------------- runs
def build_runner(graph: Graph, step: Step) -> Runner[Any]:
    """A fresh run of ``step`` on ``graph``: a Trainer for one method, a Comparison for several."""
    if len(step.methods) == 1:
        return build_trainer(graph, step.config.replace(method=step.methods[0]))
    return Comparison(graph, step.config, step.methods)


def snapshots(runner: Runner[Any], methods: tuple[str, ...]) -> dict[str, Snapshot]:
    """Every method's latest snapshot, by method name (``methods``: the step's, which ``runner`` runs)."""
    if isinstance(runner, Comparison):
        return runner.snapshots()
    assert isinstance(runner, Trainer) and runner.last is not None
    return {methods[0]: runner.last}


def assignments(runner: Runner[Any], methods: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Every method's latest :math:`(N, K)` assignment, cluster ids matched to the first method's."""
    if isinstance(runner, Comparison):
        return runner.aligned(runner.methods[0])
    return {name: snapshot.s for name, snapshot in snapshots(runner, methods).items()}


def engaged_epoch(runner: Runner[Any]) -> int | None:
    """The epoch at which a single run's remedy engaged (its objective's ``engaged_at``), else ``None``."""
    if isinstance(runner, Trainer) and isinstance(runner.objective, TrainingPolicy):
        return runner.objective.engaged_at
    return None


def gamma_across_cut(graph: Graph, gamma: np.ndarray, labels: np.ndarray) -> tuple[float, float, int]:
    """Median :math:`\\Gamma` of the edges across the cut of ``labels`` and of the edges inside its groups, and the
    number of cut edges (``gamma`` per undirected edge, in :func:`~gtvviz.viz.figures.undirected_edges` order); a
    median over no edge is NaN."""
    src, dst = undirected_edges(graph)
    cut = labels[src] != labels[dst]
    across = float(np.median(gamma[cut])) if cut.any() else float("nan")
    inside = float(np.median(gamma[~cut])) if (~cut).any() else float("nan")
    return across, inside, int(cut.sum())


@torch.no_grad()
def gamma_of(runner: Runner[Any], graph: Graph) -> np.ndarray:
    """The :math:`\\Gamma_{ij}` of the last GTVConv layer of a TVGNN run's current model, one per undirected edge
    (:func:`~gtvviz.viz.layer_gamma` on that layer's input: the features after the layers before it). The last
    layer sees features the first has already smoothed over the graph, so its :math:`\\Gamma` shows the cut most
    plainly."""
    assert isinstance(runner, Trainer)
    convs = [m for m in runner.model.modules() if isinstance(m, GTVConv)]
    if not convs:
        raise ConfigError("This run's model has no GTVConv layer; a Γ step must run TVGNN.")
    device = runner.torch_device
    edge_index = graph.edge_index.to(device)
    weight = None if graph.edge_weight is None else graph.edge_weight.to(device)
    x = runner.features
    for conv in convs[:-1]:
        x = conv(x, edge_index, weight)
    return layer_gamma(convs[-1], graph, x)


def cut_labels(graph: Graph, runner: Runner[Any]) -> np.ndarray:
    """The groups whose cut a Γ step talks about: the ground truth where the graph has labels, else the run's
    clusters."""
    if graph.has_labels:
        assert graph.y is not None
        return graph.y.numpy()
    assert isinstance(runner, Trainer) and runner.last is not None
    return runner.last.labels


# ---------------------------------------------------------------- walking a lesson
@dataclass
class LessonWalk:
    """Where a visitor is in a lesson, and the run that the current step shows.

    Args:
        lesson: the lesson walked.
        load: ``source -> (graph, key)``, how a step's graph is loaded (the app's cached loader).

    Attributes:
        index: the current step (0-based).
        runner: the current step's run; ``None`` before :meth:`go`.
        graph, graph_key: its graph and the graph's cache key.
        run_key: :attr:`Step.run_key` of the step the runner was built for.
    """

    lesson: Lesson
    load: Callable[[str], tuple[Graph, str]]
    index: int = 0
    runner: Runner[Any] | None = None
    graph: Graph | None = None
    graph_key: str = ""
    run_key: tuple[RunConfig, tuple[str, ...]] | None = None

    @property
    def step(self) -> Step:
        return self.lesson.steps[self.index]

    @property
    def first(self) -> bool:
        return self.index == 0

    @property
    def last(self) -> bool:
        return self.index == len(self.lesson.steps) - 1

    def go(self, index: int) -> bool:
        """Make step ``index`` current (clamped to the lesson); keep the runner when the step shares its run and
        has not passed the step's epoch, else build a fresh one. Returns whether the runner was rebuilt."""
        self.index = max(0, min(index, len(self.lesson.steps) - 1))
        step = self.step
        if self.runner is not None and self.run_key == step.run_key and self.runner.epoch <= step.epoch:
            return False
        self.graph, self.graph_key = self.load(step.config.graph)
        self.runner = build_runner(self.graph, step)
        self.run_key = step.run_key
        return True

    @property
    def remaining(self) -> int:
        """Epochs still to train before the current step pauses."""
        return 0 if self.runner is None else max(self.step.epoch - self.runner.epoch, 0)

    @property
    def arrived(self) -> bool:
        """Whether the current step's run has reached its epoch (or ended)."""
        return self.runner is not None and (self.remaining == 0 or self.runner.done)

    def play_to_target(self) -> None:
        """Train the current step's run up to its epoch at once (what the page plays frame by frame)."""
        assert self.runner is not None, "call go() first"
        while not self.arrived:
            self.runner.step(self.remaining)


# ---------------------------------------------------------------- measuring the claims
def measure(walk: LessonWalk) -> dict[str, float]:
    """What the current step's texts talk about, at the runner's epoch: every method's sharpness, boundary sharpness
    and NMI (where the graph has labels), the collapse flag, the epoch the adaptive remedy engaged (-1: not), and for
    a Γ step the medians of Γ across the cut and inside, and their ratio."""
    assert walk.runner is not None and walk.graph is not None
    out: dict[str, float] = {"epoch": float(walk.runner.epoch)}
    for method, snapshot in snapshots(walk.runner, walk.step.methods).items():
        metrics = snapshot.metrics
        for name in ("sharpness", "boundary_sharpness", "nmi"):
            if name in metrics:
                out[f"{method} {name}"] = float(metrics[name])
        out[f"{method} collapsed"] = float(snapshot.collapsed)
    if isinstance(walk.runner, Trainer):
        engaged = engaged_epoch(walk.runner)
        out["remedy engaged at"] = -1.0 if engaged is None else float(engaged)
    if walk.step.view == "gamma":
        across, inside, n_cut = gamma_across_cut(walk.graph, gamma_of(walk.runner, walk.graph),
                                                 cut_labels(walk.graph, walk.runner))
        out.update({"Γ across (median)": across, "Γ inside (median)": inside, "Γ ratio": across / inside,
                    "cut edges": float(n_cut)})
    return out


def main() -> None:
    """Train every step of every lesson (on the CPU, one thread) and print what :func:`measure` finds, as markdown."""
    import time

    from gtvviz.data import load_graph

    torch.set_num_threads(1)
    for lesson in LESSONS.values():
        walk = LessonWalk(lesson, lambda source: (load_graph(source), source))
        print(f"\n### {lesson.name}\n")
        for index, step in enumerate(lesson.steps):
            begin = time.perf_counter()
            walk.go(index)
            walk.play_to_target()
            values = ", ".join(f"{k} {v:.3g}" for k, v in measure(walk).items())
            print(f"- step {index + 1} ({step.title}; {time.perf_counter() - begin:.1f} s): {values}")


if __name__ == "__main__":
    main()
