r"""Probe of the early partial collapse at K = 6 (issue 21): one default TVGNN run on a contextual SBM, with the
last layer's initialisation changed or RunConfig fields overridden, printing every few epochs the sharpness, the
clusters used (>= 10% of N/K), the largest cluster's share, the NMI and the reference loss.

Head variants (applied after the seeded initialisation, before the first step):
``default``; ``zero`` (weights and bias 0: S exactly uniform); ``scale=F`` (weights times F, bias 0);
``nobias`` (bias 0); ``center`` (bias = minus each cluster's mean initial logit over the nodes, a data-dependent
initialisation: every cluster starts with mean logit 0); ``center=F`` (also scales each cluster's weights so that
its initial logits have standard deviation F over the nodes).

    nice -n 10 python benchmarks/k6_probe.py --head center --seed 1 --epochs 100 --override warmup=50

``--gradients`` prints, after the run, each cluster's size and the mean absolute gradient of the two loss terms
with respect to its column of :math:`\mathbf{S}` and of the logits, the sum of the latter (the gradient of that
column's output bias) and the norm of the gradient of its output weights (why an empty cluster stays empty).

Results and what they show: ``benchmarks/results/quality_suite.md`` (section "The early partial collapse at K = 6").
"""

from __future__ import annotations

import argparse
import time

import torch

from gtvviz.config import RunConfig
from gtvviz.data.generators import generate_from_source
from gtvviz.methods import build_trainer
from gtvviz.metrics import nmi, sharpness
from gtvviz.nn.losses import asym_norm_loss, gtv_loss
from gtvviz.train import Trainer

SHOWN = (5, 10, 20, 40, 50, 80)


def head_inputs(trainer: Trainer) -> torch.Tensor:
    """The input of the assignment MLP's last layer for every node."""
    model = trainer.model
    with torch.no_grad():
        h = model.embed(trainer.features, trainer.graph.edge_index, trainer.graph.edge_weight)
        for layer in model.mlp.layers[:-1]:
            h = model.mlp.act(layer(h))
    return h


def change_head(trainer: Trainer, head: str) -> str:
    """Apply a head variant in place; return a line on the initial logits."""
    out = trainer.model.mlp.output_layer
    name, _, value = head.partition("=")
    with torch.no_grad():
        if name == "zero":
            out.weight.zero_()
            out.bias.zero_()
        elif name == "scale":
            out.weight.mul_(float(value))
            out.bias.zero_()
        elif name == "nobias":
            out.bias.zero_()
        elif name == "center":
            z = head_inputs(trainer) @ out.weight.T
            if value:
                factor = float(value) / z.std(0).clamp_min(1e-12)
                out.weight.mul_(factor[:, None])
                z = z * factor
            out.bias.copy_(-z.mean(0))
        z = head_inputs(trainer) @ out.weight.T + out.bias
    trainer._pending = None  # the next step recomputes the forward pass of the changed model
    return (f"initial logits: node-varying std per cluster {[round(v, 5) for v in z.std(0).tolist()]}, argmax sizes "
            f"{torch.bincount(z.argmax(1), minlength=z.size(1)).tolist()}")


def gradients(trainer: Trainer, alpha1: float, alpha2: float) -> None:
    """Per cluster: hard size, mean s, mean |dL/ds| and |dL/dz| of the weighted GTV and balance terms, and the
    output layer's gradient norm against Adam's epsilon."""
    out = trainer.model.mlp.output_layer
    h = head_inputs(trainer)
    z = (h @ out.weight.T + out.bias).detach().requires_grad_(True)
    s = torch.softmax(z, dim=-1)
    edge_index, edge_weight = trainer.graph.edge_index, trainer.graph.edge_weight
    terms = {"gtv": alpha1 * gtv_loss(s, edge_index, edge_weight), "balance": alpha2 * asym_norm_loss(s)}
    sizes = torch.bincount(s.argmax(1), minlength=s.size(1)).tolist()
    print(f"weighted terms: GTV {float(terms['gtv'].detach()):.4f}, balance {float(terms['balance'].detach()):.4f}")
    print("cluster | size | mean s | term | mean abs dL/ds | mean abs dL/dz | sum dL/dz (bias grad) | "
          "|dL/dW_k| (weights)")
    for name, term in terms.items():
        grad_s, grad_z = torch.autograd.grad(term, [s, z], retain_graph=True)
        for k in range(s.size(1)):
            weight_grad = float((grad_z[:, k:k + 1] * h).sum(0).norm())
            mean_s = float(s[:, k].detach().mean())
            print(f"{k} | {sizes[k]} | {mean_s:.2e} | {name} | {float(grad_s[:, k].abs().mean()):.2e} | "
                  f"{float(grad_z[:, k].abs().mean()):.2e} | {float(grad_z[:, k].sum()):.2e} | {weight_grad:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", default="csbm:n=1000,blocks=6,degree=10,homophily=0.9,snr=2.0,features=32,seed={seed}")
    parser.add_argument("--clusters", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0, help="seed of the graph and of the model")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--head", default="default")
    parser.add_argument("--override", nargs="*", default=[], metavar="KEY=VALUE", help="RunConfig fields")
    parser.add_argument("--gradients", action="store_true", help="print each cluster's loss gradients at the end")
    args = parser.parse_args()
    torch.set_num_threads(1)
    graph = generate_from_source(args.graph.format(seed=args.seed))
    config = RunConfig(clusters=args.clusters, seed=args.seed, device="cpu", epochs=args.epochs)
    config = config.replace(**dict(item.split("=", 1) for item in args.override))
    start = time.perf_counter()
    trainer = build_trainer(graph, config, metrics_every=args.epochs)
    if args.head != "default":
        print(change_head(trainer, args.head))
    print("epoch | sharpness | used | largest share | NMI | loss")
    for snapshot in trainer.step(args.epochs):
        if snapshot.epoch in SHOWN or snapshot.epoch % 50 == 0 or snapshot.epoch == args.epochs:
            print(f"{snapshot.epoch} | {sharpness(snapshot.s):.3f} | {snapshot.clusters_used} | "
                  f"{snapshot.partial.largest_share:.2f} | {nmi(graph.y, snapshot.labels):.3f} | "
                  f"{snapshot.losses['total']:.4f}", flush=True)
    if args.gradients:
        gradients(trainer, config.alpha1, config.alpha2)
    reseeded = getattr(trainer.objective, "reseeded_at", []), getattr(trainer.objective, "rejected_at", None)
    print(f"re-seeded at epochs, rejected at: {reseeded}; {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
