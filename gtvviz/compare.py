r"""Sharp against smooth: every clustering method on the same graph, side by side and over several seeds.

* :class:`Comparison` holds one :class:`~gtvviz.train.Trainer` per method on one graph with one configuration
  and advances them in step (the app's Compare page, a notebook); it is a :class:`~gtvviz.runner.Runner` whose
  frames are :class:`ComparisonFrame` s (every method's snapshot at one epoch). Its :meth:`Comparison.aligned` gives every
  method's assignment with cluster ids matched to a reference (TVGNN or the ground truth), so that equal
  colours mean equal clusters.
* :func:`run_seeds` trains every method over several seeds, one run at a time (so that memory holds one
  model), and :func:`summarise` turns the runs into ``{method: {metric: mean, metric + "_std": std}}``.

Metrics are those of :func:`gtvviz.metrics.evaluate` at the **last** epoch, plus ``seconds``: the wall time of
fitting (building the method, which fits the scikit-learn baselines, plus the Trainer's optimisation time;
metrics excluded).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from gtvviz.baselines import relaxed_solution
from gtvviz.config import METHODS, RunConfig
from gtvviz.errors import ConfigError, TrainingDivergedError
from gtvviz.graph import Graph
from gtvviz.methods import build_trainer
from gtvviz.metrics import match_labels
from gtvviz.partial_collapse import partial_collapse
from gtvviz.train import Snapshot, Trainer

#: Columns of the comparison table, in order (label metrics are left out for graphs without labels).
TABLE_METRICS = ("nmi", "acc", "ari", "cut_fraction", "conductance", "modularity", "size_balance", "sharpness",
                 "boundary_sharpness", "seconds")
#: Reference name that matches clusters to the ground-truth labels.
TRUTH = "truth"

Progress = Callable[[str, int], None]
#: A sharpness below :math:`1/K` plus this share of :math:`1 - 1/K` reads as undecided (:func:`verdict`).
UNDECIDED = 0.5


def parse_methods(text: str | Sequence[str]) -> tuple[str, ...]:
    """Method names from ``"tvgnn,spectral"`` or a sequence, validated, in order, without repeats."""
    names = [m.strip().lower() for m in (text.split(",") if isinstance(text, str) else text) if m.strip()]
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise ConfigError(f"Unknown method {unknown[0]!r}; choose among {', '.join(METHODS)}.")
    if not names:
        raise ConfigError(f"Name at least one method to compare, e.g. {','.join(METHODS)}.")
    return tuple(dict.fromkeys(names))


def cluster_permutation(reference: np.ndarray, labels: np.ndarray, n_clusters: int) -> np.ndarray:
    """A permutation ``perm`` of ``0..K-1`` such that ``perm[labels]`` agrees best with ``reference``.

    :func:`gtvviz.metrics.match_labels` (Hungarian matching, nodes with reference label -1 ignored), completed
    to all :math:`K` ids: clusters that are unused, or matched to a reference id :math:`\\ge K` (a reference
    with more classes than :math:`K`), take the free ids in order.
    """
    matched = match_labels(reference, labels)
    perm = np.full(n_clusters, -1, dtype=np.int64)
    for k, target in enumerate(matched[:n_clusters]):
        if target < n_clusters:
            perm[k] = target
    free = iter(sorted(set(range(n_clusters)) - set(perm.tolist())))
    return np.array([p if p >= 0 else next(free) for p in perm], dtype=np.int64)


def align_assignment(s: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """Reorder the columns of ``s`` so that cluster ``k`` becomes cluster ``perm[k]``."""
    out = np.empty_like(s)
    out[:, perm] = s
    return out


def relaxed_and_sharp(relaxed: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A continuous relaxed solution (e.g. the Fiedler vector) and the column of a soft assignment ``s`` that
    follows it most closely, both on one :math:`[0, 1]` scale, to draw them with one colour map.

    The column is the one most correlated with ``relaxed`` in absolute value (a positive correlation wins a tie);
    ``relaxed`` is min-max scaled to :math:`[0, 1]` and flipped when that correlation is negative (the sign of an
    eigenvector is arbitrary), so that both go the same way.
    """
    k = s.shape[1]
    centred_s = s - s.mean(axis=0)
    centred_r = relaxed - relaxed.mean()
    norms = np.linalg.norm(centred_s, axis=0) * np.linalg.norm(centred_r)
    corr = centred_s.T @ centred_r / np.maximum(norms, 1e-15)
    best = int(np.concatenate([corr, -corr]).argmax())
    span = float(np.ptp(relaxed))
    scaled = (relaxed - relaxed.min()) / span if span > 0 else np.full_like(relaxed, 0.5)
    return (1.0 - scaled if best >= k else scaled), s[:, best % k]


def verdict(s: np.ndarray, one_shot: bool = False) -> str:
    r"""What the sharpness :math:`\frac{1}{N}\sum_i \max_k s_{ik}` of an :math:`(N, K)` assignment does not tell,
    in a few words for a panel title, or ``""`` when it tells it all.

    A sharpness of 1 reads as "sharp", but it is also what a collapse into one cluster and a method that rounds
    its result once give:

    * ``"one-hot by construction"``: a method without epochs (``one_shot``: spectral clustering, k-means) rounds to
      one-hot rows, whatever it found;
    * ``"undecided"``: pale rows, a sharpness less than halfway from the uniform :math:`1/K` to 1 (the graph views
      draw such nodes pale: "pale = undecided"), however their argmax falls;
    * ``"one cluster"``: every node in one cluster;
    * ``"3 of 6 clusters used"`` or ``"one cluster holds 93%"``: a partial collapse
      (:func:`~gtvviz.partial_collapse.partial_collapse`).

    Several apply joined by ``", "`` (a one-shot method that put every node in one cluster).
    """
    n, k = s.shape
    parts = ["one-hot by construction"] if one_shot else []
    if n and k > 1:
        check = partial_collapse(s)
        if float(s.max(axis=1).mean()) < 1.0 / k + UNDECIDED * (1.0 - 1.0 / k):
            parts.append("undecided")
        elif check.nonempty == 1:
            parts.append("one cluster")
        elif check.used < k:
            parts.append(f"{check.used} of {k} clusters used")
        elif check.collapsed:
            parts.append(f"one cluster holds {check.largest_share:.0%}")
    return ", ".join(parts)


def _fit(graph: Graph, config: RunConfig, metrics_every: int) -> tuple[Trainer, float]:
    start = time.perf_counter()
    trainer = build_trainer(graph, config, metrics_every=metrics_every)
    return trainer, time.perf_counter() - start


def _run_metrics(trainer: Trainer, build_seconds: float) -> dict[str, float]:
    """Metrics of the trainer's latest snapshot, its ``epoch`` and ``seconds`` of fitting."""
    last = trainer.last
    assert last is not None
    seconds = build_seconds + trainer.result().seconds_per_epoch * trainer.epoch
    return {**trainer.metrics(last), "epoch": float(last.epoch), "seconds": seconds}


@dataclass(frozen=True)
class ComparisonFrame:
    """Every method's snapshot after ``epoch`` steps of the comparison (a method that finished or diverged
    earlier shows its last snapshot)."""

    epoch: int
    snapshots: dict[str, Snapshot]


@dataclass
class Comparison:
    """Several methods on one graph with the same configuration and seed, advanced in step.

    Args:
        graph: the graph every method clusters.
        config: the run configuration; its ``method`` is replaced by each of ``methods``.
        methods: the methods to compare (default: all).
        metrics_every: compute metrics every this many epochs (always on the first and last).

    Attributes:
        trainers: one Trainer per method, in the order of ``methods``.
        errors: the divergence message of each method that diverged (it then stays at its last good snapshot).
    """

    graph: Graph
    config: RunConfig
    methods: tuple[str, ...] = METHODS
    metrics_every: int = 1
    trainers: dict[str, Trainer] = field(init=False)
    errors: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.methods = parse_methods(self.methods)
        self.trainers, self._build_seconds = {}, {}
        for method in self.methods:
            trainer, seconds = _fit(self.graph, self.config.replace(method=method), self.metrics_every)
            self.trainers[method], self._build_seconds[method] = trainer, seconds

    @property
    def epoch(self) -> int:
        """The furthest epoch any method has reached."""
        return max(t.epoch for t in self.trainers.values())

    @property
    def done(self) -> bool:
        """Whether every method has finished (or diverged)."""
        return all(t.done or m in self.errors for m, t in self.trainers.items())

    @property
    def steps_per_epoch(self) -> int:
        """One step is one epoch of every method."""
        return 1

    @property
    def torch_device(self) -> torch.device:
        """The device the methods train on (they share the configuration's device)."""
        return next(iter(self.trainers.values())).torch_device

    @property
    def latest(self) -> ComparisonFrame:
        """Every method's latest snapshot."""
        return ComparisonFrame(self.epoch, self.snapshots())

    def step(self, n: int = 1, budget: float | None = None) -> list[ComparisonFrame]:
        """Advance every unfinished method by up to ``n`` epochs, one epoch of each at a time, stopping early once
        ``budget`` seconds have been spent; return one frame per epoch, oldest first. A method that diverges is
        recorded in :attr:`errors` and left at its last good snapshot while the others go on."""
        begin, frames = time.perf_counter(), []
        for _ in range(n):
            if self.done:
                break
            current = self.snapshots()
            for method, trainer in self.trainers.items():
                if method in self.errors:
                    continue
                try:
                    for snapshot in trainer.step(1):
                        current[method] = snapshot
                except TrainingDivergedError as err:
                    self.errors[method] = str(err)
            frames.append(ComparisonFrame(self.epoch, current))
            if budget is not None and time.perf_counter() - begin > budget:
                break
        return frames

    def reset(self) -> None:
        """Every method back to epoch 0 (the scikit-learn baselines keep their fit)."""
        self.errors.clear()
        for trainer in self.trainers.values():
            trainer.reset()

    def snapshots(self) -> dict[str, Snapshot]:
        """The latest snapshot of every method."""
        return {m: t.last for m, t in self.trainers.items() if t.last is not None}

    def relaxed(self, method: str) -> np.ndarray | None:
        """The continuous relaxed solution that ``method`` rounds, where it has one: for ``spectral``, the first
        non-trivial eigenvector of the normalised-cut relaxation (the Fiedler vector for :math:`K = 2`);
        ``None`` for the other methods."""
        return relaxed_solution(self.trainers[method].model)

    def reference_labels(self, reference: str) -> np.ndarray:
        """Labels to match clusters against: the ground truth (:data:`TRUTH`) or a method's current labels."""
        if reference == TRUTH:
            if not self.graph.has_labels:
                raise ConfigError("The graph has no ground-truth labels; match clusters to a method instead.")
            return self.graph.y.numpy()  # type: ignore[union-attr]
        if reference not in self.trainers:
            raise ConfigError(f"Cannot match clusters to {reference!r}; choose {TRUTH} or one of "
                              f"{', '.join(self.methods)}.")
        return self.snapshots()[reference].labels

    def aligned(self, reference: str = "tvgnn") -> dict[str, np.ndarray]:
        """Every method's current :math:`(N, K)` assignment with cluster ids matched to ``reference``."""
        ref = self.reference_labels(reference)
        out = {}
        for method, snapshot in self.snapshots().items():
            perm = cluster_permutation(ref, snapshot.labels, self.config.clusters)
            out[method] = align_assignment(snapshot.s, perm)
        return out

    def verdicts(self) -> dict[str, str]:
        """Every method's :func:`verdict` at its latest epoch."""
        return {m: verdict(snap.s, self.trainers[m].one_shot) for m, snap in self.snapshots().items()}

    def results(self) -> dict[str, dict[str, float]]:
        """Every method's metrics at its latest epoch, with its ``epoch`` and ``seconds`` of fitting."""
        return {m: _run_metrics(t, self._build_seconds[m]) for m, t in self.trainers.items()}


def run_one(graph: Graph, config: RunConfig, progress: Progress | None = None) -> dict[str, float]:
    """Train ``config.method`` on ``graph`` to the end and return its last-epoch metrics, ``seconds``, and the
    flags ``collapsed`` and ``diverged`` (1.0 or 0.0; a diverged run reports its last good snapshot).

    ``progress(label, n)`` is called after every epoch with ``n = 1``, and at the end with the epochs that
    were not run (all of them for a method without parameters), so that every run counts ``config.epochs``.
    """
    trainer, build_seconds = _fit(graph, config, metrics_every=config.epochs)
    label = f"{config.method} seed {config.seed}"
    diverged = False
    try:
        trainer.run(None if progress is None else lambda _: progress(label, 1))
    except TrainingDivergedError:
        diverged = True
    if progress is not None and trainer.epoch < config.epochs:
        progress(label, config.epochs - trainer.epoch)
    assert trainer.last is not None
    return {**_run_metrics(trainer, build_seconds), "collapsed": float(trainer.last.collapsed),
            "diverged": float(diverged)}


def run_seeds(graph: Graph, config: RunConfig, methods: Sequence[str] = METHODS, seeds: int = 5,
              progress: Progress | None = None,
              on_row: Callable[[dict[str, float | str]], None] | None = None) -> list[dict[str, float | str]]:
    """Every method on ``graph`` with seeds ``config.seed .. config.seed + seeds - 1``, one run at a time.

    Returns one row per run: ``method``, ``seed`` and the result of :func:`run_one`. ``progress`` counts
    ``len(methods) * seeds * config.epochs`` units in all (see :func:`run_one`); ``on_row`` receives each row as
    soon as its run ends (to show partial results; an exception raised by either callback stops the runs).
    """
    if seeds < 1:
        raise ConfigError(f"Compare over at least 1 seed, got {seeds}.")
    rows: list[dict[str, float | str]] = []
    for method in parse_methods(methods):
        for seed in range(config.seed, config.seed + seeds):
            result = run_one(graph, config.replace(method=method, seed=seed), progress)
            rows.append({"method": method, "seed": seed, **result})
            if on_row is not None:
                on_row(rows[-1])
    return rows


def summarise(rows: Sequence[dict[str, float | str]]) -> dict[str, dict[str, float]]:
    """``{method: {metric: mean, metric + "_std": std, ..., "runs": count}}`` over the rows of each method.

    The standard deviation is the population one (``ddof=0``), 0 for a single run. A run where a metric is
    undefined (NaN: e.g. the boundary sharpness of a run that put every node in one cluster) is left out of that
    metric's mean; a metric undefined in every run stays NaN.
    """
    out: dict[str, dict[str, float]] = {}
    for method in dict.fromkeys(str(r["method"]) for r in rows):
        own = [r for r in rows if r["method"] == method]
        names = [k for k in own[0] if k not in ("method", "seed", "epoch")]
        entry: dict[str, float] = {}
        for name in names:
            values = np.array([float(r[name]) for r in own])
            defined = values[~np.isnan(values)]
            entry[name], entry[f"{name}_std"] = ((float(defined.mean()), float(defined.std())) if defined.size
                                                 else (float("nan"), float("nan")))
        entry["runs"] = float(len(own))
        out[method] = entry
    return out


def mean_std(entry: dict[str, float | None], metric: str, digits: int = 3) -> str:
    """``"mean ± std"`` of ``metric`` in a summary entry; ``-`` when absent, ``n/a`` when undefined."""
    if metric not in entry:
        return "-"
    mean, std = entry[metric], entry.get(f"{metric}_std")
    if mean is None or math.isnan(mean):
        return "n/a"
    return f"{mean:.{digits}f} ± {0.0 if std is None else std:.{digits}f}"


def format_table(summary: dict[str, dict[str, float]], metrics: Sequence[str] = TABLE_METRICS,
                 markdown: bool = False) -> str:
    """A table of ``mean ± std`` with one row per method and one column per metric that is present; a metric
    that is undefined for a method (NaN, or ``None`` as read back from JSON) shows as ``n/a``."""
    columns = [m for m in metrics if any(m in entry for entry in summary.values())]
    rows = [["method", *columns]]
    for method, entry in summary.items():
        rows.append([method, *(mean_std(entry, c, 2 if c == "seconds" else 3) for c in columns)])
    if markdown:
        lines = ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join([lines[0], "|" + "---|" * len(columns) + "---|", *lines[1:]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows)
