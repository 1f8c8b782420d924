"""Turn what a reader parsed (node ids, attribute records, edges) into a :class:`~gtvviz.graph.Graph`.

Every file reader ends here, so that all formats interpret node ids, labels, features, positions and weights
the same way:

* node ids are kept as node names; ids that are exactly ``0..N-1`` need no names, others are relabelled to
  ``0..N-1`` (with a warning). Without a node list, integer ids are sorted and other ids keep their order of
  appearance.
* labels may be integers (``-1`` = unknown) or names; names become class ids in sorted order (with a warning).
* features are the columns ``x_0, x_1, ...`` or one list-valued attribute ``x``; positions are ``pos_x, pos_y``
  or one pair ``pos``. Scalar ``x`` and ``y`` attributes with non-integer ``y`` values (the layout Gephi writes)
  are read as positions.
* weights that are all 1 make an unweighted graph.

Messages raised here name the place (node, column, edge) but not the file: the loader prefixes the file name.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from gtvviz.data.limits import MAX_EDGES, MAX_FEATURE_ENTRIES, MAX_FEATURES, MAX_LABEL, check_nodes
from gtvviz.errors import GraphFormatError
from gtvviz.graph import Graph

#: Node attributes read as ground-truth labels, in order of preference.
LABEL_KEYS = ("y", "label", "class", "community")
#: Integer labels below this value are kept as they are even on a graph with fewer nodes.
_KEPT_LABELS = 1000
_FEATURE_KEY = re.compile(r"^x_(\d+)$")


@dataclass(frozen=True)
class Origin:
    """Where an input came from: its file name (for messages and the default graph name) and provenance."""

    filename: str
    source: str

    @property
    def stem(self) -> str:
        """The file name without folders and extension, the default graph name."""
        return PurePath(self.filename).stem or "graph"


@contextmanager
def parse_errors(what: str, *errors: type[BaseException]) -> Iterator[None]:
    """Report a parser's own exceptions (``ValueError`` and the like, plus ``errors``) as a GraphFormatError."""
    try:
        yield
    except GraphFormatError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, EOFError, RecursionError,
            *errors) as err:
        detail = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise GraphFormatError(f"it is not valid {what} ({detail}); check that the file is complete {what}.") from None


def to_number(value: Any, where: str) -> float:
    """A finite-or-not float from an int, float or numeric string; anything else is an error naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, np.number)):
        raise GraphFormatError(f"{where} must be a number, got {_show(value)}; use a decimal number.")
    try:
        return float(value)
    except (ValueError, OverflowError):
        raise GraphFormatError(f"{where} must be a number, got {_show(value)}; use a decimal number.") from None


def check_weight(value: Any, where: str) -> float:
    """An edge weight: a finite number that is not negative."""
    weight = to_number(value, where)
    if not math.isfinite(weight) or weight < 0:
        raise GraphFormatError(f"{where} is {value!s:.40}; edge weights must be finite numbers >= 0.")
    return weight


def check_edge_count(count: int) -> None:
    """Stop reading once a file lists more edge entries than a graph may have."""
    if count > 2 * MAX_EDGES:
        raise GraphFormatError(
            f"it lists more than {2 * MAX_EDGES:,} edges, over the limit of gtvviz.graph.MAX_EDGES; "
            "use a smaller graph."
        )


def check_feature_size(rows: int, cols: int, where: str) -> None:
    """Refuse a declared feature matrix too wide or too large to hold in memory, before it is allocated."""
    if cols > MAX_FEATURES:
        raise GraphFormatError(
            f"{where} declares {cols:,} features per node, over the limit of {MAX_FEATURES:,} "
            "(gtvviz.data.limits.MAX_FEATURES); reduce the features first."
        )
    if rows * cols > MAX_FEATURE_ENTRIES:
        raise GraphFormatError(
            f"{where} declares a {rows:,} x {cols:,} feature matrix, over the limit of {MAX_FEATURE_ENTRIES:,} "
            "entries (gtvviz.data.limits.MAX_FEATURE_ENTRIES); reduce the features first."
        )


def unique_index(ids: Sequence[str], what: str) -> dict[str, int]:
    """The position of each id; a repeated id is an error naming its first and repeated positions (from 0)."""
    index: dict[str, int] = {}
    for position, node_id in enumerate(ids):
        first = index.setdefault(node_id, position)
        if first != position:
            raise GraphFormatError(
                f"{what} {node_id[:40]!r} of node {position} repeats that of node {first} (counting from 0); "
                "give every node a unique id."
            )
    return index


def node_order(ids: Iterable[str]) -> list[str]:
    """Distinct ids: sorted numerically when all are non-negative integers, else in order of appearance.

    Integers are compared by digit count, then digits, so that ids of any length sort without conversion.
    """
    unique = list(dict.fromkeys(ids))
    if all(i.isascii() and i.isdigit() and (i == "0" or i[0] != "0") for i in unique):
        unique.sort(key=lambda i: (len(i), i))
    return unique


def relabelled(num_nodes: int) -> str:
    """The warning of a graph whose node ids are not ``0..N-1``."""
    return f"Relabelled {num_nodes} node ids to 0..{num_nodes - 1}; the ids are kept as node names."


def assemble(
    src: Sequence[str],
    dst: Sequence[str],
    origin: Origin,
    *,
    node_ids: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
    x: np.ndarray | None = None,
    feature_names: Sequence[str] | None = None,
    labels: Sequence[Any] | None = None,
    pos: np.ndarray | None = None,
    name: str | None = None,
    directed: bool,
) -> Graph:
    """Build a normalised graph from edges between string node ids (kept as node names).

    Args:
        src, dst: the endpoints of each edge (node ids as strings).
        origin: where the input came from.
        node_ids: all node ids in order; taken from the edges (see :func:`node_order`) when ``None``.
        weights, x, feature_names, labels, pos, name, directed: as in :func:`assemble_indexed`.
    """
    ids = list(node_ids) if node_ids is not None else node_order([*src, *dst])
    check_nodes(len(ids), "it")
    index = unique_index(ids, "node id")
    try:
        edge_index = np.array([[index[u] for u in src], [index[v] for v in dst]], dtype=np.int64).reshape(2, -1)
    except KeyError as err:
        raise GraphFormatError(
            f"an edge names the node {err.args[0]!r}, which is not in the list of nodes; add the node or fix the edge."
        ) from None
    default_ids = ids == [str(i) for i in range(len(ids))]
    warnings = [] if default_ids else [relabelled(len(ids))]
    return assemble_indexed(
        edge_index, len(ids), origin, weights=weights, x=x, feature_names=feature_names, labels=labels, pos=pos,
        names=None if default_ids else ids, name=name, warnings=warnings, directed=directed,
    )


def assemble_indexed(
    edge_index: np.ndarray,
    num_nodes: int,
    origin: Origin,
    *,
    weights: Sequence[float] | np.ndarray | None = None,
    x: np.ndarray | None = None,
    feature_names: Sequence[str] | None = None,
    labels: Sequence[Any] | np.ndarray | None = None,
    pos: np.ndarray | None = None,
    names: list[str] | None = None,
    name: str | None = None,
    warnings: Sequence[str] = (),
    directed: bool,
) -> Graph:
    """Build a normalised graph from a :math:`(2, M)` array of node indices, reporting repairs as warnings.

    Args:
        edge_index: :math:`(2, M)` node indices in ``0..N-1``, in any direction, possibly repeated.
        num_nodes: :math:`N`.
        origin: where the input came from.
        weights: one weight per edge, or ``None`` for an unweighted graph; all-ones weights are dropped.
        x: :math:`(N, F)` features, ``feature_names`` naming the columns in messages.
        labels: one raw label per node (int, name or ``None`` for unknown).
        pos: :math:`(N, 2)` positions.
        names: node names, or ``None`` for ``0..N-1``.
        name: the graph's name; the file's stem when ``None``.
        warnings: repairs the reader already made.
        directed: whether the input's edges are directed (see :meth:`Graph.from_edges`); one-way edges of
            directed input are symmetrised with a warning.
    """
    check_nodes(num_nodes, "it")
    if names is not None and len(names) != num_nodes:
        raise GraphFormatError(f"there are {num_nodes} nodes but {len(names)} node names; give one name per node.")
    if names is not None:
        unique_index(names, "the node name")
    if num_nodes == 0:
        raise GraphFormatError("it contains no nodes; add at least one node and edge.")
    if x is not None:
        if x.ndim != 2 or x.shape[0] != num_nodes:
            raise GraphFormatError(
                f"there are {num_nodes} nodes but the features have shape {x.shape}; give one feature row per node."
            )
        _check_features(x, names, feature_names)
    notes = list(warnings)
    y = None if labels is None else _labels_to_classes(labels, notes)
    graph = Graph.from_edges(
        edge_index, num_nodes, weights=weights, x=x, y=y, pos=pos, name=name or origin.stem, source=origin.source,
        directed=directed,
    )
    graph.warnings[:0] = notes
    graph.node_names = names
    if graph.edge_weight is not None and bool((graph.edge_weight == 1).all()):
        graph.edge_weight = None
    return graph


def assemble_records(
    nodes: Sequence[tuple[str, dict[str, Any]]],
    edges: Sequence[tuple[str, str, dict[str, Any]]],
    origin: Origin,
    *,
    label_keys: Sequence[str] = LABEL_KEYS,
    name: str | None = None,
    directed: bool,
) -> Graph:
    """Build a graph from attribute records, as node-link JSON, GraphML, GML and GEXF provide them.

    Args:
        nodes: ``(id, attributes)`` per node, in order.
        edges: ``(source id, target id, attributes)`` per edge; the ``weight`` attribute is the edge weight.
        origin: where the input came from.
        label_keys: node attributes that may hold the ground-truth label, in order of preference.
        name: the graph's name; the file's stem when ``None``.
        directed: whether the file declares its edges directed.
    """
    ids = [node_id for node_id, _ in nodes]
    attrs = [a for _, a in nodes]
    if _is_scalar_layout(attrs):
        attrs = [{**{k: v for k, v in a.items() if k not in ("x", "y")}, "pos": (a["x"], a["y"])} for a in attrs]
    x, feature_names = _record_features(ids, attrs)
    label_key = next((k for k in label_keys if any(k in a for a in attrs)), None)
    weighted = any("weight" in e for _, _, e in edges)
    weights = None
    if weighted:
        weights = [check_weight(e.get("weight", 1.0), f"the weight of edge {u!r}-{v!r}") for u, v, e in edges]
    return assemble(
        [u for u, _, _ in edges], [v for _, v, _ in edges], origin, node_ids=ids, weights=weights, x=x,
        feature_names=feature_names, labels=None if label_key is None else [a.get(label_key) for a in attrs],
        pos=_record_pos(ids, attrs), name=name, directed=directed,
    )


# ---------------------------------------------------------------------- helpers
def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_features(x: np.ndarray, names: Sequence[str] | None, feature_names: Sequence[str] | None) -> None:
    if np.isfinite(x.sum()):  # NaN and inf propagate into the sum: the full search only runs when needed
        return
    bad = np.argwhere(~np.isfinite(x))
    if len(bad):
        row, col = (int(v) for v in bad[0])
        column = feature_names[col] if feature_names is not None else f"x_{col}"
        node = names[row] if names is not None else str(row)
        raise GraphFormatError(
            f"node {node!r} has the non-finite value {x[row, col]} in feature column {column!r}; "
            "impute or drop the missing features first."
        )


def _labels_to_classes(values: Sequence[Any], warnings: list[str]) -> np.ndarray | None:
    """Class ids from raw labels: integers (``-1`` = unknown) or names (mapped in sorted order).

    Integer labels above :data:`~gtvviz.data.limits.MAX_LABEL` are an error. Labels below the number of nodes
    (or below :data:`_KEPT_LABELS`) are kept; larger ones are sparse, so all are renumbered ``0..C-1`` in
    increasing order (with a warning), which keeps every later per-class array at :math:`O(N)`.
    """
    missing = [v is None or (isinstance(v, str) and not v.strip()) for v in values]
    if all(missing):
        return None
    present = [v for v, m in zip(values, missing) if not m]
    ints = [_as_int(v) for v in present]
    if all(i is not None for i in ints):
        low = min(i for i in ints if i is not None)
        high = max(i for i in ints if i is not None)
        if low < -1:
            raise GraphFormatError(
                f"the label {_show(low)} is negative; use class ids >= 0 and -1 for an unknown label."
            )
        if high > MAX_LABEL:
            raise GraphFormatError(
                f"the label {_show(high)} is over the limit of {MAX_LABEL:,} (gtvviz.data.limits.MAX_LABEL); "
                "number the classes from 0."
            )
        it = iter(ints)
        y = np.array([-1 if m else next(it) for m in missing], dtype=np.int64)
        if high >= max(len(values), _KEPT_LABELS):
            classes, rank = np.unique(y[y >= 0], return_inverse=True)
            y[y >= 0] = rank.reshape(-1)
            warnings.append(
                f"Renumbered {len(classes)} sparse class ids (largest {high:,}) to 0..{len(classes) - 1} in order."
            )
        return y
    classes = sorted({str(v).strip() for v in present})
    index = {c: k for k, c in enumerate(classes)}
    shown = ", ".join(f"{c[:20]}={k}" for c, k in list(index.items())[:6]) + (", ..." if len(classes) > 6 else "")
    warnings.append(f"Mapped {len(classes)} label names to class ids ({shown}).")
    return np.array([-1 if m else index[str(v).strip()] for v, m in zip(values, missing)], dtype=np.int64)


def _as_int(value: Any) -> int | None:
    """An integer label, or ``None`` for a name (digit strings longer than 18 digits are names)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,18}\s*", value):
        return int(value)
    return None


def _is_scalar_layout(attrs: Sequence[dict[str, Any]]) -> bool:
    """Whether every node has numeric scalar ``x`` and ``y``, some ``y`` not an integer, and no other position."""
    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    return bool(attrs) and all(number(a.get("x")) and number(a.get("y")) and "pos" not in a and "pos_x" not in a
                               for a in attrs) and any(_as_int(a["y"]) is None for a in attrs)


def _record_features(ids: Sequence[str], attrs: Sequence[dict[str, Any]]) -> tuple[np.ndarray | None, list[str]]:
    if any("x" in a for a in attrs):
        rows = []
        for node_id, a in zip(ids, attrs):
            value = a.get("x")
            if not isinstance(value, (list, tuple)):
                raise GraphFormatError(
                    f"node {node_id!r} has no list of numbers in attribute 'x'; give every node the same features."
                )
            check_feature_size(len(ids), len(value), f"the attribute 'x' of node {node_id!r}")
            rows.append([to_number(v, f"feature {k} of node {node_id!r}") for k, v in enumerate(value)])
        widths = {len(r) for r in rows}
        if len(widths) > 1:
            raise GraphFormatError(
                f"the feature lists 'x' have different lengths ({sorted(widths)[:4]}); give every node F features."
            )
        return np.array(rows, dtype=np.float64).reshape(len(rows), -1), [f"x_{k}" for k in range(widths.pop())]
    columns = sorted({int(m.group(1)) for a in attrs for k in a if (m := _FEATURE_KEY.match(k))})
    if not columns:
        return None, []
    names = [f"x_{c}" for c in columns]
    check_feature_size(len(ids), len(names), "it")
    x = np.empty((len(ids), len(names)))
    for i, (node_id, a) in enumerate(zip(ids, attrs)):
        for j, key in enumerate(names):
            if key not in a:
                raise GraphFormatError(
                    f"node {node_id!r} has no attribute {key!r}; give every node the same feature attributes."
                )
            x[i, j] = to_number(a[key], f"attribute {key!r} of node {node_id!r}")
    return x, names


def _record_pos(ids: Sequence[str], attrs: Sequence[dict[str, Any]]) -> np.ndarray | None:
    if not any("pos" in a or "pos_x" in a for a in attrs):
        return None
    pos = np.empty((len(ids), 2))
    for i, (node_id, a) in enumerate(zip(ids, attrs)):
        pair = a.get("pos", (a.get("pos_x"), a.get("pos_y")))
        if not isinstance(pair, (list, tuple)) or len(pair) != 2 or None in pair:
            raise GraphFormatError(
                f"node {node_id!r} has no position; give every node 'pos_x' and 'pos_y' (or a pair 'pos') or none."
            )
        pos[i] = [to_number(v, f"the position of node {node_id!r}") for v in pair]
    bad = np.flatnonzero(~np.isfinite(pos).all(axis=1))
    if len(bad):
        raise GraphFormatError(f"node {ids[bad[0]]!r} has a non-finite position; use finite coordinates.")
    return pos
