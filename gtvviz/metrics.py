r"""Clustering quality, from labels (NMI, ARI, ACC) and from the graph (cut, conductance, modularity), and
the sharpness of a soft assignment. Every graph metric works on the edge list in :math:`O(E)`.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from gtvviz.graph import Graph


def _np(values: torch.Tensor | np.ndarray) -> np.ndarray:
    return values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)


def _known(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = y_true >= 0
    return y_true[keep], y_pred[keep]


def nmi(y_true: torch.Tensor | np.ndarray, y_pred: torch.Tensor | np.ndarray) -> float:
    r"""Normalised mutual information with the arithmetic mean (scikit-learn's default); nodes with label -1 are
    ignored.

    .. math::
        \mathrm{NMI} = \frac{I(U; V)}{(H(U) + H(V)) / 2}, \qquad
        I(U; V) = \sum_{a, b} \frac{n_{ab}}{n} \log \frac{n\, n_{ab}}{n_{a\cdot}\, n_{\cdot b}}

    from the contingency table :math:`n_{ab}` (numpy: the trainer evaluates it every epoch). Two partitions with
    one cluster each score 1, any partition against a single cluster 0. Since :math:`I(U; V) \le \min(H(U), H(V))`,
    a value past 1 is rounding and reads 1.
    """
    table = contingency(*_known(_np(y_true), _np(y_pred))).astype(np.float64)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    if np.count_nonzero(rows) == np.count_nonzero(cols) <= 1:
        return 1.0
    n = table.sum()
    a, b = np.nonzero(table)
    joint = table[a, b] / n
    mutual = float(np.sum(joint * (np.log(table[a, b] * n) - np.log(rows[a] * cols[b]))))
    if mutual <= 0.0:
        return 0.0
    mean_entropy = (_entropy(rows / n) + _entropy(cols / n)) / 2
    return float(min(mutual / max(mean_entropy, np.finfo(np.float64).eps), 1.0))


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def ari(y_true: torch.Tensor | np.ndarray, y_pred: torch.Tensor | np.ndarray) -> float:
    r"""Adjusted Rand index (as scikit-learn computes it); nodes with label -1 are ignored.

    From the pair confusion counts of the contingency table :math:`n_{ab}`: pairs together in both partitions
    :math:`tp = \sum n_{ab}^2 - n`, together only in the prediction :math:`fp = \sum_b n_{\cdot b}^2 - \sum n_{ab}^2`,
    only in the truth :math:`fn = \sum_a n_{a\cdot}^2 - \sum n_{ab}^2`, in neither :math:`tn`;

    .. math::
        \mathrm{ARI} = \frac{2 (tp \cdot tn - fn \cdot fp)}{(tp + fn)(fn + tn) + (tp + fp)(fp + tn)}

    and 1 when no pair disagrees.
    """
    table = contingency(*_known(_np(y_true), _np(y_pred))).astype(np.float64)
    n, squares = table.sum(), float(np.sum(table**2))
    tp = squares - n
    fp = float(np.sum(table.sum(axis=0) ** 2)) - squares
    fn = float(np.sum(table.sum(axis=1) ** 2)) - squares
    tn = n**2 - fp - fn - squares
    if fp == 0 and fn == 0:
        return 1.0
    return float(2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)))


def contingency(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    r"""Counts ``C[a, b]`` of nodes in the ``a``-th true class and the ``b``-th predicted cluster (each in
    increasing order of the values that occur), in :math:`O(N \log N + A B)` whatever the largest label value."""
    return _table(_dense(y_true), _dense(y_pred))


def _dense(values: np.ndarray) -> np.ndarray:
    """The rank of each value among the distinct values (``np.unique``'s inverse)."""
    return np.unique(values, return_inverse=True)[1].reshape(-1)


def _table(rows: np.ndarray, cols: np.ndarray, n_cols: int | None = None) -> np.ndarray:
    shape = (int(rows.max(initial=-1)) + 1, n_cols if n_cols is not None else int(cols.max(initial=-1)) + 1)
    table = np.zeros(shape, dtype=np.int64)
    np.add.at(table, (rows, cols), 1)
    return table


def match_labels(reference: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray) -> np.ndarray:
    """Permutation ``perm`` of cluster ids such that ``perm[labels]`` agrees best with ``reference``.

    Hungarian matching on the contingency table of the true classes that occur against the cluster ids
    ``0..K-1``: :math:`O(N + (C + K)^3)` for :math:`C` classes, whatever their values. Clusters that match no
    class get the smallest ids that are not classes, in order. Used for accuracy and to give equal colours to
    equal clusters across methods.
    """
    ref, lab = _known(_np(reference), _np(labels))
    n_pred = int(max(_np(labels).max(initial=-1), -1)) + 1
    classes, ref_rank = np.unique(ref, return_inverse=True)
    table = _table(ref_rank.reshape(-1), lab, n_pred)
    size = max(table.shape[0], n_pred)
    square = np.zeros((size, size), dtype=np.int64)
    square[: table.shape[0], : table.shape[1]] = table
    rows, cols = linear_sum_assignment(-square)
    spare = np.setdiff1d(np.arange(size + len(classes)), classes)[: size - len(classes)]
    ids = np.concatenate([classes.astype(np.int64), spare])
    perm = np.empty(size, dtype=np.int64)
    perm[cols] = ids[rows]
    return perm[:n_pred]


def acc(y_true: torch.Tensor | np.ndarray, y_pred: torch.Tensor | np.ndarray) -> float:
    """Clustering accuracy: the fraction of nodes right after the best one-to-one matching of cluster ids."""
    t, p = _known(_np(y_true), _np(y_pred))
    if t.size == 0:
        return float("nan")
    perm = match_labels(t, p)
    return float((perm[p] == t).mean())


def _edges(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    row, col = graph.edge_index.numpy()
    w = np.ones(len(row)) if graph.edge_weight is None else graph.edge_weight.double().numpy()
    return row, col, w


def cut_fraction(graph: Graph, labels: torch.Tensor | np.ndarray) -> float:
    """Weighted fraction of edges whose end points are in different clusters (0 for a graph without edges)."""
    row, col, w = _edges(graph)
    lab = _np(labels)
    total = w.sum()
    return float(w[lab[row] != lab[col]].sum() / total) if total > 0 else 0.0


def _cluster_volumes(graph: Graph, lab: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    row, col, w = _edges(graph)
    vol = np.bincount(lab[row], weights=w, minlength=k)
    cut = np.bincount(lab[row], weights=w * (lab[row] != lab[col]), minlength=k)
    return vol, cut


def conductance(graph: Graph, labels: torch.Tensor | np.ndarray) -> float:
    r"""Mean conductance over the non-empty clusters,
    :math:`\phi(C) = \mathrm{cut}(C) / \min(\mathrm{vol}(C), \mathrm{vol}(V \setminus C))` (lower is better).

    Clusters whose smaller side has zero volume are skipped; returns 0 if none is left.
    """
    lab = _np(labels)
    k = int(lab.max(initial=-1)) + 1
    vol, cut = _cluster_volumes(graph, lab, k)
    denom = np.minimum(vol, vol.sum() - vol)
    valid = denom > 0
    return float((cut[valid] / denom[valid]).mean()) if valid.any() else 0.0


def modularity(graph: Graph, labels: torch.Tensor | np.ndarray) -> float:
    r"""Newman modularity :math:`Q = \sum_c \big[\frac{w_{in}(c)}{2m} - (\frac{\mathrm{vol}(c)}{2m})^2\big]`."""
    lab = _np(labels)
    k = int(lab.max(initial=-1)) + 1
    vol, cut = _cluster_volumes(graph, lab, k)
    two_m = vol.sum()
    if two_m <= 0:
        return 0.0
    inside = vol - cut
    return float((inside / two_m - (vol / two_m) ** 2).sum())


def cluster_sizes(labels: torch.Tensor | np.ndarray, n_clusters: int) -> np.ndarray:
    """Number of nodes in each of the ``n_clusters`` clusters (empty clusters included)."""
    return np.bincount(_np(labels), minlength=n_clusters)


def n_nonempty(labels: torch.Tensor | np.ndarray) -> int:
    """Number of distinct clusters actually used."""
    return int(np.unique(_np(labels)).size)


def sharpness(s: torch.Tensor | np.ndarray) -> float:
    r"""Mean confidence :math:`\frac{1}{N}\sum_i \max_k s_{ik}`: 1 for one-hot rows, :math:`1/K` for uniform."""
    arr = _np(s)
    return float(arr.max(axis=1).mean()) if arr.size else float("nan")


def boundary_nodes(graph: Graph, labels: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes that have at least one neighbour in another cluster."""
    row, col = graph.edge_index.numpy()
    mask = np.zeros(graph.num_nodes, dtype=bool)
    mask[row[labels[row] != labels[col]]] = True
    return mask


def boundary_sharpness(graph: Graph, s: torch.Tensor | np.ndarray) -> float:
    r"""Sharpness on the boundary: the mean of :math:`\max_k s_{ik}` over the nodes that have a neighbour in
    another cluster (clusters = :math:`\arg\max_k s_{ik}`), where smooth methods blur; NaN when no edge is cut."""
    arr = _np(s)
    mask = boundary_nodes(graph, arr.argmax(axis=1)) if arr.size else np.zeros(0, dtype=bool)
    return float(arr[mask].max(axis=1).mean()) if mask.any() else float("nan")


def balance(labels: torch.Tensor | np.ndarray, n_clusters: int) -> float:
    """Size of the smallest cluster over the size of a perfectly balanced one, ``min_k |C_k| * K / N``."""
    sizes = cluster_sizes(labels, n_clusters)
    return float(sizes.min() * n_clusters / max(sizes.sum(), 1))


def evaluate(graph: Graph, s: torch.Tensor | np.ndarray) -> dict[str, float]:
    """Every metric of a soft assignment on ``graph`` (label metrics only when the graph has labels)."""
    arr = _np(s)
    labels = arr.argmax(axis=1)
    k = arr.shape[1]
    out = {
        "sharpness": sharpness(arr),
        "boundary_sharpness": boundary_sharpness(graph, arr),
        "cut_fraction": cut_fraction(graph, labels),
        "conductance": conductance(graph, labels),
        "modularity": modularity(graph, labels),
        "size_balance": balance(labels, k),
        "n_clusters_used": float(n_nonempty(labels)),
    }
    if graph.has_labels:
        y = graph.y.numpy()  # type: ignore[union-attr]
        out.update(nmi=nmi(y, labels), ari=ari(y, labels), acc=acc(y, labels))
    return out
