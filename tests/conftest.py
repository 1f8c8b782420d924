"""Shared fixtures: the read-only datasets in ../shared copied to a writable temp dir, and small graphs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO.parent / "shared" / "datasets"

torch.set_num_threads(1)  # two test workers share two cores


@pytest.fixture(scope="session")
def dataset_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of ``../shared/datasets`` (PyG writes ``processed/`` next to ``raw/``)."""
    if not SHARED_DATASETS.is_dir():
        pytest.fail(f"The shared datasets are missing: expected them at {SHARED_DATASETS}.")
    root = tmp_path_factory.mktemp("datasets")
    for entry in SHARED_DATASETS.iterdir():
        shutil.copytree(entry, root / entry.name)
    return root


@pytest.fixture(autouse=True)
def _no_network_datasets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never let a test fall back to downloading: the tests run offline."""
    monkeypatch.setenv("GTVVIZ_OFFLINE", "1")
    os.environ.setdefault("MPLBACKEND", "Agg")
