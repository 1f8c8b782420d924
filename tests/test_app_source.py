"""AppTest: the graph picker shows the running graph's source, also when a link opens a generated graph."""

from __future__ import annotations

import pytest

from gtvviz.data import generator_source, parse_source
from gtvviz_app.source import picker_values
from tests.app_helpers import assert_clean, start_app, state

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_picker_values_fill_in_the_parameters_a_generator_string_leaves_out() -> None:
    values = picker_values("sbm:sizes=30-20,seed=4")
    assert values["source.kind"] == "Generator" and values["source.generator"] == "sbm"
    assert values["gen.sbm.sizes"] == "30-20" and values["gen.sbm.seed"] == 4
    assert values["gen.sbm.p_in"] == pytest.approx(0.1)  # the generator's default
    assert picker_values("karate") == {"source.kind": "Sample", "source.sample": "karate"}
    assert picker_values("pyg:Cora") == {"source.kind": "PyG dataset", "source.dataset": "Cora"}


def test_a_link_to_a_generated_graph_restores_the_generator_and_its_parameters() -> None:
    at = start_app({"graph": "grid:width=12,height=10,shapes=2,seed=3", "clusters": "3", "hidden": "16", "mlp": "8"})
    assert_clean(at)
    assert state(at).run.graph.num_nodes == 120
    assert at.radio(key="source.kind").value == "Generator"
    assert at.selectbox(key="source.generator").value == "grid"
    assert at.number_input(key="gen.grid.width").value == 12
    assert at.number_input(key="gen.grid.height").value == 10
    assert at.number_input(key="gen.grid.seed").value == 3
    assert at.number_input(key="gen.grid.noise").value == pytest.approx(0.15)
    assert not [w.value for w in at.warning]


def test_generating_from_the_restored_form_keeps_the_linked_graph() -> None:
    at = start_app({"graph": "sbm:sizes=20-20,p_in=0.3,seed=2", "clusters": "2", "hidden": "16", "mlp": "8"})
    kind, params = parse_source(state(at).run.config.graph)
    at.button[[b.label for b in at.button].index("Generate")].click().run()
    assert_clean(at)
    assert state(at).run.config.graph == generator_source(kind, **params)  # the same graph, spelled in full
    assert state(at).run.graph.num_nodes == 40


def test_a_sample_link_selects_the_sample() -> None:
    at = start_app({"graph": "ring_of_cliques", "clusters": "6", "hidden": "16", "mlp": "8"})
    assert at.radio(key="source.kind").value == "Sample"
    assert at.selectbox(key="source.sample").value == "ring_of_cliques"
