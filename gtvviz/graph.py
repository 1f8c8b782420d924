"""The one graph container that every part of gtvviz takes.

A :class:`Graph` always holds a *normalised* undirected graph: ``edge_index`` lists every undirected edge in
both directions, sorted, without duplicates and without self-loops, and ``edge_weight`` (if any) is finite and
positive. :meth:`Graph.from_edges` builds one from raw input and reports every repair it had to make in
:attr:`Graph.warnings` (so that a user interface can show them) and as a
:class:`~gtvviz.errors.GraphRepairWarning` (so that library code hears of it), instead of doing it silently.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Sequence
from warnings import warn

import numpy as np
import torch

from gtvviz.errors import GraphFormatError, GraphRepairWarning

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import scipy.sparse as sp
    from torch_geometric.data import Data

#: Largest number of nodes a :class:`Graph` accepts (documented limit; raise it by editing this constant).
MAX_NODES = 5_000_000
#: Largest number of undirected edges a :class:`Graph` accepts.
MAX_EDGES = 50_000_000


@dataclass(eq=False)
class Graph:
    r"""An undirected, optionally weighted and attributed graph.

    Args:
        edge_index (torch.LongTensor): :math:`(2, 2E)`, every undirected edge in both directions, sorted by
            (row, col), no duplicates, no self-loops.
        num_nodes (int): :math:`N`.
        edge_weight (torch.Tensor, optional): :math:`(2E,)` positive finite weights, symmetric.
        x (torch.Tensor, optional): :math:`(N, F)` finite node features.
        y (torch.LongTensor, optional): :math:`(N,)` ground-truth labels (``-1`` = unknown).
        pos (numpy.ndarray, optional): :math:`(N, 2)` node positions to use as the layout.
        node_names (list of str, optional): a display name per node (the original ids of a file).
        name (str): a short human-readable name.
        source (str): where the graph came from (provenance).
        warnings (list of str): repairs made while building the graph.
    """

    edge_index: torch.Tensor
    num_nodes: int
    edge_weight: torch.Tensor | None = None
    x: torch.Tensor | None = None
    y: torch.Tensor | None = None
    pos: np.ndarray | None = None
    node_names: list[str] | None = None
    name: str = "graph"
    source: str = ""
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.validate()

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_edges(
        cls,
        edges: Any,
        num_nodes: int | None = None,
        *,
        weights: Any = None,
        node_ids: Sequence[Any] | None = None,
        x: Any = None,
        y: Any = None,
        pos: Any = None,
        name: str = "graph",
        source: str = "",
        directed: bool = True,
    ) -> "Graph":
        """Build a normalised graph from raw edges, reporting every repair in :attr:`warnings` and as a
        :class:`~gtvviz.errors.GraphRepairWarning` (a relabelling of node ids only in :attr:`warnings`).

        Args:
            edges: an array-like of shape :math:`(2, M)` or :math:`(M, 2)` of node indices in ``0..N-1``, or of
                arbitrary hashable ids when ``node_ids`` is ``None`` and the ids are not integers in range.
                An array of exactly shape (2, 2) is read as two rows (source, target), never as a matrix.
            num_nodes: :math:`N`; inferred from the ids when ``None``.
            weights: optional :math:`(M,)` edge weights (finite, positive).
            node_ids: optional list of the original node ids; edges then refer to these ids and nodes are
                relabelled to ``0..N-1`` keeping the ids as names.
            x, y, pos: optional node features, labels and positions (indexed like ``node_ids``).
            directed: whether each pair is a directed edge (the default, as in an ``edge_index``): a pair given in
                both directions is one edge, a one-way pair is symmetrised with a warning. When ``False`` each pair
                is an undirected edge in either orientation (as in an undirected file), so a pair listed twice,
                either way round, is a duplicate.
        """
        warnings: list[str] = []
        sources, targets = _edge_pairs(edges)
        src, dst, names, num_nodes = _endpoints(sources, targets, num_nodes, node_ids, warnings)
        notes = len(warnings)  # a relabelling keeps the graph; what follows repairs it
        _check_node_range(src, dst, num_nodes)
        w, keep = _positive_weights(weights, len(src), warnings)
        edge_index, edge_weight = _normalise_edges(src, dst, w, keep, num_nodes, warnings, directed)
        _warn_repairs(warnings[notes:])
        return cls(
            edge_index=edge_index,
            num_nodes=int(num_nodes),
            edge_weight=edge_weight,
            x=None if x is None else _as_float32_tensor(x),
            y=None if y is None else torch.as_tensor(np.asarray(y), dtype=torch.long),
            pos=None if pos is None else _as_float_array(pos, "position"),
            node_names=names,
            name=name,
            source=source,
            warnings=warnings,
        )

    # ------------------------------------------------------------------ invariants
    def validate(self) -> None:
        """Check every invariant of the container; raise :class:`GraphFormatError` on the first violation."""
        n = self.num_nodes
        ei = self.edge_index
        if not isinstance(ei, torch.Tensor) or ei.dim() != 2 or ei.size(0) != 2:
            raise GraphFormatError("edge_index must be a 2 x M integer tensor; build the graph with Graph.from_edges.")
        if ei.dtype != torch.long:
            raise GraphFormatError("edge_index must have dtype torch.long; build the graph with Graph.from_edges.")
        if n < 0 or n > MAX_NODES:
            raise GraphFormatError(f"The number of nodes must be between 0 and {MAX_NODES:,}, got {n}.")
        if ei.size(1) > 2 * MAX_EDGES:
            raise GraphFormatError(
                f"The graph has {ei.size(1) // 2:,} edges, over the limit of {MAX_EDGES:,}; use a smaller graph."
            )
        if ei.numel() and (int(ei.min()) < 0 or int(ei.max()) >= n):
            raise GraphFormatError(f"edge_index refers to a node outside 0..{n - 1}; fix the edges or num_nodes.")
        if ei.numel() and bool((ei[0] == ei[1]).any()):
            raise GraphFormatError("The graph has self-loops; build it with Graph.from_edges, which removes them.")
        if self.edge_weight is not None:
            w = self.edge_weight
            if w.shape != (ei.size(1),):
                raise GraphFormatError("edge_weight must hold one weight per edge_index column.")
            if not _all_finite(w) or bool((w <= 0).any()):
                raise GraphFormatError("Edge weights must be finite and positive; fix or drop the bad weights.")
        self._check_node_array(self.x, "x", 2)
        self._check_node_array(self.y, "y", 1)
        if self.x is not None and not _all_finite(self.x):
            raise GraphFormatError("Node features contain NaN or infinite values; impute or drop them first.")
        if self.pos is not None:
            if self.pos.shape != (n, 2) or not np.all(np.isfinite(self.pos)):
                raise GraphFormatError("pos must be a finite N x 2 array of node positions.")
        if self.node_names is not None and len(self.node_names) != n:
            raise GraphFormatError(f"There are {n} nodes but {len(self.node_names)} node names.")
        if not _is_symmetric(ei, self.edge_weight, n):
            raise GraphFormatError("The graph is not symmetric; build it with Graph.from_edges, which symmetrises it.")

    def _check_node_array(self, value: torch.Tensor | None, attr: str, ndim: int) -> None:
        if value is None:
            return
        if not isinstance(value, torch.Tensor) or value.dim() != ndim or value.size(0) != self.num_nodes:
            raise GraphFormatError(
                f"{attr} must be a tensor with {ndim} dimension(s) and one row per node ({self.num_nodes})."
            )

    # ------------------------------------------------------------------ properties
    @property
    def num_edges(self) -> int:
        """Number of undirected edges :math:`E` (``edge_index`` holds :math:`2E` columns)."""
        return self.edge_index.size(1) // 2

    @property
    def num_features(self) -> int:
        """Number of feature columns (0 for a graph without features)."""
        return 0 if self.x is None else int(self.x.size(1))

    @property
    def has_labels(self) -> bool:
        """Whether at least one node has a known ground-truth label."""
        return self.y is not None and bool((self.y >= 0).any())

    def degree(self) -> torch.Tensor:
        """Weighted degree :math:`d_i = \\sum_j a_{ij}` of every node, shape :math:`(N,)`."""
        w = self.edge_weight if self.edge_weight is not None else torch.ones(self.edge_index.size(1))
        return torch.zeros(self.num_nodes, dtype=w.dtype).index_add_(0, self.edge_index[0], w)

    def node_name(self, i: int) -> str:
        """Display name of node ``i``."""
        return self.node_names[i] if self.node_names is not None else str(i)

    def with_updates(self, **changes: Any) -> "Graph":
        """A copy with some fields replaced (validated again)."""
        return replace(self, **changes)

    def __repr__(self) -> str:
        parts = [f"name={self.name!r}", f"num_nodes={self.num_nodes}", f"num_edges={self.num_edges}"]
        if self.x is not None:
            parts.append(f"num_features={self.num_features}")
        if self.has_labels:
            parts.append(f"num_classes={int(self.y.max()) + 1}")  # type: ignore[union-attr]
        if self.edge_weight is not None:
            parts.append("weighted")
        return f"Graph({', '.join(parts)})"

    # ------------------------------------------------------------------ conversions
    @classmethod
    def from_networkx(cls, g: "nx.Graph", *, name: str | None = None, source: str = "networkx",
                      label_attr: str = "label", weight_attr: str = "weight") -> "Graph":
        """Convert a networkx graph; node attributes ``label``, ``x`` (feature vector) and ``pos`` are read."""
        nodes = list(g.nodes())
        index = {n: i for i, n in enumerate(nodes)}
        edges = np.array([[index[u], index[v]] for u, v in g.edges()], dtype=np.int64).reshape(-1, 2)
        weights = None
        if any(weight_attr in d for _, _, d in g.edges(data=True)):
            weights = [float(d.get(weight_attr, 1.0)) for _, _, d in g.edges(data=True)]
        data = dict(g.nodes(data=True))
        labels = _node_attribute(nodes, data, label_attr)
        y = None
        if labels is not None:
            classes = {c: k for k, c in enumerate(sorted({str(v) for v in labels if v is not None}))}
            y = [classes[str(v)] if v is not None else -1 for v in labels]
        feats = _node_attribute(nodes, data, "x")
        pos = _node_attribute(nodes, data, "pos")
        graph = cls.from_edges(
            edges, len(nodes), weights=weights, x=None if feats is None else np.array(feats, dtype=float),
            y=y, pos=None if pos is None else np.array(pos, dtype=float), name=name or str(g.name or "graph"),
            source=source, directed=g.is_directed(),
        )
        if not all(isinstance(n, int) and n == i for i, n in enumerate(nodes)):
            graph.node_names = [str(n) for n in nodes]
        return graph

    def to_scipy(self) -> "sp.csr_matrix":
        r"""The weighted adjacency matrix :math:`\mathbf{A}` as a SciPy CSR matrix (unit weights if unweighted)."""
        import scipy.sparse as sp

        row, col = self.edge_index.numpy()
        w = np.ones(len(row)) if self.edge_weight is None else self.edge_weight.double().numpy()
        return sp.csr_matrix((w, (row, col)), shape=(self.num_nodes, self.num_nodes))

    def to_networkx(self) -> "nx.Graph":
        """Convert to an undirected networkx graph with ``weight``, ``label``, ``x`` and ``pos`` attributes."""
        import networkx as nx

        g = nx.Graph(name=self.name)
        for i in range(self.num_nodes):
            attrs: dict[str, Any] = {"name": self.node_name(i)}
            if self.y is not None:
                attrs["label"] = int(self.y[i])
            if self.x is not None:
                attrs["x"] = self.x[i].tolist()
            if self.pos is not None:
                attrs["pos"] = tuple(float(v) for v in self.pos[i])
            g.add_node(i, **attrs)
        row, col = self.edge_index.numpy()
        upper = row < col
        if self.edge_weight is None:
            g.add_edges_from(zip(row[upper].tolist(), col[upper].tolist()))
        else:
            w = self.edge_weight.numpy()[upper].tolist()
            g.add_weighted_edges_from(zip(row[upper].tolist(), col[upper].tolist(), w))
        return g

    @classmethod
    def from_pyg(cls, data: "Data", *, name: str = "pyg", source: str = "PyG Data") -> "Graph":
        """Convert a PyG :class:`~torch_geometric.data.Data`; directed input is symmetrised (with a warning)."""
        ei = data.edge_index if data.edge_index is not None else torch.empty(2, 0, dtype=torch.long)
        w = getattr(data, "edge_weight", None)
        x = data.x if data.x is not None else None
        y = getattr(data, "y", None)
        if y is not None and (y.dim() != 1 or y.numel() != data.num_nodes):
            y = None  # graph-level or multi-label targets are not node clusters
        pos = getattr(data, "pos", None)
        return cls.from_edges(
            ei, int(data.num_nodes or 0), weights=w, x=x, y=y,
            pos=None if pos is None or pos.dim() != 2 or pos.size(1) != 2 else pos.numpy(),
            name=name, source=source,
        )

    def to_pyg(self) -> "Data":
        """Convert to a PyG :class:`~torch_geometric.data.Data` (``edge_weight`` only when weighted)."""
        from torch_geometric.data import Data

        data = Data(edge_index=self.edge_index.clone(), num_nodes=self.num_nodes)
        if self.edge_weight is not None:
            data.edge_weight = self.edge_weight.clone()
        if self.x is not None:
            data.x = self.x.clone()
        if self.y is not None:
            data.y = self.y.clone()
        if self.pos is not None:
            data.pos = torch.as_tensor(self.pos, dtype=torch.float32)
        return data


def as_graph(obj: Any) -> Graph:
    """Accept a :class:`Graph`, a networkx graph or a PyG ``Data`` and return a :class:`Graph`."""
    if isinstance(obj, Graph):
        return obj
    try:
        import networkx as nx

        if isinstance(obj, nx.Graph):
            return Graph.from_networkx(obj)
    except ImportError:  # pragma: no cover
        pass
    from torch_geometric.data import Data

    if isinstance(obj, Data):
        return Graph.from_pyg(obj)
    raise GraphFormatError(
        f"Expected a gtvviz Graph, a networkx graph or a PyG Data object, got {type(obj).__name__}."
    )


# ---------------------------------------------------------------------- helpers
#: The folder of the gtvviz package: a repair warning names the first caller outside it.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _warn_repairs(repairs: Sequence[str]) -> None:
    """Issue each repair as a :class:`GraphRepairWarning`, attributed to the first frame outside gtvviz (the
    user's line that loaded or built the graph)."""
    if not repairs:
        return
    level, frame = 2, sys._getframe(1)
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        level, frame = level + 1, frame.f_back
    for message in repairs:
        warn(message, GraphRepairWarning, stacklevel=level)


def _as_float32_tensor(value: Any) -> torch.Tensor:
    """A float32 copy of a feature matrix, converted directly (no float64 detour for large matrices)."""
    if isinstance(value, torch.Tensor):
        if value.is_complex():
            raise GraphFormatError("Every feature must be a real number; found a complex value.")
        return value.detach().to(device="cpu", dtype=torch.float32, copy=True)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return torch.from_numpy(value.astype(np.float32))
    return torch.as_tensor(_as_float_array(value, "feature"), dtype=torch.float32)


def _all_finite(x: torch.Tensor) -> bool:
    """Whether every entry is finite; one cheap sum first (NaN and inf propagate), a full check only if needed."""
    return bool(torch.isfinite(x.sum())) or bool(torch.isfinite(x).all())


def _as_float_array(value: Any, what: str) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise GraphFormatError(f"Every {what} must be a number; found a non-numeric value.") from None


def _edge_pairs(edges: Any) -> tuple[np.ndarray, np.ndarray]:
    """The sources and targets (ids of any type) of a 2 x M or M x 2 array-like; two integer arrays of equal length
    (``(src, dst)``) are taken as they are, without a copy."""
    if isinstance(edges, (list, tuple)) and len(edges) == 2 and all(_integer_array(e) for e in edges) \
            and len(edges[0]) == len(edges[1]):
        return edges[0], edges[1]
    raw = np.asarray(edges, dtype=object) if not isinstance(edges, (np.ndarray, torch.Tensor)) else edges
    if isinstance(raw, torch.Tensor):
        raw = raw.detach().cpu().numpy()
    raw = np.asarray(raw)
    if raw.size == 0:
        raw = raw.reshape(2, 0)
    if raw.ndim != 2 or 2 not in raw.shape:
        raise GraphFormatError(
            f"Edges must be a list of (source, target) pairs, got an array of shape {raw.shape}; "
            "pass a 2 x M edge_index or an M x 2 edge list."
        )
    pairs = raw if raw.shape[0] == 2 else raw.T
    return pairs[0], pairs[1]


def _integer_array(value: Any) -> bool:
    """Whether ``value`` is a 1-D numpy array of integers that int64 holds exactly."""
    return (isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iu"
            and np.can_cast(value.dtype, np.int64))


def _endpoints(sources: np.ndarray, targets: np.ndarray, num_nodes: int | None, node_ids: Sequence[Any] | None,
               warnings: list[str]) -> tuple[np.ndarray, np.ndarray, list[str] | None, int]:
    """Node indices of both endpoints, the node names (if any) and :math:`N`: through ``node_ids`` when given,
    else the ids themselves when they are integers in range (integer arrays are used without a copy, in their own
    dtype), else the ids relabelled to ``0..N-1``."""
    if node_ids is not None:
        names = [str(n) for n in node_ids]
        lookup = {str(n): i for i, n in enumerate(node_ids)}
        if len(lookup) != len(names):
            raise GraphFormatError("Node ids must be unique; remove the repeated ids from the node table.")
        try:
            src = np.array([lookup[str(v)] for v in sources], dtype=np.int64)
            dst = np.array([lookup[str(v)] for v in targets], dtype=np.int64)
        except KeyError as err:
            raise GraphFormatError(
                f"Edge endpoint {err.args[0]!r} is not a known node id; add it to the node table or fix the edge."
            ) from None
        return src, dst, names, len(names) if num_nodes is None else num_nodes
    src, dst, relabelled_names, relabelled = _integer_or_relabelled(sources, targets, num_nodes)
    if relabelled:
        assert relabelled_names is not None
        warnings.append(f"Relabelled {len(relabelled_names)} node ids to 0..{len(relabelled_names) - 1}; the ids are "
                        "kept as names.")
        return src, dst, relabelled_names, len(relabelled_names)
    if num_nodes is None:
        num_nodes = int(max(src.max(), dst.max())) + 1 if len(src) else 0
    return src, dst, relabelled_names, num_nodes


def _check_node_range(src: np.ndarray, dst: np.ndarray, num_nodes: int) -> None:
    """Raise :class:`GraphFormatError` for more than :data:`MAX_NODES` nodes or an endpoint outside ``0..N-1``."""
    if num_nodes > MAX_NODES:
        raise GraphFormatError(
            f"The graph has {num_nodes:,} nodes, over the limit of {MAX_NODES:,}; use a smaller graph or subgraph."
        )
    if len(src) and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= num_nodes):
        raise GraphFormatError(
            f"An edge refers to a node id outside 0..{num_nodes - 1}; fix the edge or declare more nodes."
        )


def _positive_weights(weights: Any, num_edges: int, warnings: list[str]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Check one finite, non-negative weight per edge; return the weights and the mask of the edges to keep (``None``
    when all are), dropping the edges of weight 0 with a warning."""
    if weights is None:
        return None, None
    w = _as_float_array(weights, "edge weight")
    if w.shape != (num_edges,):
        raise GraphFormatError(
            f"There are {num_edges} edges but {w.size} edge weights; give exactly one weight per edge."
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise GraphFormatError("Edge weights must be finite and non-negative; fix or drop the bad weights.")
    if np.any(w == 0):
        keep = w > 0
        warnings.append(f"Dropped {int((~keep).sum())} edges of weight 0.")
        return w, keep
    return w, None


def _integer_or_relabelled(sources: np.ndarray, targets: np.ndarray,
                           num_nodes: int | None) -> tuple[np.ndarray, np.ndarray, list[str] | None, bool]:
    """Use ids as indices when they are integers in range; otherwise relabel them in order of appearance (all
    sources, then all targets)."""
    src, dst = _as_integers(sources), _as_integers(targets)
    integer = src is not None and dst is not None
    limit = num_nodes if num_nodes is not None else max(2 * len(sources), 1) * 4 + 1024
    if integer and (src.size == 0 or (min(src.min(), dst.min()) >= 0 and max(src.max(), dst.max()) < limit)):
        return src, dst, None, False
    if num_nodes is not None and integer:
        raise GraphFormatError(
            f"An edge refers to a node id outside 0..{num_nodes - 1}; fix the edge or declare more nodes."
        )
    keys = [str(v) for row in (sources, targets) for v in row]
    order: dict[str, int] = {}
    for k in keys:
        order.setdefault(k, len(order))
    idx = np.array([order[k] for k in keys], dtype=np.int64)
    return idx[: len(sources)], idx[len(sources):], list(order), True


def _as_integers(ids: np.ndarray) -> np.ndarray | None:
    """The ids as integers (an integer array itself, no copy), or ``None`` when one of them is not an integer."""
    if ids.dtype.kind in "iu":
        return ids
    if ids.dtype.kind == "f":
        return ids.astype(np.int64) if np.all(np.isfinite(ids)) and np.all(ids == np.round(ids)) else None
    if ids.dtype.kind == "O" and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in ids):
        return ids.astype(np.int64)
    return None


#: Edges handled at once by the passes of :func:`_normalise_edges` (it bounds their temporary arrays).
_CHUNK = 1 << 16


def _normalise_edges(src: np.ndarray, dst: np.ndarray, w: np.ndarray | None, keep: np.ndarray | None,
                     num_nodes: int, warnings: list[str], directed: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Drop self-loops, merge duplicates (summing weights), symmetrise and sort, reporting each repair.

    Each edge :math:`(s, t)` is coded as one int64 key :math:`2(\\min(s,t) N + \\max(s,t)) + [s > t]` (the last
    term only for ``directed`` input), so one sort groups the copies of a directed edge (their weights are summed,
    in input order) and puts the two directions of an undirected edge side by side (the edge's weight is their
    mean; the weight of a single direction is kept). The keys, and then the :math:`(2, 2E)` output over them, live
    in one buffer of four int64 per input edge, so the peak is that buffer, the output weights and
    :math:`O(N + \\text{chunk})`, plus a sort permutation and the sorted weights for a weighted graph.
    Symmetrisation is reported only for ``directed`` input (undirected input lists each edge once). ``keep``
    marks the edges to use (``None``: all).
    """
    buffer = np.empty(4 * len(src), dtype=np.int64)
    n = max(num_nodes, 1)
    m, taken = _edge_keys(src, dst, keep, n, directed, buffer)
    loops = (len(src) if keep is None else int(np.count_nonzero(keep))) - m
    if loops:
        warnings.append(f"Dropped {loops} self-loops (they cancel in the graph Laplacian anyway).")
    weights = None if w is None else w if taken is None else w[taken]
    del taken
    weights = _sort_keys(buffer, m, weights)
    distinct, weights = _merge_duplicates(buffer, m, weights)
    if distinct < m:
        warnings.append(f"Merged {m - distinct} duplicate edges (their weights are summed).")
    num_edges, weights, one_way, differ = _merge_directions(buffer, distinct, weights)
    if one_way and directed:
        warnings.append(f"Symmetrised {one_way} directed edges by adding their reverse edges.")
    if differ:
        warnings.append("Some edges had different weights in the two directions; their mean is used.")
    if w is None:
        weights = None  # the copies' counts, used only for the warning above
    else:  # as float32, in the part of the first row after the keys, which _both_directions writes last
        float32 = buffer[num_edges:].view(np.float32)[:num_edges]
        float32[:] = weights
        weights = float32
        del float32
    edge_weight = _both_directions(buffer, num_edges, weights, n)
    del weights
    buffer.resize(4 * num_edges, refcheck=False)  # in place: no view of the buffer is left
    return torch.from_numpy(buffer.reshape(2, 2 * num_edges)), edge_weight


def _edge_keys(src: np.ndarray, dst: np.ndarray, keep: np.ndarray | None, n: int, directed: bool,
               buffer: np.ndarray) -> tuple[int, np.ndarray | None]:
    """Write the key (see :func:`_normalise_edges`) of every kept edge that is not a self-loop to ``buffer[:m]``,
    in input order; return ``m`` and the mask of the edges written (``None`` when all are)."""
    written = np.empty(len(src), dtype=bool)
    m = 0
    for start in range(0, len(src), _CHUNK):
        s = src[start:start + _CHUNK].astype(np.int64, copy=False)
        t = dst[start:start + _CHUNK].astype(np.int64, copy=False)
        key = np.minimum(s, t)
        key *= n
        key += np.maximum(s, t)
        key *= 2
        if directed:
            key += s > t
        chosen = written[start:start + _CHUNK]
        np.not_equal(s, t, out=chosen)
        if keep is not None:
            chosen &= keep[start:start + _CHUNK]
        kept = key[chosen]
        buffer[m:m + len(kept)] = kept
        m += len(kept)
    return m, None if m == len(src) else written


def _sort_keys(buffer: np.ndarray, m: int, weights: np.ndarray | None) -> np.ndarray | None:
    """Sort ``buffer[:m]`` in place; return the weights in the same order (equal keys keep their input order)."""
    keys = buffer[:m]
    if weights is None:
        keys.sort()
        return None
    order = np.argsort(keys, kind="stable")
    sorted_keys = buffer[m:2 * m]  # scratch space: the output overwrites it later
    np.take(keys, order, out=sorted_keys, mode="clip")  # "clip": written directly, not through a copy
    keys[:] = sorted_keys
    return weights[order]


def _merge_duplicates(buffer: np.ndarray, m: int, weights: np.ndarray | None) -> tuple[int, np.ndarray | None]:
    """Keep each distinct key of the sorted ``buffer[:m]`` once, at the start of the buffer; return their number
    and the weight of each: the sum of its copies' weights in input order (without weights, the number of copies;
    ``None`` when no key repeats and there are no weights)."""
    keys = buffer[:m]
    first = np.empty(m, dtype=bool)
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    distinct = int(np.count_nonzero(first))
    if distinct == m:
        return m, weights
    group = np.cumsum(first)
    group -= 1
    summed = np.bincount(group, weights=weights, minlength=distinct).astype(np.float64, copy=False)
    del group
    _compact(keys, first)
    return distinct, summed


def _merge_directions(buffer: np.ndarray, d: int,
                      weights: np.ndarray | None) -> tuple[int, np.ndarray | None, int, bool]:
    """Turn the sorted distinct keys ``buffer[:d]`` into the sorted keys :math:`aN + b` of the undirected edges
    :math:`a < b`, each once, at the start of the buffer; return their number :math:`E`, their weights (the mean
    of the two directions' weights where both exist; ``None`` stays ``None``: all ones), the number of edges given
    in one direction only and whether two directions' weights differ by more than a relative 1e-12."""
    keys = buffer[:d]
    np.right_shift(keys, 1, out=keys)
    second = np.zeros(d, dtype=bool)  # the backward direction of an edge given both ways (its forward one precedes)
    np.equal(keys[1:], keys[:-1], out=second[1:])
    both = int(np.count_nonzero(second))
    if not both:
        return d, weights, d, False
    differ = False
    if weights is not None:
        backward = np.flatnonzero(second)
        forward_w, backward_w = weights[backward - 1], weights[backward]
        mean = (forward_w + backward_w) / 2
        differ = bool(np.any(np.abs(np.maximum(forward_w, backward_w) - mean) > 1e-12 * np.maximum(1.0, mean)))
        weights[backward - 1] = mean
        weights = weights[~second]
    np.logical_not(second, out=second)
    _compact(keys, second)
    return d - both, weights, d - 2 * both, differ


def _compact(values: np.ndarray, keep: np.ndarray) -> None:
    """Move ``values[keep]`` to the start of ``values``, in order, in place, a chunk at a time."""
    end = 0
    for start in range(0, len(values), _CHUNK):
        kept = values[start:start + _CHUNK][keep[start:start + _CHUNK]]
        values[end:end + len(kept)] = kept
        end += len(kept)


def _both_directions(buffer: np.ndarray, num_edges: int, weights: np.ndarray | None,
                     n: int) -> torch.Tensor | None:
    """Write the :math:`(2, 2E)` edge list of the sorted undirected keys ``buffer[:E]`` (:math:`aN + b`, a < b),
    each edge in both directions and sorted by (row, col), to ``buffer[:4E]`` as its two rows; return the edges'
    float32 ``weights`` in that order (``None`` without weights).

    Row :math:`r` lists its neighbours :math:`a < r` (from the edges :math:`(a, r)`, whose keys come in
    increasing :math:`a`) and then its neighbours :math:`b > r` (from the edges :math:`(r, b)`, contiguous among
    the keys): each entry's position follows from the row pointer and a count, with no sort of the 2E entries.
    The columns are written past the keys first, the rows over the keys last (``weights`` may lie in
    ``buffer[E:2E]``).
    """
    size = 2 * num_edges
    rows, cols = buffer[:size], buffer[size:2 * size]
    out_degree = np.zeros(n, dtype=np.int64)  # neighbours b > r
    in_degree = np.zeros(n, dtype=np.int64)  # neighbours a < r
    for start in range(0, num_edges, _CHUNK):
        a, b = np.divmod(buffer[start:min(start + _CHUNK, num_edges)], n)
        np.add.at(out_degree, a, 1)
        np.add.at(in_degree, b, 1)
    row_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(out_degree + in_degree, out=row_start[1:])
    next_lower = row_start[:-1].copy()  # the next free slot of each row's neighbours a < r
    # the forward entry of the k-th key, of row a, goes to row_start[a] + in_degree[a] + (k - first key of a)
    forward_base = in_degree
    forward_base += row_start[:-1]
    forward_base += out_degree
    forward_base -= np.cumsum(out_degree)
    del out_degree
    edge_weight = None if weights is None else np.empty(size, dtype=np.float32)
    for start in range(0, num_edges, _CHUNK):
        a, b = np.divmod(buffer[start:min(start + _CHUNK, num_edges)], n)
        forward = forward_base[a]
        forward += np.arange(start, start + len(a))
        backward = _next_slots(b, next_lower)  # the keys (a, b) of row b come in increasing a
        cols[forward] = b
        cols[backward] = a
        if edge_weight is not None:
            edge_weight[forward] = edge_weight[backward] = weights[start:start + len(a)]
    for first in range(0, n, _CHUNK):
        last = min(first + _CHUNK, n)
        rows[row_start[first]:row_start[last]] = np.repeat(np.arange(first, last), np.diff(row_start[first:last + 1]))
    return None if edge_weight is None else torch.from_numpy(edge_weight)


def _next_slots(groups: np.ndarray, next_free: np.ndarray) -> np.ndarray:
    """The slot of each entry in its group's run of slots: ``next_free[g]`` plus the number of earlier entries of
    group ``g`` in ``groups``; ``next_free`` advances past them (one chunk of a counting sort)."""
    count = len(groups)
    key = groups.astype(np.int64) * count  # distinct keys in (group, position) order: any sort of them is stable
    key += np.arange(count)
    key.sort()
    sorted_groups, order = np.divmod(key, count)
    new = np.empty(count, dtype=bool)
    new[:1] = True
    np.not_equal(sorted_groups[1:], sorted_groups[:-1], out=new[1:])
    run_start = np.where(new, np.arange(count), 0)
    np.maximum.accumulate(run_start, out=run_start)
    slots = np.empty(count, dtype=np.int64)
    slots[order] = next_free[sorted_groups] + np.arange(count) - run_start
    firsts = np.flatnonzero(new)
    next_free[sorted_groups[firsts]] += np.diff(firsts, append=count)
    return slots


def _is_symmetric(edge_index: torch.Tensor, edge_weight: torch.Tensor | None, n: int) -> bool:
    """Whether the entries are their own reverses, with weights equal to a relative 1e-5.

    An edge list on the CPU (with float32 or float64 weights) sorted by (row, col) without repeats (what
    :meth:`Graph.from_edges` builds) is checked
    in memory :math:`O(N + \\text{chunk})` (:func:`_reverses_match`); any other is compared as two sorted lists
    of keys.
    """
    if edge_index.numel() == 0:
        return True
    numpy_weights = edge_weight is None or (edge_weight.device.type == "cpu"
                                            and edge_weight.dtype in (torch.float32, torch.float64))
    if edge_index.device.type == "cpu" and numpy_weights and _strictly_sorted(edge_index.numpy(), n):
        return _reverses_match(edge_index.numpy(), None if edge_weight is None else edge_weight.detach().numpy(), n)
    row, col = edge_index
    fwd = row * n + col
    bwd = col * n + row
    fwd_sorted, fwd_perm = torch.sort(fwd)
    bwd_sorted, bwd_perm = torch.sort(bwd)
    if not torch.equal(fwd_sorted, bwd_sorted):
        return False
    if edge_weight is None:
        return True
    return bool(torch.allclose(edge_weight[fwd_perm], edge_weight[bwd_perm], rtol=1e-5, atol=0.0))


def _strictly_sorted(edge_index: np.ndarray, n: int) -> bool:
    """Whether the keys ``row * n + col`` strictly increase along the edge list."""
    for start in range(0, edge_index.shape[1] - 1, _CHUNK):
        row, col = edge_index[:, start:start + _CHUNK + 1]
        key = row * n
        key += col
        if not np.all(key[1:] > key[:-1]):
            return False
    return True


def _reverses_match(edge_index: np.ndarray, weights: np.ndarray | None, n: int) -> bool:
    """For an edge list sorted by (row, col) without repeats: whether the entries :math:`(j, i)`, :math:`i < j`, that
    open each row :math:`j` are, in order, the reverses of the entries :math:`(i, j)`, :math:`i < j`, taken in
    order of :math:`i` (a counting sort by column, a chunk at a time), all of them, with weights equal to a
    relative 1e-5 both ways."""
    rows, cols = edge_index
    next_lower = np.searchsorted(rows, np.arange(n))  # where each row starts: its neighbours i < j come first
    lower_end = next_lower.copy()
    last = len(rows) - 1
    for start in range(0, len(rows), _CHUNK):
        i, j = rows[start:start + _CHUNK], cols[start:start + _CHUNK]
        np.add.at(lower_end, i[i > j], 1)
        upper = np.flatnonzero(i < j)
        slots = np.minimum(_next_slots(j[upper], next_lower), last)
        if not (np.array_equal(rows[slots], j[upper]) and np.array_equal(cols[slots], i[upper])):
            return False
        if weights is not None and not (_close(weights[upper + start], weights[slots])
                                        and _close(weights[slots], weights[upper + start])):
            return False
    return np.array_equal(next_lower, lower_end)


def _close(value: np.ndarray, other: np.ndarray) -> bool:
    """``torch.isclose(value, other, rtol=1e-5, atol=0).all()``, in the arrays' own dtype."""
    return bool(np.all((value == other) | (np.abs(value - other) <= other.dtype.type(1e-5) * np.abs(other))))


def _node_attribute(nodes: list[Any], data: dict[Any, dict[str, Any]], attr: str) -> list[Any] | None:
    values = [data[n].get(attr) for n in nodes]
    return values if any(v is not None for v in values) else None
