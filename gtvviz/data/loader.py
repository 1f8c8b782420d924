"""The one door every graph comes in by (:func:`load_graph`) and goes out by (:func:`save_graph`)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from gtvviz.data.formats import FORMATS, resolve_format
from gtvviz.data.generators import GENERATORS, generate_from_source
from gtvviz.data.inputs import Input, is_path, read_input
from gtvviz.data.pyg import DATASETS, load_pyg_graph
from gtvviz.data.samples import SAMPLES, load_sample
from gtvviz.errors import ConfigError, GraphFormatError
from gtvviz.graph import Graph, as_graph

_KIND = re.compile(r"^[A-Za-z_][A-Za-z0-9_]+$")


def load_graph(
    source: Input,
    *,
    format: str | None = None,
    data_root: str | os.PathLike[str] | None = None,
    name: str | None = None,
    allow_paths: bool = True,
    **options: Any,
) -> Graph:
    """Load a graph from a sample, a generator, a PyG dataset, a file or an upload.

    Args:
        source: one of

            * a sample name, e.g. ``"karate"`` (see :func:`~gtvviz.data.list_samples`);
            * a generator source string, e.g. ``"sbm:sizes=100-100,p_in=0.1,seed=0"`` or just ``"sbm"``
              (see :data:`~gtvviz.data.GENERATORS`);
            * ``"pyg:NAME"``, a PyG dataset such as ``"pyg:Cora"`` (see :data:`~gtvviz.data.pyg.DATASETS`);
            * a path to a graph file (str or path-like);
            * the bytes of a file, or an open file-like object (an upload); it is parsed in memory and never
              written to disk.
        format: the file format (see :data:`~gtvviz.data.formats.FORMATS`); inferred from the file name's
            extension when ``None``. A string source with a format is always a path.
        data_root: the cache root of PyG datasets (see :func:`~gtvviz.data.pyg.default_data_root`).
        name: the file name of bytes or a file-like object (e.g. ``"upload.csv"``), used to infer the format,
            in messages and as the graph's default name.
        allow_paths: when ``False`` a string must name a sample, generator or dataset, never a file (for
            sources that come from a URL).
        **options: options of the file format, e.g. ``nodes=PATH`` (a node table) for CSV and TSV.

    Raises:
        GraphFormatError: for a missing, malformed, unsafe or too large input (the message names the file and,
            where it can, the line, field or key, and says how to fix it).
        ConfigError: for an unknown sample, generator or dataset, a bad generator parameter, or an unknown option.
    """
    if isinstance(source, str) and format is None:
        named = _load_named(source, data_root, allow_paths, options)
        if named is not None:
            return named
    elif not allow_paths and is_path(source):
        raise ConfigError("Only sample, generator and dataset names are allowed here, not file paths.")
    data, origin = read_input(source, name)
    fmt = resolve_format(format, origin.filename)
    unknown = sorted(set(options) - set(fmt.options))
    if unknown:
        allowed = f"its options are {', '.join(fmt.options)}" if fmt.options else "it takes no options"
        raise ConfigError(f"The {fmt.name} format has no option {unknown[0]!r}; {allowed}.")
    try:
        return fmt.read(data, origin, **options)
    except GraphFormatError as err:
        raise GraphFormatError(f"{origin.filename}: {err}") from None
    except (RecursionError, OverflowError, MemoryError) as err:  # what a parser of deep or huge input can raise
        raise GraphFormatError(
            f"{origin.filename}: it is too deeply nested or declares too large a structure to read "
            f"({type(err).__name__}); check that it is a {fmt.name} file of a graph."
        ) from None


def load_graph_bytes(data: bytes, filename: str, **options: Any) -> Graph:
    """Load an upload: the bytes of a file and its name (which gives the format); see :func:`load_graph`."""
    return load_graph(data, name=filename, **options)


def save_graph(graph: Any, path: str | os.PathLike[str], format: str | None = None) -> list[Path]:
    """Write ``graph`` (a Graph, networkx graph or PyG Data) to ``path`` in ``format`` (default: by extension).

    CSV and TSV also write a node table ``<stem>.nodes.csv`` (or ``.tsv``) when the graph has labels, features,
    positions or isolated nodes; load it back with ``nodes=``. Matrix Market keeps only the edges and weights.

    Returns:
        The paths written.
    """
    path = Path(path)
    fmt = resolve_format(format, path.name)
    if not path.parent.is_dir():
        raise GraphFormatError(f"Cannot write {path}: the folder {path.parent} does not exist; create it first.")
    try:
        return fmt.write(as_graph(graph), path)
    except OSError as err:
        raise GraphFormatError(
            f"Cannot write {path} ({err.strerror or err}); check the folder's permissions."
        ) from None


def _load_named(source: str, data_root: Any, allow_paths: bool, options: dict[str, Any]) -> Graph | None:
    """A sample, generator or dataset named by ``source``, or ``None`` when ``source`` is a path."""
    kind, sep, rest = source.partition(":")
    is_named = source in SAMPLES or kind in GENERATORS or (sep and kind == "pyg")
    if is_named and options:
        raise ConfigError(f"Options such as {sorted(options)[0]!r} apply to files only, not to {source[:40]!r}.")
    if source in SAMPLES:
        return load_sample(source)
    if kind in GENERATORS:
        return generate_from_source(source)
    if sep and kind == "pyg":
        return load_pyg_graph(rest, data_root)
    if not allow_paths:
        raise ConfigError(
            f"{source[:40]!r} is not a sample ({', '.join(SAMPLES)}), a generator ({', '.join(GENERATORS)}) "
            "or a dataset (pyg:NAME)."
        )
    try:
        if Path(source).exists():
            return None
    except OSError:  # e.g. a name too long for a path: read_input reports it
        return None
    if sep and _KIND.match(kind):
        raise ConfigError(
            f"Unknown graph source kind {kind!r}; use a generator ({', '.join(GENERATORS)}), pyg:NAME, a sample "
            "name or a file path."
        )
    dataset = next((name for name in DATASETS if name.lower() == source.lower()), None)
    if dataset is not None:
        raise ConfigError(f"{source!r} is not a file; to load the PyG dataset, write 'pyg:{dataset}'.")
    if not Path(source).suffix and "/" not in source and "\\" not in source:  # a name, not a path: a mistyped sample?
        raise ConfigError(f"{source[:40]!r} is neither a file nor a sample; the samples are {', '.join(SAMPLES)}.")
    return None


__all__ = ["load_graph", "load_graph_bytes", "save_graph", "FORMATS"]
