"""Sharp against smooth, measured: ``gtvviz compare`` on the samples built for it and on the paper's datasets.

For each graph this runs ``gtvviz compare --graph SOURCE --clusters K --seeds N --epochs E --json ...`` (all five
methods, the library's default configuration otherwise) and writes ``benchmarks/results/compare_<name>.json``
(the command's JSON) and ``benchmarks/results/compare_<name>.md`` (a markdown table with the command, the
configuration and the wall time). Finally ``benchmarks/results/compare_summary.md`` gathers NMI, ACC and sharpness
of every graph that has results into one table.

    nice python benchmarks/compare_datasets.py --data-root /tmp/gtvviz_data [--graphs bridged_communities,Cora]

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

from gtvviz import RunConfig
from gtvviz.compare import format_table

RESULTS = Path(__file__).resolve().parent / "results"
#: Graph source and number of clusters (= classes) of each benchmark graph, by name.
GRAPHS = {
    "bridged_communities": ("bridged_communities", 2),
    "pixel_grid": ("pixel_grid", 4),
    "Cora": ("pyg:Cora", 7),
    "CiteSeer": ("pyg:CiteSeer", 6),
    "DBLP": ("pyg:DBLP", 4),
}


def run_graph(name: str, data_root: str, seeds: int, epochs: int) -> Path:
    """Run ``gtvviz compare`` on one benchmark graph and write its JSON and markdown results."""
    source, k = GRAPHS[name]
    out = RESULTS / f"compare_{name.lower()}.json"
    flags = ["--graph", source, "--clusters", str(k), "--seeds", str(seeds), "--epochs", str(epochs),
             "--data-root", data_root, "--device", "cpu"]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gtvviz", "compare", *flags, "--json", str(out)], check=True,
                   env={"OMP_NUM_THREADS": "1", **os.environ})
    wall = time.perf_counter() - start
    config = RunConfig(graph=source, clusters=k, epochs=epochs).to_dict()
    text = (f"# {name}: sharp against smooth\n\n`gtvviz compare {' '.join(flags)} --json {out.name}`\n\n"
            f"{seeds} seeds, {epochs} epochs, metrics at the last epoch, mean ± std (population) over the seeds; "
            f"`seconds` is the fitting time of one run. Wall time of the whole command: {wall / 60:.1f} min on a "
            f"shared 2-core CPU (one thread).\n\n{format_table(json.loads(out.read_text()), markdown=True)}\n\n"
            f"Configuration (every method; the baselines use `hidden`, `mlp`, `lr`, `epochs` and `seed`):\n\n"
            f"```json\n{json.dumps(config)}\n```\n")
    out.with_suffix(".md").write_text(text)
    return out


def summary_table() -> str:
    """One markdown table: NMI, ACC and sharpness (mean ± std) of every method on every graph with results."""
    found = {name: json.loads(path.read_text()) for name in GRAPHS
             if (path := RESULTS / f"compare_{name.lower()}.json").exists()}
    methods = list(dict.fromkeys(m for summary in found.values() for m in summary))
    header = "| method | " + " | ".join(f"{g} {c}" for g in found for c in ("NMI", "ACC", "sharpness")) + " |"
    rows = [header, "|---" * (1 + 3 * len(found)) + "|"]
    for method in methods:
        cells = [f"{s[method][c]:.3f} ± {s[method][c + '_std']:.3f}" if method in s else "-"
                 for s in found.values() for c in ("nmi", "acc", "sharpness")]
        rows.append(f"| {method} | " + " | ".join(cells) + " |")
    return ("# Sharp against smooth: NMI, ACC and sharpness at the last epoch\n\n"
            "Mean ± std over the seeds; see `compare_<graph>.md` for the commands, every metric and the timings.\n\n"
            + "\n".join(rows) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True, help="writable copy of ../shared/datasets")
    parser.add_argument("--graphs", default=",".join(GRAPHS), help=f"comma-separated, from {','.join(GRAPHS)}")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=500)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    for name in args.graphs.split(","):
        print(f"{name}: written {run_graph(name, args.data_root, args.seeds, args.epochs)}", flush=True)
    (RESULTS / "compare_summary.md").write_text(summary_table())


if __name__ == "__main__":
    main()
