"""Node-link JSON, the layout of networkx's ``node_link_data``.

An object with ``directed`` (default false), ``nodes`` (a list of objects with an ``id`` and node attributes)
and ``links`` (or ``edges``: a list of objects with ``source``, ``target`` and optionally ``weight``). Node
attributes follow :mod:`gtvviz.data.records` (``y`` label, ``x`` feature list, ``pos`` pair); ``graph.name``
names the graph.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gtvviz.data.inputs import decode_text
from gtvviz.data.graph_records import edge_records, node_records
from gtvviz.data.records import Origin, assemble_records, check_edge_count
from gtvviz.errors import GraphFormatError
from gtvviz.graph import Graph


def read_json(data: bytes, origin: Origin) -> Graph:
    """Read node-link JSON (see the module docstring)."""
    try:
        doc = json.loads(decode_text(data))
    except json.JSONDecodeError as err:
        raise GraphFormatError(
            f"it is not valid JSON ({err.msg} at line {err.lineno}, column {err.colno}); fix the syntax."
        ) from None
    except RecursionError:
        raise GraphFormatError("it nests JSON too deeply to be a node-link graph; check the file.") from None
    if not isinstance(doc, dict):
        raise GraphFormatError("the JSON must be an object with the keys 'nodes' and 'links' (node-link layout).")
    if "nodes" not in doc:
        raise GraphFormatError("the JSON object lacks the key 'nodes'; use the node-link layout of networkx.")
    link_key = "links" if "links" in doc else "edges" if "edges" in doc else None
    if link_key is None:
        raise GraphFormatError("the JSON object lacks the key 'links' (or 'edges'); use the node-link layout.")
    nodes = [_node(i, record) for i, record in enumerate(_list(doc, "nodes"))]
    ids = {node_id for node_id, _ in nodes}
    edges = []
    for k, record in enumerate(_list(doc, link_key)):
        if not isinstance(record, dict):
            raise GraphFormatError(f"{link_key}[{k}] is not an object with 'source' and 'target'.")
        ends = []
        for end in ("source", "target"):
            if end not in record:
                raise GraphFormatError(f"{link_key}[{k}] lacks the key {end!r}; give every link a source and target.")
            node_id = _id(record[end], f"{link_key}[{k}].{end}")
            if node_id not in ids:
                raise GraphFormatError(f"{link_key}[{k}].{end} is {node_id!r}, which is not the id of a node.")
            ends.append(node_id)
        edges.append((ends[0], ends[1], {k: v for k, v in record.items() if k not in ("source", "target")}))
        check_edge_count(len(edges))
    directed = doc.get("directed", False)
    if not isinstance(directed, bool):
        raise GraphFormatError(f"the key 'directed' must be true or false, not {json.dumps(directed)[:40]}.")
    meta = doc.get("graph")
    title = meta.get("name") if isinstance(meta, dict) else None
    return assemble_records(nodes, edges, origin, name=title if isinstance(title, str) and title else None,
                            directed=directed)


def write_json(graph: Graph, path: Path) -> list[Path]:
    """Write node-link JSON with one node or link per line; ids are integers for unnamed nodes."""
    default_ids = graph.node_names is None
    nodes = [{"id": i if default_ids else name, **attrs}
             for i, (name, attrs) in enumerate(node_records(graph, lists=True))]
    links = [{"source": int(u) if default_ids else u, "target": int(v) if default_ids else v, **attrs}
             for u, v, attrs in edge_records(graph)]
    lines = [
        "{",
        f' "directed": false, "multigraph": false, "graph": {json.dumps({"name": graph.name})},',
        ' "nodes": [', ",\n".join("  " + json.dumps(n) for n in nodes), " ],",
        ' "links": [', ",\n".join("  " + json.dumps(e) for e in links), " ]",
        "}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [path]


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc[key]
    if not isinstance(value, list):
        raise GraphFormatError(f"the key {key!r} must hold a list, not {type(value).__name__}.")
    return value


def _node(i: int, record: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(record, dict) or "id" not in record:
        raise GraphFormatError(f"nodes[{i}] is not an object with an 'id'; give every node an id.")
    return _id(record["id"], f"nodes[{i}].id"), {k: v for k, v in record.items() if k != "id"}


def _id(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise GraphFormatError(f"{where} must be a string or an integer, got {json.dumps(value)[:40]}.")
    return str(value)
