"""Presentation mode (``present=1``) in real Chromium at a projector's 1280x720: no sidebar, the graph, the simplex
and the colour key above the fold, large metrics and chart ticks in near-black."""

from __future__ import annotations

import pytest

from gtvviz.viz.style import PRESENTATION, TEXT_COLOR


def _luminance(rgb: tuple[int, int, int]) -> float:
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_presentation_ticks_meet_the_contrast_bar() -> None:
    rgb = tuple(int(TEXT_COLOR[i:i + 2], 16) for i in (1, 3, 5))
    assert (1.05) / (_luminance(rgb) + 0.05) >= 4.5  # against white, WCAG's ratio
    assert PRESENTATION.tick_size >= 16


@pytest.mark.browser
def test_present_mode_fits_graph_simplex_and_legend_above_the_fold() -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.browser import CHROMIUM_ARGS, SMALL_MODEL, address, chromium_path, graph_of, streamlit_server

    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}/?present=1&classroom=1&{SMALL_MODEL}")
        iframe = page.locator('iframe[title$="gtvviz_live_graph"]')
        expect(iframe).to_be_visible(timeout=120_000)
        frame = graph_of(page)
        expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
        for selector in ("#graph", "#simplex-panel", ".gtvviz-legend"):
            box = frame.locator(selector).bounding_box()  # (in the page's viewport, iframe included)
            assert box is not None and box["height"] > 10, selector
            assert box["y"] >= 0 and box["y"] + box["height"] <= 720, (selector, box)
        expect(frame.locator(".gtvviz-legend")).to_be_visible()
        page.get_by_role("button", name="Play", exact=True).click()
        graph_of(page, "window.gtvvizLiveGraph.epoch >= 5", timeout=90)
        page.get_by_role("button", name="Pause", exact=True).click()  # the metrics are shown while paused
        metric = page.locator('[data-testid="stMetricValue"]').first
        expect(metric).to_be_visible(timeout=60_000)
        assert float(metric.evaluate("e => parseFloat(getComputedStyle(e.querySelector('*') || e).fontSize)")) >= 28
        tick = page.locator(".stPlotlyChart .xtick text").first
        expect(tick).to_be_attached(timeout=60_000)
        assert float(tick.evaluate("e => parseFloat(e.style.fontSize)")) >= 16
        assert tick.evaluate("e => getComputedStyle(e).fill") == "rgb(34, 34, 34)"
        assert "present=1" in address(page) and "classroom=1" in address(page)  # the link keeps both flags
        browser.close()
