"""Data-parallel mini-batch training with two gloo processes on the CPU (spawned, a few epochs each)."""

import math
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from gtvviz.config import RunConfig
from gtvviz.data import generate
from gtvviz.errors import DistributedRunError
from gtvviz.methods import build_trainer
from gtvviz.nn.losses import asym_cheeger_cut_loss
from gtvviz.scale.distributed import rank_seed
from gtvviz.scale.sampling import RandomNodeSampler, induced_subgraph, neighbour_rescaled_weights, weighted_degree

# alone: two spawned ranks with 20-second gloo timeouts must not wait behind the parallel part of the suite
pytestmark = [pytest.mark.slow, pytest.mark.alone]

EPOCHS = 4
#: 60 nodes in batches of 30: two batches per pass, so each of the two ranks takes one step per epoch.
CONFIG = RunConfig(graph="g", clusters=3, epochs=EPOCHS, batch_nodes=30, hidden=(12, 12), mlp=(6,), lr=1e-2,
                   device="cpu", balance_weight="fixed", seed=3)


def _graph():
    return generate("csbm", n=60, blocks=3, degree=6.0, homophily=0.9, snr=2.0, features=5, seed=1)


def _flat(model: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _worker(rank: int, init_file: str, out_dir: str, die_at: int) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=2,
                            timeout=timedelta(seconds=20))
    trainer = build_trainer(_graph(), CONFIG, metrics_every=EPOCHS)
    assert trainer.world_size == 2 and trainer.steps_per_epoch == 1
    spreads = []
    start = time.perf_counter()
    try:
        for epoch in range(EPOCHS):
            if rank == 1 and epoch == die_at:
                os._exit(3)  # a lost process: no goodbye to the group
            trainer.step(1)
            if die_at < 0:  # every step: the largest difference between the two ranks' parameters
                mine = _flat(trainer.model)
                both = [torch.empty_like(mine) for _ in range(2)]
                dist.all_gather(both, mine)
                spreads.append(float((both[0] - both[1]).abs().max()))
    except DistributedRunError as err:
        Path(out_dir, f"error{rank}.txt").write_text(f"{time.perf_counter() - start}\n{err}")
        os._exit(0)
    torch.save({"params": _flat(trainer.model), "spreads": spreads}, Path(out_dir, f"rank{rank}.pt"))
    del trainer  # its DistributedDataParallel goes before the process group: the other order can hang at exit
    dist.destroy_process_group()


def _spawn(tmp_path: Path, die_at: int, wait_s: float) -> list:
    context = mp.get_context("spawn")
    processes = [context.Process(target=_worker, args=(rank, str(tmp_path / "init"), str(tmp_path), die_at))
                 for rank in range(2)]
    for process in processes:
        process.start()
    deadline = time.monotonic() + wait_s
    for process in processes:
        process.join(max(deadline - time.monotonic(), 0.1))
    alive = [p for p in processes if p.is_alive()]
    for process in alive:
        process.kill()
    assert not alive, "a rank hung"
    return processes


def _single_process_with_the_same_batches() -> torch.Tensor:
    """The run both ranks make together, in one process: each step averages the two ranks' batch losses (DDP
    averages their gradients) over the batches each rank's generator draws, the model seeing the batch's
    neighbour-rescaled weights."""
    graph = _graph()
    trainer = build_trainer(graph, CONFIG)  # one process: only for its seeded model and features
    model, x = trainer.model, trainer._x
    optimizer = torch.optim.Adam(model.parameters(), lr=CONFIG.lr, eps=1e-7)
    sampler = RandomNodeSampler(graph.num_nodes, CONFIG.batch_nodes)
    generators = [torch.Generator().manual_seed(rank_seed(CONFIG.seed, rank)) for rank in range(2)]
    degree = weighted_degree(graph.edge_index, graph.num_nodes, graph.edge_weight)
    for _ in range(EPOCHS):
        losses = []
        for generator in generators:
            (nodes,) = sampler.batches(generator, 1)
            sub = induced_subgraph(graph, nodes)
            s = model(x[nodes], sub.edge_index, neighbour_rescaled_weights(sub, degree))
            terms = asym_cheeger_cut_loss(s, sub.edge_index, sub.edge_weight, CONFIG.alpha1, CONFIG.alpha2)
            losses.append(terms["total"])
        optimizer.zero_grad()
        (sum(losses) / 2).backward()
        optimizer.step()
    return _flat(model)


def test_two_ranks_hold_the_same_parameters_and_match_one_process(tmp_path: Path) -> None:
    processes = _spawn(tmp_path, die_at=-1, wait_s=240)
    assert [p.exitcode for p in processes] == [0, 0]
    results = [torch.load(tmp_path / f"rank{rank}.pt") for rank in range(2)]
    assert len(results[0]["spreads"]) == EPOCHS and max(results[0]["spreads"]) == 0.0
    torch.testing.assert_close(results[0]["params"], results[1]["params"], atol=0, rtol=0)
    expected = _single_process_with_the_same_batches()
    initial = _flat(build_trainer(_graph(), CONFIG).model)
    assert float((expected - initial).abs().max()) > 1e-3  # the runs did move the parameters
    torch.testing.assert_close(results[0]["params"], expected, atol=1e-5, rtol=1e-4)


def test_a_lost_rank_ends_the_run_with_one_error(tmp_path: Path) -> None:
    processes = _spawn(tmp_path, die_at=2, wait_s=240)
    assert processes[1].exitcode == 3 and processes[0].exitcode == 0
    seconds, message = (tmp_path / "error0.txt").read_text().split("\n", 1)
    assert "Rank 0 of 2" in message and "rerun" in message
    assert math.isfinite(float(seconds)) and float(seconds) < 60
