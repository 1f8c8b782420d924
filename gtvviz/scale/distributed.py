"""Data-parallel runs on :mod:`torch.distributed`: the process group from ``torchrun``'s environment, per-rank
seeds, and a bounded wait on every collective so that a run that loses a process ends instead of hanging.

``torchrun --nproc-per-node P -m gtvviz cluster ... --batch-nodes N`` sets ``RANK``, ``WORLD_SIZE``,
``MASTER_ADDR`` and ``MASTER_PORT``; :func:`distributed_session` joins the group (gloo on the CPU, nccl on CUDA)
with a collective timeout of :data:`TIMEOUT_S` seconds (environment variable ``GTVVIZ_DIST_TIMEOUT_S``).
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
from datetime import timedelta
from typing import Iterator

import numpy as np
import torch
import torch.distributed as dist

from gtvviz.errors import DistributedRunError

#: Seconds a collective (a gradient all-reduce) may wait for the other ranks before it fails.
TIMEOUT_S = float(os.environ.get("GTVVIZ_DIST_TIMEOUT_S", "300"))


def rank_seed(seed: int, rank: int) -> int:
    """The seed of rank ``rank``'s batch sampler, derived from the run's ``seed`` (distinct for every pair)."""
    return int(np.random.SeedSequence([seed, rank]).generate_state(1, np.uint32)[0])


def rank_and_world() -> tuple[int, int]:
    """``(rank, world_size)`` of this process; ``(0, 1)`` outside a process group."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def backend_for(device: torch.device) -> str:
    """nccl for CUDA tensors, gloo otherwise."""
    return "nccl" if device.type == "cuda" else "gloo"


@contextlib.contextmanager
def distributed_session(device: torch.device, timeout_s: float | None = None) -> Iterator[tuple[int, int]]:
    """Join the process group that ``torchrun`` describes in the environment (``WORLD_SIZE`` > 1), yield
    ``(rank, world_size)`` and leave it at the end; outside ``torchrun`` (or when a group already exists) yield
    the current ``(rank, world_size)`` and change nothing. On CUDA each rank takes GPU ``LOCAL_RANK``.

    Free the trainers built inside the session before it ends (e.g. build them in a function called inside it): a
    ``DistributedDataParallel`` that outlives its process group can hang the process at exit."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1 or dist.is_initialized():
        yield rank_and_world()
        return
    if device.type == "cuda":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    try:
        dist.init_process_group(backend_for(device), timeout=timedelta(seconds=timeout_s or TIMEOUT_S))
    except (RuntimeError, ValueError) as err:
        raise DistributedRunError(f"Cannot join the {world}-process group ({_first_line(err)}); start every "
                                  "process with the same torchrun command.") from err
    try:
        yield rank_and_world()
    finally:
        dist.destroy_process_group()


def collective_failure(err: BaseException) -> DistributedRunError:
    """The one error every surviving rank raises when a collective fails (a rank died or timed out)."""
    rank, world = rank_and_world()
    return DistributedRunError(
        f"Rank {rank} of {world}: a gradient all-reduce failed ({_first_line(err)}); another process has stopped "
        "or stopped answering, so the run ends; rerun it.")


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB (``ru_maxrss`` is kB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024


def max_over_ranks(value: float) -> float:
    """The largest ``value`` over the ranks of the group (``value`` itself outside one)."""
    if rank_and_world()[1] == 1:
        return value
    backend = dist.get_backend()
    tensor = torch.tensor([value], dtype=torch.float64,
                          device="cuda" if backend == "nccl" else "cpu")
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return float(tensor.item())


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
