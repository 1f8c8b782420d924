"""The paper's benchmark datasets, through PyG's own dataset classes and a local cache folder.

Node-level datasets (``load_graph("pyg:Cora")``) become a :class:`~gtvviz.graph.Graph` with the raw features
(TVGNN normalises them later); TU graph-classification datasets come back as PyG's ``TUDataset``.

The cache root is ``data_root`` if given, else the environment variable ``GTVVIZ_DATA_ROOT``, else
``platformdirs.user_cache_dir("gtvviz")/datasets``. Inside it each PyG class keeps its own layout:

==========================  ==========================================
``pyg:Cora`` (Planetoid)    ``ROOT/Cora/raw/ind.cora.{x,tx,...}``
``pyg:DBLP`` (CitationFull) ``ROOT/dblp/raw/dblp.npz``
``pyg:Computers`` (Amazon)  ``ROOT/Computers/raw/amazon_electronics_computers.npz``
``pyg:CS`` (Coauthor)       ``ROOT/CS/raw/ms_academic_cs.npz``
TU ``MUTAG``                ``ROOT/MUTAG/raw/MUTAG_A.txt, ...`` (``raw_cleaned`` when cleaned)
==========================  ==========================================

PyG writes ``processed/`` next to ``raw/``, so the root must be writable. With ``GTVVIZ_OFFLINE=1`` nothing is
downloaded: missing raw files raise :class:`~gtvviz.errors.GraphFormatError` naming the files and the folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gtvviz.data.formats.torchfile import pyg_safe_globals
from gtvviz.errors import ConfigError, GraphFormatError
from gtvviz.graph import Graph

_PLANETOID_PARTS = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
_TU_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


@dataclass(frozen=True)
class DatasetSpec:
    """A node-level PyG dataset: the PyG class, its ``name`` argument, folder under the root and raw files."""

    cls: str
    name: str
    folder: str
    raw_files: tuple[str, ...]


def _planetoid(name: str) -> DatasetSpec:
    return DatasetSpec("Planetoid", name, name, tuple(f"ind.{name.lower()}.{p}" for p in _PLANETOID_PARTS))


#: The node-level datasets ``load_graph("pyg:NAME")`` knows, by name.
DATASETS: dict[str, DatasetSpec] = {
    "Cora": _planetoid("Cora"),
    "CiteSeer": _planetoid("CiteSeer"),
    "PubMed": _planetoid("PubMed"),
    "DBLP": DatasetSpec("CitationFull", "DBLP", "dblp", ("dblp.npz",)),
    "Computers": DatasetSpec("Amazon", "Computers", "Computers", ("amazon_electronics_computers.npz",)),
    "Photo": DatasetSpec("Amazon", "Photo", "Photo", ("amazon_electronics_photo.npz",)),
    "CS": DatasetSpec("Coauthor", "CS", "CS", ("ms_academic_cs.npz",)),
    "Physics": DatasetSpec("Coauthor", "Physics", "Physics", ("ms_academic_phy.npz",)),
}


def default_data_root() -> Path:
    """The dataset cache root: ``GTVVIZ_DATA_ROOT`` if set, else the user cache folder of gtvviz."""
    env = os.environ.get("GTVVIZ_DATA_ROOT")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("gtvviz")) / "datasets"


def is_offline() -> bool:
    """Whether downloads are disabled (environment variable ``GTVVIZ_OFFLINE`` set to 1, true or yes)."""
    return os.environ.get("GTVVIZ_OFFLINE", "").strip().lower() in ("1", "true", "yes")


def load_pyg_graph(name: str, data_root: str | os.PathLike[str] | None = None) -> Graph:
    """Load the node-level dataset ``name`` (case-insensitive, see :data:`DATASETS`) as a :class:`Graph`.

    Raises:
        ConfigError: for an unknown dataset name.
        GraphFormatError: when the raw files are missing and cannot be downloaded.
    """
    spec = _dataset_spec(name)
    root = _root(data_root)
    import torch_geometric.datasets as pyg_datasets

    dataset = _open(getattr(pyg_datasets, spec.cls), root, spec.name, root / spec.folder / "raw", spec.raw_files, {})
    return Graph.from_pyg(dataset[0], name=spec.name, source=f"PyG {spec.cls}({spec.name}) at {root}")


def load_tu_dataset(name: str, data_root: str | os.PathLike[str] | None = None, cleaned: bool = False) -> Any:
    """The PyG ``TUDataset`` ``name`` (e.g. ``"MUTAG"``), for graph classification.

    Raises:
        ConfigError: for a name that cannot be a TU dataset.
        GraphFormatError: when the raw files are missing and cannot be downloaded.
    """
    if not _TU_NAME.match(name):
        raise ConfigError(f"{name[:40]!r} is not a TU dataset name; use letters, digits, _ and -, e.g. MUTAG.")
    from torch_geometric.datasets import TUDataset

    root = _root(data_root)
    raw_dir = root / name / ("raw_cleaned" if cleaned else "raw")
    files = (f"{name}_A.txt", f"{name}_graph_indicator.txt", f"{name}_graph_labels.txt")
    return _open(TUDataset, root, name, raw_dir, files, {"cleaned": cleaned})


def _dataset_spec(name: str) -> DatasetSpec:
    for key, spec in DATASETS.items():
        if key.lower() == name.lower():
            return spec
    raise ConfigError(f"Unknown PyG dataset {name[:40]!r}; use one of {', '.join(DATASETS)}.")


def _root(data_root: str | os.PathLike[str] | None) -> Path:
    return Path(data_root).expanduser() if data_root is not None else default_data_root()


def _open(cls: Any, root: Path, name: str, raw_dir: Path, raw_files: tuple[str, ...], kwargs: dict[str, Any]) -> Any:
    """Instantiate a PyG dataset class, turning missing files and failed downloads into one clear error."""
    missing = [f for f in raw_files if not (raw_dir / f).is_file()]
    if missing and is_offline():
        raise GraphFormatError(_missing_message(name, raw_dir, raw_files, "downloads are off (GTVVIZ_OFFLINE=1)"))
    try:
        with pyg_safe_globals():  # so that PyG reads its processed files without its unsafe fallback
            return cls(str(root), name, **kwargs)
    except (OSError, RuntimeError, ValueError) as err:
        if not missing:
            raise GraphFormatError(f"PyG could not read the dataset {name} in {raw_dir} ({err}).") from None
        raise GraphFormatError(_missing_message(name, raw_dir, raw_files, f"the download failed ({err})")) from None


def _missing_message(name: str, raw_dir: Path, raw_files: tuple[str, ...], why: str) -> str:
    return (
        f"The raw files of {name} are missing and {why}; place {', '.join(raw_files)} in the folder {raw_dir} "
        "(or set data_root / GTVVIZ_DATA_ROOT to a folder that has them)."
    )
