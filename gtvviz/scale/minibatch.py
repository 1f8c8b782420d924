r"""Mini-batch training of TVGNN on induced subgraphs, alone or data-parallel, with full-graph snapshots.

Each optimisation step trains on the subgraph induced by one batch of a sampler (:mod:`gtvviz.scale.sampling`)
with the training objective of the full-batch :class:`~gtvviz.train.Trainer`,
:class:`~gtvviz.objective.AsymCheegerCutObjective`, applied to the batch (what its terms estimate:
:mod:`gtvviz.scale.batch_loss`); the model sees the batch's edges with the weights of
:func:`~gtvviz.scale.sampling.neighbour_rescaled_weights`, so that each GTVConv step estimates the full graph's.
An epoch is one pass over the nodes: ``ceil(num_batches / world_size)`` steps, each rank drawing its own
batches from a generator seeded by :func:`~gtvviz.scale.distributed.rank_seed` (the run's seed and the rank), so
that the ranks together visit about :math:`N` nodes per epoch. Under :mod:`torch.distributed` the model is wrapped in
:class:`~torch.nn.parallel.DistributedDataParallel`: the gradients are averaged over the ranks before every Adam
step, and every rank holds the same parameters. Every ``eval_every`` epochs (and at the last) the run yields a
:class:`~gtvviz.train.Snapshot` of the whole graph from :func:`~gtvviz.scale.inference.chunked_assignment`, with
the full (reference) loss, its GTV term summed over chunks of edges
(:func:`~gtvviz.scale.batch_loss.chunked_gtv_loss`), and the metrics, exactly like the full-batch
:class:`~gtvviz.train.Trainer`.
"""

from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np
import torch
from torch import Tensor

from gtvviz.collapse import CollapseDetector
from gtvviz.config import RunConfig
from gtvviz.errors import ConfigError, TrainingDivergedError
from gtvviz.features import node_features
from gtvviz.graph import Graph
from gtvviz.metrics import evaluate
from gtvviz.nn.losses import asym_norm_loss
from gtvviz.nn.models import ClusteringGNN
from gtvviz.objective import AsymCheegerCutObjective
from gtvviz.scale.batch_loss import chunked_gtv_loss
from gtvviz.scale.distributed import collective_failure, rank_and_world, rank_seed
from gtvviz.scale.inference import chunked_assignment
from gtvviz.scale.sampling import (Sampler, SubgraphCutter, compressed_rows, make_sampler,
                                   neighbour_rescaled_weights, row_entries, weighted_degree)
from gtvviz.train import RunSummary, Snapshot, _gradients_finite, resolve_device, seeded_reset

#: The sampler :func:`build_minibatch_trainer` uses (chosen by ``benchmarks/scale_minibatch.py``).
DEFAULT_SAMPLER = "random"


class MiniBatchTrainer:
    r"""Train a TVGNN on mini-batches and stream full-graph :class:`~gtvviz.train.Snapshot` s.

    The runner contract: :meth:`step` trains up to ``n`` epochs (stopping early once ``budget`` seconds are spent)
    and returns the snapshots taken on the way; :attr:`done`, :attr:`epoch`, :attr:`latest`; :meth:`reset`.

    The gradient is that of :attr:`objective` (:class:`~gtvviz.objective.AsymCheegerCutObjective`) on the batch,
    its remedy against the uniform trap included. The objective is told the epoch (its warm-up and
    :attr:`~gtvviz.objective.AsymCheegerCutObjective.engaged_at` count epochs, passes over the nodes) and the
    verdict of the run's :class:`~gtvviz.collapse.CollapseDetector`, which is fed the batch's assignment at every
    *step*: the trap is a property of the optimisation, and 50 Adam steps near :math:`\mathbf{S} = 1/K` are the
    same evidence whether they are 50 epochs of full batch or one epoch of 50 batches (a random batch's sharpness
    estimates the graph's). Once engaged, the balance weight :math:`\tilde\alpha_2` comes from the batch's own
    terms, whose ratio :math:`G/B` estimates the graph's. Each rank watches its own batches (the ranks may
    engage a step apart; their parameters stay equal, DDP averages the gradients). :attr:`Snapshot.collapsed` is
    the detector's verdict at the snapshot.

    The learning rate is per *epoch*: each of an epoch's :math:`S` = :attr:`steps_per_epoch` Adam steps uses
    :attr:`step_lr` :math:`= \mathrm{lr} / S`. Adam moves each parameter by about its learning rate per step,
    whatever the gradient's scale, so at ``lr`` per step an epoch of :math:`S` batches would travel :math:`S`
    times as far as a full-batch epoch and the run would follow a schedule :math:`S` times faster than the one
    the configured ``lr`` and ``epochs`` were chosen for (the full-batch reference). Dividing by :math:`S` makes an
    epoch of :math:`S` noisier, cheaper steps travel about as far as one full-batch step, so ``lr`` and
    ``epochs`` mean the same with and without ``batch_nodes``; one batch of the whole graph (:math:`S = 1`) is
    exactly one full-batch step. Under :mod:`torch.distributed`, :math:`S` counts this rank's steps (the ranks
    step together on averaged gradients).

    Args:
        graph: the graph to cluster.
        model: a :class:`~gtvviz.nn.models.ClusteringGNN` of GTVConv layers (:class:`~gtvviz.nn.TVGNN`).
        sampler: the batches (:class:`~gtvviz.scale.sampling.RandomNodeSampler` or
            :class:`~gtvviz.scale.sampling.ClusterSampler`).
        alpha1, alpha2, warmup: loss weights and GTV warm-up epochs, as in :class:`~gtvviz.config.RunConfig`.
        lr: the learning rate per epoch (the full-batch one); each step uses :attr:`step_lr` (see above).
        epochs, seed, device, adam_eps: as for :class:`~gtvviz.train.Trainer`.
        x: input features; by default :func:`gtvviz.features.node_features` of the graph.
        eval_every: take a full-graph snapshot every this many epochs (always at epoch 0 and at the last).
        balance_weight: ``"adaptive"`` (the remedy) or ``"fixed"`` (the reference), as in
            :class:`~gtvviz.objective.AsymCheegerCutObjective`.
        rescale_neighbours: give the model the batch's edges with
            :func:`~gtvviz.scale.sampling.neighbour_rescaled_weights` (else the graph's weights, which shrink each
            GTVConv step by the share of neighbours the batch keeps).
    """

    compile = False

    def __init__(self, graph: Graph, model: ClusteringGNN, sampler: Sampler, *, alpha1: float = 0.785,
                 alpha2: float = 0.514, warmup: int = 0, lr: float = 1e-3, epochs: int = 500, seed: int = 0,
                 device: str = "auto", adam_eps: float = 1e-7, x: Tensor | None = None, eval_every: int = 1,
                 balance_weight: str = "adaptive", rescale_neighbours: bool = True) -> None:
        self.graph, self.model, self.sampler, self.x = graph, model, sampler, x
        self.alpha1, self.alpha2, self.warmup = alpha1, alpha2, warmup
        self.objective = AsymCheegerCutObjective(alpha1, alpha2, warmup, balance_weight)
        self.lr, self.epochs, self.seed, self.adam_eps = lr, epochs, seed, adam_eps
        self.eval_every = max(1, eval_every)
        self.rescale_neighbours = rescale_neighbours
        self.device, self.torch_device = device, resolve_device(device)
        self.rank, self.world_size = rank_and_world()
        self.steps_per_epoch = math.ceil(sampler.num_batches / self.world_size)
        #: Adam's learning rate per step, ``lr / steps_per_epoch`` (see the class docstring).
        self.step_lr = lr / self.steps_per_epoch
        features = x if x is not None else node_features(graph, seed=seed)
        self._x = features.coalesce() if features.is_sparse else features
        self._place(self.torch_device)
        self.reset()

    def _place(self, device: torch.device) -> None:
        """Put the features, the graph and the subgraph cutter on ``device``."""
        self._x = self._x.to(device)
        self._x_ptr = compressed_rows(self._x.indices()[0], self.graph.num_nodes) if self._x.is_sparse else None
        self._edge_index = self.graph.edge_index.to(device)
        self._edge_weight = None if self.graph.edge_weight is None else self.graph.edge_weight.to(device)
        self._cut = SubgraphCutter(self._edge_index, self.graph.num_nodes, self._edge_weight)
        self._degree = weighted_degree(self._edge_index, self.graph.num_nodes, self._edge_weight)

    # ---------------------------------------------------------------- runner contract
    def reset(self) -> Snapshot:
        """Re-initialise the model from the seed (the same on every rank), restart the batch generator, clear the
        history and return the epoch-0 snapshot."""
        seeded_reset(self.model, self.seed)
        self.model.to(self.torch_device)
        self._wrap()
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.Adam(params, lr=self.step_lr, eps=self.adam_eps)
        self._generator = torch.Generator().manual_seed(rank_seed(self.seed, self.rank))
        self._epoch, self._elapsed = 0, 0.0
        self.history: list[dict[str, float]] = []
        self.latest: Snapshot | None = None
        self.best: Snapshot | None = None
        self._detector, self._collapsed = CollapseDetector(), False
        self.objective.reset()
        snapshot = self._snapshot()
        self._record(snapshot)
        return snapshot

    def _wrap(self) -> None:
        """The module the steps call: the model, or under :mod:`torch.distributed` its DDP wrapper."""
        self._module: torch.nn.Module = self.model
        if self.world_size > 1:
            device_ids = None  # CPU (gloo); on CUDA this rank's GPU, set by distributed_session from LOCAL_RANK
            if self.torch_device.type == "cuda":
                index = self.torch_device.index
                device_ids = [torch.cuda.current_device() if index is None else index]
            self._module = torch.nn.parallel.DistributedDataParallel(self.model, device_ids=device_ids)

    @property
    def epoch(self) -> int:
        """Epochs (passes over the nodes) trained so far."""
        return self._epoch

    @property
    def done(self) -> bool:
        """Whether the run has reached ``epochs``."""
        return self._epoch >= self.epochs

    @property
    def last(self) -> Snapshot | None:
        """The latest snapshot (the name :class:`~gtvviz.train.Trainer` uses)."""
        return self.latest

    def step(self, n: int = 1, budget: float | None = None) -> list[Snapshot]:
        """Train up to ``n`` epochs (never past ``epochs``), stopping after the epoch during which ``budget``
        seconds (training and snapshots) have been spent; return the snapshots taken (every ``eval_every``
        epochs and at the last).

        Raises :class:`~gtvviz.errors.TrainingDivergedError` when a gradient or batch loss is not finite, and
        :class:`~gtvviz.errors.DistributedRunError` on every surviving rank when another rank is lost. Under
        :mod:`torch.distributed` every rank takes the same number of steps per epoch, so the ranks stay in step as
        long as each keeps calling :meth:`step` until :attr:`done` (a budget may end their calls at different
        epochs) and resets together.
        """
        start = time.perf_counter()
        snapshots: list[Snapshot] = []
        for _ in range(n):
            if self.done:
                break
            began = time.perf_counter()
            for nodes in self.sampler.batches(self._generator, self.steps_per_epoch):
                self._train_step(nodes.to(self.torch_device))
            self._elapsed += time.perf_counter() - began
            self._epoch += 1
            if self._epoch % self.eval_every == 0 or self.done:
                snapshot = self._snapshot()
                self._record(snapshot)
                snapshots.append(snapshot)
            if budget is not None and time.perf_counter() - start >= budget:
                break
        return snapshots

    # ---------------------------------------------------------------- the Trainer's conveniences
    def run(self, progress: Callable[[Snapshot], None] | None = None) -> Snapshot:
        """Train to the end; call ``progress`` with every snapshot; return the last one."""
        while not self.done:
            for snapshot in self.step(1):
                if progress is not None:
                    progress(snapshot)
        assert self.latest is not None
        return self.latest

    def to(self, device: str) -> MiniBatchTrainer:
        """Move the live run to ``device`` and keep going there, like :meth:`gtvviz.train.Trainer.to`: model,
        optimiser state, features and graph move; epoch, history, snapshots, timing, the batch generator, the
        collapse detector and the objective's state stay, so the run goes on with the same batches and the same
        optimiser steps (up to the devices' floating-point differences; identical on the same device). Under
        :mod:`torch.distributed` the DDP wrapper is rebuilt on the new device (every rank must move).

        Args:
            device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``; an absent device raises
                :class:`~gtvviz.errors.ConfigError` and leaves the trainer where it was.

        Returns:
            the trainer itself.
        """
        target = resolve_device(device)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.model.to(target)
        if any(a is not b for a, b in zip(params, [p for p in self.model.parameters() if p.requires_grad])):
            raise RuntimeError("Moving the model replaced its parameters; the optimiser state cannot follow.")
        self.optimizer.load_state_dict(self.optimizer.state_dict())  # casts Adam's state to its parameters' device
        self.device, self.torch_device = device, target
        self._place(target)
        self._wrap()
        if target.type != "cuda" and torch.cuda.is_available():
            torch.cuda.empty_cache()
        return self

    def predict(self) -> np.ndarray:
        """Soft assignment :math:`(N, K)` of the current model on the whole graph, on the CPU."""
        return self._assignment().to("cpu", torch.float32).numpy()

    def summary(self) -> dict[str, object]:
        """The fields of :class:`~gtvviz.train.RunSummary` (metrics at the last snapshot and at the snapshot of
        lowest full loss, timing, collapse flags; mini-batch runs do not stop early) and the batching (world size,
        steps per epoch, learning rate per step)."""
        assert self.latest is not None and self.best is not None
        summary = RunSummary(
            epochs=self._epoch,
            last={"epoch": self.latest.epoch, **self.latest.losses, **self.latest.metrics},
            lowest_loss={"epoch": self.best.epoch, **self.best.losses, **self.best.metrics},
            seconds_per_epoch=self._elapsed / max(self._epoch, 1),
            collapsed=self.latest.collapsed,
            device=str(self.torch_device),
            clusters_used=self.latest.clusters_used,
            partial_collapse=self.latest.partial_collapse,
        )
        return {**summary.to_dict(), "world_size": self.world_size, "steps_per_epoch": self.steps_per_epoch,
                "step_lr": self.step_lr}

    # ---------------------------------------------------------------- internals
    def _batch_features(self, nodes: Tensor) -> Tensor:
        if self._x_ptr is None:
            return self._x[nodes]
        entries = row_entries(self._x_ptr, nodes)
        counts = self._x_ptr[nodes + 1] - self._x_ptr[nodes]
        rows = torch.arange(nodes.numel(), device=nodes.device).repeat_interleave(counts)
        index = torch.stack([rows, self._x.indices()[1, entries]])
        return torch.sparse_coo_tensor(index, self._x.values()[entries], (nodes.numel(), self._x.size(1)),
                                       is_coalesced=True, check_invariants=False)

    def _train_step(self, nodes: Tensor) -> None:
        sub = self._cut(nodes)
        self._module.train()
        model_weight = neighbour_rescaled_weights(sub, self._degree) if self.rescale_neighbours else sub.edge_weight
        try:
            s = self._module(self._batch_features(nodes), sub.edge_index, model_weight)
            self._collapsed = self._detector.update(s.detach().to("cpu", torch.float32).numpy())
            self.objective.set_epoch(self._epoch, self._collapsed)
            terms = self.objective(s, sub.edge_index, sub.edge_weight)
            self.optimizer.zero_grad(set_to_none=True)
            terms.get("train_total", terms["total"]).backward()  # DDP averages the gradients over the ranks here
        except RuntimeError as err:
            if self.world_size > 1 and not isinstance(err, torch.OutOfMemoryError):
                raise collective_failure(err) from err
            raise
        gradients = [p.grad for p in self.model.parameters() if p.grad is not None]
        if not math.isfinite(float(terms["total"].detach())) or not _gradients_finite(gradients):
            raise TrainingDivergedError(
                f"Training diverged at epoch {self._epoch + 1}: a batch loss or gradient became NaN or infinite; "
                "lower the learning rate or the loss weights and reset. The last good snapshot is kept.")
        self.optimizer.step()

    def _assignment(self) -> Tensor:
        return chunked_assignment(self.model, self._x, self._edge_index, self._edge_weight)

    def _snapshot(self) -> Snapshot:
        s = self._assignment()
        gtv = float(chunked_gtv_loss(s, self._edge_index, self._edge_weight))
        balance = float(asym_norm_loss(s))
        losses = {"total": self.alpha1 * gtv + self.alpha2 * balance, "gtv": gtv, "balance": balance}
        s_cpu = s.to("cpu", torch.float32).numpy()
        return Snapshot(self._epoch, s_cpu, losses, evaluate(self.graph, s_cpu), self._elapsed, self._collapsed)

    def _record(self, snapshot: Snapshot) -> None:
        self.latest = snapshot
        self.history.append(snapshot.record())
        if self.best is None or snapshot.losses["total"] < self.best.losses["total"]:
            self.best = snapshot


def build_minibatch_trainer(graph: Graph, config: RunConfig, model: torch.nn.Module, x: Tensor,
                            eval_every: int = 1, sampler: str = DEFAULT_SAMPLER) -> MiniBatchTrainer:
    """The :class:`MiniBatchTrainer` of ``config`` (``config.batch_nodes`` set, method TVGNN) for ``model``."""
    if config.method != "tvgnn" or not isinstance(model, ClusteringGNN):
        raise ConfigError(f"Mini-batch training (batch_nodes) is for TVGNN only; {config.method} trains full batch "
                          "(leave batch_nodes out).")
    assert config.batch_nodes is not None
    return MiniBatchTrainer(graph, model, make_sampler(sampler, graph, config.batch_nodes, config.seed),
                            alpha1=config.alpha1, alpha2=config.alpha2, warmup=config.warmup, lr=config.lr,
                            epochs=config.epochs, seed=config.seed, device=config.device, x=x, eval_every=eval_every,
                            balance_weight=config.balance_weight)
