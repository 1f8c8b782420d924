r"""Named settings of a pooling run: the paper's, and a teaching one whose level 1 sharpens within seconds.

With the paper's setting (:math:`K_1, K_2 = N_{max}/2, N_{max}/4`, :math:`\alpha_1 = \alpha_2 = 0.5`, Adam 5e-4) the
first pooling level of the synthetic dataset never leaves the uniform assignment: with 20 clusters for graphs of
16–40 nodes, every assignment the network can reach at the start cuts about as many edges as a random partition,
whose cut ratio :math:`1 - 1/K` is close to :math:`\alpha_2/\alpha_1 = 1`, so the auxiliary loss has no downhill
way out of :math:`\mathbf{S} = 1/K` (the uniform trap of :class:`~gtvviz.objective.AsymCheegerCutObjective`), and
the cross-entropy does not need a sharp :math:`\mathbf{S}`. One-hot degrees also make nodes of different
communities look alike, so even a sharp assignment would scatter each cluster over the graph.

The teaching setting changes the four things that cause this, for every dataset alike: few clusters per graph
(:math:`K_\ell = \lfloor r_\ell \bar{N} \rfloor` with ratios :math:`1/8, 1/16` of the mean graph, at least 2),
the balance weight :math:`\alpha_2 = 1` (twice :math:`\alpha_1`, so the uniform assignment is no longer a local
minimum along partitions with a cut ratio below 2), Adam 1e-2 (20 times the reference), and two Laplacian
eigenvectors appended to the node features (:func:`~gtvviz.classification.datasets.laplacian_features`), which
let the pooling tell regions of the graph apart. Measured in ``benchmarks/results/pooling_defaults.md``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from gtvviz.classification.training import ClassifyConfig
from gtvviz.errors import ConfigError


@dataclass(frozen=True)
class PoolingSetting:
    """A named setting: a label, what it changes, the Laplacian eigenvectors added to the features and the
    :class:`~gtvviz.classification.ClassifyConfig` fields it sets."""

    name: str
    label: str
    summary: str
    positional: int = 0
    fields: dict[str, Any] = field(default_factory=dict)

    def config(self, **changes: Any) -> ClassifyConfig:
        """The setting's :class:`ClassifyConfig`, with ``changes`` (pool, seed, epochs …) on top."""
        return dataclasses.replace(ClassifyConfig(**self.fields), **changes)


SETTINGS = {setting.name: setting for setting in (
    PoolingSetting("teaching", "Teaching: sharp in seconds",
                   "K1, K2 = N_mean/8, N_mean/16 (at least 2), balance weight α₂ = 1, Adam lr 1e-2, features + 2 "
                   "Laplacian eigenvectors", positional=2,
                   fields={"pool_size_base": "mean", "pool_ratios": (1 / 8, 1 / 16), "alpha2": 1.0, "lr": 1e-2}),
    PoolingSetting("paper", "Paper: largest graph",
                   "K1, K2 = N_max/2, N_max/4, α₁ = α₂ = 0.5, Adam lr 5e-4 (the reference)"),
    PoolingSetting("paper-mean", "Paper, mean graph",
                   "K1, K2 = N_mean/2, N_mean/4, α₁ = α₂ = 0.5, Adam lr 5e-4", fields={"pool_size_base": "mean"}),
)}


def pooling_setting(name: str) -> PoolingSetting:
    """The setting called ``name`` (one of :data:`SETTINGS`)."""
    if name not in SETTINGS:
        raise ConfigError(f"Unknown pooling setting {name!r}; choose one of {', '.join(SETTINGS)}.")
    return SETTINGS[name]
