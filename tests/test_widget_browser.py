"""The TrainingWidget in a real JupyterLab (started by the test) and real Chromium: Play advances the counter and
recolours the graph, another cell runs while it plays, Pause stops it, and the counter shows the graph's epoch."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import chromium_browser
from tests.lab import lab_server, run_cell, wait_for_kernel

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BUILD = ("from gtvviz.widgets import TrainingWidget\n"
         "w = TrainingWidget('karate', clusters=2, hidden=(16,), mlp=(8,), lr=0.01, epochs=5000)\n"
         "w")
OTHER = "print('other cell', 6 * 7, w.playing)"
COMPARE = ("from gtvviz.widgets import CompareWidget\n"
           "c = CompareWidget('karate', methods=('tvgnn', 'mincut'), clusters=2, hidden=(16,), mlp=(8,), epochs=100)\n"
           "c")
#: Every compare panel's drawn epoch, and the counter.
PANELS = """() => {
  const el = document.querySelectorAll('.gtvviz-widget')[1];
  return {counter: Number(el.querySelector('.gtvviz-counter').dataset.epoch),
          drawn: el.gtvvizLiveGraphs.map(live => live.epoch), errors: el.gtvvizLiveGraphs.map(live => live.error)};
}"""
#: The epoch on the counter, the epoch the graph drew last, and the node colours plotly shows.
VIEW = """() => {
  const el = document.querySelector(".gtvviz-widget"), live = el.querySelector(".gtvviz-graph").gtvvizLiveGraph;
  const nodes = el.querySelector('#graph').data.find(t => t.name === 'nodes');
  return {counter: Number(el.querySelector('.gtvviz-counter').dataset.epoch), drawn: live.epoch,
          played: live.played, colors: Array.from(nodes.marker.color), error: live.error};
}"""
COUNTER = "() => Number(document.querySelector('.gtvviz-counter').dataset.epoch)"


def test_play_pause_and_another_cell_in_jupyterlab() -> None:  # and CompareWidget's Step 10
    with lab_server() as lab, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(lab.notebook("widget.ipynb", [BUILD, OTHER, COMPARE]))
        wait_for_kernel(page)
        run_cell(page, 0)
        widget = page.locator(".gtvviz-widget")
        expect(widget.locator(".gtvviz-counter")).to_have_text("epoch 0 / 5000", timeout=180_000)
        page.wait_for_function("() => document.querySelector('.gtvviz-graph').gtvvizLiveGraph.newPlots === 1",
                               timeout=60_000)
        before = page.evaluate(VIEW)
        assert before["error"] is None and before["drawn"] == 0

        widget.get_by_role("button", name="Play").click()
        page.wait_for_function(f"() => ({COUNTER})() >= 5", timeout=60_000)
        assert widget.get_by_role("button", name="Play").is_disabled()
        # another cell runs (and its output appears) while the widget plays; the counter keeps advancing after it
        run_cell(page, 1)
        expect(page.locator(".jp-OutputArea-output").filter(has_text="other cell 42 True")).to_be_visible(
            timeout=60_000)
        after_cell = page.evaluate(COUNTER)
        page.wait_for_function(f"() => ({COUNTER})() >= {after_cell + 5}", timeout=60_000)
        playing = page.evaluate(VIEW)
        assert playing["played"] > 0  # frames painted while playing

        widget.get_by_role("button", name="Pause").click()
        expect(widget.get_by_role("button", name="Play")).to_be_enabled(timeout=30_000)
        page.wait_for_timeout(1500)  # the still frame (with its hover) is drawn by plotly
        paused = page.evaluate(VIEW)
        page.wait_for_timeout(1500)
        still = page.evaluate(VIEW)
        assert still["counter"] == paused["counter"] > after_cell  # Pause stopped it
        assert still["counter"] == still["drawn"]  # the counter shows the epoch the graph drew
        assert still["colors"] != before["colors"]  # the nodes were recoloured
        assert still["error"] is None

        # CompareWidget: Step 10 trains both methods; both panels and the counter show epoch 10
        run_cell(page, 2)
        compare = page.locator(".gtvviz-widget").nth(1)
        expect(compare.locator(".gtvviz-counter")).to_have_text("epoch 0 / 100", timeout=120_000)
        compare.get_by_role("button", name="Step 10").click()
        expect(compare.locator(".gtvviz-counter")).to_have_text("epoch 10 / 100", timeout=60_000)
        page.wait_for_function(f"() => ({PANELS})().drawn.every(epoch => epoch === 10)", timeout=30_000)
        assert page.evaluate(PANELS)["errors"] == [None, None]


def test_saved_html_draws_the_view_offline(tmp_path) -> None:
    from gtvviz.widgets import TrainingWidget

    widget = TrainingWidget("karate", clusters=2, hidden=(16,), mlp=(8,), lr=0.01, epochs=100)
    widget.step(20)
    path = widget.save_html(tmp_path / "view.html")
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        page.wait_for_function("() => document.querySelector('.gtvviz-graph').gtvvizLiveGraph.newPlots === 1",
                               timeout=60_000)
        view = page.evaluate(VIEW)
        assert view["counter"] == view["drawn"] == 20 and view["error"] is None
        assert view["colors"] == widget._frame["colors"]
        assert page.locator(".gtvviz-bar button").first.is_hidden()  # a static copy: no transport bar
        assert requests == [path.as_uri()]  # nothing else fetched
