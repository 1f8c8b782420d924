"""A PyG :class:`~torch_geometric.data.Data` (or a dict of its fields) saved with :func:`torch.save` (``.pt``).

Read attributes: ``edge_index``, ``num_nodes``, ``edge_weight`` (or a 1-D ``edge_attr``), ``x``, ``y`` (one
label per node), ``pos`` (:math:`N \\times 2`), and as gtvviz extensions ``node_names`` (list of str) and
``name``.

Safety: the file is loaded with ``torch.load(weights_only=True)``, which only rebuilds tensors, plain containers
and the few PyG data classes allow-listed here, so a pickle that would run code is refused, never executed.
"""

from __future__ import annotations

import io
import pickle
import warnings
import zipfile
from pathlib import Path
from typing import Any, ContextManager

import torch

from gtvviz.data.graph_records import node_names
from gtvviz.data.records import Origin, assemble_indexed, check_edge_count, parse_errors
from gtvviz.errors import GraphFormatError
from gtvviz.graph import Graph


def read_pt(data: bytes, origin: Origin) -> Graph:
    """Read a PyG ``Data`` saved with ``torch.save`` (see the module docstring)."""
    from torch_geometric.data import Data

    try:
        with pyg_safe_globals(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch's remarks on odd files; failures are reported below
            obj = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as err:
        detail = _unpickler_detail(err)
        if "global" not in detail.lower():
            raise GraphFormatError(
                f"it is not a file written by torch.save ({detail}); save the graph with torch.save."
            ) from None
        raise GraphFormatError(
            f"it holds Python objects other than tensors and PyG Data, which gtvviz never unpickles ({detail[:120]}); "
            "save a torch_geometric Data."
        ) from None
    except (RuntimeError, EOFError, ValueError, OSError, KeyError, IndexError, TypeError, AttributeError,
            NotImplementedError, RecursionError, zipfile.BadZipFile) as err:
        raise GraphFormatError(
            f"it is not a file written by torch.save ({_first_line(err)}); save the graph with torch.save."
        ) from None
    if isinstance(obj, dict):
        try:
            obj = Data.from_dict(obj)
        except (TypeError, ValueError, AttributeError, KeyError) as err:
            raise GraphFormatError(f"its dict is not the fields of a PyG Data ({str(err)[:100]}).") from None
    if not isinstance(obj, Data):
        raise GraphFormatError(f"it holds a {type(obj).__name__}, not a PyG Data; save a torch_geometric Data.")
    with parse_errors("PyG Data", RuntimeError):
        return _from_data(obj, origin)


def pyg_safe_globals() -> ContextManager[None]:
    """Allow ``torch.load(weights_only=True)`` to rebuild PyG's data containers (and nothing else)."""
    from torch_geometric.data import Data
    from torch_geometric.data.data import DataEdgeAttr, DataTensorAttr
    from torch_geometric.data.storage import GlobalStorage

    return torch.serialization.safe_globals([Data, DataEdgeAttr, DataTensorAttr, GlobalStorage])


def write_pt(graph: Graph, path: Path) -> list[Path]:
    """Save ``graph.to_pyg()`` with ``node_names`` (when named) and ``name`` attached."""
    data = graph.to_pyg()
    if graph.node_names is not None:
        data.node_names = node_names(graph)
    data.name = graph.name
    if graph.pos is not None:
        data.pos = torch.as_tensor(graph.pos)  # keep float64, so that positions survive the round trip
    with path.open("wb") as handle:
        torch.save(data, handle)
    return [path]


def _from_data(data: Any, origin: Origin) -> Graph:
    edge_index = _tensor(data, "edge_index")
    if edge_index is None or edge_index.dim() != 2 or edge_index.size(0) != 2 or edge_index.is_floating_point():
        raise GraphFormatError("edge_index must be a 2 x M integer tensor; store the edges as data.edge_index.")
    check_edge_count(edge_index.size(1))
    num_nodes = data.num_nodes
    if not isinstance(num_nodes, int):
        raise GraphFormatError("the number of nodes is unknown; set data.num_nodes.")
    weights, edge_attr = _tensor(data, "edge_weight"), _tensor(data, "edge_attr")
    if weights is None and edge_attr is not None and edge_attr.dim() == 1:
        weights = edge_attr
    x, y, pos = _tensor(data, "x"), _tensor(data, "y"), _tensor(data, "pos")
    notes: list[str] = []
    if y is not None and (y.dim() != 1 or y.numel() != num_nodes or y.is_floating_point()):
        notes.append(f"Ignored data.y of shape {tuple(y.shape)}: it is not one integer label per node.")
        y = None
    names = getattr(data, "node_names", None)
    if names is not None and not (isinstance(names, list) and all(isinstance(v, str) for v in names)):
        raise GraphFormatError("data.node_names must be a list of strings, one per node.")
    name = getattr(data, "name", None)
    return assemble_indexed(
        edge_index.numpy(), num_nodes, origin, weights=_numbers(weights), x=_numbers(x, torch.float32),
        labels=None if y is None else y.numpy(), pos=_numbers(pos), names=names,
        name=name if isinstance(name, str) else None, warnings=notes, directed=True,
    )


def _tensor(data: Any, key: str) -> torch.Tensor | None:
    value = getattr(data, key, None)
    if value is not None and not isinstance(value, torch.Tensor):
        raise GraphFormatError(f"data.{key} must be a tensor, not {type(value).__name__}.")
    return value


def _unpickler_detail(err: BaseException) -> str:
    """The reason torch's weights-only unpickler gives (its message wraps it in a long preamble)."""
    text = str(err)
    _, marker, rest = text.partition("WeightsUnpickler error:")
    lines = [line.strip() for line in (rest if marker else text).splitlines() if line.strip()]
    return lines[0][:120] if lines else type(err).__name__


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:120] if lines else type(err).__name__


def _numbers(value: torch.Tensor | None, dtype: torch.dtype = torch.float64) -> Any:
    return None if value is None else value.detach().to(dtype).numpy()
