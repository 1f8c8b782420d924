"""GraphML, GEXF and GML, parsed and written by networkx.

Node attributes follow :mod:`gtvviz.data.records`: ``y`` (or ``label``/``class``/``community``) is the label,
``x_0, x_1, ...`` are features, ``pos_x``/``pos_y`` the position, and the edge attribute ``weight`` the weight.
Node names are the ``name`` attributes (GML: the ``label`` attributes) when every node has a distinct one, else
the node ids. In GEXF and GML the node ``label`` is a display name, never a class.

Safety: XML with a ``DOCTYPE`` or ``ENTITY`` declaration is refused before it reaches a parser, so entities
(external ones that read local files, or nested ones that explode in memory) are never expanded; XML that is
not UTF-8 (whose declarations a byte scan could miss) is refused too.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Callable
from xml.etree.ElementTree import ParseError

import networkx as nx

from gtvviz.data.inputs import decode_text
from gtvviz.data.graph_records import edge_records, node_records
from gtvviz.data.records import LABEL_KEYS, Origin, assemble_records, parse_errors
from gtvviz.errors import GraphFormatError
from gtvviz.graph import Graph

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_NOT_DISPLAY_LABEL = tuple(k for k in LABEL_KEYS if k != "label")


def read_graphml(data: bytes, origin: Origin) -> Graph:
    """Read GraphML (directed and multi-edge files are normalised, with warnings)."""
    with parse_errors("GraphML", ParseError, nx.NetworkXError):
        g = nx.read_graphml(io.BytesIO(_safe_xml(data)), node_type=str)
        _check_unique_ids(data)
        return _from_networkx(g, origin, LABEL_KEYS)


def read_gexf(data: bytes, origin: Origin) -> Graph:
    """Read GEXF (node ids become names; the GEXF display label is ignored)."""
    with parse_errors("GEXF", ParseError, nx.NetworkXError):
        g = nx.read_gexf(io.BytesIO(_safe_xml(data)), node_type=str, relabel=False)
        _check_unique_ids(data)
        return _from_networkx(g, origin, _NOT_DISPLAY_LABEL)


def read_gml(data: bytes, origin: Origin) -> Graph:
    """Read GML (node labels become names when every node has a distinct one, else the ids do)."""
    with parse_errors("GML", nx.NetworkXError):
        g = nx.parse_gml(decode_text(data), label=None)
        return _from_networkx(g, origin, _NOT_DISPLAY_LABEL, name_key="label")


def write_graphml(graph: Graph, path: Path) -> list[Path]:
    """Write GraphML with the attributes of :mod:`gtvviz.data.records`."""
    return _write(graph, path, nx.write_graphml)


def write_gexf(graph: Graph, path: Path) -> list[Path]:
    """Write GEXF with the attributes of :mod:`gtvviz.data.records`."""
    return _write(graph, path, nx.write_gexf)


def write_gml(graph: Graph, path: Path) -> list[Path]:
    """Write GML; node names are written as GML labels."""
    return _write(graph, path, nx.write_gml)


def _safe_xml(data: bytes) -> bytes:
    if not data.strip():
        raise GraphFormatError("the file is empty; it must contain a graph.")
    if b"\x00" in data:
        raise GraphFormatError("it is not UTF-8 XML (it contains NUL bytes); save it as UTF-8.")
    if _DECLARATION.search(data):
        raise GraphFormatError(
            "it contains a DOCTYPE or ENTITY declaration, which gtvviz never processes (entities can read local "
            "files or exhaust memory); remove the declaration."
        )
    return data


def _check_unique_ids(data: bytes) -> None:
    """Refuse an XML file (already checked by :func:`_safe_xml`) that declares a node id twice: networkx would
    merge the two nodes silently. The message gives the positions of both ``<node>`` elements."""
    from xml.etree.ElementTree import iterparse

    first: dict[str, int] = {}
    position = 0
    for _, element in iterparse(io.BytesIO(data)):
        if element.tag == "node" or element.tag.endswith("}node"):
            node_id = str(element.get("id"))
            if first.setdefault(node_id, position) != position:
                raise GraphFormatError(
                    f"<node> number {position} (counting from 0) repeats the id {node_id[:40]!r} of <node> number "
                    f"{first[node_id]}; give every node a unique id."
                )
            position += 1
        element.clear()


def _from_networkx(g: nx.Graph, origin: Origin, label_keys: tuple[str, ...], name_key: str = "name") -> Graph:
    """Records of ``g``; the node attribute ``name_key`` names the nodes when all have distinct ones.

    A GEXF layout (``viz`` positions on every node) becomes the positions.
    """
    viz = [v.get("position") if isinstance(v := d.pop("viz", None), dict) else None for _, d in g.nodes(data=True)]
    if viz and all(isinstance(p, dict) and "x" in p and "y" in p for p in viz):
        for (_, d), p in zip(g.nodes(data=True), viz):
            d["pos"] = (p["x"], p["y"])
    given = [d.get(name_key) for _, d in g.nodes(data=True)]
    use_given = None not in given and len(set(map(str, given))) == len(given)
    nodes = [(str(d.pop(name_key) if use_given else n), d) for n, d in g.nodes(data=True)]
    names = {n: name for n, (name, _) in zip(g.nodes(), nodes)}
    edges = [(names[u], names[v], d) for u, v, d in g.edges(data=True)]
    title = g.graph.get("name")
    return assemble_records(nodes, edges, origin, label_keys=label_keys,
                            name=title if isinstance(title, str) and title else None, directed=g.is_directed())


def _write(graph: Graph, path: Path, writer: Callable[[nx.Graph, Any], None]) -> list[Path]:
    g = nx.Graph(name=graph.name)
    g.add_nodes_from(node_records(graph, lists=False))
    g.add_edges_from(edge_records(graph))
    writer(g, path)
    return [path]
