"""Peak memory of loading a large CSV edge list against the size of the graph's arrays, each step in a fresh process.

    nice -n 10 python benchmarks/scale_edge_list.py --edges 20000000 --nodes 2000000 --file /tmp/edges_20m.csv

Writes (once) a CSV of ``--edges`` random pairs of ``--nodes`` integer ids (no self-loops; ``--weighted`` adds a
weight column, which the ``from_edges`` step passes too), then measures in
separate processes: ``imports`` (the interpreter with gtvviz, torch and numpy loaded: the baseline), ``load``
(:func:`gtvviz.data.load_graph` of the file), ``parse`` (the CSV reader alone, up to the coded :math:`(2, M)`
array it hands to the graph's construction), ``from_edges`` (:meth:`gtvviz.graph.Graph.from_edges` of the same
pairs as one :math:`(2, M)` int64 array, no file: the graph's construction alone) and ``small`` (the median time
of ``Graph.from_edges`` on 10,000 such pairs of 1,000 nodes, over 50 calls). Prints one JSON line per step: peak
RSS (``ru_maxrss``), time, the bytes of the loaded graph's ``edge_index`` (2 × 2E int64) and of its arrays
(``edge_index`` and, with ``--weighted``, its float32 ``edge_weight``: "the graph's arrays") and of the file's
pairs (2 × M int64); then, when ``imports`` ran, each step's peak above the interpreter as a multiple of the
graph's arrays. ``--out`` keeps them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pairs(edges: int, nodes: int):
    """A (2, M) int64 array of random pairs without self-loops, built in place (one temporary row)."""
    import numpy as np

    rng = np.random.default_rng(0)
    out = np.empty((2, edges), dtype=np.int64)
    out[0] = rng.integers(0, nodes, edges)
    out[1] = rng.integers(1, nodes, edges)
    out[1] += out[0]
    out[1] %= nodes
    return out


def weights(edges: int):
    """Random weights 0.001 to 1.000, written with three decimals (what the file holds exactly)."""
    import numpy as np

    return np.random.default_rng(1).integers(1, 1001, edges) / 1000


def write_file(path: Path, edges: int, nodes: int, weighted: bool) -> None:
    src, dst = pairs(edges, nodes)
    w = weights(edges) if weighted else None
    chunk = 1_000_000
    with path.open("w") as f:
        f.write("source,target" + (",weight\n" if weighted else "\n"))
        for start in range(0, edges, chunk):
            end = start + chunk
            columns = [src[start:end].tolist(), dst[start:end].tolist()]
            if w is not None:
                f.write("".join(f"{a},{b},{c:.3f}\n" for a, b, c in zip(*columns, w[start:end].tolist())))
            else:
                f.write("".join(f"{a},{b}\n" for a, b in zip(*columns)))


def one_step(args: argparse.Namespace) -> dict:
    import torch  # noqa: F401  (the baseline includes torch, as every gtvviz process does)

    from gtvviz.data import load_graph
    from gtvviz.graph import Graph

    start = time.perf_counter()
    graph, out_graph = None, {}
    if args.step == "load":
        graph = load_graph(args.file)
    elif args.step == "parse":  # the CSV reader alone: stop where it hands the coded edges to Graph.from_edges
        from gtvviz.data.formats import tabular

        tabular.assemble_indexed = lambda edge_index, num_nodes, *rest, **options: (edge_index, num_nodes)
        edge_index, num_nodes = load_graph(args.file)
        out_graph = {"nodes": num_nodes, "entries": edge_index.shape[1]}
    elif args.step == "from_edges":
        edge_pairs = pairs(args.edges, args.nodes)
        start = time.perf_counter()  # the construction alone
        graph = Graph.from_edges(edge_pairs, args.nodes, weights=weights(args.edges) if args.weighted else None,
                                 directed=False)
        del edge_pairs
    elif args.step == "small":
        edge_pairs = pairs(10_000, 1_000)
        times = []
        for _ in range(50):
            begin = time.perf_counter()
            Graph.from_edges(edge_pairs, 1_000, directed=False)
            times.append(time.perf_counter() - begin)
        out_graph = {"median_ms": 1000 * statistics.median(times), "min_ms": 1000 * min(times)}
    out = {"step": args.step, "seconds": time.perf_counter() - start,
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "file_pairs_mb": 2 * 8 * args.edges / 2**20, "load_average": os.getloadavg()[0], **out_graph}
    if graph is not None:
        arrays = [graph.edge_index] + ([] if graph.edge_weight is None else [graph.edge_weight])
        out.update(nodes=graph.num_nodes, edges=graph.num_edges,
                   edge_index_mb=graph.edge_index.numel() * graph.edge_index.element_size() / 2**20,
                   arrays_mb=sum(a.numel() * a.element_size() for a in arrays) / 2**20)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=20_000_000)
    parser.add_argument("--nodes", type=int, default=2_000_000)
    parser.add_argument("--file", default="/tmp/edges_20m.csv")
    parser.add_argument("--steps", nargs="+", default=["imports", "load", "parse", "from_edges", "small"])
    parser.add_argument("--weighted", action="store_true", help="a weight column (the graph's arrays then "
                        "include its float32 edge_weight)")
    parser.add_argument("--out", default=None)
    parser.add_argument("--step", help=argparse.SUPPRESS)  # one step in this process (used by the driver)
    args = parser.parse_args()
    if args.step == "write":
        write_file(Path(args.file), args.edges, args.nodes, args.weighted)
        return
    if args.step is not None:
        print(json.dumps(one_step(args)))
        return
    path = Path(args.file)
    if not path.exists():  # in its own process: a child's ru_maxrss starts at its parent's resident size
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--step", "write"], check=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    runs = []
    for step in args.steps:
        command = [sys.executable, __file__, *sys.argv[1:], "--step", step]
        done = subprocess.run(command, check=True, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        run = json.loads(done.stdout.strip().splitlines()[-1])
        run["file_mb"] = path.stat().st_size / 2**20
        print(json.dumps(run), flush=True)
        runs.append(run)
        if args.out:
            Path(args.out).write_text(json.dumps(runs, indent=1) + "\n")
    baseline = next((run["peak_rss_mb"] for run in runs if run["step"] == "imports"), None)
    arrays = next((run["arrays_mb"] for run in runs if "arrays_mb" in run), None)
    if baseline is not None and arrays is not None:
        print(json.dumps({run["step"]: round((run["peak_rss_mb"] - baseline) / arrays, 2) for run in runs
                          if run["step"] not in ("imports", "small")} | {"ratio_to": f"{arrays:.0f} MiB"}))


if __name__ == "__main__":
    main()
