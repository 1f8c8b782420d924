"""The one source of TVGNN's defaults and of the smallest number of clusters.

The defaults are the authors' Cora configuration (Hansen & Bianchi, 2023): :class:`~gtvviz.config.RunConfig`,
:class:`~gtvviz.nn.TVGNN` and :class:`~gtvviz.cluster.TVGNNClustering` read them from here, so that they never
drift apart. This module imports nothing of gtvviz, so every layer (``nn`` included) may use it.
"""

from __future__ import annotations

from gtvviz.errors import ConfigError

#: Weight :math:`\alpha_1` of the GTV term.
ALPHA1 = 0.785
#: Weight :math:`\alpha_2` of the asymmetric-norm balance term.
ALPHA2 = 0.514
#: GTVConv's ``delta_coeff`` (the paper's :math:`2\delta`).
DELTA = 0.311
#: GTVConv's lower bound :math:`\epsilon` of the :math:`\ell_1` distance.
EPS = 1e-3
#: Widths of the GTVConv layers.
HIDDEN = (512, 512)
#: Hidden widths of the assignment MLP.
MLP = (256,)
#: Adam's learning rate.
LR = 1e-3
#: Training epochs.
EPOCHS = 500
#: Random starts of one clustering fit (:mod:`gtvviz.starts`) in :class:`~gtvviz.cluster.TVGNNClustering` and
#: ``gtvviz cluster``, the one of least loss kept: a start that loses a cluster early never regains it, and the
#: loss ranks such an end clearly worse (measured in ``benchmarks/results/quality_suite.md``).
N_INIT = 3
#: Whether those starts include one from spectral clustering's partition (:mod:`gtvviz.spectral_start`; TVGNN, full
#: batch): it reaches communities of comparable size that random starts merge.
SPECTRAL_START = True
#: Epoch at which the starts are compared; only the kept one trains on. The starts have left the uniform assignment
#: and sharpened by then, so the loss orders them much as at their end, at a fraction of their cost.
PROBE_EPOCHS = 100
#: Balance-weight modes of :class:`~gtvviz.objective.AsymCheegerCutObjective`: ``"fixed"`` is the reference,
#: ``"adaptive"`` (the default) leaves the uniform trap, ``"escape"`` also escapes partial collapse
#: (:mod:`gtvviz.escape`).
BALANCE_WEIGHTS = ("adaptive", "fixed", "escape")
#: How a run starts (:mod:`gtvviz.spectral_start`): ``"random"`` from the model's seeded initialisation;
#: ``"spectral"`` first pulls the network to spectral clustering's partition, then trains the AsymCheegerCut loss.
INITS = ("random", "spectral")
#: Stopping rules of a run: ``"epochs"`` trains ``EPOCHS`` epochs; ``"plateau"`` stops earlier once the loss has
#: plateaued at a non-degenerate assignment (:class:`~gtvviz.stopping.GuardedPlateau`), the epochs being the limit.
STOP_RULES = ("epochs", "plateau")
#: How node features are scaled before the first layer (:func:`gtvviz.features.node_features`): ``"auto"`` (the
#: default) row-normalises non-negative features as the reference does and standardises features with negative
#: entries; ``"row"`` row-normalises every feature matrix (PyG's ``NormalizeFeatures``, exactly the reference),
#: ``"standard"`` standardises every one, ``"none"`` hands the features over unchanged.
NORMALIZATIONS = ("auto", "row", "standard", "none")
#: Device names a configuration may give (``auto`` picks CUDA, then MPS, then the CPU).
DEVICES = ("auto", "cpu", "cuda", "mps")
#: The fewest clusters a clustering or pooling can have.
MIN_CLUSTERS = 2


def check_cluster_count(k: int, what: str = "Clustering") -> None:
    """Raise :class:`ConfigError` unless ``k >= 2`` (``what`` names the caller: clustering, pooling)."""
    if k < MIN_CLUSTERS:
        raise ConfigError(f"{what} needs at least K = 2 clusters, got K = {k}; choose K >= 2.")
