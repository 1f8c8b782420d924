"""Graph classification with GTVConv and AsymCheegerCutPool inside a plain PyTorch Geometric training loop.

gtvviz's layers are ordinary PyG modules: this script uses nothing of gtvviz but ``gtvviz.nn``. The model follows
the authors' classification setting (``../shared/TVGNN.md``, section 4) at one pooling level:

    GTVConv(32, ReLU, delta_coeff=2) -> AsymCheegerCutPool(K = half the mean graph size)
    -> DenseGTVConv(32) on the pooled graphs -> mean over the K pooled nodes -> Linear(classes)

trained on cross-entropy plus the pooling's auxiliary loss (the GTV and balance terms). The first pooling level
works on the sparse batch in O(E K) memory; after it every graph has K nodes, so the rest is dense.

    python examples/pyg_graph_classification.py --data-root DIR --epochs 30

``DIR`` holds the TU dataset as PyG lays it out (``DIR/MUTAG/raw/MUTAG_A.txt`` ...); PyG writes ``processed/``
next to ``raw/``, so ``DIR`` must be writable.
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import Batch
from torch_geometric.datasets import TUDataset
from torch_geometric.loader import DataLoader

from gtvviz.nn import AsymCheegerCutPool, DenseGTVConv, GTVConv


class GTVPoolNet(torch.nn.Module):
    """GTVConv -> AsymCheegerCutPool -> DenseGTVConv -> mean readout -> linear classifier."""

    def __init__(self, in_channels: int, num_classes: int, k: int, hidden: int = 32) -> None:
        super().__init__()
        self.conv1 = GTVConv(in_channels, hidden, delta_coeff=2.0, act="relu")
        self.pool = AsymCheegerCutPool(hidden, k, mlp_channels=(hidden,), alpha1=0.5, alpha2=0.5)
        self.conv2 = DenseGTVConv(hidden, hidden, delta_coeff=2.0, act="relu")
        self.readout = torch.nn.Linear(hidden, num_classes)

    def forward(self, data: Batch) -> tuple[Tensor, Tensor]:
        """Class logits ``(B, classes)`` and the pooling's auxiliary loss."""
        h = self.conv1(data.x, data.edge_index)
        pooled = self.pool(h, data.edge_index, batch=data.batch)  # read by name: .x (B, K, F), .adj, .losses
        h = self.conv2(pooled.x, pooled.adj)
        return self.readout(h.mean(dim=1)), pooled.losses["total"]


def train_epoch(model: torch.nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer) -> float:
    model.train()
    total = 0.0
    for data in loader:
        optimizer.zero_grad()
        logits, aux_loss = model(data)
        loss = F.cross_entropy(logits, data.y) + aux_loss
        loss.backward()
        optimizer.step()
        total += loss.item() * data.num_graphs
    return total / len(loader.dataset)


@torch.no_grad()
def accuracy(model: torch.nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = sum(int((model(data)[0].argmax(dim=-1) == data.y).sum()) for data in loader)
    return correct / len(loader.dataset)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True, help="folder holding DATASET/raw (written to: processed/)")
    parser.add_argument("--dataset", default="MUTAG", help="TU dataset name (default: MUTAG)")
    parser.add_argument("--epochs", type=int, default=30, help="training epochs (default: 30)")
    parser.add_argument("--lr", type=float, default=5e-3, help="Adam learning rate (default: 5e-3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split and the initialisation")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    dataset = TUDataset(args.data_root, name=args.dataset).shuffle()
    split = int(0.8 * len(dataset))
    train_loader = DataLoader(dataset[:split], batch_size=32, shuffle=True)
    test_loader = DataLoader(dataset[split:], batch_size=64)
    mean_nodes = sum(data.num_nodes for data in dataset) / len(dataset)
    model = GTVPoolNet(dataset.num_features, dataset.num_classes, k=max(2, round(mean_nodes / 2)))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(1, args.epochs + 1):
        loss = train_epoch(model, train_loader, optimizer)
        train_acc, test_acc = accuracy(model, train_loader), accuracy(model, test_loader)
        print(f"epoch {epoch:3d}  loss {loss:.4f}  train accuracy {train_acc:.3f}  test accuracy {test_acc:.3f}")
    return {"loss": loss, "train_accuracy": train_acc, "test_accuracy": test_acc}


if __name__ == "__main__":
    main()
