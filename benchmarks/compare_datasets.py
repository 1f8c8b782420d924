"""Sharp against smooth, measured: ``gtvviz compare`` on the samples built for it and on the paper's datasets.

For each graph this runs ``gtvviz compare --graph SOURCE --clusters K --seeds N --epochs E --json ...`` (all five
methods, the library's default configuration otherwise) and writes ``benchmarks/results/compare_<name>.json``
(the command's JSON) and ``benchmarks/results/compare_<name>.md`` (a markdown table with the command, the
configuration and the wall time). Finally ``benchmarks/results/compare_summary.md`` gathers NMI, ACC, sharpness
and boundary sharpness of every graph that has results, one table per graph.

    nice python benchmarks/compare_datasets.py --data-root /tmp/gtvviz_data [--graphs bridged_communities,Cora] \
        [--jobs 2] [--device cuda --machine "an NVIDIA H100"] [--methods tvgnn] [-- --delta 1.0]

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
from gtvviz.compare import format_table, mean_std
from gtvviz.config import METHODS

RESULTS = Path(__file__).resolve().parent / "results"
#: Graph source and number of clusters (= classes) of each benchmark graph, by name.
GRAPHS = {
    "bridged_communities": ("bridged_communities", 2),
    "pixel_grid": ("pixel_grid", 4),
    "Cora": ("pyg:Cora", 7),
    "CiteSeer": ("pyg:CiteSeer", 6),
    "DBLP": ("pyg:DBLP", 4),
}


def run_graph(name: str, data_root: str, seeds: int, epochs: int, jobs: int = 1, device: str = "cpu",
              machine: str = "a shared 2-core CPU", methods: tuple[str, ...] = METHODS,
              extra: tuple[str, ...] = (), tag: str = "") -> Path:
    """Run ``gtvviz compare`` on one benchmark graph and write its JSON and markdown results. With ``jobs > 1`` the
    methods are dealt round-robin to that many ``gtvviz compare`` processes running at once, whose JSON results
    (one entry per method) are merged. Methods not run keep their earlier results (and the line saying how they
    were run), so that e.g. the GNNs can run on a GPU and spectral clustering on a CPU. ``extra`` flags (e.g.
    ``("--delta", "1.0")``) go to ``gtvviz compare`` as they are; a ``tag`` names a variant's own result files
    (``compare_<name>_<tag>.*``, left out of the summary table)."""
    source, k = GRAPHS[name]
    out = RESULTS / f"compare_{name.lower()}{'_' + tag if tag else ''}.json"
    flags = ["--graph", source, "--clusters", str(k), "--seeds", str(seeds), "--epochs", str(epochs),
             "--data-root", data_root, "--device", device, *extra]
    groups = [methods[i::jobs] for i in range(min(jobs, len(methods)))]
    parts = [out.with_name(f"{out.stem}.part{i}.json") for i in range(len(groups))]
    start = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-m", "gtvviz", "compare", *flags, "--methods", ",".join(group),
                                   "--json", str(part)], env={"OMP_NUM_THREADS": "1", **os.environ})
                 for group, part in zip(groups, parts)]
    if any(process.wait() != 0 for process in processes):
        raise SystemExit(f"gtvviz compare failed on {name}")
    wall = time.perf_counter() - start
    merged = json.loads(out.read_text()) if out.exists() else {}
    merged.update({method: result for part in parts for method, result in json.loads(part.read_text()).items()})
    out.write_text(json.dumps({method: merged[method] for method in METHODS if method in merged}, indent=2))
    for part in parts:
        part.unlink()
    threads = os.environ.get("OMP_NUM_THREADS", "1")
    run = (f"- {','.join(methods)}: `gtvviz compare {' '.join(flags)} --methods ...`; wall time {wall / 60:.1f} min "
           f"on {machine} ({len(groups)} process(es) at once, {threads} thread(s) each)")
    earlier = [kept for line in _run_lines(out.with_suffix(".md")) if (kept := _without(line, methods))]
    config = RunConfig(graph=source, clusters=k, epochs=epochs).to_dict()
    text = (f"# {name}: sharp against smooth\n\n"
            f"{seeds} seeds, {epochs} epochs, metrics at the last epoch, mean ± std (population) over the seeds; "
            f"`seconds` is the fitting time of one run.\n\n{format_table(json.loads(out.read_text()), markdown=True)}"
            f"\n\n## Runs\n\n" + "\n".join([*earlier, run]) + "\n\n"
            f"Configuration: the library's defaults, overridden by the flags of each run line (the baselines use "
            f"`hidden`, `mlp`, `lr`, `epochs` and `seed`):\n\n"
            f"```json\n{json.dumps(config)}\n```\n")
    out.with_suffix(".md").write_text(text)
    return out


def _run_lines(markdown: Path) -> list[str]:
    """The lines of an earlier report's "Runs" section, one per ``run_graph`` call."""
    if not markdown.exists() or "## Runs" not in (text := markdown.read_text()):
        return []
    section = text.split("## Runs", 1)[1].split("\n\n")[1]
    return [line for line in section.splitlines() if line.startswith("- ")]


def _without(line: str, methods: list[str]) -> str:
    """A run line without ``methods`` (rerun since: their results are no longer that run's), or "" if none is left."""
    names, rest = line[2:].split(":", 1)
    kept = [name for name in names.split(",") if name not in methods]
    return f"- {','.join(kept)}:{rest}" if kept else ""


#: Columns of the summary table: metric -> heading.
COLUMNS = {"nmi": "NMI", "acc": "ACC", "sharpness": "sharpness", "boundary_sharpness": "boundary sharpness"}


def summary_table() -> str:
    """One markdown table per graph with results: NMI, ACC, sharpness and boundary sharpness (mean ± std)."""
    sections = []
    for name in GRAPHS:
        path = RESULTS / f"compare_{name.lower()}.json"
        if not path.exists():
            continue
        summary = json.loads(path.read_text())
        rows = ["| method | " + " | ".join(COLUMNS.values()) + " |", "|---" * (1 + len(COLUMNS)) + "|"]
        rows += [f"| {method} | " + " | ".join(mean_std(entry, c) for c in COLUMNS) + " |"
                 for method, entry in summary.items()]
        sections.append(f"## {name}\n\n" + "\n".join(rows))
    return ("# Sharp against smooth: NMI, ACC and sharpness at the last epoch\n\n"
            "Mean ± std over the seeds; see `compare_<graph>.md` for the commands, every metric and the timings. "
            "Boundary sharpness is the sharpness of the nodes with a neighbour in another cluster (n/a: no edge "
            "is cut, every node is in one cluster).\n\n" + "\n\n".join(sections) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True, help="writable copy of ../shared/datasets")
    parser.add_argument("--graphs", default=",".join(GRAPHS), help=f"comma-separated, from {','.join(GRAPHS)}")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=1, help="gtvviz compare processes per graph (methods split)")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods to (re)run")
    parser.add_argument("--device", default="cpu", help="device of the GNN methods (cpu, cuda, ...)")
    parser.add_argument("--machine", default="a shared 2-core CPU", help="the machine, in words, for the report")
    parser.add_argument("--tag", default="", help="name of a variant (e.g. delta1): its own result files")
    parser.add_argument("extra", nargs=argparse.REMAINDER, help="after --: flags passed to gtvviz compare as they are")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    methods = tuple(args.methods.split(","))
    for name in args.graphs.split(","):
        extra = tuple(arg for arg in args.extra if arg != "--")
        written = run_graph(name, args.data_root, args.seeds, args.epochs, args.jobs, args.device, args.machine,
                            methods, extra, args.tag)
        print(f"{name}: written {written}", flush=True)
    (RESULTS / "compare_summary.md").write_text(summary_table())


if __name__ == "__main__":
    main()
