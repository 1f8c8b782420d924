"""How far apart each layout draws the planted communities of labelled graphs, and how long it takes.

For each graph, the positions of :func:`gtvviz.viz.layout.compute_layout` (what the app and the widgets draw),
of networkx's spring layout from random positions, and of the force layout alone
(:func:`gtvviz.viz.layout.force_layout`) are scored by the silhouette of the node positions against the ground
truth labels: near 1 when every community is a tight blob far from the others, near 0 when they are tangled into
one ball. The layouts never see the labels.

    python benchmarks/layout_quality.py --out benchmarks/results/layout_quality.md
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
from sklearn.metrics import silhouette_score

from gtvviz import Graph
from gtvviz.data import load_graph
from gtvviz.viz.layout import compute_layout, force_layout

#: Labelled graphs of every size the app draws: samples (Kamada-Kawai below 100 nodes) and generated block models.
GRAPHS = (
    "karate", "ring_of_cliques", "bridged_communities", "csbm",
    "csbm:n=300,blocks=3,degree=8,homophily=0.6,snr=1,features=16,seed=1",
    "csbm:n=450,blocks=5,degree=10,homophily=0.8,snr=1,features=16,seed=2",
    "word_sbm:blocks=4,size=100,p_in=0.05,p_out=0.01,words=16,signal=0.3,seed=0",
    "planted_partition:groups=4,group_size=50,p_in=0.3,p_out=0.02,seed=0",
    "csbm:n=2000,blocks=4,degree=10,homophily=0.8,snr=1,features=16,seed=3",
)


def spring(graph: Graph, seed: int = 0) -> np.ndarray:
    """networkx's Fruchterman-Reingold layout from random positions."""
    g = nx.Graph()
    g.add_nodes_from(range(graph.num_nodes))
    row, col = graph.edge_index.numpy()
    g.add_edges_from(zip(row[row < col].tolist(), col[row < col].tolist()))
    positions = nx.spring_layout(g, seed=seed)
    return np.array([positions[i] for i in range(graph.num_nodes)])


def score(layout: Callable[[Graph], np.ndarray], graph: Graph) -> tuple[float, float]:
    """Silhouette of ``layout``'s positions against the labels, and its seconds."""
    start = time.perf_counter()
    pos = layout(graph)
    return float(silhouette_score(pos, graph.y.numpy())), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the Markdown table here too")
    args = parser.parse_args()
    layouts = {"gtvviz (compute_layout)": compute_layout, "networkx spring": spring,
               "force layout": lambda graph: force_layout(graph.to_scipy())}
    lines = ["| graph | nodes | " + " | ".join(layouts) + " |", "|---|---|" + "---|" * len(layouts)]
    for source in GRAPHS:
        graph = load_graph(source)
        cells = [f"{s:.3f} ({t:.2f} s)" for s, t in (score(layout, graph) for layout in layouts.values())]
        lines.append(f"| `{source}` | {graph.num_nodes} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    if args.out is not None:
        args.out.write_text("# Layout quality: silhouette of the drawn positions against the planted communities\n\n"
                            "Higher is better (communities drawn apart); seconds in brackets. Command:\n\n"
                            "    python benchmarks/layout_quality.py --out benchmarks/results/layout_quality.md\n\n"
                            + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
