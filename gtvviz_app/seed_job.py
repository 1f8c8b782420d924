"""A multi-seed comparison run in a background thread, so the page stays live and a Stop button can end it.

The thread calls :func:`gtvviz.compare.run_seeds` and keeps every finished run's row as soon as it ends; the page
polls :class:`SeedJob` (progress, partial rows) and :meth:`SeedJob.stop` makes the next epoch's progress callback
raise, which ends the current run without a result. The app holds no model math: this only schedules the library.
"""

from __future__ import annotations

import threading
from typing import Sequence

from gtvviz import Graph, RunConfig
from gtvviz.compare import run_seeds


class _Stopped(Exception):
    """Raised in the worker thread to end the runs after :meth:`SeedJob.stop`."""


class SeedJob:
    """Every method in ``methods`` over ``seeds`` seeds, run one at a time in a daemon thread.

    Attributes:
        rows: the rows of the finished runs (see :func:`~gtvviz.compare.run_seeds`), in order.
        done: epochs counted so far out of :attr:`total`; ``label`` the run in progress.
        error: the message of an error that ended the runs, if any.
    """

    def __init__(self, graph: Graph, config: RunConfig, methods: Sequence[str], seeds: int) -> None:
        self.total = max(len(methods) * seeds * config.epochs, 1)
        self.seeds = seeds
        self.rows: list[dict[str, float | str]] = []
        self.done = 0
        self.label = "starting…"
        self.error = ""
        self.stopped = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, args=(graph, config, tuple(methods), seeds), daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Ask the worker to stop at the end of the current epoch (the finished runs' rows stay)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _progress(self, label: str, n: int) -> None:
        self.done += n
        self.label = label
        if self._stop.is_set():
            raise _Stopped

    def _work(self, graph: Graph, config: RunConfig, methods: tuple[str, ...], seeds: int) -> None:
        try:
            run_seeds(graph, config, methods, seeds, self._progress, self.rows.append)
        except _Stopped:
            self.stopped = True
        except Exception as err:  # shown on the page; the thread must not die silently
            self.error = str(err) or type(err).__name__
