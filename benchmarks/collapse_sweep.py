"""Sweep generated graphs and count runs stuck at the uniform assignment: reference weights against gtvviz's default.

Issue 8. Every graph is trained twice with the reference configuration of TVGNN (2 x GTVConv(512), MLP 256, alphas
0.785 / 0.514, delta 0.311, lr 1e-3): once with ``balance_weight=fixed`` (the reference objective, exactly) and once
with ``balance_weight=adaptive`` (gtvviz's default; see ``gtvviz.objective.AsymCheegerCutObjective``). The graphs:
three families (plain SBM with gtvviz's featureless default features, contextual SBM with Gaussian features of SNR
0.5, SBM with bag-of-words counts of signal 0.3) x K in {2, 4, 6, 8} x three (nodes, average degree, homophily)
settings x 3 seeds = 108 graphs, 216 runs; with ``--datasets Cora,CiteSeer --data-root DIR`` also those PyG datasets
(K = number of classes, 500 epochs, seed 0). Prints and writes (``benchmarks/results/collapse_sweep.md`` and
``.json``): the fraction of collapsed runs (the trainer's ``collapsed`` flag at the last epoch), mean NMI, mean
sharpness and mean seconds per run, overall and per family and K, and the paired comparison the issue asks for.

    nice .venv/bin/python benchmarks/collapse_sweep.py [--epochs 300] [--jobs 2] [--seeds 3] \
        [--datasets Cora --data-root /tmp/gtvviz_data]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
MODES = ("fixed", "adaptive")
FAMILIES = ("sbm", "csbm", "word_sbm")
CLUSTERS = (2, 4, 6, 8)
#: (nodes, expected average degree, homophily = expected share of a node's edges inside its block)
SHAPES = ((240, 8.0, 0.8), (480, 8.0, 0.8), (480, 12.0, 0.65))


def graph_source(family: str, k: int, n: int, degree: float, homophily: float, seed: int) -> str:
    """The generator source string of one swept graph."""
    if family == "word_sbm":
        size = n // k
        p_in, p_out = degree * homophily / (size - 1), degree * (1 - homophily) / (n - size)
        return f"word_sbm:blocks={k},size={size},p_in={p_in:.6f},p_out={p_out:.6f},words=16,signal=0.3,seed={seed}"
    snr, features = (0.5, 16) if family == "csbm" else (0.0, 0)
    return f"csbm:n={n},blocks={k},degree={degree},homophily={homophily},snr={snr},features={features},seed={seed}"


def run_one(case: dict[str, Any]) -> dict[str, Any]:
    """Train one graph with one balance-weight mode; the metrics at the last epoch."""
    import torch

    from gtvviz import RunConfig
    from gtvviz.data import load_graph
    from gtvviz.methods import build_trainer

    torch.set_num_threads(1)
    graph = load_graph(case["source"], data_root=case.get("data_root"))
    config = RunConfig(graph=case["source"], clusters=case["k"], epochs=case["epochs"], seed=case["seed"],
                       device="cpu", balance_weight=case["mode"])
    start = time.perf_counter()
    trainer = build_trainer(graph, config, metrics_every=case["epochs"])
    last = trainer.run()
    return {**case, "seconds": time.perf_counter() - start, "collapsed": bool(last.collapsed),
            "nmi": float(last.metrics["nmi"]), "sharpness": float(last.metrics["sharpness"]),
            "loss": float(last.losses["total"])}


def _summary(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "| - | - | - | - | - |"
    collapsed = np.mean([r["collapsed"] for r in rows])
    return (f"| {len(rows)} | {collapsed:.1%} | {np.mean([r['nmi'] for r in rows]):.3f} | "
            f"{np.mean([r['sharpness'] for r in rows]):.3f} | {np.mean([r['seconds'] for r in rows]):.1f} |")


def report(rows: list[dict[str, Any]], args: argparse.Namespace, wall: float) -> str:
    """The markdown report: overall, per family and K, and the paired comparison."""
    by = {(r["mode"], r["source"]): r for r in rows}
    header = "| configuration | group | runs | collapsed | mean NMI | mean sharpness | seconds per run |"
    lines = ["# Uniform-trap sweep: reference weights against gtvviz's default", "",
             f"`nice .venv/bin/python benchmarks/collapse_sweep.py --epochs {args.epochs} --seeds {args.seeds} "
             f"--jobs {args.jobs}" + (f" --datasets {args.datasets}" if args.datasets else "")
             + f"`: {len(rows)} runs in {wall / 60:.1f} min on a 2-core CPU (one thread per run). "
             "Model: the reference configuration (2 x GTVConv(512), ELU, MLP 256, alpha1 0.785, alpha2 0.514, "
             f"delta 0.311, lr 1e-3), {args.epochs} epochs, metrics at the last epoch. `fixed` = the reference "
             "objective exactly; `adaptive` = gtvviz's default balance weight. Collapsed = the trainer's flag "
             "(sharpness within 10% of 1/K, or one cluster holding every node, for 50 epochs in a row).", "",
             header, "|---|---|---|---|---|---|---|"]
    groups = [("all generated graphs", lambda r: r["family"] != "pyg")]
    groups += [(f"{f}", lambda r, f=f: r["family"] == f) for f in FAMILIES]
    groups += [(r["source"], lambda r, s=r["source"]: r["source"] == s) for r in rows
               if r["family"] == "pyg" and r["mode"] == MODES[0]]
    groups += [(f"K = {k}", lambda r, k=k: r["k"] == k) for k in CLUSTERS]
    groups += [(f"{f}, K = {k}", lambda r, f=f, k=k: r["family"] == f and r["k"] == k)
               for f, k in product(FAMILIES, CLUSTERS)]
    for name, keep in groups:
        for mode in MODES:
            lines.append(f"| {mode} | {name} " + _summary([r for r in rows if r["mode"] == mode and keep(r)]))
    pairs = [(by[("fixed", s)], by[("adaptive", s)]) for m, s in by if m == "fixed" and ("adaptive", s) in by
             and by[("fixed", s)]["family"] != "pyg"]
    trapped = [(f, a) for f, a in pairs if f["collapsed"]]
    free = [(f, a) for f, a in pairs if not f["collapsed"]]
    worse = [(f, a) for f, a in free if a["nmi"] < f["nmi"] - 0.05]
    lines += ["", "## Paired, graph by graph", "",
              f"- The reference collapsed on {len(trapped)} of {len(pairs)} graphs; the default collapsed on "
              f"{sum(a['collapsed'] for _, a in trapped)} of those (mean NMI there: reference "
              f"{np.mean([f['nmi'] for f, _ in trapped]) if trapped else float('nan'):.3f}, default "
              f"{np.mean([a['nmi'] for _, a in trapped]) if trapped else float('nan'):.3f}).",
              f"- On the {len(free)} graphs where the reference did not collapse: mean NMI reference "
              f"{np.mean([f['nmi'] for f, _ in free]) if free else float('nan'):.3f}, default "
              f"{np.mean([a['nmi'] for _, a in free]) if free else float('nan'):.3f}; the default collapsed on "
              f"{sum(a['collapsed'] for _, a in free)} of them and was more than 0.05 NMI below the reference on "
              f"{len(worse)}."]
    lines += [f"  - `{f['source']}`: reference NMI {f['nmi']:.3f}, default {a['nmi']:.3f}" for f, a in worse]
    lines += [f"  - the default collapsed on `{f['source']}`: sharpness {a['sharpness']:.3f}, NMI {a['nmi']:.3f} "
              f"(reference: sharpness {f['sharpness']:.3f}, NMI {f['nmi']:.3f}, loss {f['loss']:.3f} against the "
              f"default's {a['loss']:.3f})" for f, a in free if a["collapsed"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel (one torch thread each)")
    parser.add_argument("--datasets", default="", help="PyG datasets to add, e.g. Cora,CiteSeer")
    parser.add_argument("--data-root", default=None, help="writable copy of ../shared/datasets")
    args = parser.parse_args()
    cases = [{"family": family, "k": k, "nodes": n, "degree": degree, "homophily": homophily, "seed": seed,
              "mode": mode, "epochs": args.epochs, "source": graph_source(family, k, n, degree, homophily, seed)}
             for family, k, (n, degree, homophily), seed, mode
             in product(FAMILIES, CLUSTERS, SHAPES, range(args.seeds), MODES)]
    for name in filter(None, args.datasets.split(",")):
        from gtvviz.data import load_graph

        k = int(load_graph(f"pyg:{name}", data_root=args.data_root).y.max()) + 1
        cases = [{"family": "pyg", "k": k, "nodes": 0, "degree": 0.0, "homophily": 0.0, "seed": 0, "mode": mode,
                  "epochs": 500, "source": f"pyg:{name}", "data_root": args.data_root} for mode in MODES] + cases
    start, rows = time.perf_counter(), []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for i, row in enumerate(pool.map(run_one, cases), 1):
            rows.append(row)
            print(f"[{i}/{len(cases)}] {row['mode']:8s} {row['source']}: NMI {row['nmi']:.3f} sharpness "
                  f"{row['sharpness']:.3f}{' COLLAPSED' if row['collapsed'] else ''} ({row['seconds']:.0f} s)",
                  flush=True)
    text = report(rows, args, time.perf_counter() - start)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "collapse_sweep.md").write_text(text)
    (RESULTS / "collapse_sweep.json").write_text(json.dumps(rows, indent=1))
    print(text)


if __name__ == "__main__":
    main()
