"""Issue 15 in the app: the data root is the server's, a visitor picks a dataset by name; no error details; a
link with huge widths falls back with a message."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from gtvviz.config import RunConfig
from tests.app_helpers import assert_clean, click, start_app, state, texts

REPO = Path(__file__).resolve().parents[1]


def test_a_visitor_picks_a_dataset_by_name_from_the_servers_folder(dataset_root: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GTVVIZ_DATA_ROOT", str(dataset_root))
    at = start_app()
    at.radio(key="source.kind").set_value("PyG dataset").run()
    assert "Data root" not in [t.label for t in at.text_input]  # no field where a folder could be typed
    at.selectbox(key="source.dataset").set_value("Cora")
    at = click(at, "Load dataset")
    assert_clean(at)
    assert state(at).run.graph.num_nodes == 2708 and state(at).data_root == str(dataset_root)


def test_visitors_see_no_error_details() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def test_a_link_with_huge_widths_falls_back_with_a_message() -> None:
    wide = ",".join(["4096"] * 8)
    at = start_app({"hidden": wide, "mlp": wide})
    assert_clean(at)
    assert state(at).run.config.hidden == RunConfig().hidden and state(at).run.config.mlp == RunConfig().mlp
    assert any("memory budget" in w for w in texts(at, "warning")), texts(at, "warning")


def test_huge_widths_from_the_settings_form_are_refused_next_to_reset_and_the_run_is_kept() -> None:
    wide = ",".join(["4096"] * 8)
    at = start_app()
    at.text_input(key="cfg.mlp").set_value(wide).run()  # fits alone: the run restarts with it
    at.text_input(key="cfg.hidden").set_value(wide).run()  # both do not: refused, the run is kept
    assert_clean(at)
    assert state(at).run.config.hidden == RunConfig().hidden
    assert any("over the memory budget" in e for e in texts(at, "error")), texts(at, "error")
