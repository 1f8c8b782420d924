"""Time and peak memory of spectral clustering as graphs grow: gtvviz.spectral against scikit-learn's path.

Each measurement runs in a fresh subprocess (so that its peak RSS is its own) under a wall-clock limit:
the graph is generated, then the clustering (embedding and k-means rounding) is timed. The reported peak RSS is
that of the whole process (Python, torch and the graph included); ``base RSS`` is the peak before clustering,
so their difference is what the clustering added.

    nice -n 10 python benchmarks/spectral_scale.py --sizes 1000 10000 100000 --out benchmarks/results/spectral_scale.md

``new`` is :func:`gtvviz.baselines.spectral_clustering`; ``old`` is the path it replaced: scikit-learn's
``SpectralClustering(affinity="precomputed")`` plus a second ``spectral_embedding`` for the relaxed solution.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

GRAPHS = {
    "csbm": "csbm:n={n},blocks=6,degree=12,homophily=0.85,snr=2.0,features=0,seed=11",
    "sbm": "sbm:sizes={sizes},p_in={p_in},p_out={p_out},snr=0,features=0,seed=3",
}


def source(family: str, n: int) -> tuple[str, int]:
    """Generator source string and K of a family at about ``n`` nodes (expected degree 10 for ``sbm``)."""
    if family == "csbm":
        return GRAPHS["csbm"].format(n=n), 6
    size = n // 4
    sizes = "-".join([str(size)] * 4)
    return GRAPHS["sbm"].format(sizes=sizes, p_in=f"{8 / size:.3g}", p_out=f"{2 / (3 * size):.3g}"), 4


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: str, graph_source: str, k: int) -> dict[str, float]:
    """Run in the subprocess: generate, cluster, report."""
    import warnings

    from gtvviz.data.generators import generate_from_source
    from gtvviz.metrics import nmi

    graph = generate_from_source(graph_source)
    base = peak_rss_mb()
    start = time.perf_counter()
    if path == "new":
        from gtvviz.baselines import spectral_clustering

        labels, _ = spectral_clustering(graph, k, seed=0)
    else:
        from sklearn.cluster import SpectralClustering
        from sklearn.manifold import spectral_embedding

        affinity = graph.to_scipy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = SpectralClustering(k, affinity="precomputed", random_state=0, n_init=10).fit(affinity).labels_
            spectral_embedding(affinity, n_components=k, random_state=0, drop_first=False)
    seconds = time.perf_counter() - start
    return {"nodes": graph.num_nodes, "edges": graph.num_edges // 2, "seconds": seconds, "base_mb": base,
            "peak_mb": peak_rss_mb(), "nmi": nmi(graph.y, labels)}


def run(path: str, graph_source: str, k: int, limit: float) -> dict[str, float] | str:
    """One measurement in a fresh process; a string says why there is none."""
    command = [sys.executable, __file__, "--child", path, graph_source, str(k)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return f"stopped after {limit:.0f} s"
    if done.returncode:
        return f"failed: {done.stderr.strip().splitlines()[-1]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--families", nargs="+", default=list(GRAPHS), choices=list(GRAPHS))
    parser.add_argument("--paths", nargs="+", default=["new", "old"], choices=["new", "old"])
    parser.add_argument("--limit", type=float, default=300.0, help="seconds before a measurement is stopped")
    parser.add_argument("--out", type=Path, help="append the markdown table to this file")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        path, graph_source, k = args.child
        print(json.dumps(measure(path, graph_source, int(k))))
        return
    lines = ["| graph | nodes | edges | K | path | time (s) | peak RSS (MB) | base RSS (MB) | NMI |",
             "|---|---:|---:|---:|---|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    for family in args.families:
        for n in args.sizes:
            graph_source, k = source(family, n)
            for path in args.paths:
                result = run(path, graph_source, k, args.limit)
                if isinstance(result, str):
                    line = f"| {family} | {n:,} | | {k} | {path} | {result} | | | |"
                else:
                    line = (f"| {family} | {result['nodes']:,} | {result['edges']:,} | {k} | {path} | "
                            f"{result['seconds']:.2f} | {result['peak_mb']:.0f} | {result['base_mb']:.0f} | "
                            f"{result['nmi']:.3f} |")
                lines.append(line)
                print(line, flush=True)
    if args.out:
        command = "python " + " ".join(sys.argv)
        with args.out.open("a") as f:
            f.write(f"\n`{command}`\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
