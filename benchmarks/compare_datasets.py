"""Sharp against smooth on the paper's citation datasets: ``gtvviz compare`` on Cora, CiteSeer and DBLP.

For each dataset this runs ``gtvviz compare --graph pyg:NAME --clusters K --seeds N --epochs E --json ...`` (all
five methods, K = number of classes), and writes ``benchmarks/results/compare_<dataset>.json`` (the command's
JSON) and ``benchmarks/results/compare_<dataset>.md`` (a markdown table with the command and its wall time).

    nice python benchmarks/compare_datasets.py --data-root /tmp/gtvviz_data [--datasets Cora,CiteSeer,DBLP]

``--data-root`` must be writable (PyG writes ``processed/`` next to ``raw/``): copy ``../shared/datasets`` there
first. Runs one thread (``OMP_NUM_THREADS=1``) unless the environment says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from gtvviz.compare import format_table

RESULTS = Path(__file__).resolve().parent / "results"
#: Number of clusters (= classes) of each dataset.
CLASSES = {"Cora": 7, "CiteSeer": 6, "DBLP": 4}


def run_dataset(name: str, data_root: str, seeds: int, epochs: int) -> Path:
    out = RESULTS / f"compare_{name.lower()}.json"
    command = [sys.executable, "-m", "gtvviz", "compare", "--graph", f"pyg:{name}", "--clusters", str(CLASSES[name]),
               "--seeds", str(seeds), "--epochs", str(epochs), "--data-root", data_root, "--device", "cpu",
               "--json", str(out)]
    start = time.perf_counter()
    subprocess.run(command, check=True, env={"OMP_NUM_THREADS": "1", **os.environ})
    wall = time.perf_counter() - start
    summary = json.loads(out.read_text())
    shown = " ".join(["gtvviz", *command[3:-1], out.name])
    text = (f"# {name}: sharp against smooth\n\n`{shown}`\n\n"
            f"{seeds} seeds, {epochs} epochs, metrics at the last epoch, mean ± std (population) over the seeds. "
            f"Wall time of the whole command: {wall / 60:.1f} min on a shared 2-core CPU.\n\n"
            f"{format_table(summary, markdown=True)}\n")
    out.with_suffix(".md").write_text(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True, help="writable copy of ../shared/datasets")
    parser.add_argument("--datasets", default=",".join(CLASSES), help="comma-separated, from Cora,CiteSeer,DBLP")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=500)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    for name in args.datasets.split(","):
        print(f"{name}: written {run_dataset(name, args.data_root, args.seeds, args.epochs)}", flush=True)


if __name__ == "__main__":
    main()
