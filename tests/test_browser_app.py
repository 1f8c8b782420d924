"""The real app in headless Chromium at 1280x720: Play trains and draws, Pause stops on the drawn frame, the pace
changes the epochs per second, a typed K reaches the running model, a bad upload says why.

One app server and one browser serve every test of this file; the graph is karate and the model small, so the
tests stay quick even when the software-rendered browser shares the CPU.
"""

from __future__ import annotations

import re
import time
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import (SMALL_MODEL, address, chromium_browser, epoch_of, graph_of, live_counter, live_evaluate,
                           settled, streamlit_server)

pytestmark = pytest.mark.browser
LOAD_TIMEOUT = 120_000  # ms: the first page load imports torch in the server


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with chromium_browser() as browser:  # a missing Chromium fails the test; it is never skipped or downloaded
        yield browser


def open_app(chromium: Browser, app_url: str, extra: str = "") -> Page:
    """A new browser tab (a new app session) on karate with a small model."""
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{app_url}/?graph=karate&{SMALL_MODEL}&epochs=2000{extra}")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=LOAD_TIMEOUT)
    return page


@pytest.fixture
def app_page(chromium: Browser, app_url: str) -> Iterator[Page]:
    page = open_app(chromium, app_url)
    yield page
    page.close()


#: Non-transparent pixels of the live graph's playback canvas.
PAINTED_PIXELS = """() => {
  const canvas = document.getElementById('playback');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { painted++; } }
  return painted;
}"""


def counter(page: Page) -> int:
    """The epoch of the status line (shown while paused)."""
    return epoch_of(page.locator(".st-key-epoch-counter").inner_text())


def test_play_trains_and_draws_then_pause_stops(app_page: Page, chromium: Browser, app_url: str) -> None:
    page, other = app_page, open_app(chromium, app_url)  # two sessions at once
    assert counter(page) == 0
    graph = page.frame_locator('iframe[title$="gtvviz_live_graph"]')  # the live graph (gtvviz_app.live_graph)
    expect(graph.locator("g.points path.point")).to_have_count(34, timeout=60_000)  # karate's 34 nodes
    page.get_by_role("button", name="Play", exact=True).click()
    deadline = time.monotonic() + 60
    while live_counter(page) < 3:
        assert time.monotonic() < deadline, "the epoch counter did not advance after Play"
        time.sleep(0.2)
    # while playing, the frames are painted on the playback canvas over the plot (its edges stay plotly's)
    expect(graph.locator("#playback")).to_be_visible(timeout=30_000)
    assert live_evaluate(page, PAINTED_PIXELS) > 34 * 20  # 34 nodes of radius 6 and the cut edges
    expect(graph.locator("path.js-line").first).to_be_attached(timeout=30_000)  # the edges
    assert counter(other) == 0  # the other session's model is untouched
    other.get_by_role("button", name="Step", exact=True).click()
    expect(other.locator(".st-key-epoch-counter")).to_contain_text("Epoch 1 ", timeout=30_000)
    graph_of(other, "document.getElementById('counter').innerText.startsWith('Epoch 1 ')")  # its graph follows
    other.close()
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=30_000)
    expect(page.locator(".st-key-epoch-counter")).to_contain_text("paused", timeout=30_000)  # the hold answered
    time.sleep(1.0)  # the rest of the paused page is still arriving
    expect(graph.locator("g.points path.point")).to_have_count(34)  # paused: drawn by plotly again, hover and all
    expect(graph.locator("#playback")).to_be_hidden()
    stopped = counter(page)
    time.sleep(2.0)
    assert counter(page) == stopped
    assert stopped < 2000


def test_bad_upload_shows_one_message_and_keeps_the_graph(app_page: Page) -> None:
    page = app_page
    page.get_by_text("Upload", exact=True).click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "broken.csv", "mimeType": "text/csv", "buffer": b"source,target\n0,\x00\xff\n"}])
    alert = page.locator("[data-testid=stAlertContentError]")
    expect(alert).to_contain_text("broken.csv", timeout=30_000)
    expect(alert).to_have_count(1)
    expect(page.get_by_text("34 nodes")).to_be_visible()


def test_pause_stops_on_the_drawn_frame_and_the_counter_shows_it(app_page: Page) -> None:
    page = app_page
    graph_of(page)
    page.get_by_role("button", name="Play", exact=True).click()
    graph_of(page, "window.gtvvizLiveGraph.epoch >= 15", timeout=90)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=30_000)
    expect(page.locator(".st-key-epoch-counter")).to_contain_text("paused", timeout=30_000)  # the hold answered
    time.sleep(1.5)
    live = live_evaluate(page, "() => window.gtvvizLiveGraph")
    drawn = live["epoch"]
    assert counter(page) == drawn == live_counter(page)  # the status line, the counter and the graph agree
    # Pause stopped on the frame on screen: nothing later was ever drawn (no jump to the latest trained epoch)
    assert max(live["drawn"]) == drawn and live["played"] > 0 and live["held"] > 0, live["drawn"]
    time.sleep(1.0)
    assert counter(page) == drawn == live_evaluate(page, "() => window.gtvvizLiveGraph.epoch")
    # the hover rows of the plot hold the drawn epoch's assignment again (the page drew that epoch)
    rows = live_evaluate(page, "() => document.getElementById('graph').data.find(t => t.name === 'nodes').customdata")
    assert len(rows) == 34 and all(abs(sum(row[3:]) - 1) < 0.05 for row in rows)


def test_a_typed_k_reaches_the_running_model(app_page: Page) -> None:
    page = app_page
    graph_of(page)
    field = page.locator(".st-key-cfg-clusters input")
    settled(page)
    field.fill("3")  # typed, not confirmed with Enter: pressing Reset must not lose it
    page.get_by_role("button", name="Reset", exact=True).click()
    graph_of(page, "document.getElementById('graph').data.find(t => t.name === 'nodes').customdata[0].length === 6")
    # (index, label, degree + 3 columns)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(".st-key-epoch-counter")).to_contain_text("Epoch 1 ", timeout=30_000)
    rows = live_evaluate(page, "() => document.getElementById('graph').data.find(t => t.name === 'nodes').customdata")
    assert all(len(row) == 6 and abs(sum(row[3:]) - 1) < 0.05 for row in rows)  # the model's 3 clusters
    assert "clusters=3" in address(page)
    assert field.input_value() == "3"


def _epochs_per_second(page: Page, seconds: float) -> float:
    start = live_evaluate(page, "() => window.gtvvizLiveGraph.epoch")
    time.sleep(seconds)
    return (live_evaluate(page, "() => window.gtvvizLiveGraph.epoch") - start) / seconds


def test_the_pace_changes_the_epochs_per_second(app_page: Page) -> None:
    page = app_page
    thumb = page.locator(".st-key-pace input[type=range]")
    thumb.focus()
    thumb.press("Home")  # the slowest pace: 2 epochs per second, slow motion
    expect(thumb).to_have_attribute("aria-valuetext", re.compile("^2/s"), timeout=30_000)
    settled(page)  # a click on the copy Streamlit keeps of the previous run's button is lost
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=30_000)
    graph_of(page, "window.gtvvizLiveGraph.epoch >= 2")
    before = live_evaluate(page, "() => window.gtvvizLiveGraph.drawn.length")
    slow = _epochs_per_second(page, 5.0)
    drawn = live_evaluate(page, "() => window.gtvvizLiveGraph.drawn")[before - 1:]
    steps = [b - a for a, b in zip(drawn, drawn[1:]) if b > a]
    assert steps and max(steps) == 1, drawn  # slow motion draws every epoch
    thumb.focus()
    for _ in range(4):
        thumb.press("ArrowRight")  # 2 -> 5 -> 10 -> 20 -> 50 epochs per second, in the same run
    expect(thumb).to_have_attribute("aria-valuetext", re.compile("^50/s"), timeout=30_000)
    time.sleep(1.0)
    before = live_evaluate(page, "() => window.gtvvizLiveGraph.drawn.length")
    fast = _epochs_per_second(page, 5.0)
    drawn = live_evaluate(page, "() => window.gtvvizLiveGraph.drawn")[before - 1:]
    page.get_by_role("button", name="Pause", exact=True).click()
    assert 0 < slow <= 3.0, slow  # never faster than the pace (slower when the machine is loaded)
    assert fast >= 3 * slow, (slow, fast)  # the pace, not the machine, sets the epochs per second
    # 50/s: every 4th epoch is drawn (14 frames a second at most), evenly: no bursts of neighbours, then jumps
    steps = sorted(b - a for a, b in zip(drawn, drawn[1:]) if b > a)
    assert steps and steps[len(steps) // 2] == 4 and steps[len(steps) * 9 // 10] <= 8, drawn
