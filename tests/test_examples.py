"""The scripts in examples/ run as a user runs them, on the real datasets."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED_DATASETS


@pytest.mark.slow
def test_pyg_graph_classification_trains_on_mutag(tmp_path: Path) -> None:
    shutil.copytree(SHARED_DATASETS / "MUTAG", tmp_path / "MUTAG")  # PyG writes processed/ next to raw/
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / "pyg_graph_classification.py"), "--data-root", str(tmp_path),
         "--epochs", "3"], capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = re.findall(r"epoch +(\d+) +loss ([\d.]+) +train accuracy ([\d.]+) +test accuracy ([\d.]+)", result.stdout)
    assert [int(row[0]) for row in rows] == [1, 2, 3], result.stdout
    for _, loss, train_acc, test_acc in rows:
        assert math.isfinite(float(loss)) and 0.0 <= float(train_acc) <= 1.0 and 0.0 <= float(test_acc) <= 1.0
    assert (tmp_path / "MUTAG" / "processed").is_dir()
