"""Edge lists as CSV or TSV, with an optional node table.

Edge table: a header naming the columns ``source``, ``target`` and optionally ``weight``, then one edge per row.
Each row is an undirected edge (a pair listed twice, either way round, is a duplicate whose weights are summed);
with the option ``directed=True`` rows are directed edges (a pair in both directions is one edge, with the mean
weight, and one-way edges are symmetrised with a warning).
Node table (option ``nodes``): a header with ``id``, optionally ``label`` (or ``y``), ``pos_x`` and ``pos_y``,
and either one column ``x`` (or ``features``) holding a list of numbers such as ``"0.5 1 2"``, or any other
columns, which are read as numeric features. Column names are case-insensitive.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from gtvviz.data.edge_columns import EdgeColumns
from gtvviz.data.inputs import Input, read_input, text_lines
from gtvviz.data.graph_records import node_names, short_floats, upper_edges
from gtvviz.data.records import (Origin, assemble_indexed, check_edge_count, check_weight, relabelled, to_number,
                                 unique_index)
from gtvviz.errors import ConfigError, GraphFormatError
from gtvviz.graph import Graph

_LABEL_COLUMNS = ("label", "y")
_LIST_COLUMNS = ("x", "features")
_POS_COLUMNS = ("pos_x", "pos_y")
_LIST_SPLIT = re.compile(r"[\s,;]+")


def read_csv(data: bytes, origin: Origin, *, nodes: Input | None = None, directed: bool | str = False) -> Graph:
    """Read a comma-separated edge list (see the module docstring)."""
    return _read_edge_table(data, origin, ",", nodes, _flag(directed))


def read_tsv(data: bytes, origin: Origin, *, nodes: Input | None = None, directed: bool | str = False) -> Graph:
    """Read a tab-separated edge list (see the module docstring)."""
    return _read_edge_table(data, origin, "\t", nodes, _flag(directed))


def write_csv(graph: Graph, path: Path) -> list[Path]:
    """Write ``path`` and, when the graph has labels, features, positions or isolated nodes, ``<stem>.nodes.csv``."""
    return _write_edge_table(graph, path, ",")


def write_tsv(graph: Graph, path: Path) -> list[Path]:
    """Like :func:`write_csv`, tab-separated."""
    return _write_edge_table(graph, path, "\t")


# ---------------------------------------------------------------------- reading
def _read_edge_table(data: bytes, origin: Origin, delimiter: str, nodes: Input | None, directed: bool) -> Graph:
    table = None if nodes is None else _NodeTable(nodes, delimiter)
    index, table_name = (None, "") if table is None else (unique_index(table.ids, "node id"), table.name)
    rows = _rows(text_lines(data), delimiter, "")
    columns = _header(next(rows), ("source", "target"), ("weight",), "")
    edges = EdgeColumns(data.count(b"\n") + 1, "weight" in columns, index)
    for line, fields in rows:
        ends = []
        for column in ("source", "target"):
            node = _id(fields, columns[column], line, column, "")
            if index is not None and node not in index:
                raise GraphFormatError(
                    f"line {line}, field {column!r} names the node {node!r}, which is not in the node table "
                    f"{table_name}; add it there or fix the edge."
                )
            ends.append(node)
        weight = None
        if "weight" in columns:
            weight = check_weight(fields[columns["weight"]].strip(), f"line {line}, field 'weight'")
        edges.add(ends[0], ends[1], weight)
        check_edge_count(edges.count)
    if not edges.count and table is None:
        raise GraphFormatError("it has a header but no edges; add one row source,target[,weight] per edge.")
    edge_index, num_nodes, names, weights = edges.finish()
    warnings = [] if names is None else [relabelled(num_nodes)]
    if table is None:
        return assemble_indexed(edge_index, num_nodes, origin, weights=weights, names=names, warnings=warnings,
                                directed=directed)
    return assemble_indexed(
        edge_index, num_nodes, origin, weights=weights, x=table.x, feature_names=table.feature_names,
        labels=table.labels, pos=table.pos, names=names, warnings=warnings, directed=directed,
    )


class _NodeTable:
    """The parsed node table: ids, optional labels, positions and features."""

    def __init__(self, nodes: Input, edge_delimiter: str) -> None:
        data, origin = read_input(nodes, "nodes")
        self.name = origin.filename
        where = f"node table {self.name}, "
        delimiter = {".csv": ",", ".tsv": "\t"}.get(Path(self.name).suffix.lower(), edge_delimiter)
        rows = _rows(text_lines(data), delimiter, where)
        columns = _header(next(rows), ("id",), None, where)
        label_col = next((columns[c] for c in _LABEL_COLUMNS if c in columns), None)
        pos_cols = [columns[c] for c in _POS_COLUMNS if c in columns]
        if len(pos_cols) == 1:
            raise GraphFormatError(f"{where}the columns pos_x and pos_y must come together; give both or neither.")
        list_col = next((columns[c] for c in _LIST_COLUMNS if c in columns), None)
        used = {columns["id"], label_col, list_col, *pos_cols}
        feature_cols = {c: i for c, i in columns.items() if i not in used} if list_col is None else {}
        self.ids: list[str] = []
        self.labels: list[str] | None = None if label_col is None else []
        positions: list[list[float]] = []
        features: list[list[float]] = []
        first_line: dict[str, int] = {}
        for line, fields in rows:
            node_id = _id(fields, columns["id"], line, "id", where)
            if first_line.setdefault(node_id, line) != line:
                raise GraphFormatError(
                    f"{where}line {line} repeats the node id {node_id[:40]!r} of line {first_line[node_id]}; "
                    "give every node a unique id."
                )
            self.ids.append(node_id)
            if label_col is not None:
                self.labels.append(fields[label_col].strip())  # type: ignore[union-attr]
            if pos_cols:
                positions.append([to_number(fields[c].strip(), f"{where}line {line}, field {n!r}")
                                  for c, n in zip(pos_cols, _POS_COLUMNS)])
            if list_col is not None:
                values = [v for v in _LIST_SPLIT.split(fields[list_col].strip().strip("[]")) if v]
                features.append([to_number(v, f"{where}line {line}, feature list 'x'") for v in values])
            elif feature_cols:
                features.append([_feature(fields[i], f"{where}line {line}, column {c!r}")
                                 for c, i in feature_cols.items()])
        widths = {len(r) for r in features}
        if len(widths) > 1:
            raise GraphFormatError(f"{where}the feature lists have different lengths; give every node F features.")
        width = widths.pop() if widths else 0
        self.feature_names = list(feature_cols) if list_col is None else [f"x[{j}]" for j in range(width)]
        self.pos = np.array(positions) if pos_cols else None
        self.x = np.array(features, dtype=np.float64).reshape(len(features), width) if features else None


def _rows(lines: Iterable[str], delimiter: str, where: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, fields)`` of the non-empty rows; the first one is the header."""
    reader = csv.reader(lines, delimiter=delimiter)
    width = None
    try:
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue
            if width is None:
                width = len(fields)
            elif len(fields) != width:
                raise GraphFormatError(
                    f"{where}line {reader.line_num} has {len(fields)} fields but the header has {width}; "
                    "give every row the same columns."
                )
            yield reader.line_num, fields
    except csv.Error as err:
        raise GraphFormatError(f"{where}line {reader.line_num} is not valid CSV ({err}); fix the quoting.") from None
    if width is None:
        raise GraphFormatError(f"{where}the table is empty; it needs a header row and data rows.")


def _header(row: tuple[int, list[str]], required: tuple[str, ...], allowed: tuple[str, ...] | None,
            where: str) -> dict[str, int]:
    """Map lower-cased column names to positions; ``allowed=None`` keeps every other column."""
    columns: dict[str, int] = {}
    for i, raw in enumerate(row[1]):
        name = raw.strip().lower()
        if name in columns:
            raise GraphFormatError(f"{where}the header names the column {name!r} twice; rename one of them.")
        columns[name] = i
    missing = [c for c in required if c not in columns]
    if missing:
        hint = ""
        if len(row[1]) == 1 and re.search(r"[;\t,| ]", row[1][0]):
            hint = " (is the file separated by another character? name the format csv or tsv to match)"
        raise GraphFormatError(
            f"{where}the header {','.join(row[1])[:60]!r} lacks the column {missing[0]!r}{hint}; "
            f"the first row must name the columns {','.join(required)}."
        )
    if allowed is not None:
        extra = [c for c in columns if c not in required and c not in allowed]
        if extra:
            raise GraphFormatError(
                f"{where}the header has the unknown column {extra[0]!r}; an edge table has the columns "
                "source,target and optionally weight (put node data in a node table)."
            )
    return columns


def _flag(value: bool | str) -> bool:
    """The ``directed`` option as a bool (command lines and URLs give strings)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(f"The option directed must be true or false, got {str(value)[:20]!r}.")
    return text in ("true", "1", "yes")


def _id(fields: list[str], column: int, line: int, name: str, where: str) -> str:
    value = fields[column].strip()
    if not value:
        raise GraphFormatError(f"{where}line {line}, field {name!r} is empty; every row needs a node id there.")
    return value


def _feature(text: str, where: str) -> float:
    """A feature value; an empty cell is missing (NaN), reported later with its node and column."""
    return float("nan") if not text.strip() else to_number(text.strip(), where)


# ---------------------------------------------------------------------- writing
def _write_edge_table(graph: Graph, path: Path, delimiter: str) -> list[Path]:
    names = node_names(graph)
    row, col, weights = upper_edges(graph)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(["source", "target"] + (["weight"] if weights is not None else []))
        for k, (u, v) in enumerate(zip(row.tolist(), col.tolist())):
            writer.writerow([names[u], names[v]] + ([weights[k]] if weights is not None else []))
    isolated = bool((graph.degree() == 0).any())
    if graph.x is None and graph.y is None and graph.pos is None and not isolated:
        return [path]
    table = path.with_name(f"{path.stem}.nodes{path.suffix}")
    header = ["id"] + (["label"] if graph.y is not None else []) + (list(_POS_COLUMNS) if graph.pos is not None else [])
    x = None if graph.x is None else short_floats(graph.x)
    header += [] if x is None else [f"x_{j}" for j in range(graph.num_features)]
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        for i, name in enumerate(names):
            cells: list[object] = [name]
            if graph.y is not None:
                cells.append(int(graph.y[i]))
            if graph.pos is not None:
                cells += [float(v) for v in graph.pos[i]]
            writer.writerow(cells + ([] if x is None else x[i]))
    return [path, table]
