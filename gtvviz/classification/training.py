r"""Training a :class:`~gtvviz.classification.GraphClassifier`: one split in steps, or k-fold cross-validation.

Protocol (the TVGNN paper's, after Bianchi et al.): stratified :math:`k`-fold cross-validation; in each fold
a stratified ``val_fraction`` of the training graphs is held out for validation; Adam minimises cross-entropy
plus the pooling's auxiliary loss on mini-batches; early stopping watches the validation loss (cross-entropy +
auxiliary, like Keras' ``val_loss`` in the reference script) with ``patience`` epochs and restores the best
weights before the test fold is scored. ``accuracy_std`` is the population standard deviation over folds.

:class:`ClassifierTrainer` is a :class:`~gtvviz.runner.Runner` whose step is one mini-batch and whose frames are
:class:`EpochRecord` s, so the app can train it in short time-boxed ticks; the command line and
:func:`cross_validate` run the same object to the end.
"""

from __future__ import annotations

import copy
import math
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.model_selection import StratifiedKFold, train_test_split
from torch_geometric.data import Batch, Data
from torch_geometric.loader import DataLoader

from gtvviz.classification.datasets import (REFERENCE_POOL_RATIOS, GraphDataset, PoolSizeBase, check_pool_ratios,
                                            pool_sizes)
from gtvviz.classification.models import GraphClassifier
from gtvviz.classification.pools import POOL_METHODS
from gtvviz.errors import ConfigError, TrainingDivergedError
from gtvviz.params import ParamSpec
from gtvviz.devices import resolve_device

Split = tuple[np.ndarray, np.ndarray, np.ndarray]


#: The ranges of :class:`ClassifyConfig`'s numbers.
CLASSIFY_SPECS = (
    ParamSpec("folds", "int", 5, 2, help="folds of the cross-validation"),
    ParamSpec("epochs", "int", 100, 1, help="most epochs per fold"),
    ParamSpec("patience", "int", 20, 1, help="epochs without a better validation loss before stopping"),
    ParamSpec("batch_size", "int", 16, 1, help="graphs per mini-batch"),
    ParamSpec("hidden", "int", 32, 1, help="width of the GTVConv layers"),
    ParamSpec("val_fraction", "float", 0.1, 0.0, 1.0, help="share of the training graphs held out for validation",
              open_bounds=True),
    ParamSpec("lr", "float", 5e-4, 0.0, help="Adam learning rate", open_bounds=True),
)


@dataclass(frozen=True)
class ClassifyConfig:
    r"""Every setting of a classification run. The defaults are the reference's (PROTEINS script: 100 epochs,
    batch 16, Adam 5e-4, delta 2.0, alphas 0.5/0.5, :math:`K_\ell` = ``pool_ratios`` :math:`(1/2, 1/4)` of the
    largest graph) but for ``patience``, 20 instead of 10. Invalid values raise
    :class:`~gtvviz.errors.ConfigError`."""

    pool: str = "tvgnn"
    folds: int = 5
    epochs: int = 100
    patience: int = 20
    batch_size: int = 16
    lr: float = 5e-4
    val_fraction: float = 0.1
    pool_size_base: PoolSizeBase = "max"
    pool_ratios: tuple[float, ...] = REFERENCE_POOL_RATIOS
    hidden: int = 32
    delta: float = 2.0
    alpha1: float = 0.5
    alpha2: float = 0.5
    seed: int = 0
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.pool not in POOL_METHODS:
            raise ConfigError(f"Unknown pooling method {self.pool!r}; choose one of {', '.join(POOL_METHODS)}.")
        if self.pool_size_base not in ("max", "mean"):
            raise ConfigError(f"Unknown pool size base {self.pool_size_base!r}; choose max or mean.")
        check_pool_ratios(self.pool_ratios)
        for spec in CLASSIFY_SPECS:
            spec.check_number(getattr(self, spec.name))

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class EpochRecord:
    """One epoch of training: means over the epoch's training batches, then the validation set.

    ``losses`` holds ``total`` (cross-entropy + auxiliary), ``ce`` and each auxiliary term (e.g. ``gtv``,
    ``balance``); ``elapsed`` is the training time so far in seconds (validation excluded)."""

    epoch: int
    losses: dict[str, float]
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    elapsed: float

    def record(self) -> dict[str, float]:
        """One flat row for a history table."""
        return {"epoch": self.epoch, **self.losses, "train_accuracy": self.train_accuracy,
                "val_loss": self.val_loss, "val_accuracy": self.val_accuracy, "elapsed": self.elapsed}


def build_classifier(dataset: GraphDataset, config: ClassifyConfig, seed: int | None = None) -> GraphClassifier:
    """A freshly initialised classifier for ``dataset`` (weights seeded with ``seed``, default ``config.seed``)."""
    torch.manual_seed(config.seed if seed is None else seed)
    sizes = pool_sizes(dataset, config.pool_size_base, config.pool_ratios)
    return GraphClassifier(dataset.num_features, dataset.num_classes, sizes,
                           pool=config.pool, hidden_channels=config.hidden, delta_coeff=config.delta,
                           alpha1=config.alpha1, alpha2=config.alpha2)


class ClassifierTrainer:
    """Trains one classifier on one train/validation split with early stopping, a few mini-batches at a time.

    Args:
        model: the classifier (moved to ``config.device``).
        train: training graphs; shuffled every epoch with a generator seeded by ``seed``.
        val: validation graphs, scored at the end of every epoch.
        config: batch size, learning rate, epochs, patience and device.
        seed: seed of the shuffling (default ``config.seed``).
    """

    def __init__(self, model: GraphClassifier, train: Sequence[Data], val: Sequence[Data], config: ClassifyConfig,
                 seed: int | None = None) -> None:
        if len(train) == 0 or len(val) == 0:
            raise ConfigError("Training needs at least one training and one validation graph.")
        self.config = config
        self.device = resolve_device(config.device)
        self.model = model.to(self.device)
        self._initial_state = copy.deepcopy(self.model.state_dict())
        self._seed = config.seed if seed is None else seed
        self._train = list(train)
        self._val = list(val)
        self.reset()

    def reset(self) -> None:
        """Back to the initial weights, a fresh optimiser and the first shuffle: the run starts again exactly."""
        self.model.load_state_dict(self._initial_state)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=self.config.lr)
        shuffle = torch.Generator().manual_seed(self._seed)
        self._train_loader = DataLoader(self._train, batch_size=self.config.batch_size, shuffle=True,
                                        generator=shuffle)
        self.history: list[EpochRecord] = []
        self.best_epoch = 0
        self._best_val_loss = math.inf
        self._best_state = copy.deepcopy(self.model.state_dict())
        self._batches: object = None
        self._done_batches = 0
        self._sums: defaultdict[str, float] = defaultdict(float)
        self._elapsed = 0.0

    @property
    def epoch(self) -> int:
        """Number of finished epochs."""
        return len(self.history)

    @property
    def batches_per_epoch(self) -> int:
        return len(self._train_loader)

    @property
    def steps_per_epoch(self) -> int:
        """One step is one mini-batch."""
        return self.batches_per_epoch

    @property
    def torch_device(self) -> torch.device:
        return self.device

    @property
    def latest(self) -> EpochRecord | None:
        """The record of the last finished epoch (``None`` before the first)."""
        return self.history[-1] if self.history else None

    @property
    def done(self) -> bool:
        """Whether ``epochs`` are done or the validation loss has not improved for ``patience`` epochs."""
        return self.epoch >= self.config.epochs or self.epoch - self.best_epoch >= self.config.patience

    def step(self, n: int = 1, budget: float | None = None) -> list[EpochRecord]:
        """Train on up to ``n`` mini-batches, stopping after the first one that ends past ``budget`` seconds (a
        time box for interactive use); return the records of the epochs that ended meanwhile."""
        records = []
        deadline = None if budget is None else time.perf_counter() + budget
        for _ in range(n):
            if self.done or (deadline is not None and time.perf_counter() > deadline):
                break
            if self._batches is None:
                self._batches = iter(self._train_loader)
            self._train_batch(next(self._batches))  # type: ignore[call-overload]
            if self._done_batches == self.batches_per_epoch:
                records.append(self._end_epoch())
        return records

    def run(self, on_epoch: Callable[[EpochRecord], None] | None = None) -> list[EpochRecord]:
        """Train until :attr:`done`, calling ``on_epoch`` after each epoch; return the whole history."""
        while not self.done:
            for record in self.step(self.batches_per_epoch - self._done_batches):
                if on_epoch is not None:
                    on_epoch(record)
        return self.history

    def _train_batch(self, batch: Batch) -> None:
        start = time.perf_counter()
        self.model.train()
        batch = batch.to(self.device)
        out = self.model(batch.x, batch.edge_index, None, batch.batch)
        ce = F.cross_entropy(out.logits, batch.y)
        loss = ce + out.losses["total"]
        if not torch.isfinite(loss):
            raise TrainingDivergedError(f"The training loss became {float(loss)} at epoch {self.epoch + 1}; try a "
                                        "lower learning rate or another pooling method.")
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self._elapsed += time.perf_counter() - start
        graphs = batch.num_graphs
        terms = {"total": loss, "ce": ce, **{k: v for k, v in out.losses.items() if k != "total"}}
        for name, value in terms.items():
            self._sums[name] += float(value.detach()) * graphs
        self._sums["correct"] += float((out.logits.argmax(-1) == batch.y).sum())
        self._sums["graphs"] += graphs
        self._done_batches += 1

    def _end_epoch(self) -> EpochRecord:
        self._batches, self._done_batches = None, 0
        sums, self._sums = self._sums, defaultdict(float)
        graphs, correct = sums.pop("graphs"), sums.pop("correct")
        val_loss, val_accuracy = self.evaluate(self._val)
        record = EpochRecord(epoch=self.epoch + 1, losses={k: v / graphs for k, v in sums.items()},
                             train_accuracy=correct / graphs, val_loss=val_loss, val_accuracy=val_accuracy,
                             elapsed=self._elapsed)
        self.history.append(record)
        if val_loss < self._best_val_loss:
            self._best_val_loss, self.best_epoch = val_loss, record.epoch
            self._best_state = copy.deepcopy(self.model.state_dict())
        return record

    @torch.no_grad()
    def evaluate(self, graphs: Sequence[Data]) -> tuple[float, float]:
        """Mean loss (cross-entropy + auxiliary) and accuracy of the current model on ``graphs``."""
        self.model.eval()
        loss = correct = 0.0
        for batch in DataLoader(list(graphs), batch_size=self.config.batch_size):
            batch = batch.to(self.device)
            out = self.model(batch.x, batch.edge_index, None, batch.batch)
            batch_loss = F.cross_entropy(out.logits, batch.y) + out.losses["total"]
            loss += float(batch_loss) * batch.num_graphs
            correct += float((out.logits.argmax(-1) == batch.y).sum())
        return loss / len(graphs), correct / len(graphs)

    def restore_best(self) -> None:
        """Load the weights of the epoch with the lowest validation loss (the initial ones before any epoch)."""
        self.model.load_state_dict(self._best_state)

    def test_accuracy(self, graphs: Sequence[Data]) -> float:
        """Restore the best weights (:meth:`restore_best`) and return their accuracy on ``graphs``."""
        self.restore_best()
        return self.evaluate(graphs)[1]


def stratified_splits(labels: np.ndarray, folds: int, val_fraction: float, seed: int) -> list[Split]:
    """``folds`` stratified ``(train, val, test)`` index triples; ``val`` is a stratified ``val_fraction`` of the
    fold's training graphs (at least one graph per class)."""
    labels = np.asarray(labels)
    counts = np.bincount(labels)
    counts = counts[counts > 0]
    if folds < 2 or counts.min() < folds:
        raise ConfigError(f"{folds}-fold cross-validation needs at least {max(folds, 2)} graphs in every class; "
                          f"the smallest class has {counts.min()}. Use fewer folds or more graphs.")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = []
    for train_val, test in splitter.split(np.zeros(len(labels)), labels):
        n_val = max(math.ceil(val_fraction * len(train_val)), len(counts))
        try:
            train, val = train_test_split(train_val, test_size=n_val, stratify=labels[train_val], random_state=seed)
        except ValueError as err:
            raise ConfigError(f"Cannot hold out a stratified validation set: {err}. Use fewer folds or more "
                              "graphs.") from None
        splits.append((np.sort(train), np.sort(val), test))
    return splits


@dataclass(frozen=True)
class FoldResult:
    """One fold: test accuracy of the restored best model, its validation accuracy, epochs and wall time."""

    fold: int
    accuracy: float
    val_accuracy: float
    epochs: int
    best_epoch: int
    seconds: float


@dataclass(frozen=True)
class CVResult:
    """Cross-validation results; :meth:`to_dict` is the JSON of ``gtvviz classify``."""

    folds: list[FoldResult] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return float(np.mean([f.accuracy for f in self.folds]))

    @property
    def accuracy_std(self) -> float:
        return float(np.std([f.accuracy for f in self.folds]))

    def to_dict(self) -> dict[str, object]:
        return {
            "accuracy": self.accuracy,
            "accuracy_std": self.accuracy_std,
            "fold_accuracies": [f.accuracy for f in self.folds],
            "seconds_per_fold": [f.seconds for f in self.folds],
            "epochs_per_fold": [f.epochs for f in self.folds],
            "best_epochs": [f.best_epoch for f in self.folds],
            "val_accuracies": [f.val_accuracy for f in self.folds],
        }


def fold_trainer(dataset: GraphDataset, config: ClassifyConfig, fold: int = 0,
                 splits: list[Split] | None = None) -> tuple[ClassifierTrainer, list[Data]]:
    """A trainer of a fresh classifier on fold ``fold`` of :func:`stratified_splits` (weights and shuffling seeded
    with ``config.seed + fold``), and the fold's test graphs."""
    splits = splits or stratified_splits(dataset.labels, config.folds, config.val_fraction, config.seed)
    train, val, test = splits[fold]
    graphs = dataset.graphs
    trainer = ClassifierTrainer(build_classifier(dataset, config, seed=config.seed + fold),
                                [graphs[i] for i in train], [graphs[i] for i in val], config, seed=config.seed + fold)
    return trainer, [graphs[i] for i in test]


def cross_validate(dataset: GraphDataset, config: ClassifyConfig,
                   on_epoch: Callable[[int, EpochRecord], None] | None = None,
                   on_fold: Callable[[FoldResult], None] | None = None) -> CVResult:
    """Stratified ``config.folds``-fold cross-validation of a fresh classifier per fold (:func:`fold_trainer`);
    ``on_epoch(fold, record)`` and ``on_fold(result)`` report progress."""
    splits = stratified_splits(dataset.labels, config.folds, config.val_fraction, config.seed)
    results = []
    for fold in range(len(splits)):
        start = time.perf_counter()
        trainer, test = fold_trainer(dataset, config, fold, splits)
        trainer.run(None if on_epoch is None else (lambda record, fold=fold: on_epoch(fold, record)))
        accuracy = trainer.test_accuracy(test)
        best = trainer.history[trainer.best_epoch - 1] if trainer.best_epoch else None
        result = FoldResult(fold=fold, accuracy=accuracy, val_accuracy=best.val_accuracy if best else math.nan,
                            epochs=trainer.epoch, best_epoch=trainer.best_epoch,
                            seconds=time.perf_counter() - start)
        results.append(result)
        if on_fold is not None:
            on_fold(result)
    return CVResult(results)
