"""Graph classification on TU datasets with each pooling method, against the TVGNN paper's table.

For each dataset and pooling method this runs ``gtvviz classify --dataset NAME --pool POOL --folds F --epochs E
--patience P --pool-size-base BASE --json ...`` and writes ``benchmarks/results/classify_<name>_<pool>.json``
(the command's JSON); at the end ``benchmarks/results/classify_tu.md`` summarises every result found, with the
published accuracy, the exact commands and the time per fold.

    nice python benchmarks/classify_tu.py --data-root /tmp/gtvviz_data [--datasets MUTAG,PROTEINS:mean]

``NAME:mean`` sets K1, K2 from the mean graph size instead of the largest (the reference): on PROTEINS the largest
graph has 620 nodes, so the reference pools every graph (39 nodes on average) to 310 and then 155 nodes, which
costs minutes per epoch on a CPU. ``--data-root`` must be writable (PyG writes ``processed/`` next to ``raw/``):
copy ``../shared/datasets`` there first. Runs one thread (``OMP_NUM_THREADS=1``) unless the environment says
otherwise. A result that exists is kept (delete it to rerun), so an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
POOLS = ("tvgnn", "mincut", "dmon", "none")
#: Published accuracy (%, mean ± std over 5 folds): TVGNN, and the best other pooling method of the paper's table
#: (Top-K, SAGPool, DiffPool, MinCutPool, DMoN), from Hansen & Bianchi, ICML 2023.
PUBLISHED = {"MUTAG": ("88.4 ± 7.5", "86.7"), "PROTEINS": ("77.1 ± 2.9", "75.7"), "NCI1": ("77.3", "75.2"),
             "Mutagenicity": ("80.0", "78.5")}


def result_path(name: str, pool: str) -> Path:
    return RESULTS / f"classify_{name.lower()}_{pool}.json"


def run_one(name: str, base: str, pool: str, args: argparse.Namespace) -> None:
    """Run ``gtvviz classify`` for one dataset and pooling method unless its result exists."""
    out = result_path(name, pool)
    if out.exists():
        return
    flags = ["--dataset", name, "--pool", pool, "--folds", str(args.folds), "--epochs", str(args.epochs),
             "--patience", str(args.patience), "--pool-size-base", base, "--seed", str(args.seed),
             "--data-root", args.data_root]
    tmp = out.with_suffix(".json.tmp")
    subprocess.run([sys.executable, "-m", "gtvviz", "classify", *flags, "--json", str(tmp)], check=True,
                   env={"OMP_NUM_THREADS": "1", **os.environ})
    result = json.loads(tmp.read_text())
    result["command"] = "gtvviz classify " + " ".join(flags[:-2])
    out.write_text(json.dumps(result, indent=2) + "\n")
    tmp.unlink()


def summary() -> str:
    """The markdown table of every result in ``benchmarks/results``."""
    rows = ["| dataset | pooling | K1, K2 | accuracy % (5-fold) | published TVGNN | published best other | "
            "s / fold | epochs / fold |", "|---|---|---|---|---|---|---|---|"]
    commands = []
    for path in sorted(RESULTS.glob("classify_*_*.json")):
        r = json.loads(path.read_text())
        published = PUBLISHED.get(r["dataset"], ("", ""))
        seconds = sum(r["seconds_per_fold"]) / len(r["seconds_per_fold"])
        rows.append(f"| {r['dataset']} | {r['pool']} | {', '.join(map(str, r['pool_sizes'])) or '-'} | "
                    f"{100 * r['accuracy']:.1f} ± {100 * r['accuracy_std']:.1f} | {published[0]} | {published[1]} | "
                    f"{seconds:.0f} | {', '.join(map(str, r['epochs_per_fold']))} |")
        commands.append(f"    {r['command']}")
    return ("# Graph classification with pooling (5-fold CV)\n\n"
            "Stratified 5-fold cross-validation, 10% of each training fold for validation, early stopping on the "
            "validation loss (restoring the best weights), reference architecture and optimiser (GTVConv(32) x 3, "
            "delta 2.0, alphas 0.5/0.5, Adam 5e-4, batch 16); only the pooling operator changes. Std is the "
            "population std over the folds. K1, K2 = N/2, N/4 with N the largest graph (the reference) unless the "
            "command says `--pool-size-base mean` (N = mean graph size). Seconds per fold on a shared 2-core CPU, one "
            "thread, under `nice`.\n\n"
            + "\n".join(rows) + "\n\nCommands:\n\n" + "\n".join(commands) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True, help="writable copy of the TU datasets")
    parser.add_argument("--datasets", default="MUTAG,PROTEINS:mean", help="NAME or NAME:mean, comma-separated")
    parser.add_argument("--pools", default=",".join(POOLS))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--patience", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    for entry in args.datasets.split(","):
        name, _, base = entry.partition(":")
        for pool in args.pools.split(","):
            run_one(name, base or "max", pool, args)
            (RESULTS / "classify_tu.md").write_text(summary())
    print(summary())


if __name__ == "__main__":
    main()
