"""The quality yardstick (issue 21): gtvviz's default, the reference objective, spectral clustering and DMoN on a
grid of generated graphs and on Cora, CiteSeer and DBLP.

The grid, each entry with 3 seeds by default:

- ``csbm``: contextual SBM with K = 2, 4, 6, 8 equal blocks, expected degree 10, homophily 0.9 or 0.75 and
  Gaussian features (32 dimensions) of SNR 2.0 or 0.5;
- ``word_sbm``: the same block structure with bag-of-words features (``words = 32 K``), signal 1.0 or 0.25;
- ``bridged``: K = 2, 3, 4 communities (expected degree 10 inside) with ``size / 100`` random bridges between
  each pair of communities and Gaussian features of SNR 1;
- ``datasets``: Cora (K = 7), CiteSeer (K = 6), DBLP (K = 4), copied from ``--datasets`` to a temp dir.

Methods: ``tvgnn`` (gtvviz's default :class:`~gtvviz.config.RunConfig`), ``tvgnn_fixed`` (the reference objective,
``balance_weight="fixed"``), ``tvgnn_escape`` (``balance_weight="escape"``: the escape from partial collapse of
:mod:`gtvviz.escape`), ``spectral`` and ``dmon``. Each run reports NMI, sharpness, clusters used (non-empty)
and wall time, and, for the trained methods, what the label-free tools of issue 21 say: the epoch at which the
trainer's stopping rule (:class:`gtvviz.stopping.GuardedPlateau`, ``stop="plateau"``) fires with the NMI there,
and whether the last snapshot is partially collapsed (:attr:`gtvviz.train.Snapshot.partial_collapse`). With
``--override stop=plateau`` the run ends there; otherwise it trains its full ``epochs`` and the rule only watches.
``tvgnn`` and ``tvgnn_escape`` run the starts of :class:`~gtvviz.cluster.TVGNNClustering` and ``gtvviz cluster``
(:func:`gtvviz.starts.start_configs`: ``--n-init`` random ones, default :data:`gtvviz.defaults.N_INIT`, and one from
spectral clustering's partition unless ``--no-spectral-start``), and the row is the start of lowest loss at epoch
``--probe-epochs`` (default :data:`gtvviz.defaults.PROBE_EPOCHS`; 0: at the end), the start
:func:`gtvviz.starts.best_start` keeps. Every start is trained to its end here, and its seed, loss, NMI and
loss trajectory are kept under ``starts``, so that the choice at another epoch can be read back from the same runs.
``tvgnn_fixed`` (the reference) and ``dmon`` run one start.

    nice -n 10 python benchmarks/quality_suite.py --sizes 1000 --seeds 1 --out benchmarks/results/quality_suite.md

Rows are appended to ``--json`` (one object per run); ``--out`` appends a markdown section with the command.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gtvviz.config import RunConfig
from gtvviz.data.generators import generate_from_source
from gtvviz.data.pyg import load_pyg_graph
from gtvviz.defaults import N_INIT, PROBE_EPOCHS, SPECTRAL_START
from gtvviz.graph import Graph
from gtvviz.methods import build_trainer
from gtvviz.metrics import n_nonempty, nmi, sharpness
from gtvviz.collapse import CollapseDetector
from gtvviz.starts import kept_index, start_configs
from gtvviz.stopping import GuardedPlateau

REPO = Path(__file__).resolve().parents[1]
DEGREE = 10
#: Every this many epochs a row's ``trajectory`` records [epoch, sharpness, clusters used (>= 10% of N/K),
#: largest share, loss].
TRAJECTORY_EVERY = 10
METHODS: dict[str, dict[str, Any]] = {
    "tvgnn": {},
    "tvgnn_fixed": {"balance_weight": "fixed"},
    "tvgnn_escape": {"balance_weight": "escape"},
    "spectral": {"method": "spectral"},
    "dmon": {"method": "dmon"},
}
DATASETS = {"Cora": 7, "CiteSeer": 6, "DBLP": 4}
FAMILIES = ("csbm", "word_sbm", "bridged", "datasets")


@dataclass(frozen=True)
class Case:
    """One graph of the grid: ``source`` is a generator source string or ``pyg:NAME``."""

    family: str
    name: str
    source: str
    clusters: int
    seed: int


def _csbm(n: int, k: int, homophily: float, snr: float, seed: int) -> str:
    return f"csbm:n={n},blocks={k},degree={DEGREE},homophily={homophily},snr={snr},features=32,seed={seed}"


def _word_sbm(n: int, k: int, homophily: float, signal: float, seed: int) -> str:
    size = n // k
    p_in, p_out = DEGREE * homophily / (size - 1), DEGREE * (1 - homophily) / (n - size)
    return (f"word_sbm:blocks={k},size={size},p_in={p_in:.4g},p_out={p_out:.4g},words={32 * k},signal={signal},"
            f"seed={seed}")


def _bridged(n: int, k: int, seed: int) -> str:
    size = n // k
    p_out = max(1, size // 100) / size**2  # size / 100 bridges expected between each pair of communities
    sizes = "-".join([str(size)] * k)
    return f"sbm:sizes={sizes},p_in={DEGREE / size:.4g},p_out={p_out:.4g},snr=1.0,features=16,seed={seed}"


def grid(sizes: list[int], families: list[str], seeds: range, clusters: list[int]) -> list[Case]:
    """Every case of the selected families, sizes, cluster counts and seeds (datasets ignore sizes)."""
    cases = []
    for seed in seeds:
        for n in sizes:
            for k in clusters:
                for h in (0.9, 0.75):
                    if "csbm" in families:
                        for snr in (2.0, 0.5):
                            cases.append(Case("csbm", f"csbm N={n} K={k} h={h} snr={snr}",
                                              _csbm(n, k, h, snr, seed), k, seed))
                    if "word_sbm" in families:
                        for signal in (1.0, 0.25):
                            cases.append(Case("word_sbm", f"word_sbm N={n} K={k} h={h} signal={signal}",
                                              _word_sbm(n, k, h, signal, seed), k, seed))
                if "bridged" in families and k <= 4:
                    cases.append(Case("bridged", f"bridged N={n} K={k}", _bridged(n, k, seed), k, seed))
        if "datasets" in families:
            cases += [Case("datasets", name, f"pyg:{name}", k, seed) for name, k in DATASETS.items()]
    return cases


def load(case: Case, data_root: Path | None) -> Graph:
    if case.source.startswith("pyg:"):
        return load_pyg_graph(case.source[4:], data_root)
    return generate_from_source(case.source)


def case_config(case: Case, method: str, epochs: int | None, overrides: dict[str, str]) -> RunConfig:
    """The configuration of ``method`` on ``case`` (the model seeded by the case's seed, which also generated the
    graph); ``overrides`` are RunConfig fields as text (``hidden="64,64"``)."""
    config = RunConfig(clusters=case.clusters, seed=case.seed, device="cpu", **METHODS[method])
    config, problems = RunConfig.from_query(overrides, base=config)
    if problems:
        raise SystemExit("; ".join(problems))
    return config if epochs is None else config.replace(epochs=epochs)


def run(graph: Graph, case: Case, method: str, config: RunConfig) -> dict[str, Any]:
    """One method on one graph, driven epoch by epoch so that the stopping rule can watch the loss."""
    start = time.perf_counter()
    trainer = build_trainer(graph, config, metrics_every=config.epochs)
    plateau, uniform, at_plateau, trajectory = GuardedPlateau(), CollapseDetector(), {}, []
    engaged = None
    for snapshot in trainer.step(config.epochs):
        if snapshot.epoch % TRAJECTORY_EVERY == 0:
            trajectory.append([snapshot.epoch, round(sharpness(snapshot.s), 3), snapshot.clusters_used,
                               round(snapshot.partial.largest_share, 3), round(snapshot.losses["total"], 5)])
        escaping = getattr(trainer.objective, "escaping", False)  # following an escape's proposal: no plateau
        degenerate = snapshot.partial_collapse or uniform.is_degenerate(snapshot.s) or escaping
        remedy = getattr(trainer.objective, "engaged_at", None)  # a remedy that engages restarts the rule
        changed, engaged = remedy != engaged, remedy
        if plateau.stopped_at is None and plateau.update(snapshot.epoch, snapshot.losses["total"], degenerate, changed):
            at_plateau = {"plateau_epoch": snapshot.epoch, "plateau_nmi": nmi(graph.y, snapshot.labels),
                          "plateau_sharpness": sharpness(snapshot.s),
                          "plateau_seconds": time.perf_counter() - start}
    seconds = time.perf_counter() - start
    last = trainer.last
    assert last is not None
    verdict = last.partial
    return {**asdict(case), "method": method, "nodes": graph.num_nodes, "edges": graph.num_edges,
            "epochs": last.epoch, "nmi": nmi(graph.y, last.labels), "sharpness": sharpness(last.s),
            "used": n_nonempty(last.labels), "seconds": seconds, "collapsed": bool(last.collapsed),
            "partial_collapse": verdict.collapsed, "used_10pct": verdict.used,
            "largest_share": verdict.largest_share, **at_plateau,
            "reseeded_at": list(getattr(trainer.objective, "reseeded_at", [])),
            "rejected_at": getattr(trainer.objective, "rejected_at", None),
            "model_seed": config.seed, "init": config.init, "loss": last.losses["total"], "trajectory": trajectory}


def loss_at(row: dict[str, Any], epoch: int | None) -> float:
    """A run's loss at ``epoch`` (a multiple of :data:`TRAJECTORY_EVERY`), or at its end when ``epoch`` is ``None``
    or not reached."""
    if epoch is not None and epoch < row["epochs"]:
        return next(point[4] for point in row["trajectory"] if point[0] == epoch)
    return row["loss"]


def run_starts(graph: Graph, case: Case, method: str, config: RunConfig, n_init: int, spectral: bool,
               probe_epochs: int | None) -> dict[str, Any]:
    """The starts of a trained method (:func:`gtvviz.starts.start_configs`: ``n_init`` random ones and, with
    ``spectral``, one from spectral clustering's partition): the row of the start with the lowest loss at
    ``probe_epochs``, as :func:`gtvviz.starts.best_start` keeps it, with every start's seed, init, final loss,
    NMI, clusters used and loss trajectory under ``starts`` (so that other label-free choices, e.g. at another
    epoch, can be read back without training again)."""
    rows = []
    for start in start_configs(config, n_init, spectral):
        rows.append(run(graph, case, method, start))
        print(f"  start seed {start.seed} ({start.init}): loss {rows[-1]['loss']:.5f}, NMI {rows[-1]['nmi']:.3f}, "
              f"{rows[-1]['used_10pct']} of {case.clusters} clusters used, {rows[-1]['seconds']:.0f} s", flush=True)
    kept = kept_index([loss_at(row, probe_epochs) for row in rows])
    starts = [{key: r[key] for key in ("model_seed", "init", "loss", "nmi", "used_10pct", "partial_collapse",
                                       "reseeded_at", "seconds", "trajectory")} for r in rows]
    return {**rows[kept], "n_init": n_init, "probe_epochs": probe_epochs, "kept_start": kept,
            "seconds": sum(r["seconds"] for r in rows),
            "starts": starts}


def escape_cell(row: dict[str, Any]) -> str:
    """The epochs at which the escape from partial collapse re-seeded the run, and the one at which it was
    rejected (the run went back), if any."""
    reseeded = ", ".join(str(e) for e in row.get("reseeded_at", [])) or "-"
    return reseeded + (f" (rejected at {row['rejected_at']})" if row.get("rejected_at") is not None else "")


def markdown(rows: list[dict[str, Any]]) -> str:
    """One line per graph: every method's NMI / sharpness / used clusters / seconds; then the trained methods'
    plateau epoch and NMI there, and the partial-collapse verdict."""
    methods = [m for m in METHODS if any(r["method"] == m for r in rows)]
    by_case: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_case.setdefault((r["name"], r["seed"]), {})[r["method"]] = r
    head = "| graph | seed | N | K | " + " | ".join(f"{m}: NMI / sharp / used / s" for m in methods) + " |"
    lines = [head, "|---|---:|---:|---:|" + "---|" * len(methods)]
    for (name, seed), results in by_case.items():
        first = next(iter(results.values()))
        cells = []
        for m in methods:
            r = results.get(m)
            cells.append("" if r is None else
                         f"{r['nmi']:.3f} / {r['sharpness']:.2f} / {r['used']} / {r['seconds']:.1f}")
        lines.append(f"| {name} | {seed} | {first['nodes']:,} | {first['clusters']} | " + " | ".join(cells) + " |")
    trained = [r for r in rows if r["method"] in ("tvgnn", "tvgnn_fixed", "tvgnn_escape", "dmon")]
    if trained:
        lines += ["", "| graph | seed | method | epochs | NMI | plateau epoch | NMI at plateau | used (>=10% of N/K) "
                  "| largest share | partial collapse | collapse detector | re-seeded at (rejected) |",
                  "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|---|"]
        for r in trained:
            stop = (f"{r['plateau_epoch']} | {r['plateau_nmi']:.3f}" if "plateau_epoch" in r else "none | ")
            lines.append(f"| {r['name']} | {r['seed']} | {r['method']} | {r['epochs']} | {r['nmi']:.3f} | {stop} | "
                         f"{r['used_10pct']}/{r['clusters']} | {r['largest_share']:.2f} | "
                         f"{'yes' if r['partial_collapse'] else 'no'} | {'yes' if r['collapsed'] else 'no'} | "
                         f"{escape_cell(r)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    parser.add_argument("--clusters", type=int, nargs="+", default=[2, 4, 6, 8])
    parser.add_argument("--seeds", type=int, default=3, help="seeds FIRST_SEED .. FIRST_SEED + SEEDS - 1")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--epochs", type=int, help="override every trained method's epochs (default: RunConfig's)")
    parser.add_argument("--override", nargs="+", default=[], metavar="KEY=VALUE",
                        help="RunConfig fields for every method, e.g. hidden=64,64 mlp=64 lr=0.005")
    parser.add_argument("--n-init", type=int, default=N_INIT,
                        help="starts of tvgnn and tvgnn_escape; the one of lowest loss at --probe-epochs is the row")
    parser.add_argument("--spectral-start", action=argparse.BooleanOptionalAction, default=SPECTRAL_START,
                        help="add a start from spectral clustering's partition to those of tvgnn and tvgnn_escape")
    parser.add_argument("--only-spectral-start", action="store_true",
                        help="train only the spectral start of tvgnn and tvgnn_escape (one row each), to be read "
                             "with the random starts of an earlier run of the same graphs")
    parser.add_argument("--probe-epochs", type=int, default=PROBE_EPOCHS,
                        help="the epoch (a multiple of 10) at which the starts are compared; 0: at their end")
    parser.add_argument("--match", help="only the graphs whose name contains this text, e.g. 'h=0.9 snr=2.0'")
    parser.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "quality_suite.json",
                        help="append the rows to this JSON list")
    parser.add_argument("--out", type=Path, help="append a markdown section (command and tables) to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cases = [c for c in grid(args.sizes, args.families, range(args.first_seed, args.first_seed + args.seeds), args.clusters)
             if args.match is None or args.match in c.name]
    overrides = dict(item.split("=", 1) for item in args.override)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        data_root = None
        if "datasets" in args.families:
            data_root = Path(tmp) / "datasets"
            shutil.copytree(args.datasets, data_root)
        for case in cases:
            graph = load(case, data_root)
            for method in args.methods:
                config = case_config(case, method, args.epochs, overrides)
                several = method in ("tvgnn", "tvgnn_escape")
                if args.only_spectral_start and several:
                    config = config.replace(init="spectral")
                one_start = args.only_spectral_start or not several or (args.n_init == 1 and not args.spectral_start)
                row = (run(graph, case, method, config) if one_start else
                       run_starts(graph, case, method, config, args.n_init, args.spectral_start,
                                  args.probe_epochs or None))
                rows.append(row)
                print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()
                                  if k not in ("trajectory", "starts")}), flush=True)
    if args.json:
        previous = json.loads(args.json.read_text()) if args.json.exists() else []
        args.json.write_text(json.dumps(previous + rows, indent=1))
    table = markdown(rows)
    print(table)
    if args.out:
        with args.out.open("a") as f:
            f.write(f"\n`nice -n 10 python {shlex.join(sys.argv)}`\n\n{table}\n")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
