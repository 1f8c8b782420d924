"""The live graph component (``gtvviz_app.live_graph``): its payloads match ``graph_figure``, its folder works offline, and in
the browser one plot survives many frames (colours change, zoom stays, ``newPlot`` is called once)."""

from __future__ import annotations

import json
import re
import time
from typing import Iterator

import numpy as np
import pytest

from gtvviz.data import load_graph
from gtvviz.viz import compute_layout, graph_figure
from gtvviz.viz.assignment import SHARE_LEVELS
from gtvviz.viz.figures import color_values, node_hover
from gtvviz.viz.simplex import simplex_corners, simplex_positions
from gtvviz_app import live_graph as lg


@pytest.fixture(scope="module")
def karate() -> tuple:
    graph = load_graph("karate")
    pos = compute_layout(graph, seed=0)
    s = np.random.default_rng(0).dirichlet(np.ones(3), size=graph.num_nodes).astype(np.float32)
    return graph, pos, s


def test_frame_payload_uses_the_figure_helpers(karate: tuple) -> None:
    graph, pos, s = karate
    frame = lg.frame_payload(graph, s, epoch=7)
    json.dumps(frame, allow_nan=False)  # plain JSON: no numpy, no NaN
    assert frame["epoch"] == 7 and frame["k"] == 3 and frame["hover_columns"] == 3
    assert np.allclose(frame["colors"], color_values(s), atol=6e-5)
    customdata, _, _ = node_hover(graph, s)
    assert np.allclose(np.reshape(frame["hover"], (graph.num_nodes, 3)) / 100, customdata[:, 3:], atol=5.1e-3)
    # the darkened edges are the ones graph_figure draws at each level, with the level of their share
    figure = graph_figure(graph, pos, s)
    rows = np.reshape(frame["gtv"], (-1, 3))
    assert len(rows) > 0
    for level in range(1, SHARE_LEVELS + 1):
        pairs = rows[rows[:, 2] == level, :2]
        share = 0.5 * np.abs(s[pairs[:, 0]] - s[pairs[:, 1]]).sum(axis=1)  # by hand: ||s_i - s_j||_1 / 2
        assert np.all((share > (level - 1) / SHARE_LEVELS - 1e-6) & (share <= level / SHARE_LEVELS + 1e-6))
        trace = next(t for t in figure.data if t.name == f"GTV share {level}/{SHARE_LEVELS}")
        xs = np.column_stack([pos[pairs[:, 0], 0], pos[pairs[:, 1], 0], np.full(len(pairs), np.nan)]).ravel()
        assert np.allclose(xs, np.asarray(trace.x, dtype=np.float64), equal_nan=True)
    # and the simplex places are the library's
    assert np.allclose(np.reshape(frame["simplex"], (-1, 2)), simplex_positions(s), atol=6e-4)


def test_a_queued_frame_carries_no_hover(karate: tuple) -> None:
    graph, _, s = karate
    full, queued = lg.frame_payload(graph, s, epoch=3), lg.frame_payload(graph, s, epoch=3, hover=False)
    assert "hover" not in queued and "hover_columns" not in queued
    assert queued == {name: full[name] for name in ("colors", "gtv", "simplex", "k", "epoch", "sharpness")}


def test_a_frame_carries_its_sharpness_for_the_counter(karate: tuple) -> None:
    graph, _, s = karate
    by_hand = float(np.mean([max(row) for row in s.tolist()]))
    assert lg.frame_payload(graph, s, epoch=3)["sharpness"] == pytest.approx(by_hand, abs=5e-4)


def test_held_epoch_reads_only_the_report_of_the_asked_hold() -> None:
    assert lg.held_epoch({"hold": 4, "epoch": 17}, 4) == 17
    assert lg.held_epoch({"hold": 3, "epoch": 17}, 4) is None  # an older hold's report
    assert lg.held_epoch({"hold": 0, "epoch": 17}, 0) is None and lg.held_epoch(None, 4) is None
    assert lg.held_epoch({"hold": 4, "epoch": "17"}, 4) is None


def test_frame_payload_survives_a_diverged_assignment(karate: tuple) -> None:
    graph, _, s = karate
    bad = s.copy()
    bad[0] = np.nan
    json.dumps(lg.frame_payload(graph, bad), allow_nan=False)


def test_geometry_is_graph_figure_with_a_uniform_assignment(karate: tuple) -> None:
    graph, pos, _ = karate
    geometry = json.loads(lg.geometry_payload(graph, pos, 3))
    names = [trace["name"] for trace in geometry["figure"]["data"]]
    assert names == ["edges", *(f"GTV share {lv}/{SHARE_LEVELS}" for lv in range(1, SHARE_LEVELS + 1)), "nodes"]
    assert all(not trace.get("x") for trace in geometry["figure"]["data"][1:-1])  # uniform: no edge darkened
    assert np.allclose(geometry["corners"], simplex_corners(3)) and "undecided" in geometry["legend"]
    assert geometry["figure"]["layout"]["uirevision"] == "graph" and geometry["height"] == lg.HEIGHT
    fixed, _, _ = node_hover(graph, None)
    assert np.allclose(geometry["hover"], fixed, atol=1e-4)
    assert np.allclose(np.column_stack([geometry["x"], geometry["y"]]), pos, atol=1e-5)
    nodes = geometry["figure"]["data"][-1]
    assert "s = [" in nodes["hovertemplate"] and "degree" in nodes["hovertemplate"]
    assert "<b>%{text}</b>" in nodes["hovertemplate"] or graph.node_names is None


def test_the_geometry_carries_the_text_size_of_the_key_and_the_simplex_title(karate: tuple) -> None:
    graph, pos, _ = karate
    geometry = json.loads(lg.geometry_payload(graph, pos, 3, text_px=17))
    assert geometry["text_px"] == 17 and "font:17px" in geometry["legend"]
    assert "font:14px" in json.loads(lg.geometry_payload(graph, pos, 3))["legend"]  # the default


def test_geometry_key_changes_with_what_the_plot_is_built_from(karate: tuple) -> None:
    graph, pos, _ = karate
    key = lg.geometry_key("karate", graph, pos, 3)
    assert key == lg.geometry_key("karate", graph, pos.copy(), 3)
    assert re.fullmatch(r"[0-9a-f]{24}", key)  # opaque: no source or path reaches the browser
    others = {lg.geometry_key("karate", graph, pos + 1e-3, 3), lg.geometry_key("karate", graph, pos, 2),
              lg.geometry_key("other", graph, pos, 3), lg.geometry_key("karate", graph, pos, 3, picture="data:x"),
              lg.geometry_key("karate", graph, pos, 3, height=400), lg.geometry_key("karate", graph, pos, 3, text_px=17)}
    assert key not in others and len(others) == 6
    assert lg.cached_geometry(key, graph, pos, 3) is lg.cached_geometry(key, graph, pos, 3)


def test_component_folder_serves_plotly_offline() -> None:
    folder = lg.component_dir()
    index = (folder / "index.html").read_text()
    assert (folder / "plotly.min.js").stat().st_size == lg._plotly_js().stat().st_size
    assert '<script src="plotly.min.js"></script>' in index
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", index)  # nothing from the network
    assert not (folder / "plotly.min.js").is_symlink()  # Streamlit refuses links that leave the folder


# --- in the browser ------------------------------------------------------------------------------------------------

LIVE = "() => window.gtvvizLiveGraph"
#: The node positions (``data`` holds plotly.py's base64 arrays; ``_fullData`` the decoded ones, for visible traces).
NODE_POSITIONS = """() => {
  const nodes = document.getElementById('graph')._fullData.find(t => t.name === 'nodes');
  return {x: Array.from(nodes.x), y: Array.from(nodes.y)};
}"""
#: The nodes inside the zoomed view, and how many of them the playback canvas shows painted at their own pixel.
PAINTED_NODES_INSIDE_ZOOM = """() => {
  const div = document.getElementById('graph'), canvas = document.getElementById('playback');
  const xa = div._fullLayout.xaxis, ya = div._fullLayout.yaxis, ratio = window.devicePixelRatio || 1;
  const nodes = window.__nodes, g = canvas.getContext('2d');
  let inside = 0, painted = 0;
  for (let i = 0; i < nodes.x.length; i++) {
    const px = xa._offset + xa.l2p(nodes.x[i]), py = ya._offset + ya.l2p(nodes.y[i]);
    const m = 2;  // (a node on the clip's edge would be cut)
    if (px < xa._offset + m || px > xa._offset + xa._length - m) continue;
    if (py < ya._offset + m || py > ya._offset + ya._length - m) continue;
    inside++;
    if (g.getImageData(Math.round(px * ratio), Math.round(py * ratio), 1, 1).data[3] > 0) painted++;
  }
  return [inside, painted];
}"""
#: Painted (non-transparent) pixels of the simplex canvas.
PAINTED_SIMPLEX = """() => {
  const c = document.getElementById('simplex'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; }
  return n;
}"""
#: Edges in each GTV-share trace of the plot, level 1 first.
SHARE_TRACE_SIZES = """() => document.getElementById('graph').data.filter(t => t.name.startsWith('GTV share'))
  .map(t => (t.x || []).filter(v => v === null).length)"""
RANGES = "() => ['xaxis', 'yaxis'].map(a => document.getElementById('graph')._fullLayout[a].range)"


@pytest.fixture(scope="module")
def app_page() -> Iterator:
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, SMALL_MODEL, chromium_path, streamlit_server

    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}/?graph=karate&{SMALL_MODEL}&clusters=3&epochs=2000")
        yield page
        browser.close()


def _graph_frame(page):  # noqa: ANN001, ANN202
    from playwright.sync_api import expect

    iframe = page.locator('iframe[title$="gtvviz_live_graph"]')
    expect(iframe).to_be_visible(timeout=120_000)
    frame = iframe.element_handle().content_frame()
    frame.wait_for_function("window.gtvvizLiveGraph && window.gtvvizLiveGraph.newPlots > 0", timeout=60_000)
    return frame


@pytest.mark.browser
def test_frames_update_one_plot_in_place(app_page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    from tests.browser import graph_of, settled

    page = app_page
    frame = _graph_frame(page)
    expect(frame.locator("g.points path.point")).to_have_count(34)  # karate's 34 nodes
    colors = "() => Array.from(document.getElementById('graph').data.find(t => t.name === 'nodes').marker.color)"
    before = frame.evaluate(colors)
    nodes = frame.evaluate(NODE_POSITIONS)
    assert frame.evaluate(LIVE)["newPlots"] == 1 and frame.evaluate(LIVE)["error"] is None

    page.get_by_role("button", name="Play", exact=True).click()
    # (the full reruns of Play and Pause can make Streamlit mount the component again: graph_of finds the current
    # frame once the frames flow; from then on every frame must update the same plot)
    expect(page.locator(".st-key-epoch-counter")).to_contain_text("Training", timeout=60_000)
    frame = graph_of(page, "window.gtvvizLiveGraph.epoch >= 5", timeout=90)
    settled(page)
    frame = graph_of(page, "window.gtvvizLiveGraph.epoch >= 5")
    # zoom in while playing; the zoom must survive the frames
    frame.evaluate("() => Plotly.relayout('graph', {'xaxis.range': [-0.5, 0.5], 'yaxis.range': [-0.5, 0.5]})")
    zoomed = frame.evaluate(RANGES)  # (y follows x's scale: the axes keep a 1:1 aspect ratio)
    frame.evaluate("nodes => { window.__nodes = nodes; window.__marker = 'same iframe'; }", nodes)
    start = frame.evaluate(LIVE)
    frame.wait_for_function(f"window.gtvvizLiveGraph.updates >= {start['updates'] + 20} && "
                            "window.gtvvizLiveGraph.epoch >= 50", timeout=90_000)
    # while playing, frames go to the playback canvas, drawn on the zoomed axes: every node inside the zoomed view is
    # painted at the pixel plotly's axes give it, while the plot's own nodes are hidden
    inside, painted = frame.evaluate(PAINTED_NODES_INSIDE_ZOOM)
    assert inside >= 3 and painted == inside, (inside, painted)
    assert frame.evaluate("() => document.getElementById('graph').data.find(t => t.name === 'nodes').visible") is False
    # the plot lived through every frame: one iframe, no new plot, the zoom kept (the axis the 1:1 aspect ratio
    # widens depends on the panel's shape), and each rerun of the live view brought several frames (at the default
    # pace every epoch), played in turn
    live = frame.evaluate(LIVE)
    assert frame.evaluate("() => window.__marker") == "same iframe"
    assert live["newPlots"] == start["newPlots"] == 1 and live["error"] is None, live
    assert live["played"] > 0 and live["newPlots"] + live["updates"] > live["renders"], live
    played = [b - a for a, b in zip(live["drawn"], live["drawn"][1:]) if b > a]
    assert sum(step <= 5 for step in played) >= len(played) / 2, live["drawn"]
    (x0, x1), (y0, y1) = zoomed
    assert min(x1 - x0, y1 - y0) == pytest.approx(1.0) and max(x1 - x0, y1 - y0) < 1.5
    assert frame.evaluate(RANGES) == zoomed

    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=30_000)
    expect(page.locator(".st-key-epoch-counter")).to_contain_text("paused", timeout=30_000)  # Pause held the frame
    time.sleep(1.0)
    # (the full reruns of a pause can make Streamlit mount the component again: graph_of finds the current frame)
    frame = graph_of(page)
    # paused: plotly draws again (nodes visible, hover and all), the playback canvas is hidden, and the plot keeps
    # its height (a restyled responsive plot in an auto-height div used to collapse to 0 px)
    assert frame.evaluate("() => document.getElementById('playback').style.display") == "none"
    assert frame.evaluate("() => document.querySelector('#graph .svg-container').clientHeight") > 100
    paused = frame.evaluate(LIVE)
    assert paused["newPlots"] == 1 and paused["error"] is None, paused  # the held frame is not drawn anew
    assert page.locator('iframe[title$="gtvviz_live_graph"]').count() == 1
    after = frame.evaluate(colors)
    assert len(after) == 34 and after != before  # the colours changed
    expect(frame.locator("g.points path.point")).to_have_count(34)
    # the hover holds index, label, degree and the soft assignment of the drawn epoch
    rows = frame.evaluate("() => document.getElementById('graph').data.find(t => t.name === 'nodes').customdata")
    assert len(rows) == 34 and all(len(row) == 3 + 3 for row in rows)
    assert all(abs(sum(row[3:]) - 1) < 0.05 for row in rows)
    assert [row[0] for row in rows] == list(range(34))
    drawn = frame.evaluate("() => window.gtvvizLiveGraph.epoch")
    counter = page.locator(".st-key-epoch-counter").inner_text()
    assert f"Epoch {drawn} " in counter  # the graph shows the epoch the counter shows
    assert frame.evaluate("() => window.gtvvizLiveGraph.counter").startswith(f"Epoch {drawn} / 2000")
    # the simplex panel beside the graph is painted (karate's 34 nodes, corners, outline) and the colour key shows
    panel = frame.locator("#simplex-panel")
    expect(panel).to_be_visible()
    box, graph_box = panel.bounding_box(), frame.locator("#graph").bounding_box()
    assert box["x"] >= graph_box["x"] + graph_box["width"] - 1  # beside the graph, a third of the width
    assert 0.3 < box["width"] / (box["width"] + graph_box["width"]) < 0.4, (box, graph_box)
    assert frame.evaluate(PAINTED_SIMPLEX) > 34 * 20
    expect(frame.locator(".gtvviz-legend")).to_be_visible()
    assert "undecided" in frame.locator(".gtvviz-legend").inner_text()
    # edges between nodes of different rows are darkened by their GTV share (at most the edges of the graph)
    levels = frame.evaluate(SHARE_TRACE_SIZES)
    assert 0 < sum(levels) <= 78, levels
