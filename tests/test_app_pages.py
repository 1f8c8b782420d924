"""AppTest: every page renders, and the graph picker loads samples, generators and uploads (or says why not)."""

from __future__ import annotations

import pytest

from gtvviz import RunConfig
from gtvviz.data import SAMPLES

from tests.app_helpers import assert_clean, click, start_app, state, texts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PAGES = ("gtvviz_app/pages/data.py", "gtvviz_app/pages/theory.py", "gtvviz_app/pages/compare.py", "gtvviz_app/pages/pooling.py", "gtvviz_app/pages/explore.py")


def test_every_page_renders() -> None:
    at = start_app({"graph": "karate", "hidden": "16", "mlp": "8"})
    click(at, "Step 10")
    for page in PAGES:
        at.switch_page(page).run()
        assert_clean(at)
    at.switch_page("gtvviz_app/pages/theory.py").run()
    assert len(at.latex) >= 5
    assert any("smallest Γ" == m.label for m in at.metric)


def test_data_page_shows_the_graph_and_its_draggable_view() -> None:
    at = start_app({"graph": "karate"})
    at.switch_page("gtvviz_app/pages/data.py").run()
    assert_clean(at)
    assert [m.value for m in at.metric][:2] == ["34", "78"]
    at.toggle(key="data.pyvis").set_value(True).run()
    assert_clean(at)


def test_choosing_a_sample_restarts_on_its_preset() -> None:
    """The run its "what to look for" text describes: the defaults with the sample's K and preset, whatever the
    settings were before (here δ, the seed and the widths)."""
    at = start_app({"graph": "karate", "hidden": "16", "mlp": "8", "delta": "0.5", "seed": "7"})
    at.selectbox(key="source.sample").set_value("ring_of_cliques").run()
    assert_clean(at)
    st = state(at)
    sample = SAMPLES["ring_of_cliques"]
    expected = RunConfig(graph="ring_of_cliques", clusters=sample.suggested_k).replace(**sample.preset)
    assert st.run.config == expected and st.run.latest.epoch == 0
    assert st.run.config.clusters == 6 and st.run.config.seed == sample.preset["seed"] != 7
    assert at.query_params["graph"] == "ring_of_cliques" and at.query_params["seed"] == str(sample.preset["seed"])
    assert float(at.query_params["delta"]) == RunConfig.delta


def test_generating_a_graph() -> None:
    at = start_app({"graph": "karate", "hidden": "16", "mlp": "8"})
    at.radio(key="source.kind").set_value("Generator").run()
    at.selectbox(key="source.generator").set_value("sbm").run()
    at.text_input(key="gen.sbm.sizes").set_value("30-30")
    click(at, "Generate")
    assert_clean(at)
    st = state(at)
    assert st.run.graph.num_nodes == 60 and st.run.config.clusters == 2
    assert st.run.config.graph.startswith("sbm:sizes=30-30,")


def test_a_bad_generator_parameter_gives_a_message() -> None:
    at = start_app({"graph": "karate", "hidden": "16", "mlp": "8"})
    at.radio(key="source.kind").set_value("Generator").run()
    at.selectbox(key="source.generator").set_value("sbm").run()
    at.text_input(key="gen.sbm.sizes").set_value("30-x")
    click(at, "Generate")
    assert any("sizes" in text for text in texts(at, "error"))
    assert state(at).run.graph.name == "karate"


def test_a_bad_upload_gives_a_message_and_keeps_the_graph_and_run() -> None:
    at = start_app({"graph": "karate", "hidden": "16", "mlp": "8"})
    click(at, "Step 10")
    run = state(at).run
    at.radio(key="source.kind").set_value("Upload").run()
    at.file_uploader(key="source.upload").set_value(("broken.csv", b"source,target\n0,\x00\xff\n", "text/csv")).run()
    assert_clean(at)
    assert len(texts(at, "error")) == 1 and "broken.csv" in texts(at, "error")[0]
    assert state(at).run is run and run.latest.epoch == 10 and run.graph.name == "karate"


def test_a_good_upload_replaces_the_graph() -> None:
    at = start_app({"graph": "karate", "hidden": "16", "mlp": "8"})
    at.radio(key="source.kind").set_value("Upload").run()
    edges = b"source,target\na,b\nb,c\nc,a\nc,d\nd,e\ne,f\nf,d\n"
    at.file_uploader(key="source.upload").set_value(("triangles.csv", edges, "text/csv")).run()
    assert_clean(at)
    st = state(at)
    assert st.run.graph.num_nodes == 6 and st.run.config.graph == "upload:triangles.csv"
    click(at, "Reset")  # the upload stays in the session, so Reset works on it
    assert_clean(at)
    assert state(at).run.graph.num_nodes == 6


def test_settings_survive_page_switches() -> None:
    at = start_app({"alpha1": "0.5", "hidden": "16", "mlp": "8"})
    for page in ("gtvviz_app/pages/theory.py", "gtvviz_app/pages/data.py", "gtvviz_app/pages/explore.py", "gtvviz_app/pages/data.py"):
        at.switch_page(page).run()
        assert_clean(at)
        assert at.number_input(key="cfg.alpha1").value == 0.5
        assert at.text_input(key="cfg.hidden").value == "16"
    assert state(at).pending == state(at).run.config  # the switches changed no setting
