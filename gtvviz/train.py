"""The Trainer: one object that owns model, optimiser, seed and device, and advances a run in steps.

The app calls :meth:`Trainer.step` a few epochs per frame, the command line runs it to the end, a notebook
steps it: same code, same numbers. Each epoch produces a :class:`Snapshot`; the Trainer is a
:class:`~gtvviz.runner.Runner` of snapshots.

Epoch convention: the snapshot of epoch ``e`` holds the assignment, losses and metrics of the model *after*
``e`` optimisation steps (epoch 0 is the initial model). Computing them costs nothing extra: the forward pass
that evaluates epoch ``e`` is the one whose loss is back-propagated in step ``e + 1``.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from typing import Any, Callable, Iterator, Protocol, runtime_checkable

import numpy as np
import torch
from torch import Tensor

from gtvviz.collapse import CollapseDetector
from gtvviz.defaults import STOP_RULES
from gtvviz.devices import resolve_device
from gtvviz.errors import ConfigError, TrainingDivergedError
from gtvviz.escape import HORIZON as ESCAPE_HORIZON
from gtvviz.features import node_features
from gtvviz.graph import Graph
from gtvviz.metrics import evaluate
from gtvviz.objective import Objective, TrainingPolicy
from gtvviz.partial_collapse import PartialCollapse, partial_collapse
from gtvviz.stopping import GuardedPlateau


@dataclass(frozen=True)
class Snapshot:
    """The state of a run after ``epoch`` optimisation steps.

    Attributes:
        epoch: number of optimisation steps done.
        s: :math:`(N, K)` soft assignment on the CPU (float32 numpy array).
        losses: every named loss term (``total`` first).
        metrics: :func:`gtvviz.metrics.evaluate` of ``s`` (empty on epochs where metrics were skipped).
        elapsed: seconds of training so far (forward, backward and optimiser; metrics excluded).
        collapsed: whether the run has sat at the uniform or single-cluster solution for a while.

    Derived from ``s`` (:func:`gtvviz.partial_collapse.partial_collapse`, computed once when first read):
    :attr:`clusters_used` and :attr:`partial_collapse`.
    """

    epoch: int
    s: np.ndarray
    losses: dict[str, float]
    metrics: dict[str, float]
    elapsed: float
    collapsed: bool = False

    @property
    def labels(self) -> np.ndarray:
        """Hard assignment :math:`\\arg\\max_k s_{ik}`."""
        return self.s.argmax(axis=1)

    @cached_property
    def partial(self) -> PartialCollapse:
        """The partial-collapse verdict on ``s`` (:func:`gtvviz.partial_collapse.partial_collapse`)."""
        return partial_collapse(self.s)

    @property
    def clusters_used(self) -> int:
        """Clusters holding at least a tenth of their fair share :math:`N/K` of the nodes (by argmax)."""
        return self.partial.used

    @property
    def partial_collapse(self) -> bool:
        """Whether fewer than :math:`K` clusters are used or one cluster holds 90% of the nodes or more."""
        return self.partial.collapsed

    def record(self) -> dict[str, float]:
        """One flat row for a history table: epoch, losses, metrics, elapsed, collapsed, clusters used and the
        partial-collapse flag."""
        return {"epoch": self.epoch, **self.losses, **self.metrics, "elapsed": self.elapsed,
                "collapsed": float(self.collapsed), "clusters_used": float(self.clusters_used),
                "partial_collapse": float(self.partial_collapse)}


@contextlib.contextmanager
def _compilation_errors() -> Iterator[None]:
    """Turn a failed :func:`torch.compile` (no C++ compiler, an unsupported operation) into one clear
    :class:`ConfigError`; other errors pass unchanged."""
    try:
        yield
    except torch._dynamo.exc.BackendCompilerFailed as err:  # raised by inductor (e.g. no C++ compiler)
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        raise ConfigError(f"torch.compile failed on this machine ({reason}); train without compile.") from err


@dataclass(frozen=True)
class RunSummary:
    """The outcome of a run: metrics at the last epoch and at the epoch of lowest loss, with timing.

    Attributes:
        epochs: optimisation steps done.
        last: ``epoch``, every loss term and every metric of the last snapshot.
        lowest_loss: the same for the snapshot of lowest ``total`` loss.
        seconds_per_epoch: training time per epoch (metrics excluded).
        collapsed: whether the last snapshot is flagged collapsed.
        device: the device trained on.
        clusters_used: clusters used by the last snapshot (:attr:`Snapshot.clusters_used`).
        partial_collapse: whether the last snapshot is partially collapsed (:attr:`Snapshot.partial_collapse`).
        stopped_at: the epoch at which the plateau rule stopped the run (``stop="plateau"``), else ``None``.
    """

    epochs: int
    last: dict[str, float]
    lowest_loss: dict[str, float]
    seconds_per_epoch: float
    collapsed: bool
    device: str
    clusters_used: int = 0
    partial_collapse: bool = False
    stopped_at: int | None = None

    def to_dict(self) -> dict[str, object]:
        """The JSON form (what :meth:`Trainer.summary` returns)."""
        return asdict(self)


@runtime_checkable
class Resettable(Protocol):
    """A model that re-draws its parameters (PyG's convention)."""

    def reset_parameters(self) -> None: ...


def seeded_reset(model: torch.nn.Module, seed: int) -> None:
    """Re-initialise ``model`` from ``seed`` (its ``reset_parameters``) without touching the global RNG; a model
    without parameters needs none."""
    if not isinstance(model, Resettable):
        if any(True for _ in model.parameters()):
            raise ConfigError(f"{type(model).__name__} needs a reset_parameters() method to be seeded.")
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model.reset_parameters()


@dataclass
class Trainer:
    """Train a clustering model on one graph, full batch, and stream :class:`Snapshot` s.

    Args:
        graph: the graph to cluster.
        model: maps ``(x, edge_index, edge_weight)`` to a soft assignment :math:`(N, K)`. A model without
            parameters (e.g. a fixed spectral embedding) is evaluated once and is then done.
        objective: maps ``(s, edge_index, edge_weight)`` to named loss terms with a ``total``; the gradient is
            taken of ``train_total`` when present (a scheduled objective) and of ``total`` otherwise. A
            :class:`~gtvviz.objective.TrainingPolicy` is told the epoch, the collapse detector's verdict and whether
            the assignment is partially collapsed before each forward pass, and is reset with the model; when it
            follows an escape's proposal (``escaping``) Adam starts afresh at both ends, and when it rejects the
            escape (``rejected_at``) the Trainer returns to the parameters and Adam state where the escape began.
        lr, epochs, seed, device: optimiser learning rate, length of the run (its limit with ``stop="plateau"``),
            seed of the initialisation and device (``auto``, ``cpu``, ``cuda`` or ``mps``).
        stop: ``"epochs"`` trains ``epochs`` epochs; ``"plateau"`` stops earlier, at the first epoch at which
            :class:`~gtvviz.stopping.GuardedPlateau` fires: the reference loss ``total`` has plateaued while the
            assignment was neither degenerate (:class:`~gtvviz.collapse.CollapseDetector`'s uniform or single
            cluster) nor partially collapsed (:attr:`Snapshot.partial_collapse`); the rule starts again when an
            objective's remedy engages (its ``engaged_at`` changes). :attr:`stopped_at` records the epoch.
        adam_eps: Adam's epsilon (the authors' PyTorch port uses ``1e-7``).
        x: input features; by default :func:`gtvviz.features.node_features` of the graph.
        metrics_every: compute metrics every this many epochs (always on the first and last).
        compile: compile the model with :func:`torch.compile` (``Module.compile``: inductor fuses each GTVConv's
            pass with its step, bias and activation, and Adam takes its fused form; timings in
            ``benchmarks/results/reference_speed.md``). The first forward and backward
            passes compile, which takes seconds (counted in :attr:`Snapshot.elapsed`); on a CPU it needs a C++
            compiler. A compilation that fails raises :class:`~gtvviz.errors.ConfigError`.
    """

    graph: Graph
    model: torch.nn.Module
    objective: Objective
    lr: float = 1e-3
    epochs: int = 500
    seed: int = 0
    device: str = "auto"
    adam_eps: float = 1e-7
    x: Tensor | None = None
    metrics_every: int = 1
    compile: bool = False
    stop: str = "epochs"
    epoch: int = field(init=False, default=0)
    stopped_at: int | None = field(init=False, default=None)
    diverged: str = field(init=False, default="")
    history: list[dict[str, float]] = field(init=False, default_factory=list)
    last: Snapshot | None = field(init=False, default=None)
    best: Snapshot | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        _check_counts(epochs=(self.epochs, 0), metrics_every=(self.metrics_every, 1), seed=(self.seed, 0))
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 0 < self.lr < float("inf"):
            raise ConfigError(f"lr must be a positive number, got {str(self.lr)[:40]!r}.")
        if self.stop not in STOP_RULES:
            raise ConfigError(f"stop must be one of {', '.join(STOP_RULES)}, got {str(self.stop)[:40]!r}.")
        self.torch_device = resolve_device(self.device)
        self._x = (self.x if self.x is not None else node_features(self.graph, seed=self.seed)).to(self.torch_device)
        self._edge_index = self.graph.edge_index.to(self.torch_device)
        self._edge_weight = None if self.graph.edge_weight is None else self.graph.edge_weight.to(self.torch_device)
        self.reset()

    # ---------------------------------------------------------------- state
    def reset(self) -> Snapshot:
        """Re-initialise the model from the seed, clear the history and return the epoch-0 snapshot."""
        seeded_reset(self.model, self.seed)
        self.model.to(self.torch_device)
        if self.compile:  # in place: parameter names and state_dict keys stay those of the model
            self.model.compile()
        self._params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = self._adam() if self._params else None
        self.diverged = ""
        self._stepped = False
        self.epoch = 0
        self.history = []
        self.best = None
        self._elapsed = 0.0
        self._detector = CollapseDetector()
        self._watched: tuple[int, bool, bool] | None = None
        self._escaping = False
        self._checkpoint: tuple[list[Tensor], dict[str, Any]] | None = None
        self._plateau = GuardedPlateau()
        self.stopped_at = None
        self._engaged: object = None
        if isinstance(self.objective, TrainingPolicy):  # state of its own (a schedule, a remedy) starts again
            self.objective.reset()
        self._pending = self._forward(0)
        if not _finite(*self._pending):  # no good snapshot to keep: refuse to start rather than record a NaN one
            self.last = None
            self.diverged = (
                "Training cannot start: the initial model already gives a NaN or infinite loss or assignment; the "
                "node features or edge weights are too large for float32 (rescale them) or a setting is extreme."
            )
            raise TrainingDivergedError(self.diverged)
        snapshot = self._snapshot(*self._pending, with_metrics=True)
        self._record(snapshot)
        return snapshot

    def _adam(self) -> torch.optim.Adam:
        """Adam over the trainable parameters; compiled, its fused form (one kernel per step instead of a dozen
        per parameter) where this PyTorch and device have one."""
        if self.compile:
            try:
                return torch.optim.Adam(self._params, lr=self.lr, eps=self.adam_eps, fused=True)
            except RuntimeError:  # no fused Adam for this device in this PyTorch
                pass
        return torch.optim.Adam(self._params, lr=self.lr, eps=self.adam_eps)

    @property
    def one_shot(self) -> bool:
        """Whether the model has no parameters to train (spectral clustering, k-means): its result is computed
        once, at epoch 0."""
        return self.optimizer is None

    @property
    def done(self) -> bool:
        """Whether the run has reached ``epochs`` or been stopped by the plateau rule (a model without parameters
        is done at once)."""
        return self.epoch >= self.epochs or self.one_shot or self.stopped_at is not None

    # ---------------------------------------------------------------- training
    @property
    def features(self) -> Tensor:
        """The input features the model is trained on (:func:`gtvviz.features.node_features` of the graph unless
        given), on the trainer's device."""
        return self._x

    @property
    def latest(self) -> Snapshot | None:
        """The snapshot of the current epoch (:attr:`last`)."""
        return self.last

    @property
    def steps_per_epoch(self) -> int:
        """One step is one epoch (full-batch training)."""
        return 1

    def step(self, n: int = 1, budget: float | None = None) -> list[Snapshot]:
        """Advance by up to ``n`` epochs (never past ``epochs``), stopping early once ``budget`` seconds have been
        spent (after at least one epoch); return the snapshot of every epoch trained, oldest first.

        Raises :class:`TrainingDivergedError` if a gradient, loss or assignment becomes non-finite; :attr:`last`
        still holds the last finite snapshot, and further steps raise again until :meth:`reset`. Any other error
        (e.g. a device running out of memory) propagates and leaves the trainer usable and exact: the next step
        goes on from where the failed one stopped (if the optimiser step was already taken, only the forward pass
        that follows it is redone), so the epoch counter always equals the number of optimiser steps taken. To go
        on on another device (e.g. the CPU after a GPU ran out of memory) call :meth:`to` first. Either way the
        epochs trained before the error are recorded (:attr:`history`, :attr:`last`).
        """
        begin, snapshots = time.perf_counter(), []
        for _ in range(n):
            if self.done:
                break
            snapshots.append(self._epoch())
            if budget is not None and time.perf_counter() - begin > budget:
                break
        return snapshots

    def _epoch(self) -> Snapshot:
        """Train one epoch and record its snapshot."""
        start = time.perf_counter()
        if self.diverged:
            raise TrainingDivergedError(self.diverged)
        try:
            s, terms = self._update()
        except TrainingDivergedError:
            raise
        except Exception:
            self._pending = None  # e.g. out of memory: the next step rebuilds what it needs
            raise
        self._elapsed += time.perf_counter() - start
        self._pending = (s, terms)
        self.epoch += 1
        is_edge_epoch = self.epoch == self.epochs or self.epoch % self.metrics_every == 0
        snapshot = self._snapshot(s, terms, with_metrics=is_edge_epoch)
        self._watch_plateau(snapshot)
        if self.stopped_at is not None and not snapshot.metrics:  # the last epoch always has its metrics
            snapshot = replace(snapshot, metrics=evaluate(self.graph, snapshot.s))
        self._record(snapshot)
        return snapshot

    def _watch_plateau(self, snapshot: Snapshot) -> None:
        """With ``stop="plateau"``, feed the epoch's reference loss and verdicts to the stopping rule."""
        if self.stop != "plateau":
            return
        engaged = self.objective.engaged_at if isinstance(self.objective, TrainingPolicy) else None
        changed, self._engaged = engaged != self._engaged, engaged
        escaping = isinstance(self.objective, TrainingPolicy) and self.objective.escaping
        degenerate = self._detector.streak > 0 or snapshot.partial_collapse or escaping
        if self._plateau.update(snapshot.epoch, snapshot.losses["total"], degenerate, changed):
            self.stopped_at = snapshot.epoch

    def _update(self) -> tuple[Tensor, dict[str, Tensor]]:
        """One optimisation step from the pending forward pass, then the forward pass of the new parameters.

        ``_stepped`` records that the optimiser step of epoch ``epoch + 1`` has been taken but its forward pass
        has not yet succeeded; a call after such a failure redoes only that forward pass, so that no optimiser
        step is ever taken twice or left uncounted.
        """
        assert self.optimizer is not None
        if not self._stepped:
            if self._pending is None:  # the last step failed before its optimiser step (or the trainer moved)
                self._pending = self._forward(self.epoch)
            if self._follow_escape():  # went back to where a rejected escape began: evaluate those parameters
                self._pending = self._forward(self.epoch)
            _, terms = self._pending
            self._pending = None  # the backward pass frees this graph: never back-propagate through it twice
            self.optimizer.zero_grad(set_to_none=True)
            with _compilation_errors():
                terms.get("train_total", terms["total"]).backward()
            if not _gradients_finite([p.grad for p in self._params if p.grad is not None]):
                self._diverge("a gradient")
            self.optimizer.step()
            self._stepped = True
        s, terms = self._forward(self.epoch + 1)  # if this raises, the next call redoes only this forward pass
        if self.torch_device.type == "cuda":
            torch.cuda.synchronize()  # an asynchronous device error surfaces here, still before the step counts
        self._stepped = False
        if not _finite(s, terms):
            self._diverge("a loss or the assignment")
        return s, terms

    def _follow_escape(self) -> bool:
        """Follow the objective's escape from partial collapse (:class:`~gtvviz.objective.TrainingPolicy`): when it
        starts following its proposal (``escaping``), keep the parameters and Adam's state, then start Adam afresh
        (moments of one loss would scale the other's steps for hundreds of epochs: Adam's second moment forgets at
        :math:`\\beta_2 = 0.999`), and again when it ends; when the objective rejects the escape
        (``rejected_at``), go back to the kept parameters and state. Return whether the parameters were restored."""
        if not isinstance(self.objective, TrainingPolicy):
            return False
        escaping = self.objective.escaping
        if self.objective.rejected_at is not None and self._checkpoint is not None:
            parameters, state = self._checkpoint
            self._checkpoint = None
            with torch.no_grad():
                for parameter, kept in zip(self._params, parameters):
                    parameter.copy_(kept)
            self.optimizer = self._adam()
            self.optimizer.load_state_dict(state)
            self._escaping = escaping
            return True
        if escaping != self._escaping:
            if escaping:
                self._checkpoint = ([p.detach().clone() for p in self._params],
                                    copy.deepcopy(self.optimizer.state_dict()))
            self._escaping = escaping
            self.optimizer = self._adam()
        return False

    def _diverge(self, what: str) -> None:
        self.diverged = (
            f"Training diverged at epoch {self.epoch + 1}: {what} became NaN or infinite; lower the learning rate "
            "or the loss weights and press Reset. The last good snapshot is kept."
        )
        raise TrainingDivergedError(self.diverged)

    def run(self, progress: Callable[[Snapshot], None] | None = None) -> Snapshot:
        """Train to the end; call ``progress`` after each epoch; return the last snapshot."""
        while not self.done:
            for snapshot in self.step(1):
                if progress is not None:
                    progress(snapshot)
        assert self.last is not None
        return self.last

    def predict(self) -> np.ndarray:
        """Soft assignment of the current model, :math:`(N, K)`, on the CPU."""
        if self._pending is None:
            self._pending = self._forward(self.epoch)
        return self._pending[0].detach().cpu().numpy()

    def to(self, device: str) -> Trainer:
        """Move the live run to ``device`` and keep going there: model, optimiser state, objective (when it is
        a module) and inputs move; epoch, history, snapshots (:attr:`last`, :attr:`best`), timing and the collapse
        detector stay. Training on after ``to`` takes the same optimiser steps as it would have on the old device
        (up to the devices' floating-point differences); on the same device it gives identical numbers.

        The usual use is to go on on the CPU after a GPU ran out of memory in :meth:`step`
        (``trainer.to("cpu")``). The forward pass of the current parameters is recomputed lazily on the new
        device by the next :meth:`step` or :meth:`predict`.

        Args:
            device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``, as for the constructor; an absent device
                raises :class:`~gtvviz.errors.ConfigError` and leaves the trainer where it was.

        Returns:
            the trainer itself (like :meth:`torch.nn.Module.to`).
        """
        target = resolve_device(device)
        self.model.to(target)
        if isinstance(self.objective, torch.nn.Module):
            self.objective.to(target)
        if self.optimizer is not None:
            moved = [p for p in self.model.parameters() if p.requires_grad]
            if any(a is not b for a, b in zip(moved, self._params)) or len(moved) != len(self._params):
                raise RuntimeError("Moving the model replaced its parameters; the optimiser state cannot follow.")
            # Loading the optimiser's own state casts every state tensor to its parameter's device (Adam's step
            # counter stays on the CPU, as the optimiser expects).
            self.optimizer.load_state_dict(self.optimizer.state_dict())
        self._x = self._x.to(target)
        self._edge_index = self._edge_index.to(target)
        if self._edge_weight is not None:
            self._edge_weight = self._edge_weight.to(target)
        if self.x is not None:
            self.x = self.x.to(target)
        self.device, self.torch_device = device, target
        self._pending = None  # lives on the old device: rebuilt on the new one when next needed
        if target.type != "cuda" and torch.cuda.is_available():
            torch.cuda.empty_cache()  # give the memory of the old run back (after an out-of-memory error)
        return self

    # ---------------------------------------------------------------- internals
    def _forward(self, epoch: int) -> tuple[Tensor, dict[str, Tensor]]:
        self.model.train()
        with _compilation_errors():
            s = self.model(self._x, self._edge_index, self._edge_weight)
        collapsed, partial = self._watch(epoch, s)
        if isinstance(self.objective, TrainingPolicy):
            self.objective.set_epoch(epoch, collapsed, partial)
        return s, self.objective(s, self._edge_index, self._edge_weight)

    def _watch(self, epoch: int, s: Tensor) -> tuple[bool, bool]:
        """Feed epoch ``epoch``'s assignment to the run's one collapse detector and check it for partial collapse
        (once per epoch: a forward pass that is redone, after a failed step or a move, does not count again);
        return the two verdicts. Partial collapse is reported only while an escape from it could still be judged
        before the run's last epoch (:data:`gtvviz.escape.HORIZON`)."""
        if self._watched is None or self._watched[0] != epoch:
            s_cpu = s.detach().to("cpu", torch.float32).numpy()
            escapable = self.epochs - epoch >= ESCAPE_HORIZON and partial_collapse(s_cpu).collapsed
            self._watched = (epoch, self._detector.update(s_cpu), escapable)
        return self._watched[1], self._watched[2]

    def _snapshot(self, s: Tensor, terms: dict[str, Tensor], with_metrics: bool) -> Snapshot:
        assert self._watched is not None and self._watched[0] == self.epoch
        s_cpu, collapsed = s.detach().to("cpu", torch.float32).numpy(), self._watched[1]
        losses = {name: float(value.detach()) for name, value in terms.items()}
        metrics = evaluate(self.graph, s_cpu) if with_metrics else {}
        return Snapshot(self.epoch, s_cpu, losses, metrics, self._elapsed, collapsed)

    def _record(self, snapshot: Snapshot) -> None:
        self.last = snapshot
        self.history.append(snapshot.record())
        if self.best is None or snapshot.losses["total"] < self.best.losses["total"]:
            self.best = snapshot if snapshot.metrics else replace(snapshot, metrics=self.metrics(snapshot))

    def metrics(self, snapshot: Snapshot) -> dict[str, float]:
        """The metrics of one of this run's snapshots: those it holds, or, for an epoch whose metrics were skipped
        (``metrics_every``), :func:`~gtvviz.metrics.evaluate` of its assignment now."""
        return snapshot.metrics or evaluate(self.graph, snapshot.s)

    def result(self) -> RunSummary:
        """Metrics at the last epoch and at the epoch of lowest loss, with timing."""
        assert self.last is not None and self.best is not None
        return RunSummary(
            epochs=self.epoch,
            last={"epoch": self.last.epoch, **self.last.losses, **self.metrics(self.last)},
            lowest_loss={"epoch": self.best.epoch, **self.best.losses, **self.best.metrics},
            seconds_per_epoch=self._elapsed / max(self.epoch, 1),
            collapsed=self.last.collapsed,
            device=str(self.torch_device),
            clusters_used=self.last.clusters_used,
            partial_collapse=self.last.partial_collapse,
            stopped_at=self.stopped_at,
        )

    def summary(self) -> dict[str, object]:
        """:meth:`result` as a plain dict (the JSON of ``gtvviz cluster``)."""
        return self.result().to_dict()


def _gradients_finite(gradients: list[Tensor]) -> bool:
    """Whether every gradient entry is finite. A NaN or infinity makes its tensor's sum non-finite, so one sum per
    tensor and one synchronisation usually settle it instead of a test of every entry; only a non-finite sum,
    which finite entries can also give by overflow, is checked entry by entry."""
    if not gradients or bool(torch.isfinite(torch.stack([g.sum() for g in gradients])).all()):
        return True
    return all(bool(torch.isfinite(g).all()) for g in gradients)


def _finite(s: Tensor, terms: dict[str, Tensor]) -> bool:
    if not bool(torch.isfinite(s).all()):
        return False
    return all(math.isfinite(float(v.detach())) for v in terms.values())


def _check_counts(**values: tuple[Any, int]) -> None:
    """Each ``name=(value, low)`` must be an integer of at least ``low``."""
    for name, (value, low) in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{name} must be an integer >= {low}, got {str(value)[:40]!r}.")
