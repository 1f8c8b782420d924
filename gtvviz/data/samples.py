"""The small graphs shipped with gtvviz, each chosen to teach something, loadable by name.

The files are package data (``gtvviz/data/sample_graphs/``, read through :mod:`importlib.resources`, so that an
installed wheel loads them as a checkout does): node-link JSON written reproducibly by the checkout's
``sample_graphs/make_samples.py``, which also writes their README from the metadata in :data:`SAMPLES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from gtvviz.data.formats.nodelink import read_json
from gtvviz.data.records import Origin
from gtvviz.errors import ConfigError, GraphFormatError
from gtvviz.graph import Graph

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable  # Python 3.11+; importlib.abc.Traversable before

#: The folder of the sample files: package data of :mod:`gtvviz.data` (a path in a checkout or a plain install).
SAMPLE_DIR: Traversable = resources.files("gtvviz.data") / "sample_graphs"


@dataclass(frozen=True)
class Sample:
    """Metadata of one shipped sample graph.

    ``preset`` is the run the sample's ``look_for`` text describes: :class:`~gtvviz.config.RunConfig` fields
    (besides ``graph`` and ``clusters = suggested_k``) as plain values, measured in
    ``benchmarks/results/presets.md`` and checked by ``tests/test_presets.py``; ``compare`` the methods to put side
    by side on it.
    """

    name: str
    description: str
    look_for: str
    origin: str
    suggested_k: int
    preset: dict[str, Any] = field(default_factory=dict)
    compare: tuple[str, ...] = ("tvgnn", "dmon", "mincut", "spectral")

    @property
    def file(self) -> Traversable:
        """The sample's file."""
        return SAMPLE_DIR / f"{self.name}.json"


#: Every shipped sample by name, in the order the app lists them.
SAMPLES: dict[str, Sample] = {s.name: s for s in (
    Sample("karate", "Zachary's karate club: a club that split into two factions",
           "The two factions (labels 0 = Mr. Hi, 1 = Officer) are joined by 11 edges. The best balanced cut of "
           "the graph is not quite the factions: it moves members 8 (three of his five friends are the "
           "Officer's) and 9 (one friend on each side) across and cuts 10 edges. A run that finds it gets 32 of "
           "34 members right (NMI 0.68), one that finds the factions all 34. Of seeds 0 to 19 with the defaults, 12 "
           "find the factions (seed 0 among them), 2 the best cut and 6 a worse cut (a higher loss): try another "
           "seed. No features: the model learns from the structure alone.",
           "networkx.karate_club_graph() (Zachary 1977), unweighted; labels from the 'club' attribute.", 2,
           preset={"seed": 0}),
    Sample("csbm", "Contextual stochastic block model: 3 blocks, noisy features",
           "Neither the graph (homophily 0.75) nor the features (SNR 1) recover the blocks exactly on their own: "
           "at this preset (seed 0) spectral clustering on the graph alone gets NMI 0.80 and k-means on the "
           "(standardised) features alone 0.97, while TVGNN, which uses both, puts all 300 nodes in their block "
           "(NMI 1), every node sharp. DMoN, which also reads both, is sharp too but misplaces a node or two "
           "(NMI 0.98).",
           "gtvviz generator csbm: 3 blocks of 100 nodes, expected degree 8, homophily 0.75, 16 features, SNR 1.", 3,
           preset={"seed": 0}, compare=("tvgnn", "dmon", "kmeans", "spectral")),
    Sample("ring_of_cliques", "Six 5-cliques in a ring, neighbours joined by one edge",
           "The ideal cut removes only the single edges of the ring: every cluster is one clique. At this preset "
           "(seed 2) TVGNN finds it: six crisp clusters of one clique each (NMI 1). Six balanced clusters from a "
           "uniform start are a hard target: seeds 0, 1 and 3 merge two neighbouring cliques into one cluster "
           "and leave one cluster empty (NMI 0.93); Escape and Reset (the balance weight 'escape') then cuts the "
           "merged cluster in two and finds all six (NMI 1). No features, so structure alone decides.",
           "networkx.ring_of_cliques(6, 5), with a ring layout.", 6, preset={"seed": 2}),
    Sample("bridged_communities", "Two dense communities joined by three bridge edges",
           "Sharp against smooth: at this preset (δ = 1.0, seed 0, the reference's row-normalised features) "
           "TVGNN ends with both communities (NMI 1) and every node sharp, the ends of the bridges included, while "
           "DMoN stays undecided (every node about half in each cluster: a grey graph, sharpness 0.5) and "
           "MinCutPool puts every node in one cluster. Row normalisation turns these noisy Gaussian features "
           "(SNR 1) into one common positive row plus small deviations (two rows differ by a quarter of their ℓ1 "
           "norm; standardised, by 1.4 times it), so the graph has to decide; with the Cora setting δ = 0.311 a "
           "node whose noise points to the other side can stay there, and δ = 1.0 (more smoothing over the graph) "
           "recovers both communities on every seed tried. With gtvviz's default scaling (normalize = auto: "
           "standardised features) the features alone tell the communities apart, and TVGNN, DMoN and "
           "MinCutPool alike end sharp and right (NMI 1).",
           "gtvviz generator bridged: two G(40, 0.25) communities plus 3 random bridges.", 2,
           preset={"delta": 1.0, "seed": 0, "normalize": "row"}, compare=("tvgnn", "dmon", "mincut", "spectral")),
    Sample("pixel_grid", "A 24x24 pixel image with three shapes, as a 4-neighbour grid graph",
           "Image segmentation as graph clustering: features are noisy RGB colours, labels the regions "
           "(0 = background); every node is drawn at its pixel. At this preset (seed 0) TVGNN gives the best "
           "segmentation (NMI 0.91; k-means on the standardised colours 0.62, DMoN 0.42, spectral clustering on "
           "the grid alone 0.19) with sharp region boundaries (boundary sharpness 0.997), but uses only 3 of the 4 "
           "clusters, so at least two regions share one. DMoN's boundaries are as sharp (0.99) but do not follow "
           "the regions.",
           "gtvviz generator grid (24 x 24 pixels, 3 shapes, colour noise 0.15).", 4,
           preset={"seed": 0}, compare=("tvgnn", "dmon", "kmeans", "spectral")),
    Sample("two_moons", "kNN graph of two interleaving half moons",
           "The moons are not linearly separable in the plane, and where they interleave the kNN graph joins "
           "them. At this preset (seed 0) no method separates them: TVGNN cuts the graph into two sharp, equal "
           "halves across both moons (NMI 0.34, 83 in 100 nodes on their moon's side), the very split k-means "
           "makes on the positions; spectral clustering comes closest (NMI 0.46). A cut with few edges is not "
           "always the split you had in mind. Positions are both the layout and the features.",
           "gtvviz generator moons: 300 points of sklearn.datasets.make_moons (noise 0.1), 8 nearest neighbours.",
           2, preset={"seed": 0}, compare=("tvgnn", "spectral", "kmeans", "dmon")),
    Sample("les_miserables", "Co-appearances of the characters of Les Miserables (weighted)",
           "A weighted graph without ground truth: edge weights count shared chapters; modularity and cut "
           "fraction judge the result. At this preset (seed 0, K = 6) TVGNN keeps most characters in one "
           "cluster, splits off a few small groups and leaves a cluster empty (modularity 0.08, cut fraction "
           "0.04: a small cut is not a good partition when the clusters are this unbalanced); spectral "
           "clustering (modularity 0.57) and DMoN (0.50) split the characters into six groups. Seeds 1 to 5, "
           "and δ = 1.0, gave TVGNN the same modularity.",
           "networkx.les_miserables_graph() (Knuth 1993); weights = number of co-appearances.", 6,
           preset={"seed": 0}, compare=("tvgnn", "spectral", "dmon", "mincut")),
)}


#: The sample whose preset opens the app and Compare: the plainest sharp-vs-smooth contrast measured.
LANDING_SAMPLE = "bridged_communities"


def list_samples() -> dict[str, str]:
    """Every sample's name and one-line description."""
    return {name: sample.description for name, sample in SAMPLES.items()}


def load_sample(name: str) -> Graph:
    """Load the shipped sample ``name`` (see :func:`list_samples`).

    Raises:
        ConfigError: if no sample has that name.
        GraphFormatError: if the sample file is missing or damaged.
    """
    sample = _sample(name)
    if not sample.file.is_file():
        raise GraphFormatError(
            f"The sample file {sample.file} is missing; reinstall gtvviz (in a checkout, run "
            "`python sample_graphs/make_samples.py` to write it)."
        )
    graph = read_json(sample.file.read_bytes(), Origin(sample.file.name, f"sample {name} ({sample.origin})"))
    graph.name = name
    return graph


def sample_info(name: str) -> dict[str, Any]:
    """What the app shows about a sample: description, what to look for, counts and the suggested K."""
    return dict(_info(name))


@lru_cache(maxsize=None)
def _info(name: str) -> tuple[tuple[str, Any], ...]:
    sample = _sample(name)
    graph = load_sample(name)
    return (
        ("name", name), ("description", sample.description), ("look_for", sample.look_for),
        ("origin", sample.origin), ("num_nodes", graph.num_nodes), ("num_edges", graph.num_edges),
        ("num_features", graph.num_features), ("has_labels", graph.has_labels), ("has_pos", graph.pos is not None),
        ("weighted", graph.edge_weight is not None), ("suggested_k", sample.suggested_k),
    )


def _sample(name: str) -> Sample:
    if name not in SAMPLES:
        raise ConfigError(f"Unknown sample {name!r}; use one of {', '.join(SAMPLES)}.")
    return SAMPLES[name]
