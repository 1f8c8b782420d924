"""The real app in headless Chromium at 1280x720: links restore the graph picker and survive a switch to Pooling.

One app server and one browser serve every test of this file; the model is small, so the pages load quickly even
when the software-rendered browser shares the CPU.
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser import SMALL_MODEL, address, chromium_browser, settled, streamlit_server, visible_boxes

pytestmark = pytest.mark.browser
LOAD_TIMEOUT = 120_000  # ms: the first page load imports torch in the server


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    tab = chromium.new_page(viewport={"width": 1280, "height": 720})
    yield tab
    tab.close()


def test_a_link_to_a_generated_graph_restores_the_generator_choice(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/?graph=grid:width=12,height=10,shapes=2,seed=3&clusters=3&{SMALL_MODEL}")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=LOAD_TIMEOUT)
    sidebar = page.locator("section[data-testid=stSidebar]")
    expect(sidebar.get_by_role("radio", name="Generator")).to_be_checked()
    expect(sidebar.get_by_role("combobox", name="Generator")).to_have_value(re.compile(r"^grid — "))
    expect(sidebar.get_by_role("spinbutton", name="width", exact=True)).to_have_value("12")
    expect(sidebar.get_by_role("spinbutton", name="height", exact=True)).to_have_value("10")
    expect(sidebar).to_contain_text("120 nodes")
    expect(sidebar).not_to_contain_text("karate")


def test_pooling_keeps_classroom_mode_and_the_link(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/?classroom=1&seed=4&{SMALL_MODEL}")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=LOAD_TIMEOUT)
    before = parse_qs(urlparse(address(page)).query)
    assert before["classroom"] == ["1"] and before["seed"] == ["4"]
    page.locator("[data-testid=stSidebarNav]").get_by_text("Pooling", exact=True).click()
    expect(page.get_by_text("Pooling — TVGNN as a pooling layer")).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(page).to_have_url(re.compile(r"/pooling\?"), timeout=30_000)
    expect(page.locator("section[data-testid=stSidebar]")).to_contain_text("Pooling run")
    assert parse_qs(urlparse(address(page)).query) == before
    levels = visible_boxes(page, '[class*="st-key-pooling-level"]')  # the page's picture, above the fold
    assert len(levels) == 3 and all(box["y"] + box["height"] <= 720 for box in levels), levels


def test_the_sidebar_link_to_compare_keeps_the_running_graph(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/?{SMALL_MODEL}")  # the landing graph, not the picker's first sample
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=LOAD_TIMEOUT)
    sidebar = page.locator("section[data-testid=stSidebar]")
    picker = sidebar.get_by_role("combobox", name="Sample graph")
    expect(picker).to_have_value(re.compile(r"^bridged_communities — "))
    page.locator("[data-testid=stSidebarNav]").get_by_text("Compare", exact=True).click()
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_visible(timeout=LOAD_TIMEOUT)
    settled(page)
    expect(picker).to_have_value(re.compile(r"^bridged_communities — "))
    page.get_by_role("button", name="Step", exact=True).click()  # the next click sends the picker's value
    expect(page.locator(".st-key-compare-epoch")).to_contain_text("Epoch 1 ", timeout=60_000)
    settled(page)
    expect(picker).to_have_value(re.compile(r"^bridged_communities — "))
    expect(sidebar).to_contain_text("bridged_communities: 80 nodes")
    assert "graph=bridged_communities" in address(page)


def test_compare_plays_at_a_pace_without_fading_its_panels(page: Page, app_url: str) -> None:
    """Compare in presentation mode: the pace control (as on Explore), Play advances every method, the panels stay
    at full opacity while the live view redraws them (Streamlit fades elements a slow run has not redrawn), and
    the graphs and simplexes of every method sit above the fold."""
    page.goto(f"{app_url}/compare?present=1&{SMALL_MODEL}&epochs=5000")  # a run that outlasts the test
    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(page.get_by_text("Pace (epochs/s)")).to_be_visible()
    expect(page.get_by_text("epochs per frame")).to_have_count(0)
    play.click()
    counter = page.locator(".st-key-compare-epoch")
    expect(counter).to_contain_text("training", timeout=60_000)
    opacities = []
    for _ in range(12):
        opacities += page.evaluate("""() => [...document.querySelectorAll(
            '[data-testid="stElementContainer"][data-stale="true"]')].map(e => Number(getComputedStyle(e).opacity))""")
        page.wait_for_timeout(250)
    assert all(opacity == 1 for opacity in opacities), opacities
    expect(counter).not_to_contain_text("Epoch 0 ", timeout=60_000)
    pause = page.get_by_role("button", name="Pause", exact=True)
    for _ in range(4):  # a click that lands while Streamlit swaps the bar's buttons is lost: click once more
        try:  # (force: a busy browser can keep the button from counting as stable for a long while)
            pause.click(timeout=10_000, force=True)
        except PlaywrightError:
            pass
        try:
            expect(counter).to_contain_text("paused", timeout=15_000)
            break
        except AssertionError:
            continue
    expect(counter).to_contain_text("paused", timeout=5_000)
    for key in ("compare-graphs", "compare-simplex"):  # every method's panel and simplex on one screen
        boxes = visible_boxes(page, f".st-key-{key}")
        assert len(boxes) == 1, (key, boxes)
        box = boxes[0]
        assert box["height"] > 50 and 0 <= box["y"] and box["y"] + box["height"] <= 720, (key, box)
