"""``gtvviz cluster``: train one clustering run on one graph and report its metrics."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gtvviz.cli.output import (check_output_path, progress_bar, read_config_file, terminal_text, write_assignments_csv,
                               write_json)
from gtvviz.config import RunConfig
from gtvviz.data import load_graph
from gtvviz.defaults import N_INIT, PROBE_EPOCHS, SPECTRAL_START
from gtvviz.errors import ConfigError
from gtvviz.methods import build_trainer
from gtvviz.objective import AsymCheegerCutObjective
from gtvviz.scale.distributed import distributed_session, max_over_ranks, peak_rss_mb
from gtvviz.starts import best_start, kept_index, start_configs, total_epochs, train_until
from gtvviz.train import Trainer, resolve_device


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cluster", help="cluster the vertices of one graph",
        description="Cluster the vertices of a graph with TVGNN (or a baseline) and print its metrics.",
    )
    parser.add_argument("--clusters", type=int, required=True, metavar="K", help="number of clusters K >= 2")
    parser.add_argument("--data-root", default=None, metavar="DIR", help="root of the PyG datasets (pyg:NAME)")
    parser.add_argument("--json", default=None, metavar="PATH", help="write the result as JSON to PATH (- = stdout)")
    parser.add_argument("--labels-out", default=None, metavar="PATH.csv",
                        help="write one row per node to PATH.csv: node, name, label (the ground truth, if any), "
                             "cluster, confidence and the soft assignment s_0 .. s_{K-1}")
    parser.add_argument("--config", default=None, metavar="PATH", help="start from a configuration JSON file")
    parser.add_argument("--compile", action="store_true",
                        help="compile the model with torch.compile: faster epochs after seconds of compiling (on a "
                             "CPU it needs a C++ compiler)")
    parser.add_argument("--n-init", type=int, default=None, metavar="N",
                        help=f"train N random starts (the seed's, then seeds drawn from it) and keep the one with the "
                             f"lowest loss, without labels; --n-init 1 --no-spectral-start is the single run of the "
                             f"reference (default: {N_INIT} for tvgnn, 1 for the other methods)")
    parser.add_argument("--spectral-start", action=argparse.BooleanOptionalAction, default=SPECTRAL_START,
                        help="add a start that first follows spectral clustering's partition (TVGNN, full batch; "
                             "default: on)")
    parser.add_argument("--probe-epochs", type=int, default=PROBE_EPOCHS, metavar="P",
                        help="compare the starts after P epochs and train only the kept one on: one run and P "
                             "epochs for each other start (default: %(default)s; 0 compares them at their end, which "
                             "costs a run per start)")
    RunConfig.add_arguments(parser, skip=("clusters",))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_output_path(args.json, "--json")
    check_output_path(args.labels_out, "--labels-out")
    base = RunConfig.from_json(read_config_file(args.config)) if args.config else RunConfig()
    config = RunConfig.from_args(args, base).replace(clusters=args.clusters)
    with distributed_session(resolve_device(config.device)) as (rank, world_size):
        # in a function of its own, so that the trainer (and its DistributedDataParallel) is freed before the
        # process group is destroyed: the other order can hang the process at exit
        _cluster(args, config, rank, world_size)
    return 0


def _cluster(args: argparse.Namespace, config: RunConfig, rank: int, world_size: int) -> None:
    """Train, then write the result (rank 0 alone)."""
    if world_size > 1 and config.batch_nodes is None:
        raise ConfigError(f"A run over {world_size} processes trains on mini-batches; add --batch-nodes N.")
    graph = load_graph(config.graph, data_root=args.data_root)
    for warning in graph.warnings if rank == 0 else ():
        print(f"gtvviz: warning: {terminal_text(warning)}", file=sys.stderr)
    n_init = args.n_init if args.n_init is not None else N_INIT if config.method == "tvgnn" else 1
    probe_epochs = args.probe_epochs or None
    starts = start_configs(config, n_init, args.spectral_start)
    total = total_epochs(config.epochs, len(starts), probe_epochs)
    with progress_bar(total, f"{config.method} on {graph.name}") as bar:
        def build(index: int, start: RunConfig) -> Trainer:
            bar.set_postfix(start=f"{index + 1}/{len(starts)}")
            return build_trainer(graph, start, metrics_every=max(config.epochs // 50, 1), compile=args.compile)

        def advance(snapshot: Any) -> None:
            bar.update(1)
            bar.set_postfix(loss=f"{snapshot.losses['total']:.4f}")

        trainer, start_losses = best_start(starts, build, lambda t, epoch: train_until(t, epoch, advance),
                                           probe_epochs)
    last = trainer.last
    assert last is not None
    objective = trainer.objective
    remedy_epoch = objective.engaged_at if isinstance(objective, AsymCheegerCutObjective) else None
    summary = trainer.summary()
    result = cluster_result(summary, last.labels.tolist(), config, graph.name, remedy_epoch=remedy_epoch,
                            node_names=graph.node_names)
    result["compiled"] = trainer.compile
    kept = kept_index(start_losses)
    result.update(n_init=n_init, spectral_start=len(starts) > n_init, probe_epochs=probe_epochs,
                  starts=[{"seed": start.seed, "init": start.init} for start in starts], kept_start=kept,
                  kept_seed=trainer.seed, kept_init=starts[kept].init, start_losses=start_losses)
    peak = peak_rss_mb()
    result.update(world_size=world_size, batch_nodes=config.batch_nodes, step_lr=summary.get("step_lr", config.lr),
                  peak_rss_mb=peak, peak_rss_mb_all_ranks=max_over_ranks(peak))
    if rank == 0:  # rank 0 alone writes output
        write_json(result, args.json)
        if args.labels_out is not None:
            write_assignments_csv(graph, last.s, args.labels_out)
        if "-" not in (args.json, args.labels_out):  # stdout holds the JSON or the CSV
            print(terminal_text(_one_line(result)))


def cluster_result(summary: dict[str, Any], labels: list[int], config: RunConfig, graph_name: str,
                   remedy_epoch: int | None = None, node_names: list[str] | None = None) -> dict[str, Any]:
    """The JSON of a run: metrics of the last epoch at top level, the lowest-loss epoch under ``lowest_loss``;
    ``remedy_engaged_at`` is the epoch at which the adaptive balance weight engaged (``null``: it did not);
    ``clusters_used`` and ``partial_collapse`` say whether the last assignment left clusters empty, ``stopped_at`` the
    epoch at which ``--stop plateau`` ended the run (``null``: it ran all epochs); ``labels`` the cluster of each
    node, and ``node_names`` their names, in the same order, when the graph has names (e.g. a CSV of named nodes)."""
    last = dict(summary["last"])
    result: dict[str, Any] = {
        "graph": graph_name,
        "method": config.method,
        **{k: v for k, v in last.items() if k not in ("total", "gtv", "balance", "train_total", "epoch")},
        "loss": last.get("total"),
        "gtv_loss": last.get("gtv"),
        "balance_loss": last.get("balance"),
        "epochs": summary["epochs"],
        "seconds_per_epoch": summary["seconds_per_epoch"],
        "device": summary["device"],
        "collapsed": summary["collapsed"],
        "clusters_used": summary["clusters_used"],
        "partial_collapse": summary["partial_collapse"],
        "stopped_at": summary["stopped_at"],
        "remedy_engaged_at": remedy_epoch,
        "lowest_loss": summary["lowest_loss"],
        "config": config.to_dict(),
        "labels": labels,
    }
    if node_names is not None:
        result["node_names"] = list(node_names)
    return result


def _one_line(result: dict[str, Any]) -> str:
    keys = [k for k in ("nmi", "ari", "acc", "sharpness", "cut_fraction", "modularity") if k in result]
    metrics = "  ".join(f"{k}={result[k]:.3f}" for k in keys)
    collapsed = "  COLLAPSED to a degenerate assignment" if result["collapsed"] else ""
    if result["partial_collapse"] and not result["collapsed"]:
        collapsed = f"  only {result['clusters_used']} of {result['config']['clusters']} clusters used"
    return (f"{result['method']} on {result['graph']}: {metrics}  ({result['epochs']} epochs, "
            f"{1000 * result['seconds_per_epoch']:.1f} ms/epoch on {result['device']}){collapsed}")
