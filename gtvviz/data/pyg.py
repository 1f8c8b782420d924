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

With ``GTVVIZ_OFFLINE=1`` nothing is downloaded: missing raw files raise :class:`~gtvviz.errors.GraphFormatError`
naming the files and the folder.

Safety: a ``processed/`` folder in the root is never read, because PyG falls back to
``torch.load(weights_only=False)`` (which runs any code a pickle names) when a processed file holds an unknown
global. Instead the raw files (regular files only, within :data:`~gtvviz.data.limits.MAX_FILE_BYTES` in all)
are copied into a private temporary folder that gtvviz owns, PyG builds its processed file there from them, and
the folder is deleted once the data is in memory. Planetoid's raw files are pickles too: before PyG reads them,
each is unpickled with an allow-list of numpy arrays, SciPy CSR matrices and lists (:func:`check_raw_pickle`),
so a raw file that names any other global is refused. The root is therefore only read (downloads go to its
``raw/`` folders).
"""

from __future__ import annotations

import io
import os
import pickle
import re
import shutil
import stat
import sys
import tempfile
import warnings
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gtvviz.data.formats.torchfile import pyg_safe_globals
from gtvviz.data.limits import MAX_FILE_BYTES
from gtvviz.errors import ConfigError, GraphFormatError
from gtvviz.graph import Graph

_PLANETOID_PARTS = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
_TU_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
#: The globals a Planetoid raw pickle may name: numpy arrays, SciPy CSR matrices, a defaultdict of lists.
_RAW_PICKLE_GLOBALS = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"), ("scipy.sparse.csr", "csr_matrix"),
    ("scipy.sparse._csr", "csr_matrix"), ("collections", "defaultdict"), ("__builtin__", "list"),
    ("builtins", "list"),
})


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
    """Build a PyG dataset from its raw files in a private folder (see the module docstring).

    Missing raw files are downloaded (unless offline) into the private folder and then kept in ``raw_dir``.
    """
    missing = [f for f in raw_files if not (raw_dir / f).is_file()]
    if missing and is_offline():
        raise GraphFormatError(_missing_message(name, raw_dir, raw_files, "downloads are off (GTVVIZ_OFFLINE=1)"))
    with tempfile.TemporaryDirectory(prefix="gtvviz-pyg-") as work:
        private = Path(work)
        _copy_raw(raw_dir, private / "raw")
        if cls.__name__ == "Planetoid":
            for path in sorted((private / "raw").glob("ind.*")):
                if not path.name.endswith(".test.index"):
                    check_raw_pickle(path.read_bytes(), path.name)
        try:
            with pyg_safe_globals(), warnings.catch_warnings(), redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")  # PyG's remarks on the raw files; failures are reported below
                dataset = _private_class(cls)(str(private), str(root), name, **kwargs)
        except (OSError, RuntimeError, ValueError, TypeError, KeyError, IndexError, EOFError,
                pickle.UnpicklingError) as err:
            detail = str(err).strip().splitlines()[0][:160] if str(err).strip() else type(err).__name__
            if not missing:
                raise GraphFormatError(
                    f"PyG could not read the raw files of {name} in {raw_dir} ({detail}); replace them with the "
                    "dataset's original files."
                ) from None
            why = f"the download failed ({detail})"
            raise GraphFormatError(_missing_message(name, raw_dir, raw_files, why)) from None
        if missing:
            _keep_download(private / "raw", raw_dir)
    return dataset


def check_raw_pickle(data: bytes, filename: str) -> None:
    """Unpickle a Planetoid raw file with only the globals of :data:`_RAW_PICKLE_GLOBALS` allowed.

    Raises:
        GraphFormatError: when the pickle names another global (it could run code) or is not a pickle.
    """
    class _AllowList(pickle.Unpickler):
        def find_class(self, module: str, qualname: str) -> Any:
            if (module, qualname) not in _RAW_PICKLE_GLOBALS:
                raise GraphFormatError(
                    f"The raw file {filename} names the Python global {module[:60]}.{qualname[:60]}, which a "
                    "Planetoid file never holds, so it is refused unread; replace it with the dataset's original file."
                )
            if qualname == "csr_matrix":
                from scipy.sparse import csr_matrix  # the deprecated module path of old pickles warns

                return csr_matrix
            return super().find_class(module, qualname)

    try:
        _AllowList(io.BytesIO(data), encoding="latin1").load()
    except GraphFormatError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            MemoryError, RecursionError, ImportError) as err:
        raise GraphFormatError(
            f"The raw file {filename} is not a Planetoid pickle ({type(err).__name__}); replace it with the "
            "dataset's original file."
        ) from None


def _copy_raw(raw_dir: Path, target: Path) -> None:
    """Copy the regular files directly in ``raw_dir`` to ``target``, at most :data:`MAX_FILE_BYTES` in all."""
    target.mkdir()
    if not raw_dir.is_dir():
        return
    total = 0
    for path in sorted(raw_dir.iterdir()):
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue  # links, folders, FIFOs and devices are never read
        total += info.st_size
        if total > MAX_FILE_BYTES:
            raise GraphFormatError(
                f"The raw files in {raw_dir} are larger than the limit of {MAX_FILE_BYTES // 1024**2:,} MB "
                "(gtvviz.data.limits.MAX_FILE_BYTES); remove files that are not the dataset's."
            )
        try:
            shutil.copyfile(path, target / path.name, follow_symlinks=False)
        except OSError as err:
            raise GraphFormatError(
                f"{path}: the raw file could not be read ({err.strerror}); check its permissions."
            ) from None


def _keep_download(private_raw: Path, raw_dir: Path) -> None:
    """Keep downloaded raw files in the data root so that the next load needs no download (best effort)."""
    try:
        raw_dir.mkdir(parents=True, exist_ok=True)
        for path in private_raw.iterdir():
            if path.is_file() and not (raw_dir / path.name).exists():
                shutil.copyfile(path, raw_dir / path.name)
    except OSError as err:
        print(f"gtvviz: could not keep the downloaded raw files in {raw_dir} ({err.strerror}).", file=sys.stderr)


_PRIVATE: dict[type, type] = {}


def _private_class(cls: type) -> type:
    """A subclass of the PyG dataset class ``cls`` whose raw and processed folders are in a private folder."""
    if cls not in _PRIVATE:
        def __init__(self: Any, private: str, *args: Any, **kwargs: Any) -> None:
            self._gtvviz_private = private
            cls.__init__(self, *args, **kwargs)

        _PRIVATE[cls] = type(cls.__name__, (cls,), {
            "__init__": __init__,
            "__module__": __name__,
            "raw_dir": property(lambda self: os.path.join(self._gtvviz_private, "raw")),
            "processed_dir": property(lambda self: os.path.join(self._gtvviz_private, "processed")),
        })
    return _PRIVATE[cls]


def _missing_message(name: str, raw_dir: Path, raw_files: tuple[str, ...], why: str) -> str:
    return (
        f"The raw files of {name} are missing and {why}; place {', '.join(raw_files)} in the folder {raw_dir} "
        "(or set data_root / GTVVIZ_DATA_ROOT to a folder that has them)."
    )
