"""Speed, memory and NMI of gtvviz's TVGNN against the authors' PyTorch implementation, side by side.

The reference is torch-geometric-pool 1.0.2 (``tgp``: ``tgp.mp.GTVConv`` + ``tgp.poolers.AsymCheegerCutPooling``,
the model of its ``examples/clustering_tvgnn.py``). It needs ``torch-scatter`` and lives in its own virtual
environment, so that neither enters gtvviz's dependencies:

    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install torch==2.13.0 torch-geometric scikit-learn
    /tmp/refvenv/bin/pip install --no-build-isolation torch-scatter && /tmp/refvenv/bin/pip install torch-geometric-pool==1.0.2
    .venv/bin/python benchmarks/reference_speed.py --reference-python /tmp/refvenv/bin/python --data-root DIR

Each (implementation, dataset, seed) runs in a fresh process, so that its peak resident memory (``ru_maxrss``) is
its own. Both train the reference configuration of TVGNN.md §3 (2 x GTVConv(512, ELU, delta 0.311), MLP(256),
alphas 0.785/0.514, Adam lr 1e-3, full batch); time per epoch counts the training step only (forward, loss,
backward, optimiser), and NMI is that of the final model. A run that fails (e.g. out of memory) is reported as
such. For each seed the implementations run back to back, so that a machine whose speed drifts (a shared host)
slows both alike; besides the ratio of the means, the median of these paired ratios is printed. Prints one table
and the gtvviz/reference ratios; ``--json`` also writes them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATASETS = {  # name -> (PyG class, PyG name, K)
    "Cora": ("Planetoid", "Cora", 7),
    "CiteSeer": ("Planetoid", "CiteSeer", 6),
    "DBLP": ("CitationFull", "DBLP", 4),
    "Physics": ("Coauthor", "Physics", 5),
}


def load_data(dataset: str, root: str):
    import torch_geometric.datasets as pyg_datasets
    import torch_geometric.transforms as T

    cls_name, name, _ = DATASETS[dataset]
    cls = getattr(pyg_datasets, cls_name)
    return cls(root, name, transform=T.NormalizeFeatures())[0]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker_gtvviz(args: argparse.Namespace) -> dict:
    from gtvviz.config import RunConfig
    from gtvviz.graph import Graph
    from gtvviz.methods import build_trainer

    data = load_data(args.dataset, args.root)
    graph = Graph.from_pyg(data, name=args.dataset)
    loaded = peak_mb()
    config = RunConfig(clusters=DATASETS[args.dataset][2], epochs=args.epochs, seed=args.seed, device=args.device,
                       balance_weight=args.balance_weight)
    start = time.perf_counter()
    trainer = build_trainer(graph, config, metrics_every=args.epochs, compile=args.compile)
    first = trainer.step(1)[0]  # compiled: the forward pass compiled in build_trainer, the backward pass here
    first_epoch_s = time.perf_counter() - start
    last = trainer.run()
    # compiled, the first epoch (compilation) is reported apart; eager, every epoch counts as before
    timed = (last.elapsed - first.elapsed, args.epochs - 1) if args.compile else (last.elapsed, args.epochs)
    result = {"ms_per_epoch": 1000 * timed[0] / max(timed[1], 1), "nmi": last.metrics["nmi"],
              "sharpness": last.metrics["sharpness"], "peak_mb": peak_mb(), "data_mb": loaded}
    if args.compile:
        result["first_epoch_s"] = first_epoch_s
    if trainer.torch_device.type == "cuda":
        import torch

        result["gpu_peak_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return result


def worker_reference(args: argparse.Namespace) -> dict:
    import torch
    from sklearn.metrics import normalized_mutual_info_score
    from tgp.mp import GTVConv
    from tgp.poolers import AsymCheegerCutPooling
    from torch_geometric import utils

    data = load_data(args.dataset, args.root)
    loaded = peak_mb()
    torch.manual_seed(args.seed)
    k = DATASETS[args.dataset][2]

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.convs = torch.nn.ModuleList([
                GTVConv(data.num_features, 512, act="elu", delta_coeff=0.311),
                GTVConv(512, 512, act="elu", delta_coeff=0.311),
            ])
            self.pool = AsymCheegerCutPooling(in_channels=[512, 256], k=k, totvar_coeff=0.785, balance_coeff=0.514,
                                              act="relu")

        def forward(self, x, edge_index):
            for conv in self.convs:
                x = conv(x, edge_index)
            out = self.pool(x=x, adj=utils.to_dense_adj(edge_index))
            return out.so.s[0], sum(out.get_loss_value())

    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    elapsed = 0.0
    for _ in range(args.epochs):
        start = time.perf_counter()
        optimizer.zero_grad()
        _, loss = model(data.x, data.edge_index)
        loss.backward()
        optimizer.step()
        elapsed += time.perf_counter() - start
    with torch.no_grad():
        s, _ = model(data.x, data.edge_index)
    labels = s.argmax(1).numpy()
    return {"ms_per_epoch": 1000 * elapsed / args.epochs,
            "nmi": float(normalized_mutual_info_score(data.y.numpy(), labels)),
            "sharpness": float(s.max(1).values.mean()), "peak_mb": peak_mb(), "data_mb": loaded}


def run_worker(python: str, impl: str, dataset: str, root: str, epochs: int, seed: int, args: argparse.Namespace
               ) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
    cmd = [python, __file__, "--worker", impl, "--dataset", dataset, "--root", root, "--epochs", str(epochs),
           "--seed", str(seed), "--balance-weight", args.balance_weight, "--device", args.device]
    if args.compile:
        cmd.append("--compile")
    timeout, memory_gb = args.timeout, args.memory_gb
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                              preexec_fn=lambda: _limit_memory(memory_gb))
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout} s"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail[:200]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _limit_memory(gigabytes: float) -> None:
    """Cap the worker's address space, so that a run too big for the machine fails with a MemoryError instead of
    waking the kernel's out-of-memory killer (the reference's dense adjacency of Physics is 34,493^2 floats)."""
    if gigabytes <= 0:  # no cap: CUDA reserves far more address space than it uses
        return
    limit = int(gigabytes * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _epochs(spec: str, datasets: list[str]) -> dict[str, int]:
    """``"500"`` for every dataset, or ``"Cora=500,DBLP=20"`` (datasets left out get 500)."""
    if "=" not in spec:
        return {name: int(spec) for name in datasets}
    given = {name: int(value) for name, value in (part.split("=") for part in spec.split(","))}
    return {name: given.get(name, 500) for name in datasets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", choices=["gtvviz", "reference"])
    parser.add_argument("--root")
    parser.add_argument("--dataset", default="Cora")
    parser.add_argument("--datasets", default="Cora,CiteSeer,DBLP,Physics")
    parser.add_argument("--data-root", default=str(Path(__file__).resolve().parents[2] / "shared" / "datasets"))
    parser.add_argument("--reference-python", default="/work/refvenv/bin/python")
    parser.add_argument("--epochs", default="500",
                        help="epochs for every dataset, or per dataset: Cora=500,CiteSeer=500,DBLP=20,Physics=10")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--balance-weight", default="fixed",
                        help="gtvviz's balance weight: fixed (the reference objective) or adaptive (the default)")
    parser.add_argument("--impls", default="gtvviz,reference", help="which implementations to run")
    parser.add_argument("--device", default="cpu", help="gtvviz's device (the reference always runs on the CPU)")
    parser.add_argument("--compile", action="store_true",
                        help="compile gtvviz's model with torch.compile (ms/epoch then leaves out the first epoch, "
                             "which compiles; its duration is reported as first_epoch_s)")
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--memory-gb", type=float, default=16.0, help="address-space cap of each worker (0 = none)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if args.worker:
        args.epochs = int(args.epochs)
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        result = worker_gtvviz(args) if args.worker == "gtvviz" else worker_reference(args)
        print(json.dumps(result))
        return

    root = tempfile.mkdtemp(prefix="gtvviz_bench_")
    folders = {"Cora": "Cora", "CiteSeer": "CiteSeer", "DBLP": "dblp", "Physics": "Physics"}
    results: dict[str, dict[str, list[dict]]] = {}
    epochs = _epochs(args.epochs, args.datasets.split(","))
    for dataset in args.datasets.split(","):
        shutil.copytree(Path(args.data_root) / folders[dataset], Path(root) / folders[dataset])
        pythons = {"gtvviz": sys.executable, "reference": args.reference_python}
        for seed in range(args.seed, args.seed + args.seeds):
            for impl in args.impls.split(","):
                out = run_worker(pythons[impl], impl, dataset, root, epochs[dataset], seed, args)
                results.setdefault(dataset, {}).setdefault(impl, []).append(out)
                print(f"{dataset:9s} {impl:9s} seed {seed}: {out}", file=sys.stderr, flush=True)
    shutil.rmtree(root, ignore_errors=True)
    print(f"\n{args.threads} thread(s), gtvviz on {args.device}, gtvviz balance_weight={args.balance_weight}"
          + (", gtvviz compiled (torch.compile)" if args.compile else ""))
    print(f"{'dataset':9s} {'epochs':>6s} {'impl':9s} {'ms/epoch':>9s} {'peak MB':>8s} {'NMI':>6s} {'sharp':>6s}")
    summary = {}
    for dataset, by_impl in results.items():
        row = {}
        for impl, runs in by_impl.items():
            ok = [r for r in runs if "error" not in r]
            if not ok:
                print(f"{dataset:9s} {epochs[dataset]:6d} {impl:9s} failed: {runs[0]['error']}")
                continue
            mean = {key: sum(r[key] for r in ok) / len(ok)
                    for key in ("ms_per_epoch", "peak_mb", "gpu_peak_mb", "nmi", "sharpness", "first_epoch_s")
                    if key in ok[0]}
            row[impl] = mean
            print(f"{dataset:9s} {epochs[dataset]:6d} {impl:9s} {mean['ms_per_epoch']:9.1f} {mean['peak_mb']:8.0f} "
                  f"{mean['nmi']:6.3f} "
                  f"{mean['sharpness']:6.3f}"
                  + (f"  GPU peak {mean['gpu_peak_mb']:.0f} MB" if "gpu_peak_mb" in mean else "")
                  + (f"  first epoch (compiling) {mean['first_epoch_s']:.1f} s" if "first_epoch_s" in mean else ""))
        if "gtvviz" in row and "reference" in row:
            row["time_ratio"] = row["gtvviz"]["ms_per_epoch"] / row["reference"]["ms_per_epoch"]
            row["memory_ratio"] = row["gtvviz"]["peak_mb"] / row["reference"]["peak_mb"]
            print(f"{dataset:9s} ratio gtvviz/reference: time {row['time_ratio']:.2f}x, peak memory "
                  f"{row['memory_ratio']:.2f}x, NMI {row['gtvviz']['nmi'] - row['reference']['nmi']:+.3f}")
            paired = [g["ms_per_epoch"] / r["ms_per_epoch"]  # in seed order
                      for g, r in zip(by_impl["gtvviz"], by_impl["reference"]) if "error" not in g | r]
            if paired:
                row["paired_time_ratios"] = paired
                print(f"{dataset:9s} time ratio of each seed's back-to-back runs: "
                      + ", ".join(f"{r:.2f}x" for r in paired) + f" (median {statistics.median(paired):.2f}x)")
        summary[dataset] = row
    if args.json:
        Path(args.json).write_text(json.dumps({"epochs": epochs, "threads": args.threads, "results": summary,
                                               "runs": results}, indent=2))


if __name__ == "__main__":
    main()
