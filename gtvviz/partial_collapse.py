r"""Partial collapse: an assignment that uses fewer clusters than :math:`K`, or gives one cluster nearly every node.

:class:`gtvviz.collapse.CollapseDetector` sees the two total degenerate solutions (the uniform
:math:`\mathbf{S} = 1/K` and every node in one cluster). A run can also end sharp but with some clusters empty
or nearly so, or with one cluster holding most nodes; its sharpness then looks healthy. This check reads the hard
cluster sizes :math:`n_k = |\{i : \arg\max_l s_{il} = k\}|`:

- a cluster is *used* when :math:`n_k \ge` ``min_fraction`` :math:`\cdot N / K` (a tenth of its fair share by
  default, so a genuinely small cluster still counts);
- the check fires when fewer than :math:`K` clusters are used, or when the largest cluster holds at least
  ``max_share`` of the nodes (for :math:`K \ge 2`).

It also reports the effective number of clusters of the soft sizes :math:`p_k = \frac{1}{N}\sum_i s_{ik}`,
:math:`\exp(-\sum_k p_k \log p_k)` (between 1 and :math:`K`), a continuous view of the same thing. It is a pure
function of one assignment; a caller decides when to look (e.g. at the end of a run, or each metrics epoch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A cluster with fewer than this fraction of its fair share :math:`N/K` of nodes is not counted as used.
MIN_FRACTION = 0.1

#: A largest cluster with at least this share of the nodes means one cluster took (nearly) everything.
MAX_SHARE = 0.9


@dataclass(frozen=True)
class PartialCollapse:
    """The verdict on one assignment.

    Attributes:
        used: clusters holding at least ``min_fraction * N / K`` nodes.
        nonempty: clusters holding at least one node.
        largest_share: share of the nodes in the largest cluster.
        effective: :math:`\\exp` of the entropy of the soft cluster sizes, in :math:`[1, K]`.
        n_clusters: :math:`K`.
        collapsed: whether fewer than :math:`K` clusters are used or the largest holds ``max_share`` or more.
    """

    used: int
    nonempty: int
    largest_share: float
    effective: float
    n_clusters: int
    collapsed: bool

    def message(self) -> str:
        """One sentence for a user: what happened and what to try."""
        if not self.collapsed:
            return f"All {self.n_clusters} clusters are used."
        return (f"Partial collapse: {self.used} of {self.n_clusters} clusters are used and the largest holds "
                f"{self.largest_share:.0%} of the nodes; try more starts (n_init), the escape "
                f"(balance_weight='escape') where the communities are of comparable size, or fewer clusters.")


def partial_collapse(s: np.ndarray, min_fraction: float = MIN_FRACTION, max_share: float = MAX_SHARE
                     ) -> PartialCollapse:
    """Check an :math:`(N, K)` assignment (soft or one-hot rows) for partial collapse (see the module docstring).

    Args:
        s: the assignment; row :math:`i` is node :math:`i`'s distribution over the :math:`K` clusters.
        min_fraction: share of the fair size :math:`N/K` below which a cluster is not used.
        max_share: share of all nodes from which the largest cluster counts as having taken everything.
    """
    n, k = s.shape
    sizes = np.bincount(s.argmax(axis=1), minlength=k) if n else np.zeros(k, dtype=np.int64)
    used = int((sizes >= min_fraction * n / k).sum()) if n else 0
    largest = float(sizes.max() / n) if n else 0.0
    soft = s.sum(axis=0) / max(n, 1)
    p = soft[soft > 0] / soft.sum() if soft.sum() > 0 else np.ones(1)
    effective = float(np.exp(-(p * np.log(p)).sum()))
    collapsed = n >= k and k >= 2 and (used < k or largest >= max_share)
    return PartialCollapse(used, int((sizes > 0).sum()), largest, effective, k, bool(collapsed))
