"""Cached loading of graphs and layouts, shared by all sessions (``st.cache_data`` hands each caller a copy).

Graphs are cached by their source string (and data root), uploads by the hash of their bytes, layouts by the
graph's key. Nothing here holds a model: models live in each session's state.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import streamlit as st

from gtvviz import Graph
from gtvviz.data import SAMPLES, default_data_root, load_graph, load_graph_bytes, save_graph
from gtvviz.viz import compute_layout, edge_picture
from gtvviz.viz import WEBGL_THRESHOLD, thumbnail_png

#: Formats offered for downloading a graph (a format that writes several files comes as a zip).
DOWNLOAD_FORMATS = ("json", "graphml", "gexf", "gml", "csv")


def default_root() -> str:
    """The library's default PyG data root, as text for the data-root field."""
    return str(default_data_root())


def load_named(source: str, data_root: str) -> tuple[Graph, str]:
    """The graph named by ``source`` (a sample, a generator string or ``pyg:NAME``, never a file path) and its
    cache key; only PyG datasets depend on the data root."""
    root = data_root if source.startswith("pyg:") else ""
    return _load_source(source, root), f"{source}|{root}" if root else source


@st.cache_data(max_entries=16, show_spinner="Loading the graph…")
def _load_source(source: str, data_root: str) -> Graph:
    return load_graph(source, data_root=data_root or None, allow_paths=False)


def load_upload(data: bytes, filename: str) -> tuple[Graph, str]:
    """An uploaded graph and its cache key (the hash of its bytes)."""
    return load_graph_bytes(data, filename), "upload:" + hashlib.sha256(data).hexdigest()[:16]


@st.cache_data(max_entries=32, show_spinner="Laying out the graph…")
def graph_layout(key: str, _graph: Graph) -> np.ndarray:
    """The fixed layout of the graph with cache key ``key`` (computed once, seed 0)."""
    return compute_layout(_graph, seed=0)


@st.cache_data(max_entries=8, show_spinner="Drawing the edges…")
def graph_picture(key: str, _graph: Graph, _layout: np.ndarray) -> str | None:
    """The picture of the edges of a large graph (drawn under its nodes in the live view), or ``None`` for a graph
    small enough to draw its edges as lines every frame."""
    return edge_picture(_graph, _layout) if _graph.num_nodes >= WEBGL_THRESHOLD else None


@st.cache_data(max_entries=len(SAMPLES) + 1, show_spinner=False)
def sample_thumbnail(name: str) -> bytes:
    """A small PNG of the shipped sample ``name``, its nodes coloured by ground-truth label."""
    graph, key = load_named(name, "")
    return thumbnail_png(graph, graph_layout(key, graph))


def suggested_clusters(graph: Graph, current: int) -> int:
    """K for a newly loaded graph that is not a sample: its number of classes, else ``current``."""
    if graph.has_labels:
        assert graph.y is not None
        k = int(graph.y.max()) + 1
    else:
        k = current
    return max(2, min(k, graph.num_nodes))


@st.cache_data(max_entries=8, show_spinner="Writing the file…")
def graph_file(key: str, _graph: Graph, fmt: str) -> tuple[bytes, str]:
    """The bytes and file name of the graph with cache key ``key`` saved in format ``fmt`` (several files are
    zipped together)."""
    graph = _graph
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in graph.name) or "graph"
    with tempfile.TemporaryDirectory() as tmp:
        written = save_graph(graph, Path(tmp) / f"{stem}.{fmt}", format=fmt)
        if len(written) == 1:
            return written[0].read_bytes(), written[0].name
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.name)
        return buffer.getvalue(), f"{stem}.{fmt}.zip"
