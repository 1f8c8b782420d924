"""The pooling page (AppTest) and its pure figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gtvviz.classification import PoolLevel
from gtvviz.graph import Graph
from gtvviz.viz.pooling_figures import (accuracy_figure, coarsened_graph_figure, level_masses, pooled_positions,
                                        pooling_figures)
from tests.app_helpers import assert_clean, start_app, state, texts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PAGE = "gtvviz_app/pages/pooling.py"
RUN = "gtvviz_pooling"


def open_page():
    at = start_app()
    at.switch_page(PAGE).run()
    assert_clean(at)
    return at


def test_page_trains_by_epoch_and_draws_every_level() -> None:
    at = open_page()
    run = at.session_state[RUN]
    assert run.dataset.name == "synthetic" and run.trainer.epoch == 0
    assert len(at.get("plotly_chart")) == 5  # loss, accuracy, input graph, two pooled levels
    at.button(key="pooling.step").click().run()
    assert_clean(at)
    assert at.session_state[RUN].trainer.epoch == 1
    assert any("Epoch 1" in text for text in texts(at, "markdown"))
    at.number_input(key="pooling.graph").set_value(7).run()
    assert_clean(at)
    assert run.setting == "teaching" and run.trainer.model.pool_sizes == (3, 2)  # an 8th and a 16th of 28 nodes
    assert any("Teaching" in text and "Paper: largest graph" in text for text in texts(at, "caption"))
    at.selectbox(key="pooling.setting").set_value("paper-mean")
    at.button(key="FormSubmitter:pooling.settings-Apply and reset").click().run()
    assert_clean(at)
    run = at.session_state[RUN]
    assert run.trainer.epoch == 0 and run.trainer.model.pool_sizes == (14, 7)  # mean size 28 instead of max 40
    assert run.config.lr == 5e-4 and run.dataset.features.endswith("share the last)")  # no eigenvectors
    assert any("K1, K2 = 14, 7" in text for text in texts(at, "caption"))
    at.selectbox(key="pooling.setting").set_value("paper")
    at.button(key="FormSubmitter:pooling.settings-Apply and reset").click().run()
    assert at.session_state[RUN].trainer.model.pool_sizes == (20, 10)  # the reference: half and a quarter of 40


def test_switching_to_a_tu_dataset_and_another_pooling(dataset_root: Path) -> None:
    at = open_page()
    state(at).data_root = str(dataset_root)
    at.selectbox(key="pooling.dataset").set_value("MUTAG")
    at.selectbox(key="pooling.pool").set_value("none")
    at.button(key="FormSubmitter:pooling.settings-Apply and reset").click().run()
    assert_clean(at)
    run = at.session_state[RUN]
    assert run.dataset.name == "MUTAG" and run.config.pool == "none"
    assert len(at.get("plotly_chart")) == 3  # no pooling: the input graph only


def test_a_missing_dataset_keeps_the_run_and_says_why(tmp_path: Path) -> None:
    at = open_page()
    state(at).data_root = str(tmp_path)
    at.selectbox(key="pooling.dataset").set_value("NCI1")
    at.button(key="FormSubmitter:pooling.settings-Apply and reset").click().run()
    assert_clean(at)
    assert at.session_state[RUN].dataset.name == "synthetic"
    assert any("NCI1" in text for text in texts(at, "error"))


def levels() -> list[PoolLevel]:
    rng = np.random.default_rng(0)
    s1 = rng.dirichlet(np.ones(4), size=6)
    s2 = rng.dirichlet(np.ones(2), size=4)
    adj1 = s1.T @ np.ones((6, 6)) @ s1
    return [PoolLevel(s1, rng.normal(size=(4, 3)), adj1), PoolLevel(s2, rng.normal(size=(2, 3)), s2.T @ adj1 @ s2)]


def test_masses_and_positions_follow_the_assignments() -> None:
    masses = level_masses(levels())
    assert [m.shape for m in masses] == [(4,), (2,)]
    assert np.allclose([m.sum() for m in masses], 6.0)
    pos = np.arange(12.0).reshape(6, 2)
    one_hot = np.eye(3)[[0, 0, 1, 1, 2, 2]]
    assert np.allclose(pooled_positions(pos, one_hot), [[1, 2], [5, 6], [9, 10]])


def test_pooling_figures_one_per_stage() -> None:
    graph = Graph.from_edges([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]], 6)
    pos = np.random.default_rng(1).normal(size=(6, 2))
    figures = pooling_figures(graph, pos, levels())
    assert len(figures) == 3
    assert "6 nodes" in figures[0].layout.title.text and "4 supernodes" in figures[1].layout.title.text
    assert len(pooling_figures(graph, pos, [])) == 1
    nodes = figures[2].data[-1]
    masses = level_masses(levels())[-1]  # area proportional to each supernode's share of the 6 input nodes
    np.testing.assert_allclose(nodes.marker.size, 6 + 40 * np.sqrt(masses / 6))
    s1 = levels()[0].s
    assert f"sharpness {s1.max(axis=1).mean():.2f}, uniform 0.25" in figures[0].layout.title.text


def test_coarsened_graph_draws_only_the_heaviest_edges() -> None:
    k = 30
    adj = np.random.default_rng(2).uniform(0.1, 1.0, (k, k))
    fig = coarsened_graph_figure(np.random.default_rng(3).normal(size=(k, 2)), np.ones(k), adj + adj.T, max_edges=50)
    segments = sum(np.isfinite(np.asarray(t.x, dtype=float)).sum() // 2 for t in fig.data[:-1])
    assert segments == 50


def test_accuracy_figure() -> None:
    fig = accuracy_figure([{"epoch": 1, "train_accuracy": 0.5, "val_accuracy": 0.4},
                           {"epoch": 2, "train_accuracy": 0.7, "val_accuracy": 0.6}])
    assert [t.name for t in fig.data] == ["train", "validation"] and list(fig.data[1].y) == [0.4, 0.6]


def test_the_page_keeps_the_link_and_has_its_settings_in_the_sidebar() -> None:
    at = start_app({"classroom": "1", "seed": "5", "hidden": "16", "mlp": "8"})
    link = dict(at.query_params)
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert dict(at.query_params) == link and link["classroom"] == "1" and link["seed"] == "5"
    assert {w.key for w in at.sidebar.selectbox} >= {"pooling.dataset", "pooling.pool", "pooling.setting"}
    assert "source.kind" not in {w.key for w in at.radio}  # the Explore run's graph picker is not shown here

