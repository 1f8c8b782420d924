"""Shared fixtures: the read-only datasets in ../shared copied to a writable temp dir, small graphs, and the record
of what a test observed for the reliability report."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
#: The read-only PyG datasets: ``../shared/datasets`` beside the checkout, or the folder ``GTVVIZ_SHARED_DATASETS`` names.
SHARED_DATASETS = Path(os.environ.get("GTVVIZ_SHARED_DATASETS") or REPO.parent / "shared" / "datasets")

torch.set_num_threads(1)  # two test workers share two cores


@pytest.fixture(scope="session")
def dataset_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of ``../shared/datasets`` (PyG writes ``processed/`` next to ``raw/``)."""
    if not SHARED_DATASETS.is_dir():
        pytest.fail(f"The shared datasets are missing: expected them at {SHARED_DATASETS} (set "
                    "GTVVIZ_SHARED_DATASETS to their folder).")
    root = tmp_path_factory.mktemp("datasets")
    for entry in SHARED_DATASETS.iterdir():
        shutil.copytree(entry, root / entry.name)
    return root


@pytest.fixture(autouse=True)
def _no_network_datasets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never let a test fall back to downloading: the tests run offline."""
    monkeypatch.setenv("GTVVIZ_OFFLINE", "1")
    os.environ.setdefault("MPLBACKEND", "Agg")


#: Folder into which tests write what they observed (outcome counts, measurements) as JSON, one file per test, for
#: ``benchmarks/reliability_report.py``; unset (as in CI), nothing is written.
OBSERVATIONS_ENV = "GTVVIZ_RELIABILITY_OUT"


@pytest.fixture
def observations(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """A dict the test fills with what it observed; at the end of the test (passed or failed) it is written to a
    new file in ``$GTVVIZ_RELIABILITY_OUT`` as ``{"test": node id, **observations}``, when the variable is set.

    The same dict serves every example of a hypothesis test (so it accumulates over them)."""
    found: dict[str, Any] = {}
    yield found
    folder = os.environ.get(OBSERVATIONS_ENV)
    if folder and found:
        path = Path(folder) / f"{uuid.uuid4().hex}.json"
        path.write_text(json.dumps({"test": request.node.nodeid, **found}, default=str))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests need the machine to themselves: they check what a visitor sees in real time (a pace, a link
    that follows a typed setting, a counter that stops on Pause), which the CPU load of the parallel part's
    training tests can delay past their timeouts. ``make test`` runs them after the parallel part."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.alone)
