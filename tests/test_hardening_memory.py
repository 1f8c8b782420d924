"""Issue 15, defects 2 and 3: every memory attack is refused (or costs little) in under 5 s and under 500 MB
above the interpreter's baseline, measured in a fresh interpreter (``tests/memory_attacks.py`` builds each attack)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.memory_attacks import ATTACKS

SCRIPT = Path(__file__).with_name("memory_attacks.py")
#: The kind of ending each attack must have: a refusal (the error class and a word of its message) or a result.
EXPECTED = {
    "link_widths": "ok: Ignored the link parameters hidden and mlp",
    "wide_model_on_karate": "ConfigError: This run needs about",
    "wide_model_on_grid": "ConfigError: This run needs about",
    "mtx_declares_five_million_nodes": "ConfigError: This run needs about",
    "npz_declares_wide_features": "GraphFormatError: a.npz: attr_shape declares 99,000,000 features",
    "npz_zip_bomb": "GraphFormatError: bomb.npz: attr_matrix declares 100,000,000 features",
    "npz_header_claims_a_trillion": "GraphFormatError: liar.npz: the array 'labels' declares",
    "json_wide_features": "GraphFormatError: wide.json: the attribute 'x' of node '0' declares 1,000,000",
    "generator_wide_features": "ConfigError: The graph would have 100,000 x 1,024 features",
    "metrics_large_label": "ok: computed",
    "json_large_label_run": "ok: ran",
}


@pytest.fixture(scope="module")
def measured() -> dict[str, dict]:
    env = {**os.environ, "GTVVIZ_OFFLINE": "1"}
    env.pop("GTVVIZ_MEMORY_BUDGET_MB", None)
    done = subprocess.run([sys.executable, str(SCRIPT), *EXPECTED], capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    return {row["attack"]: row for row in rows}


def test_every_attack_of_the_script_is_checked() -> None:
    assert set(EXPECTED) == set(ATTACKS)


@pytest.mark.parametrize("attack", list(EXPECTED))
def test_the_attack_is_refused_quickly_within_500_mb(attack: str, measured: dict[str, dict]) -> None:
    row = measured[attack]
    assert row["outcome"].startswith(EXPECTED[attack]), row["outcome"]
    assert row["seconds"] < 5 and row["mb_above_baseline"] < 500, row


def test_the_budget_can_be_raised_by_whoever_runs_gtvviz(monkeypatch: pytest.MonkeyPatch) -> None:
    from gtvviz.budget import check_run_budget, memory_budget
    from gtvviz.errors import ConfigError

    wide = (4096,) * 8
    with pytest.raises(ConfigError, match="GTVVIZ_MEMORY_BUDGET_MB"):
        check_run_budget(34, 156, 0, wide, wide, 2)
    monkeypatch.setenv("GTVVIZ_MEMORY_BUDGET_MB", "20000")
    assert memory_budget() == 20000 * 1024**2
    check_run_budget(34, 156, 0, wide, wide, 2)  # now within the budget
    monkeypatch.setenv("GTVVIZ_MEMORY_BUDGET_MB", "lots")
    with pytest.raises(ConfigError, match="number of megabytes"):
        memory_budget()


def test_the_estimate_counts_weights_by_hand() -> None:
    """A 3-feature TVGNN with widths 4, 2 and 2 clusters: (3*4+4) + (4*2+2) + (2*2+2) = 32 weights and biases."""
    from gtvviz.budget import PARAMETER_COPIES, model_bytes, parameter_count

    assert parameter_count(3, (4,), (2,), 2) == 32
    assert model_bytes(3, (4,), (2,), 2) == 32 * 4 * PARAMETER_COPIES
