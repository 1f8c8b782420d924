"""Compare the memory budget's estimate (:mod:`gtvviz.budget`) with the measured peak of real runs:

    .venv/bin/python benchmarks/memory_budget.py [--epochs 3] [--data-root DIR]

Each graph runs in a fresh interpreter: the peak resident memory (``ru_maxrss``) after building the trainer and
training a few epochs with the default settings, minus the peak after loading the graph, against
:func:`gtvviz.budget.run_bytes`. Prints one Markdown row per graph with the ratio estimate / measured (it must
stay above 1 for the budget to refuse before an allocation fails, not after).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GRAPHS = (("karate", 2), ("pyg:Cora", 7), ("grid:width=100,height=100", 4), ("pyg:DBLP", 4))

_CHILD = """
import json, resource, sys
import torch
torch.set_num_threads(1)
from gtvviz.budget import run_bytes
from gtvviz.config import RunConfig
from gtvviz.data import load_graph
from gtvviz.methods import build_trainer
source, clusters, epochs, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] or None
graph = load_graph(source, data_root=root)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
config = RunConfig(clusters=clusters, epochs=epochs, device="cpu")
build_trainer(graph, config).run()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
estimate = run_bytes(graph.num_nodes, graph.edge_index.size(1), graph.num_features, config.hidden, config.mlp,
                     config.clusters)
print(json.dumps({"nodes": graph.num_nodes, "measured_mb": (peak - base) / 1024, "estimate_mb": estimate / 2**20}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--data-root", default=os.environ.get("GTVVIZ_DATA_ROOT", ""))
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO), "GTVVIZ_OFFLINE": "1"}
    print("| graph | nodes | measured peak above the loaded graph (MB) | estimate (MB) | estimate / measured |")
    print("| --- | --- | --- | --- | --- |")
    for source, clusters in GRAPHS:
        done = subprocess.run([sys.executable, "-c", _CHILD, source, str(clusters), str(args.epochs), args.data_root],
                              capture_output=True, text=True, env=env)
        if done.returncode:
            print(f"| {source} | failed: {done.stderr.strip().splitlines()[-1][:100]} | | | |")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {source} | {row['nodes']:,} | {row['measured_mb']:.0f} | {row['estimate_mb']:.0f} | "
              f"{row['estimate_mb'] / row['measured_mb']:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
