"""The registry of graph file formats: name, file extensions, reader, writer and reader options.

A reader takes ``(data: bytes, origin: Origin, **options)`` and returns a :class:`~gtvviz.graph.Graph`; a
writer takes ``(graph, path)`` and returns the paths it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Callable

from gtvviz.data.formats.matrices import read_mtx, read_npz, write_mtx, write_npz
from gtvviz.data.formats.networkx_formats import read_gexf, read_gml, read_graphml, write_gexf, write_gml, write_graphml
from gtvviz.data.formats.nodelink import read_json, write_json
from gtvviz.data.formats.tabular import read_csv, read_tsv, write_csv, write_tsv
from gtvviz.data.formats.torchfile import read_pt, write_pt
from gtvviz.errors import GraphFormatError
from gtvviz.graph import Graph


@dataclass(frozen=True)
class Format:
    """One file format: how to recognise, read and write it."""

    name: str
    extensions: tuple[str, ...]
    description: str
    read: Callable[..., Graph]
    write: Callable[[Graph, Path], list[Path]]
    options: tuple[str, ...] = ()


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("csv", (".csv",), "edge list source,target[,weight] (option nodes=node table)", read_csv, write_csv,
           ("nodes", "directed")),
    Format("tsv", (".tsv", ".tab"), "tab-separated edge list (option nodes=node table)", read_tsv, write_tsv,
           ("nodes", "directed")),
    Format("graphml", (".graphml",), "GraphML", read_graphml, write_graphml),
    Format("gml", (".gml",), "GML", read_gml, write_gml),
    Format("gexf", (".gexf",), "GEXF (Gephi)", read_gexf, write_gexf),
    Format("json", (".json",), "node-link JSON (networkx)", read_json, write_json),
    Format("mtx", (".mtx",), "Matrix Market adjacency matrix", read_mtx, write_mtx),
    Format("npz", (".npz",), "NumPy archive, gnn-benchmark layout", read_npz, write_npz),
    Format("pt", (".pt", ".pth"), "PyG Data saved with torch.save", read_pt, write_pt),
)}

_ALIASES = {"node-link": "json", "nodelink": "json", "matrix-market": "mtx", "torch": "pt", "pyg": "pt"}


def resolve_format(format: str | None, filename: str) -> Format:
    """The format named by ``format`` (or an alias), else the one of ``filename``'s extension."""
    if format is not None:
        key = format.lower().lstrip(".")
        key = _ALIASES.get(key, key)
        if key not in FORMATS:
            raise GraphFormatError(f"Unknown graph format {format!r}; use one of {', '.join(FORMATS)}.")
        return FORMATS[key]
    suffix = PurePath(filename).suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt
    raise GraphFormatError(
        f"{filename}: cannot tell the graph format from the extension {suffix or '(none)'!r}; use one of "
        f"{', '.join(e for f in FORMATS.values() for e in f.extensions)} or pass format=."
    )
