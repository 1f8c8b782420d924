"""Why TVGNN sits at the uniform assignment on the generated csbm of the scale benchmarks: what is reachable, and
where the initial model loses the blocks.

    nice -n 10 python benchmarks/scale_trap_diagnosis.py \\
        --graph csbm:n=100000,blocks=8,degree=10,homophily=0.8,features=32,seed=0 --clusters 8 --hidden 64,64 --mlp 32

Prints one JSON object: the NMI of k-means on the generator's raw features and on the model's (row-normalised)
features, of spectral clustering, and, for the *initial* TVGNN (seed 0, no training) fed the model's features, the
raw features and the model's features times the feature count, the NMI of k-means on each GTVConv layer's output
and of the argmax of S, and the spread of S over the nodes (mean over clusters of the standard deviation).
With ``--train-epochs E`` it also trains TVGNN mini-batched (random batches of ``--batch-nodes``, the defaults:
rescaled, adaptive balance weight, ``--lr`` per epoch) for E epochs on the model's features and on the raw
features, and reports NMI, full loss and sharpness every 10 epochs.
"""

from __future__ import annotations

import argparse
import json

import torch
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", required=True)
    parser.add_argument("--clusters", type=int, required=True)
    parser.add_argument("--hidden", default="64,64")
    parser.add_argument("--mlp", default="32")
    parser.add_argument("--train-epochs", type=int, default=0)
    parser.add_argument("--batch-nodes", type=int, default=10_000)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()
    torch.set_num_threads(1)

    from gtvviz.baselines import spectral_clustering
    from gtvviz.config import RunConfig
    from gtvviz.data import load_graph
    from gtvviz.methods import build_trainer

    graph = load_graph(args.graph)
    y, k = graph.y.numpy(), args.clusters

    def kmeans_nmi(h: torch.Tensor) -> float:
        labels = KMeans(k, n_init=3, random_state=0).fit_predict(h.detach().numpy())
        return round(float(normalized_mutual_info_score(y, labels)), 4)

    config = RunConfig(graph="g", clusters=k, device="cpu", epochs=1,
                       hidden=tuple(int(h) for h in args.hidden.split(",")),
                       mlp=tuple(int(h) for h in args.mlp.split(",") if h))
    trainer = build_trainer(graph, config, metrics_every=1)
    model, x_model = trainer.model.eval(), trainer._x
    out: dict[str, object] = {"graph": args.graph, "kmeans_raw_features": kmeans_nmi(graph.x),
                              "kmeans_model_features": kmeans_nmi(x_model),
                              "spectral": round(float(normalized_mutual_info_score(
                                  y, spectral_clustering(graph, k, 0)[0])), 4)}
    inputs = {"model_features": x_model, "raw_features": graph.x.float(),
              f"model_features_times_{graph.num_features}": x_model * graph.num_features}
    with torch.no_grad():
        for name, h in inputs.items():
            layers = []
            for conv in model.convs:
                h = conv(h, graph.edge_index, graph.edge_weight)
                layers.append(kmeans_nmi(h))
            s = torch.softmax(model.mlp(h), dim=-1)
            out[f"initial_model_on_{name}"] = {
                "kmeans_nmi_per_gtvconv": layers,
                "argmax_nmi": round(float(normalized_mutual_info_score(y, s.argmax(1).numpy())), 4),
                "clusters_used_by_argmax": int(s.argmax(1).unique().numel()),
                "s_std_over_nodes": float(s.std(0).mean())}
    if args.train_epochs:
        from gtvviz.methods import REGISTRY
        from gtvviz.scale.minibatch import build_minibatch_trainer

        run = config.replace(epochs=args.train_epochs, lr=args.lr, batch_nodes=args.batch_nodes)
        for name, x in (("model_features", x_model), ("raw_features", graph.x.float())):
            with torch.random.fork_rng(devices=[]):
                model, _ = REGISTRY["tvgnn"].builder()(graph, run, x)
            trainer = build_minibatch_trainer(graph, run, model, x, eval_every=10)
            trainer.run()
            out[f"trained_on_{name}"] = {
                "remedy_engaged_at": trainer.objective.engaged_at,
                "epoch_nmi_loss_sharpness": [(h["epoch"], round(h["nmi"], 4), round(h["total"], 4),
                                              round(h["sharpness"], 3)) for h in trainer.history]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
