"""``gtvviz classify``: k-fold cross-validated graph classification with a choice of pooling."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gtvviz.classification import ClassifyConfig, EpochRecord, FoldResult, POOL_METHODS, cross_validate, pool_sizes
from gtvviz.classification.datasets import SYNTHETIC, TU_DATASETS, load_dataset
from gtvviz.cli.output import check_output_path, progress_bar, terminal_text, write_json
from gtvviz.config import SPECS

#: Above this K1 the command warns that pooling will be slow (dense K1 x K1 pooled graphs).
LARGE_POOL = 100


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "classify", help="classify graphs with pooling (TVGNN, MinCut, DMoN, none)",
        description=(f"Stratified k-fold graph classification on a TU dataset ({', '.join(TU_DATASETS)}, ...) or "
                     f"the generated '{SYNTHETIC}' dataset, with TVGNN's AsymCheegerCut pooling or a baseline."),
    )
    defaults = ClassifyConfig()
    parser.add_argument("--dataset", required=True, metavar="NAME", help=f"TU dataset name or '{SYNTHETIC}'")
    parser.add_argument("--data-root", default=None, metavar="DIR", help="root of the TU datasets")
    parser.add_argument("--cleaned", action="store_true", help="use the cleaned TU version (no isomorphic duplicates)")
    parser.add_argument("--pool", default=defaults.pool, choices=POOL_METHODS, help="pooling method (default: tvgnn)")
    parser.add_argument("--folds", type=int, default=defaults.folds, help="cross-validation folds (default: 5)")
    parser.add_argument("--epochs", type=int, default=defaults.epochs, help="maximum epochs per fold (default: 100)")
    parser.add_argument("--patience", type=int, default=defaults.patience,
                        help="early-stopping patience in epochs (default: 20)")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="mini-batch size (default: 16)")
    parser.add_argument("--lr", type=float, default=defaults.lr, help="Adam learning rate (default: 5e-4)")
    parser.add_argument("--pool-size-base", default=defaults.pool_size_base, choices=("max", "mean"),
                        help="K1 = N/2, K2 = N/4 with N the largest (reference) or mean graph size (default: max)")
    parser.add_argument("--seed", type=seed_value, default=defaults.seed,
                        help="seed of the splits, the weights and the synthetic graphs (default: 0)")
    device = SPECS["device"]  # one device setting, with one default, for every subcommand
    parser.add_argument("--device", default=device.default, choices=device.choices,
                        help=f"{device.help} (default: {device.default})")
    parser.add_argument("--json", default=None, metavar="PATH", help="write the result as JSON to PATH (- = stdout)")
    parser.set_defaults(func=run)


def seed_value(text: str) -> int:
    """A seed from the command line: an integer from 0 to 2**32 - 1 (what NumPy's generators take)."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text[:40]!r}") from None
    if not 0 <= seed < 2**32:
        raise argparse.ArgumentTypeError(f"must be between 0 and {2**32 - 1:,}, got {text[:40]}")
    return seed


def run(args: argparse.Namespace) -> int:
    check_output_path(args.json, "--json")
    config = ClassifyConfig(pool=args.pool, folds=args.folds, epochs=args.epochs, patience=args.patience,
                            batch_size=args.batch_size, lr=args.lr, pool_size_base=args.pool_size_base,
                            seed=args.seed, device=args.device)
    dataset = load_dataset(args.dataset, data_root=args.data_root, cleaned=args.cleaned, seed=args.seed)
    k1, k2 = pool_sizes(dataset, config.pool_size_base)
    if config.pool != "none" and k1 > LARGE_POOL:
        print(f"gtvviz: warning: K1 = {k1} (half the largest graph): every graph is pooled to {k1} dense nodes, "
              "which is slow on a CPU; --pool-size-base mean uses the mean graph size instead.", file=sys.stderr)
    with progress_bar(config.folds * config.epochs, f"{config.pool} on {dataset.name}") as bar:
        def on_epoch(fold: int, record: EpochRecord) -> None:
            bar.update(1)
            bar.set_postfix(fold=fold + 1, loss=f"{record.losses['total']:.3f}", val_acc=f"{record.val_accuracy:.3f}")

        def on_fold(result: FoldResult) -> None:
            bar.update(config.epochs - result.epochs)  # early stopping skipped these

        result = cross_validate(dataset, config, on_epoch, on_fold)
    output = {
        "dataset": dataset.name,
        "pool": config.pool,
        **result.to_dict(),
        "num_graphs": len(dataset.graphs),
        "num_classes": dataset.num_classes,
        "features": dataset.features,
        "pool_sizes": [k1, k2] if config.pool != "none" else [],
        "config": config.to_dict(),
    }
    write_json(output, args.json)
    if args.json != "-":
        print(terminal_text(f"{config.pool} on {dataset.name}: accuracy {100 * result.accuracy:.1f} ± "
              f"{100 * result.accuracy_std:.1f} % over {config.folds} folds "
              f"({sum(output['seconds_per_fold']) / config.folds:.1f} s per fold)"))
    return 0
