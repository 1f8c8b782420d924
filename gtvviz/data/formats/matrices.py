"""Sparse-matrix formats: Matrix Market (``.mtx``) and NumPy archives (``.npz``) in the gnn-benchmark layout.

Matrix Market (coordinate format) holds the adjacency matrix only (``pattern`` = unweighted). The ``.npz``
layout is the one of Shchur et al.'s gnn-benchmark (used by PyG's Amazon, Coauthor and CitationFull datasets):

* ``adj_data``, ``adj_indices``, ``adj_indptr``, ``adj_shape``: the adjacency matrix in CSR form;
* optional features, either ``attr_data``, ``attr_indices``, ``attr_indptr``, ``attr_shape`` (CSR) or a dense
  ``attr_matrix``;
* optional ``labels`` (one integer per node), and, as gtvviz extensions, ``node_names`` (strings) and ``pos``
  (:math:`N \\times 2`). Other arrays are ignored.

Safety: archives are opened with ``allow_pickle=False``, so an array holding pickled objects is refused, never
unpickled; declared shapes are checked against the limits before anything is allocated.
"""

from __future__ import annotations

import io
import math
import tokenize
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import scipy.io
import scipy.sparse as sp

from gtvviz.data.inputs import decode_text
from gtvviz.data.limits import MAX_FILE_BYTES, check_nodes
from gtvviz.data.graph_records import node_names, short_floats
from gtvviz.data.records import Origin, assemble_indexed, check_edge_count, check_feature_size, check_weight
from gtvviz.errors import GraphFormatError
from gtvviz.graph import Graph

_ADJ_KEYS = ("adj_data", "adj_indices", "adj_indptr", "adj_shape")
#: What a damaged archive can raise from zipfile, zlib or NumPy's header parser.
_ARCHIVE_ERRORS = (ValueError, OSError, EOFError, KeyError, RuntimeError, NotImplementedError, SyntaxError,
                   RecursionError, zipfile.BadZipFile, zlib.error, tokenize.TokenError)


# ---------------------------------------------------------------------- Matrix Market
def read_mtx(data: bytes, origin: Origin) -> Graph:
    """Read a square coordinate Matrix Market matrix as an adjacency matrix (its values are the edge weights).

    The parser is gtvviz's own (SciPy's crashes the interpreter on some truncated files): ``general`` matrices
    are directed, ``symmetric`` ones list each undirected edge once.
    """
    lines = decode_text(data).splitlines()
    header = lines[0].lower().split()
    if len(header) != 5 or header[:2] != ["%%matrixmarket", "matrix"]:
        raise GraphFormatError(
            "it does not start with a '%%MatrixMarket matrix coordinate ...' header; save it as Matrix Market."
        )
    layout, field, symmetry = header[2:]
    if layout != "coordinate":
        raise GraphFormatError(f"it stores a dense {layout} matrix; save the adjacency in coordinate format.")
    if field not in ("real", "integer", "pattern"):
        raise GraphFormatError(f"it holds {field} values; edge weights must be real numbers (or a pattern).")
    if symmetry not in ("general", "symmetric"):
        raise GraphFormatError(f"it is {symmetry}; an adjacency matrix must be general or symmetric.")
    body = [(k + 1, line) for k, line in enumerate(lines[1:], start=1) if line.strip() and not line.startswith("%")]
    if not body:
        raise GraphFormatError("its size line (rows columns entries) is missing; fix the header.")
    size_line, size_text = body[0]
    try:
        rows, cols, entries = (int(v) for v in size_text.split())
    except ValueError:
        raise GraphFormatError(f"line {size_line} must give rows, columns and the number of entries.") from None
    if rows != cols:
        raise GraphFormatError(f"it holds a {rows} x {cols} matrix; an adjacency matrix must be square.")
    check_nodes(rows, "it")
    if entries > len(data) // 2:  # every entry takes at least two bytes: refuse before anything is allocated
        raise GraphFormatError(f"line {size_line} declares {entries:,} entries, more than the file can hold.")
    check_edge_count(entries)
    width = 2 if field == "pattern" else 3
    table = _mtx_entries(body[1:], width, entries)
    index = table[:, :2]
    bad = np.flatnonzero(((index < 1) | (index > rows) | (index != np.round(index))).any(axis=1))
    if len(bad):
        line, text = body[1 + bad[0]]
        raise GraphFormatError(f"line {line} ({text.strip()[:40]}) has a row or column outside 1..{rows}.")
    row, col = index.T.astype(np.int64) - 1
    weights = None if field == "pattern" else _weights(table[:, 2], row, col, 1)
    return assemble_indexed(np.stack([row, col]), rows, origin, weights=weights, directed=symmetry == "general")


def _mtx_entries(body: list[tuple[int, str]], width: int, entries: int) -> np.ndarray:
    """The ``(entries, width)`` numbers of the entry lines; a bad line is reported with its number."""
    if len(body) != entries:
        raise GraphFormatError(f"the size line declares {entries:,} entries but {len(body):,} entry lines follow.")
    try:
        table = np.array(" ".join(line for _, line in body).split(), dtype=np.float64)
        if table.size == entries * width:
            return table.reshape(entries, width)
    except ValueError:
        pass
    for line, text in body:  # slow path, only to say where the problem is
        fields = text.split()
        try:
            if len(fields) == width:
                [float(v) for v in fields]
                continue
        except ValueError:
            pass
        raise GraphFormatError(f"line {line} ({text.strip()[:40]}) must hold {width} numbers.")
    raise GraphFormatError("the entry lines do not hold the declared numbers.")


def write_mtx(graph: Graph, path: Path) -> list[Path]:
    """Write the adjacency matrix as a symmetric Matrix Market file (``pattern`` when unweighted)."""
    row, col = graph.edge_index.numpy()
    lower = row > col
    values = np.ones(int(lower.sum())) if graph.edge_weight is None else \
        np.array(short_floats(graph.edge_weight.numpy()[lower]))
    matrix = sp.coo_matrix((values, (row[lower], col[lower])), shape=(graph.num_nodes,) * 2)
    with path.open("wb") as handle:
        scipy.io.mmwrite(handle, matrix, comment=f" {graph.name}: written by gtvviz",
                         field="pattern" if graph.edge_weight is None else "real", symmetry="symmetric")
    return [path]


# ---------------------------------------------------------------------- NumPy archive
def read_npz(data: bytes, origin: Origin) -> Graph:
    """Read an ``.npz`` archive in the gnn-benchmark layout (see the module docstring)."""
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except _ARCHIVE_ERRORS as err:
        pickled = "pickle" in str(err).lower()
        raise GraphFormatError(
            "it holds pickled Python objects, which gtvviz never loads; save the arrays with numpy.savez."
            if pickled else f"it is not a NumPy .npz archive ({str(err)[:120]}); save it with numpy.savez."
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise GraphFormatError(
            "it holds a single array, not an .npz archive of named arrays; save it with numpy.savez."
        )
    with archive:
        arrays = _Archive(archive)
        missing = [k for k in _ADJ_KEYS if k not in archive.files]
        if missing:
            raise GraphFormatError(
                f"it lacks the array {missing[0]!r}; the gnn-benchmark layout needs {', '.join(_ADJ_KEYS)}."
            )
        adjacency = arrays.csr("adj").tocoo()
        if adjacency.shape[0] != adjacency.shape[1]:
            raise GraphFormatError(f"adj_shape is {adjacency.shape}; an adjacency matrix must be square.")
        n = adjacency.shape[0]
        x = arrays.features(n)
        labels = arrays.optional("labels", n, "iu")
        names = arrays.optional("node_names", n, "U")
        pos = arrays.optional("pos", n, "fiu")
    return assemble_indexed(
        np.stack([adjacency.row, adjacency.col]).astype(np.int64), n, origin,
        weights=_weights(adjacency.data, adjacency.row, adjacency.col, 0), x=x, labels=labels, pos=pos,
        names=None if names is None else names.tolist(), directed=True,
    )


def write_npz(graph: Graph, path: Path) -> list[Path]:
    """Write the gnn-benchmark layout with a dense ``attr_matrix``, ``labels``, ``node_names`` and ``pos``."""
    n = graph.num_nodes
    weights = np.ones(graph.edge_index.size(1), dtype=np.float32) if graph.edge_weight is None \
        else graph.edge_weight.numpy()
    adjacency = sp.csr_matrix((weights, tuple(graph.edge_index.numpy())), shape=(n, n))
    arrays: dict[str, Any] = {
        "adj_data": adjacency.data.astype(np.float32), "adj_indices": adjacency.indices,
        "adj_indptr": adjacency.indptr, "adj_shape": np.array(adjacency.shape, dtype=np.int64),
    }
    if graph.x is not None:
        arrays["attr_matrix"] = graph.x.numpy().astype(np.float32)
    if graph.y is not None:
        arrays["labels"] = graph.y.numpy()
    if graph.node_names is not None:
        arrays["node_names"] = np.array(node_names(graph), dtype=str)
    if graph.pos is not None:
        arrays["pos"] = graph.pos
    with path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)
    return [path]


class _Archive:
    """Checked access to the arrays of an open ``.npz`` archive."""

    def __init__(self, archive: np.lib.npyio.NpzFile) -> None:
        self.archive = archive

    def header(self, key: str) -> tuple[tuple[int, ...], np.dtype]:
        """The shape and dtype that the array ``key`` declares, read from its header without loading it.

        A member that unpacks to more than :data:`~gtvviz.data.limits.MAX_FILE_BYTES`, or whose header declares
        more data than the member holds (a header that lies), is refused, so that loading never allocates more.
        """
        member = f"{key}.npy"
        info = self.archive.zip.getinfo(member)
        if info.file_size > MAX_FILE_BYTES:
            raise GraphFormatError(f"the array {key!r} unpacks to {info.file_size:,} bytes, over the file limit.")
        try:
            with self.archive.zip.open(member) as handle:
                version = np.lib.format.read_magic(handle)
                reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                    np.lib.format.read_array_header_2_0
                shape, _, dtype = reader(handle)
        except _ARCHIVE_ERRORS as err:
            raise GraphFormatError(
                f"the array {key!r} is corrupt ({str(err)[:100]}); save the archive again."
            ) from None
        if dtype.hasobject:
            raise GraphFormatError(
                f"the array {key!r} holds pickled Python objects, which gtvviz never loads; store numbers or strings."
            )
        declared = math.prod(shape) * dtype.itemsize
        if declared > info.file_size:
            raise GraphFormatError(
                f"the array {key!r} declares the shape {tuple(shape)!s:.60} ({declared:,} bytes), more than the "
                f"{info.file_size:,} bytes it holds; save the archive again."
            )
        return tuple(shape), dtype

    def get(self, key: str) -> np.ndarray:
        self.header(key)
        try:
            return self.archive[key]
        except _ARCHIVE_ERRORS as err:
            raise GraphFormatError(
                f"the array {key!r} is corrupt ({str(err)[:100]}); save the archive again."
            ) from None

    def csr(self, prefix: str) -> sp.csr_matrix:
        shape = self.get(f"{prefix}_shape")
        if shape.shape != (2,) or shape.dtype.kind not in "iu" or int(shape.min()) < 0:
            raise GraphFormatError(f"{prefix}_shape must hold two non-negative integers, got {shape.tolist()!r:.60}.")
        rows, cols = (int(v) for v in shape)
        check_nodes(rows, "adj_shape" if prefix == "adj" else "attr_shape")
        if prefix == "attr":
            check_feature_size(rows, cols, "attr_shape")
        parts = [self.get(f"{prefix}_{k}") for k in ("data", "indices", "indptr")]
        if any(p.ndim != 1 for p in parts) or parts[0].dtype.kind not in "fiub" or \
                any(p.dtype.kind not in "iu" for p in parts[1:]):
            raise GraphFormatError(
                f"{prefix}_data, {prefix}_indices and {prefix}_indptr must be 1-D numeric arrays (CSR format)."
            )
        check_edge_count(len(parts[1]))
        if parts[0].dtype == np.float16:  # SciPy's sparse matrices have no float16
            parts[0] = parts[0].astype(np.float32)
        try:
            matrix = sp.csr_matrix(tuple(parts), shape=(rows, cols))
            matrix.check_format(full_check=True)
        except (ValueError, IndexError, TypeError) as err:
            raise GraphFormatError(
                f"the arrays {prefix}_* do not form a valid {rows} x {cols} CSR matrix ({str(err)[:100]}); "
                "check indices and indptr."
            ) from None
        return matrix

    def features(self, n: int) -> np.ndarray | None:
        files = self.archive.files
        if "attr_matrix" in files:
            shape, _ = self.header("attr_matrix")
            if len(shape) == 2:
                check_feature_size(*shape, "attr_matrix")
            x = self.get("attr_matrix")
            if x.ndim != 2 or x.dtype.kind not in "fiub":
                raise GraphFormatError(f"attr_matrix must be a numeric N x F matrix, got shape {x.shape}.")
        elif "attr_shape" in files:
            x = self.csr("attr").astype(np.float32).toarray()
        else:
            return None
        if x.shape[0] != n:
            raise GraphFormatError(f"there are {n} nodes but the features have {x.shape[0]} rows; give one per node.")
        return x.astype(np.float32, copy=False)

    def optional(self, key: str, n: int, kinds: str) -> np.ndarray | None:
        if key not in self.archive.files:
            return None
        value = self.get(key)
        if value.shape[:1] != (n,) or value.dtype.kind not in kinds or value.ndim != (2 if key == "pos" else 1):
            raise GraphFormatError(
                f"the array {key!r} has shape {value.shape} and dtype {value.dtype}; it needs one "
                f"{'position pair' if key == 'pos' else 'entry'} per node ({n})."
            )
        return value


def _weights(values: np.ndarray, row: np.ndarray, col: np.ndarray, base: int) -> np.ndarray:
    """Matrix entries as edge weights; the first bad entry is reported with its ``base``-based position."""
    values = np.asarray(values, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if len(bad):
        k = bad[0]
        check_weight(values[k], f"the entry at row {row[k] + base}, column {col[k] + base}")
    return values
