"""Sparse against dense smooth losses: gtvviz's edge-list MinCutPool and DMoN losses against PyG's dense ones.

For random graphs of growing size (average degree 10, K = 8) this times one forward and backward pass of each loss
and reports the largest tensor each needs: the dense versions hold the :math:`N \\times N` adjacency, the sparse
ones only :math:`O(E \\cdot K)`. Writes ``benchmarks/results/compare_losses.md``.

    nice python benchmarks/compare_losses.py [--sizes 1000,4000,12000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from torch_geometric.nn.dense import dense_mincut_pool
from torch_geometric.utils import to_dense_adj

from gtvviz.nn.smooth_losses import dmon_loss, mincut_loss

RESULTS = Path(__file__).resolve().parent / "results"
K, DEGREE, REPEATS = 8, 10, 3


def random_edges(n: int, generator: torch.Generator) -> torch.Tensor:
    src = torch.randint(0, n, (n * DEGREE // 2,), generator=generator)
    dst = torch.randint(0, n, (n * DEGREE // 2,), generator=generator)
    keep = src != dst
    return torch.cat([torch.stack([src[keep], dst[keep]]), torch.stack([dst[keep], src[keep]])], dim=1)


def dense_dmon_spectral(s: torch.Tensor, adj: torch.Tensor) -> torch.Tensor:
    """DMoNPooling's dense spectral loss, on a given S (its forward computes S itself from features)."""
    degrees = adj.sum(dim=-1, keepdim=True)
    m = degrees.sum() / 2
    normalizer = (s.t() @ degrees) @ (degrees.t() @ s) / 2 / m
    return -torch.trace(s.t() @ adj @ s - normalizer) / 2 / m


def seconds(fn) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000,12000", help="comma-separated numbers of nodes")
    args = parser.parse_args()
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    rows = ["| N | E | sparse mincut (ms) | dense mincut (ms) | sparse dmon (ms) | dense dmon (ms) | "
            "dense A (MB) | sparse edges (MB) |", "|---|---|---|---|---|---|---|---|"]
    for n in (int(v) for v in args.sizes.split(",")):
        edge_index = random_edges(n, generator)
        logits = torch.randn(n, K, generator=generator, requires_grad=True)
        adj = to_dense_adj(edge_index, max_num_nodes=n)[0]

        def sparse_mincut() -> None:
            mincut_loss(logits.softmax(-1), edge_index)["total"].backward()

        def dense_mincut() -> None:
            _, _, cut, ortho = dense_mincut_pool(torch.zeros(n, 1), adj, logits)
            (cut + ortho).backward()

        def sparse_dmon() -> None:
            dmon_loss(logits.softmax(-1), edge_index)["spectral"].backward()

        def dense_dmon() -> None:
            dense_dmon_spectral(logits.softmax(-1), adj).sum().backward()

        times = [1000 * seconds(f) for f in (sparse_mincut, dense_mincut, sparse_dmon, dense_dmon)]
        dense_mb = adj.numel() * adj.element_size() / 2**20
        sparse_mb = edge_index.numel() * edge_index.element_size() / 2**20
        rows.append(f"| {n} | {edge_index.size(1) // 2} | " + " | ".join(f"{t:.1f}" for t in times)
                    + f" | {dense_mb:.0f} | {sparse_mb:.1f} |")
        print(rows[-1], flush=True)
        del adj
    RESULTS.mkdir(exist_ok=True)
    text = ("# Sparse against dense smooth losses (forward + backward, best of 3, one thread)\n\n"
            f"Random graphs, average degree {DEGREE}, K = {K}. Measured on the shared 2-core development CPU.\n\n"
            + "\n".join(rows) + "\n")
    (RESULTS / "compare_losses.md").write_text(text)


if __name__ == "__main__":
    main()
