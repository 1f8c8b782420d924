"""AppTest: the link (URL query) reproduces the run; bad links fall back to defaults with a message; classroom."""

from __future__ import annotations

import pytest

from gtvviz import RunConfig
from gtvviz_app.state import landing_config
from tests.app_helpers import assert_clean, start_app, state, texts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_a_link_reproduces_the_configuration() -> None:
    config = RunConfig(graph="ring_of_cliques", clusters=6, alpha1=0.5, alpha2=0.7, delta=0.25, eps=1e-4,
                       hidden=(16, 8), mlp=(8,), lr=5e-3, epochs=30, seed=7, device="cpu")
    at = start_app(config.to_query())
    assert_clean(at)
    st = state(at)
    assert st.run.config == config and st.pending == config
    assert st.run.graph.name == "ring_of_cliques"
    assert at.query_params == config.to_query()
    assert not texts(at, "warning")


def test_applied_settings_travel_to_a_new_session() -> None:
    first = start_app({"hidden": "16", "mlp": "8"})
    first.number_input(key="cfg.seed").set_value(11).run()
    first.number_input(key="cfg.clusters").set_value(3).run()
    link = dict(first.query_params)
    assert link["seed"] == "11" and link["clusters"] == "3"
    second = start_app(link)
    assert state(second).run.config == state(first).pending == state(first).run.config


def test_a_link_without_a_graph_opens_the_landing_sample_with_the_link_s_settings() -> None:
    at = start_app({"clusters": "3", "hidden": "16", "mlp": "8"})
    assert_clean(at)
    landing = landing_config()
    assert landing.graph == "bridged_communities" and landing.delta == 1.0
    assert state(at).run.config == landing.replace(clusters=3, hidden=(16,), mlp=(8,))
    karate = start_app({"graph": "karate"})  # a link that names a graph gets the library's defaults for the rest
    assert state(karate).run.config == RunConfig(graph="karate")


def test_bad_link_parameters_fall_back_to_defaults_with_messages_shown_once() -> None:
    at = start_app({"clusters": "many", "graph": "../../etc/passwd", "colour": "red", "seed": "3"})
    assert_clean(at)
    st = state(at)
    assert st.run.config == landing_config().replace(seed=3)  # no usable graph: the landing run
    warnings = " ".join(texts(at, "warning"))
    assert "clusters" in warnings and "graph" in warnings and "colour" in warnings
    at.run()
    assert not texts(at, "warning")
    assert at.query_params["graph"] == landing_config().graph and "colour" not in at.query_params


def test_a_link_to_a_missing_dataset_opens_the_default_run() -> None:
    at = start_app({"graph": "upload:mine.csv", "clusters": "3"})
    assert_clean(at)
    assert state(at).run.config == landing_config()
    assert any("uploaded graph" in text for text in texts(at, "warning"))


def test_classroom_mode_hides_the_advanced_controls_and_stays_in_the_link() -> None:
    at = start_app({"classroom": "1"})
    assert_clean(at)
    keys = {w.key for w in at.number_input} | {w.key for w in at.text_input}
    assert "cfg.clusters" in keys and "cfg.seed" in keys
    assert "cfg.alpha1" not in keys and "cfg.hidden" not in keys
    assert [r.options for r in at.radio if r.key == "source.kind"] == [["Sample"]]
    assert at.query_params["classroom"] == "1"
