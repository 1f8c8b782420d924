"""Issue 15, defect 1: a PyG dataset folder never runs code, whether the payload is a processed file or a raw one.

Each test builds an ``eval`` payload (a pickle whose ``__reduce__`` names the builtin ``eval``) in a copy of the
shared datasets; the marker file it would write must never appear.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
import torch

from gtvviz.cli import main
from gtvviz.data import load_graph, load_tu_dataset
from gtvviz.errors import GraphFormatError
from tests.conftest import SHARED_DATASETS


class _Payload:
    """Unpickling this object calls ``eval``, which writes the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return eval, (f"open({str(self.marker)!r}, 'w').write('ran')",)


def _plant_processed(folder: Path, marker: Path) -> None:
    """A processed folder whose every file is a torch.save of the payload (what PyG's fallback would unpickle)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("data.pt", "pre_transform.pt", "pre_filter.pt"):
        torch.save({"data": _Payload(marker)}, folder / name)


def _copy(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "root"
    for name in names:
        shutil.copytree(SHARED_DATASETS / name, root / name)
    return root


def test_a_processed_eval_payload_next_to_real_raw_files_is_never_read(tmp_path: Path) -> None:
    root, marker = _copy(tmp_path, "Cora"), tmp_path / "marker"
    _plant_processed(root / "Cora" / "processed", marker)
    graph = load_graph("pyg:Cora", data_root=root)
    assert graph.num_nodes == 2708 and not marker.exists()


def test_a_processed_eval_payload_with_empty_raw_files_is_an_error_not_code(tmp_path: Path, capsys) -> None:
    """The issue's attack: empty Cora raw files and the payload; the CLI answers exit 2 and one stderr line."""
    root, marker = tmp_path / "root", tmp_path / "marker"
    (root / "Cora" / "raw").mkdir(parents=True)
    for part in ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index"):
        (root / "Cora" / "raw" / f"ind.cora.{part}").write_bytes(b"")
    _plant_processed(root / "Cora" / "processed", marker)
    with pytest.raises(GraphFormatError, match="raw file"):
        load_graph("pyg:Cora", data_root=root)
    code = main(["cluster", "--graph", "pyg:Cora", "--data-root", str(root), "--clusters", "2", "--epochs", "1"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and not marker.exists()


def test_a_raw_planetoid_pickle_that_names_eval_is_refused_unread(tmp_path: Path) -> None:
    root, marker = _copy(tmp_path, "Cora"), tmp_path / "marker"
    target = root / "Cora" / "raw" / "ind.cora.x"
    target.chmod(0o644)
    target.write_bytes(pickle.dumps(_Payload(marker), protocol=2))
    with pytest.raises(GraphFormatError, match=r"builtin_*\.eval"):
        load_graph("pyg:Cora", data_root=root)
    assert not marker.exists()


def test_a_tu_processed_eval_payload_is_never_read(tmp_path: Path, capsys) -> None:
    root, marker = _copy(tmp_path, "MUTAG"), tmp_path / "marker"
    _plant_processed(root / "MUTAG" / "processed", marker)
    assert len(load_tu_dataset("MUTAG", data_root=root)) == 188 and not marker.exists()
    empty = tmp_path / "empty"
    (empty / "MUTAG" / "raw").mkdir(parents=True)
    _plant_processed(empty / "MUTAG" / "processed", marker)
    assert main(["classify", "--dataset", "MUTAG", "--data-root", str(empty), "--epochs", "1"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1 and not marker.exists()


def test_a_read_only_root_works_and_is_not_written_to(tmp_path: Path) -> None:
    """The processed file is built in a private folder, so the shared (read-only) root works as it is."""
    before = sorted(p.relative_to(SHARED_DATASETS) for p in (SHARED_DATASETS / "Cora").rglob("*"))
    assert load_graph("pyg:Cora", data_root=SHARED_DATASETS).num_nodes == 2708
    assert sorted(p.relative_to(SHARED_DATASETS) for p in (SHARED_DATASETS / "Cora").rglob("*")) == before
