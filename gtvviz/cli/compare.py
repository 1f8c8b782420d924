"""``gtvviz compare``: every method on the same graph over several seeds, as a table of mean ± std."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gtvviz.cli.output import check_output_path, progress_bar, terminal_text, write_json
from gtvviz.compare import format_table, parse_methods, run_seeds, summarise
from gtvviz.config import METHODS, RunConfig
from gtvviz.data import load_graph
from gtvviz.errors import ConfigError

#: Most seeds one command runs.
MAX_SEEDS = 100


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compare", help="compare TVGNN with the smooth baselines over several seeds",
        description="Run several clustering methods on the same graph over N seeds and print the mean ± std of "
                    "their metrics at the last epoch (NMI, ACC, ARI when the graph has labels).",
    )
    parser.add_argument("--graph", required=True, metavar="SOURCE", help="graph source: sample, generator or pyg:NAME")
    parser.add_argument("--clusters", type=int, required=True, metavar="K", help="number of clusters K >= 2")
    parser.add_argument("--methods", default=",".join(METHODS), metavar="LIST",
                        help=f"comma-separated methods (default: {','.join(METHODS)})")
    parser.add_argument("--seeds", type=int, default=5, metavar="N",
                        help="number of seeds, from --seed on (default: 5)")
    parser.add_argument("--data-root", default=None, metavar="DIR", help="root of the PyG datasets (pyg:NAME)")
    parser.add_argument("--json", default=None, metavar="PATH",
                        help="write {method: {metric: mean, metric_std: std}} as JSON to PATH (- = stdout)")
    RunConfig.add_arguments(parser, skip=("graph", "clusters", "method"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_output_path(args.json, "--json")
    if not 1 <= args.seeds <= MAX_SEEDS:
        raise ConfigError(f"--seeds must be between 1 and {MAX_SEEDS}, got {args.seeds}.")
    methods = parse_methods(args.methods)
    config = RunConfig.from_args(args).replace(graph=args.graph, clusters=args.clusters)
    graph = load_graph(config.graph, data_root=args.data_root)
    for warning in graph.warnings:
        print(f"gtvviz: warning: {terminal_text(warning)}", file=sys.stderr)
    with progress_bar(len(methods) * args.seeds * config.epochs, f"compare on {graph.name}") as bar:
        def advance(label: str, n: int) -> None:
            bar.set_description(label, refresh=False)
            bar.update(n)

        summary = summarise(run_seeds(graph, config, methods, args.seeds, advance))
    write_json(summary, args.json)
    title = f"{graph.name}, K = {config.clusters}, {args.seeds} seed(s), {config.epochs} epochs, last epoch:"
    table_out = sys.stderr if args.json == "-" else sys.stdout
    print(f"{terminal_text(title)}\n{format_table(summary)}", file=table_out)
    return 0
