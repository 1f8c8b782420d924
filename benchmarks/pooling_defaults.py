"""The Pooling page's run under each named setting: is level 1 decided after the epochs 30 s of Play allow?

For each setting of :data:`gtvviz.classification.SETTINGS` and each seed, this trains the page's run (TVGNN pooling,
fold 1 of the synthetic dataset) for ``--epochs`` epochs and prints, on the graph the page shows first (graph 0),
the sharpness of S1 (mean of each node's largest assignment; uniform = 1/K1), the clusters used by argmax, the
fraction of edges cut by the argmax partition, the *spread* of level 1 (mean distance of the supernodes of mass
> 0.5 from the centre of the layout, relative to the nodes' own: 0 = every supernode on one spot, the blob), the
validation accuracy and the training time. Early stopping (patience 20) may end a run sooner, as on the page.

    nice -n 10 python benchmarks/pooling_defaults.py --epochs 40 --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from gtvviz import Graph
from gtvviz.classification import SETTINGS, SYNTHETIC, fold_trainer, load_dataset
from gtvviz.viz.layout import compute_layout
from gtvviz.viz.pooling_figures import pooled_positions


def level_one(model: torch.nn.Module, data, pos: np.ndarray) -> dict[str, float]:
    """Sharpness, clusters used, cut fraction and spread of the first pooling level of ``data``."""
    s = model.pooling_levels(data)[0].s
    labels = s.argmax(axis=1)
    row, col = data.edge_index.numpy()
    centre = pos.mean(axis=0)
    heavy = s.sum(axis=0) > 0.5
    supernodes = pooled_positions(pos, s)[heavy]
    spread = np.linalg.norm(supernodes - centre, axis=1).mean() / np.linalg.norm(pos - centre, axis=1).mean()
    return {"sharpness": float(s.max(axis=1).mean()), "uniform": 1 / s.shape[1], "used": len(set(labels)),
            "cut": float((labels[row] != labels[col]).mean()), "spread": float(spread)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--graph", type=int, default=0, help="the graph measured (the page shows graph 0 first)")
    args = parser.parse_args()
    print("| setting | seed | K1, K2 | epochs | S1 sharpness (uniform) | clusters used | cut fraction | "
          "level-1 spread | val. accuracy | training s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for setting in SETTINGS.values():
        dataset = load_dataset(SYNTHETIC, positional=setting.positional)
        data = dataset.graphs[args.graph]
        pos = compute_layout(Graph.from_pyg(data), seed=0)
        for seed in args.seeds:
            trainer, _ = fold_trainer(dataset, setting.config(pool="tvgnn", seed=seed, epochs=args.epochs))
            start = time.perf_counter()
            trainer.run()
            seconds = time.perf_counter() - start
            m = level_one(trainer.model, data, pos)
            print(f"| {setting.name} | {seed} | {', '.join(map(str, trainer.model.pool_sizes))} | {trainer.epoch} | "
                  f"{m['sharpness']:.2f} ({m['uniform']:.2f}) | {m['used']} | {m['cut']:.2f} | {m['spread']:.2f} | "
                  f"{trainer.latest.val_accuracy:.3f} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
