"""The real app in headless Chromium: Play trains and draws, Pause stops within a frame, a bad upload says why.

One app server and one browser serve every test of this file; the graph is the small default (karate) and the
model small, so the tests stay quick even when the software-rendered browser shares the CPU.
"""

from __future__ import annotations

import time
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import SMALL_MODEL, chromium_browser, epoch_of, streamlit_server

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


def open_app(chromium: Browser, app_url: str) -> Page:
    """A new browser tab (a new app session) on the default graph with a small model."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{app_url}/?{SMALL_MODEL}&epochs=2000")
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
    return epoch_of(page.locator(".st-key-epoch-counter").inner_text())


def test_play_trains_and_draws_then_pause_stops(app_page: Page, chromium: Browser, app_url: str) -> None:
    page, other = app_page, open_app(chromium, app_url)  # two sessions at once
    assert counter(page) == 0
    graph = page.frame_locator('iframe[title$="gtvviz_live_graph"]')  # the live graph (gtvviz_app.live_graph)
    expect(graph.locator("g.points path.point")).to_have_count(34, timeout=60_000)  # karate's 34 nodes
    page.get_by_role("button", name="Play", exact=True).click()
    deadline = time.monotonic() + 60
    while counter(page) < 3:
        assert time.monotonic() < deadline, "the epoch counter did not advance after Play"
        time.sleep(0.2)
    # while playing, the frames are painted on the playback canvas over the plot (its edges stay plotly's)
    expect(graph.locator("#playback")).to_be_visible(timeout=30_000)
    canvas = page.locator('iframe[title$="gtvviz_live_graph"]').element_handle().content_frame()
    assert canvas.evaluate(PAINTED_PIXELS) > 34 * 20  # 34 nodes of radius 6 and the cut edges
    expect(graph.locator("path.js-line").first).to_be_attached(timeout=30_000)  # the edges
    assert counter(other) == 0  # the other session's model is untouched
    other.get_by_role("button", name="Step", exact=True).click()
    expect(other.locator(".st-key-epoch-counter")).to_contain_text("Epoch 1 ", timeout=30_000)
    other.close()
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=30_000)
    time.sleep(1.0)  # the rest of the paused page (the counter comes after the buttons) is still arriving
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
