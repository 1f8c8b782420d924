"""The endpoints of an edge list, coded to node indices as they are read, in memory linear in the edges.

A file of :math:`M` edges ends as an int32 array of shape :math:`(2, M)` (and :math:`M` float64 weights), never
as :math:`2M` Python strings: each buffer of rows is coded and stored as soon as it is full. The node order is
that of :func:`~gtvviz.data.records.node_order` over the sources, then the targets: ids that are all plain
non-negative integers are sorted numerically, other ids keep their order of first appearance; with a node table
the ids are its rows. Plain integer ids of at most 18 digits (the large files' common case) are stored as their
values and relabelled to ``0..N-1`` at the end with one pass over the array; any other id switches the reader
to a dictionary of the distinct ids.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from gtvviz.data.limits import MAX_EDGES

#: Rows coded at once (the strings of at most this many rows are held).
BUFFER_ROWS = 65_536
#: Integer ids below this many (or a quarter of the endpoints) are relabelled through a lookup table of that
#: length, larger ones by sorting the distinct ids (:func:`numpy.unique`).
_DENSE_IDS = 1 << 20
_MAX_DIGITS = 18  # every integer of 18 digits fits int64


def _plain_integer(node_id: str) -> bool:
    """Whether the id is a non-negative integer without leading zeros (what node_order sorts numerically)."""
    return node_id.isascii() and node_id.isdigit() and (node_id == "0" or node_id[0] != "0")


class EdgeColumns:
    """Collect ``(source, target[, weight])`` rows of string ids; :meth:`finish` gives the coded graph.

    Args:
        capacity: an upper bound on the number of rows (e.g. the file's line count); the arrays are allocated
            once, and the pages of rows never filled are never touched.
        weighted: whether rows carry a weight.
        index: the position of each node id when a node table lists them (every id added must be in it).
    """

    def __init__(self, capacity: int, weighted: bool, index: Mapping[str, int] | None = None) -> None:
        capacity = max(1, min(capacity, 2 * MAX_EDGES + 1))
        self.pairs = np.empty((2, capacity), dtype=np.int64)
        self.weights = np.empty(capacity) if weighted else None
        self._stored = 0
        self._index = index
        self._values = index is None  # pairs hold the ids' integer values (until an id is not a plain integer)
        self._codes: dict[str, int] = {}
        self._buffer: tuple[list[str], list[str], list[float]] = ([], [], [])

    @property
    def count(self) -> int:
        """Rows added so far."""
        return self._stored + len(self._buffer[0])

    def add(self, source: str, target: str, weight: float | None = None) -> None:
        """One row."""
        sources, targets, weights = self._buffer
        sources.append(source)
        targets.append(target)
        if weight is not None:
            weights.append(weight)
        if len(sources) == BUFFER_ROWS:
            self._flush()

    def finish(self) -> tuple[np.ndarray, int, list[str] | None, np.ndarray | None]:
        """``(edge_index, num_nodes, names, weights)``: the :math:`(2, M)` node indices (int32 below
        :math:`2^{31}` nodes: the int64 array they were read into is freed), :math:`N`, the ids as names (``None``
        when they are exactly ``0..N-1``) and the weights (``None`` when unweighted)."""
        self._flush()
        m = self._stored
        pairs = self.pairs[:, :m]
        weights = None if self.weights is None else self.weights[:m]
        if self._index is not None:
            ids = list(self._index)
            n, names = len(ids), None if _default_ids(ids) else ids
        elif self._values:
            values = _relabel_values(pairs)
            n = len(values)
            names = None if n == 0 or int(values[-1]) == n - 1 else [str(v) for v in values.tolist()]
        else:
            ids = list(self._codes)
            new = _appearance_order(pairs, ids)
            np.take(new, pairs, out=pairs)
            ordered = [""] * len(ids)
            for code, position in enumerate(new.tolist()):
                ordered[position] = ids[code]
            n, names = len(ids), None if _default_ids(ordered) else ordered
        self.pairs = pairs.astype(np.int32) if n <= 2**31 else pairs
        return self.pairs, n, names, weights

    # ---------------------------------------------------------------- internals
    def _flush(self) -> None:
        sources, targets, weights = self._buffer
        rows = len(sources)
        if not rows:
            return
        start, end = self._stored, self._stored + rows
        if self._values and not all(_plain_integer(i) and len(i) <= _MAX_DIGITS for i in (*sources, *targets)):
            self._switch_to_codes()
        if self._index is not None:
            coded = [[self._index[i] for i in column] for column in (sources, targets)]
            self.pairs[:, start:end] = np.array(coded, dtype=np.int64)
        elif self._values:
            self.pairs[:, start:end] = np.array([sources, targets], dtype=np.int64)
        else:
            codes = self._codes
            self.pairs[:, start:end] = np.array([[codes.setdefault(i, len(codes)) for i in column]
                                                 for column in (sources, targets)], dtype=np.int64)
        if self.weights is not None:
            self.weights[start:end] = weights
        self._stored = end
        self._buffer = ([], [], [])

    def _switch_to_codes(self) -> None:
        """Code the integer values stored so far as string ids (in sorted order; the final order is recomputed)."""
        stored = self.pairs[:, : self._stored]
        values = np.unique(stored)
        self._codes = {str(v): code for code, v in enumerate(values.tolist())}
        stored[...] = np.searchsorted(values, stored)
        self._values = False


def _default_ids(ids: list[str]) -> bool:
    return all(node_id == str(i) for i, node_id in enumerate(ids))


def _relabel_values(pairs: np.ndarray) -> np.ndarray:
    """Replace integer ids by their rank among the distinct ids, in place; return the distinct ids, sorted."""
    if pairs.size == 0:
        return np.empty(0, dtype=np.int64)
    top = int(pairs.max())
    if top < max(_DENSE_IDS, pairs.size // 4):
        present = np.zeros(top + 1, dtype=bool)
        for row in pairs:
            present[row] = True
        rank = np.cumsum(present, dtype=np.int64) - 1
        for row in pairs:
            np.take(rank, row, out=row)
        return np.flatnonzero(present)
    values = np.unique(np.concatenate([np.unique(row) for row in pairs]))
    for row in pairs:
        row[...] = np.searchsorted(values, row)
    return values


def _appearance_order(pairs: np.ndarray, ids: list[str]) -> np.ndarray:
    """The final position of each code: node_order over all sources, then all targets (see the module)."""
    n, m = len(ids), pairs.shape[1]
    if all(_plain_integer(i) for i in ids):  # integers too long for int64: sorted by digit count, then digits
        order = sorted(range(n), key=lambda code: (len(ids[code]), ids[code]))
    else:
        first = np.full(n, 2 * m, dtype=np.int64)
        for offset, row in ((m, pairs[1]), (0, pairs[0])):  # a source's appearance comes before any target's
            codes, rows = np.unique(row, return_index=True)
            first[codes] = np.minimum(first[codes], rows + offset)
        order = np.argsort(first, kind="stable").tolist()
    new = np.empty(n, dtype=np.int64)
    new[order] = np.arange(n)
    return new
