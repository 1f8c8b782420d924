"""Write the shipped sample graphs and their README, reproducibly (every random step is seeded).

Usage, from the checkout: ``python sample_graphs/make_samples.py [OUT_DIR]`` (default: the package data folder
``gtvviz/data/sample_graphs/``, which the wheel ships). The metadata (descriptions, what to look for, suggested K)
lives in :data:`gtvviz.data.samples.SAMPLES`; the recipes live here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import networkx as nx
import numpy as np

from gtvviz.data import generate, save_graph
from gtvviz.data.samples import SAMPLES
from gtvviz.graph import Graph

#: Where the samples live in the checkout: package data of ``gtvviz.data``.
PACKAGE_DATA = Path(__file__).resolve().parents[1] / "gtvviz" / "data" / "sample_graphs"


def karate() -> Graph:
    """Zachary's karate club, unweighted, labels 0 = Mr. Hi's faction, 1 = the Officer's."""
    g = nx.karate_club_graph()
    labels = [0 if g.nodes[v]["club"] == "Mr. Hi" else 1 for v in g]
    return Graph.from_edges(np.array(list(g.edges())), g.number_of_nodes(), y=labels, directed=False)


def les_miserables() -> Graph:
    """Co-appearance network of Les Miserables, weighted, named by character."""
    return Graph.from_networkx(nx.les_miserables_graph())


#: How each sample is made: a function of no arguments returning the graph.
RECIPES: dict[str, Callable[[], Graph]] = {
    "karate": karate,
    "csbm": lambda: generate("csbm", n=300, blocks=3, degree=8.0, homophily=0.75, snr=1.0, features=16, seed=0),
    "ring_of_cliques": lambda: generate("ring_of_cliques", cliques=6, clique_size=5),
    "bridged_communities": lambda: generate("bridged", size=40, p_in=0.25, bridges=3, snr=1.0, features=8, seed=0),
    "pixel_grid": lambda: generate("grid", width=24, height=24, shapes=3, noise=0.15, seed=0),
    "two_moons": lambda: generate("moons", n=300, noise=0.1, k=8, seed=0),
    "les_miserables": les_miserables,
}


def main(out_dir: Path = PACKAGE_DATA) -> list[Path]:
    """Write every sample as node-link JSON and the README into ``out_dir``; return the paths written."""
    written, rows, sections = [], [], []
    for name, sample in SAMPLES.items():
        graph = RECIPES[name]()
        graph.name = name
        written += save_graph(graph, out_dir / f"{name}.json")
        labels = f"{int(graph.y.max()) + 1} classes" if graph.has_labels else "none"  # type: ignore[union-attr]
        rows.append(
            f"| `{name}` | {graph.num_nodes} | {graph.num_edges} | {graph.num_features} | {labels} | "
            f"{'yes' if graph.pos is not None else 'no'} | {'yes' if graph.edge_weight is not None else 'no'} | "
            f"{sample.suggested_k} |"
        )
        recipe = f"\n\nRecipe: `load_graph(\"{graph.source}\")`" if ":" in graph.source else ""
        sections.append(
            f"## `{name}`: {sample.description}\n\nWhere it comes from: {sample.origin}{recipe}\n\n"
            f"What to look for: {sample.look_for}\n"
        )
    readme = out_dir / "README.md"
    readme.write_text(
        "# Sample graphs\n\n"
        "Small graphs shipped with gtvviz (package data, in the wheel too), each chosen to teach something.\n"
        "Load one by name, e.g. `gtvviz.load_graph(\"karate\")`. The files are node-link JSON (node attributes\n"
        "`y` = label, `x` = features, `pos` = layout; link attribute `weight`), written reproducibly by the\n"
        "checkout's `python sample_graphs/make_samples.py`, which also writes this README: edit the metadata in\n"
        "`gtvviz/data/samples.py` or the recipes in the script, not this file.\n\n"
        "| sample | nodes | edges | features | labels | pos | weighted | suggested K |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n" + "\n".join(sections),
        encoding="utf-8",
    )
    return [*written, readme]


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE_DATA):
        print(f"wrote {path}")
