"""What ``TVGNNClustering(n_init=...)`` does to the NMI on Cora: mean and spread over seeds.

For each ``random_state`` in 0..seeds-1 the estimator is fitted once with every ``n_init`` asked for (the authors'
Cora configuration, gtvviz's defaults); ``n_init > 1`` keeps the start with the lowest final loss, without labels.
The NMI against Cora's classes is read at the last epoch of the kept start. Prints a table and writes it to
``benchmarks/results/n_init.md`` (with ``.json`` next to it).

    nice -n 10 .venv/bin/python benchmarks/n_init.py --data-root DIR [--epochs 500] [--seeds 5] [--n-init 1,4]

``DIR`` holds ``Cora/raw`` as PyG lays it out (``../shared/datasets``; PyG writes ``processed/`` next to ``raw/``, so
copy it to a writable folder first). ``--threads`` sets torch's CPU threads (default 1). To spread the fits over
several processes, give each its ``--random-states`` and ``--out``, then write the table of all their ``.json``
files with ``--merge A.json B.json ...`` (and the same ``--epochs``).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from gtvviz import TVGNNClustering, load_graph

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True, help="folder holding Cora/raw")
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--random-states", default=None, help="comma-separated seeds (default: 0 to seeds - 1)")
    parser.add_argument("--n-init", default="1,4", help="comma-separated n_init values to compare")
    parser.add_argument("--merge", nargs="+", default=None, help="only write the table of these .json results")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(RESULTS / "n_init"), help="output path without extension")
    args = parser.parse_args()
    if args.merge:
        rows = [row for path in args.merge for row in json.loads(Path(path).read_text())]
        write(rows, args)
        return
    torch.set_num_threads(args.threads)
    states = range(args.seeds) if args.random_states is None else [int(v) for v in args.random_states.split(",")]
    graph = load_graph("pyg:Cora", data_root=args.data_root)
    labels = graph.y.numpy()
    k = int(labels.max()) + 1
    rows = []
    for n_init in (int(v) for v in args.n_init.split(",")):
        for seed in states:
            start = time.perf_counter()
            model = TVGNNClustering(k, epochs=args.epochs, random_state=seed, n_init=n_init, probe_epochs=None,
                                    device="cpu").fit(graph)
            last = model.summary_["last"]
            rows.append({"n_init": n_init, "random_state": seed, "kept_seed": model.seed_, "nmi": last["nmi"],
                         "final_loss": last["total"], "start_losses": model.final_losses_,
                         "seconds": time.perf_counter() - start})
            print(json.dumps(rows[-1]), flush=True)
    write(rows, args)


def write(rows: list[dict], args: argparse.Namespace) -> None:
    """Print the table and write it (``.md``) and the rows (``.json``) to ``args.out``."""
    rows = sorted(rows, key=lambda row: (row["n_init"], row["random_state"]))
    table = summarise(rows, args)
    print(table)
    Path(args.out).with_suffix(".json").write_text(json.dumps(rows, indent=1))
    Path(args.out).with_suffix(".md").write_text(table)


def summarise(rows: list[dict], args: argparse.Namespace) -> str:
    states = sorted({row["random_state"] for row in rows})
    lines = [
        f"# n_init on Cora ({args.epochs} epochs, random_state {', '.join(map(str, states))})",
        "",
        f"`nice -n 10 python benchmarks/n_init.py --data-root DIR --epochs {args.epochs} --n-init {args.n_init} "
        f"--threads {args.threads}`, CPU ({platform.processor() or platform.machine()}, "
        f"torch {torch.__version__}, {args.threads} thread(s)); the authors' Cora configuration (gtvviz's defaults). "
        "NMI at the last epoch of the kept start; n_init > 1 keeps the start with the lowest final loss "
        "(no labels used).",
        "",
        "| n_init | NMI mean | NMI std | NMI min | NMI max | NMI per seed | seconds per fit |",
        "|---|---|---|---|---|---|---|",
    ]
    for n_init in dict.fromkeys(row["n_init"] for row in rows):
        chosen = [row for row in rows if row["n_init"] == n_init]
        nmi = np.array([row["nmi"] for row in chosen])
        per_seed = ", ".join(f"{v:.3f}" for v in nmi)
        seconds = np.mean([row["seconds"] for row in chosen])
        lines.append(f"| {n_init} | {nmi.mean():.3f} | {nmi.std():.3f} | {nmi.min():.3f} | {nmi.max():.3f} | "
                     f"{per_seed} | {seconds:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
