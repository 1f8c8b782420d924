"""Mini-batch against full-batch TVGNN: NMI, time per epoch and peak memory, each run in a fresh process.

    nice -n 10 python benchmarks/scale_minibatch.py --graph pyg:Cora --data-root DIR --clusters 7 \\
        --modes full random cluster --batch-nodes 1024 --seeds 0 1 2 --epochs 200 --out results.json
    nice -n 10 python benchmarks/scale_minibatch.py \\
        --graph csbm:n=1000000,blocks=8,degree=10,homophily=0.8,features=32 --clusters 8 \\
        --modes cluster --batch-nodes 20000 --hidden 64,64 --mlp 32 --epochs 2 --seeds 0

Modes: ``full`` (the full-batch Trainer, today's default), ``random`` and ``cluster`` (MiniBatchTrainer with that
sampler), ``torchrun2`` (two gloo processes started by torchrun, through the CLI, which takes the default sampler).
``--balance-weight fixed`` trains with the reference weights (default: the adaptive remedy), ``--no-rescale`` gives
the mini-batch model the graph's own edge weights instead of the neighbour-rescaled ones, ``--eval-every E`` takes a
mini-batch snapshot every E epochs (the NMI curve in each run's record). ``--lr`` is per epoch in every mode: a
mini-batch step uses lr / steps per epoch (``step_lr`` in each run's record; see ``MiniBatchTrainer``).
Prints one JSON line per run and a summary per mode (NMI mean ± std over the seeds, ms per epoch, peak RSS);
``--out`` keeps every run. Peak RSS is the process's ``ru_maxrss`` (the interpreter, torch and the graph
included); ms per epoch counts training only (snapshots excluded); wall is the whole process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(args: argparse.Namespace) -> dict:
    """Train one (mode, seed) in this process and return its measurements."""
    import torch

    from gtvviz.config import RunConfig
    from gtvviz.data import load_graph
    from gtvviz.features import node_features
    from gtvviz.methods import REGISTRY, build_trainer
    from gtvviz.scale.distributed import peak_rss_mb
    from gtvviz.scale.minibatch import build_minibatch_trainer

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    graph = load_graph(args.graph, data_root=args.data_root)
    loaded = time.perf_counter() - start
    config = RunConfig(graph="bench", clusters=args.clusters, epochs=args.epochs, seed=args.seed, device="cpu",
                       lr=args.lr, balance_weight=args.balance_weight,
                       hidden=tuple(int(h) for h in args.hidden.split(",")),
                       mlp=tuple(int(h) for h in args.mlp.split(",") if h))
    if args.mode == "full":
        trainer = build_trainer(graph, config, metrics_every=args.epochs)
    else:
        config = config.replace(batch_nodes=args.batch_nodes)
        x = node_features(graph, seed=config.seed)
        with torch.random.fork_rng(devices=[]):
            model, _ = REGISTRY["tvgnn"].builder()(graph, config, x)
        trainer = build_minibatch_trainer(graph, config, model, x, eval_every=args.eval_every or args.epochs,
                                          sampler=args.mode)
        trainer.rescale_neighbours = not args.no_rescale
    last = trainer.run()
    summary = trainer.summary()
    return {"mode": args.mode, "seed": args.seed, "graph": args.graph, "nodes": graph.num_nodes,
            "edges": graph.edge_index.size(1) // 2, "batch_nodes": args.batch_nodes if args.mode != "full" else None,
            "hidden": args.hidden, "epochs": args.epochs, "lr": args.lr, "nmi": last.metrics.get("nmi"),
            "loss": last.losses["total"], "ms_per_epoch": 1000 * summary["seconds_per_epoch"],
            "steps_per_epoch": summary.get("steps_per_epoch", 1), "step_lr": summary.get("step_lr", args.lr),
            "load_s": loaded,
            "balance_weight": args.balance_weight, "rescale_neighbours": args.mode != "full" and not args.no_rescale,
            "remedy_engaged_at": trainer.objective.engaged_at,
            "curve": [(h["epoch"], round(h.get("nmi", float("nan")), 4), round(h["total"], 4))
                      for h in trainer.history],
            "load_average": os.getloadavg()[0],
            "wall_s": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb()}


def torchrun_run(args: argparse.Namespace, seed: int) -> dict:
    """Two gloo processes through ``torchrun -m gtvviz cluster`` (with the CLI's default sampler)."""
    out = Path(f"/tmp/scale_torchrun_{os.getpid()}_{seed}.json")
    torchrun = Path(sys.executable).with_name("torchrun")
    command = [str(torchrun), "--nproc-per-node", "2", "-m", "gtvviz", "cluster", "--graph", args.graph,
               "--clusters", str(args.clusters), "--epochs", str(args.epochs), "--seed", str(seed),
               "--hidden", args.hidden, "--mlp", args.mlp, "--lr", str(args.lr), "--device", "cpu",
               "--batch-nodes", str(args.batch_nodes), "--n-init", "1",
               "--json", str(out)] + (["--data-root", args.data_root] if args.data_root else [])
    start = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
    result = json.loads(out.read_text())
    out.unlink()
    return {"mode": "torchrun2", "seed": seed, "graph": args.graph, "nodes": len(result["labels"]),
            "batch_nodes": args.batch_nodes, "hidden": args.hidden, "epochs": args.epochs, "nmi": result.get("nmi"),
            "loss": result["loss"], "ms_per_epoch": 1000 * result["seconds_per_epoch"],
            "step_lr": result["step_lr"], "load_average": os.getloadavg()[0],
            "wall_s": time.perf_counter() - start, "peak_rss_mb": result["peak_rss_mb"],
            "peak_rss_mb_all_ranks": result["peak_rss_mb_all_ranks"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", required=True)
    parser.add_argument("--data-root", default=None)
    parser.add_argument("--clusters", type=int, required=True)
    parser.add_argument("--modes", nargs="+", default=["full", "random", "cluster"])
    parser.add_argument("--batch-nodes", type=int, default=1024)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--hidden", default="512,512")
    parser.add_argument("--mlp", default="256")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--balance-weight", default="adaptive", choices=["adaptive", "fixed"])
    parser.add_argument("--no-rescale", action="store_true", help="mini-batches without neighbour rescaling")
    parser.add_argument("--eval-every", type=int, default=0, help="mini-batch snapshot interval (default: the end)")
    parser.add_argument("--out", default=None)
    parser.add_argument("--mode", help=argparse.SUPPRESS)  # one run in this process (used by the driver)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode is not None:
        print(json.dumps(one_run(args)))
        return
    runs = []
    for seed in args.seeds:
        for mode in args.modes:
            if mode == "torchrun2":
                run = torchrun_run(args, seed)
            else:
                command = [sys.executable, __file__, *sys.argv[1:], "--mode", mode, "--seed", str(seed)]
                done = subprocess.run(command, check=True, capture_output=True, text=True,
                                      env={**os.environ, "PYTHONPATH": str(ROOT)})
                run = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps(run), flush=True)
            runs.append(run)
            if args.out:
                Path(args.out).write_text(json.dumps(runs, indent=1) + "\n")
    for mode in args.modes:
        mine = [r for r in runs if r["mode"] == mode]
        nmi = [r["nmi"] for r in mine]
        spread = statistics.stdev(nmi) if len(nmi) > 1 else 0.0
        print(f"{mode:10s} NMI {statistics.mean(nmi):.3f} ± {spread:.3f}  "
              f"{statistics.mean(r['ms_per_epoch'] for r in mine):.0f} ms/epoch  "
              f"peak {max(r['peak_rss_mb'] for r in mine):.0f} MB  ({len(mine)} seeds)")


if __name__ == "__main__":
    main()
