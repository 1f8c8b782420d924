"""Keep the snapshots of a run for replay within a memory budget.

Every epoch is kept while the assignments fit in the budget; when they no longer do, every other kept snapshot
is dropped and the stride doubles, so a long run on a large graph keeps an evenly spaced sample of its history
(every ``stride``-th epoch) in bounded memory. The first and the latest snapshot are always available.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gtvviz.train import Snapshot

#: Default memory budget for the kept assignments of one run (bytes).
DEFAULT_BUDGET = 32 * 1024**2


@dataclass
class SnapshotRecorder:
    """Snapshots of one run, thinned to fit ``budget`` bytes of assignments.

    Attributes:
        budget: bytes the kept assignments may take.
        stride: epochs between kept snapshots (a power of two).
    """

    budget: int = DEFAULT_BUDGET
    stride: int = 1
    _kept: list[Snapshot] = field(default_factory=list, repr=False)
    _latest: Snapshot | None = field(default=None, repr=False)

    def add(self, snapshot: Snapshot) -> None:
        """Record the snapshot of the next epoch (or the epoch-0 snapshot of a fresh run)."""
        self._latest = snapshot
        if snapshot.epoch % self.stride:
            return
        self._kept.append(snapshot)
        while len(self._kept) > 2 and self.nbytes > self.budget:
            self.stride *= 2
            self._kept = [snap for snap in self._kept if snap.epoch % self.stride == 0]

    @property
    def nbytes(self) -> int:
        """Bytes taken by the kept assignments."""
        return sum(snap.s.nbytes for snap in self._kept)

    @property
    def latest(self) -> Snapshot | None:
        """The most recent snapshot, kept or not."""
        return self._latest

    def epochs(self) -> list[int]:
        """Epochs that can be replayed, in order (the latest epoch included)."""
        epochs = [snap.epoch for snap in self._kept]
        if self._latest is not None and (not epochs or epochs[-1] != self._latest.epoch):
            epochs.append(self._latest.epoch)
        return epochs

    def snapshots(self) -> list[Snapshot]:
        """The kept snapshots and the latest, in epoch order (what :meth:`epochs` lists)."""
        kept = list(self._kept)
        if self._latest is not None and (not kept or kept[-1].epoch != self._latest.epoch):
            kept.append(self._latest)
        return kept

    def get(self, epoch: int) -> Snapshot:
        """The snapshot of ``epoch``, or of the nearest recorded epoch before it."""
        if self._latest is None:
            raise LookupError("Nothing has been recorded yet.")
        if epoch >= self._latest.epoch:
            return self._latest
        before = [snap for snap in self._kept if snap.epoch <= epoch]
        return before[-1] if before else self._kept[0]
