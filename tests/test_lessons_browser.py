"""The lesson picker and a lesson walked in real Chromium at a projector's 1280x720, in presentation mode: from the
first step to the last with Next (and Back once), each step playing to its epoch and pausing, with the text, the
buttons and the picture above the fold."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from gtvviz_app.lessons import LESSONS
from tests.browser import address, chromium_browser, settled, streamlit_server, visible_boxes

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LESSON = "gamma"
#: ms to wait for a step to arrive (the server may share two cores with other work).
ARRIVE_TIMEOUT = 420_000


def _above_the_fold(page: Page, selector: str) -> None:
    boxes = visible_boxes(page, selector)
    assert boxes, selector
    for box in boxes:
        assert box["height"] > 20, (selector, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 720, (selector, box)


def _arrive(page: Page, index: int) -> dict[str, float]:
    """Wait until step ``index`` is shown, has played to its epoch and paused; check what a classroom sees; return
    the box of the Next button."""
    step = LESSONS[LESSON].steps[index]
    steps = len(LESSONS[LESSON].steps)
    expect(page.locator(".st-key-lesson-text")).to_contain_text(f"Step {index + 1} of {steps} · {step.title}",
                                                                timeout=ARRIVE_TIMEOUT)
    expect(page.locator(".st-key-lesson-epoch")).to_contain_text(f"Epoch {step.epoch} · paused",
                                                                 timeout=ARRIVE_TIMEOUT)
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=60_000)
    url = address(page)
    assert f"lesson={LESSON}" in url and f"step={index + 1}" in url and "present=1" in url
    expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
    for selector in (".st-key-lesson-text", ".st-key-lesson-buttons", ".st-key-lesson-epoch",
                     '[data-testid="stPlotlyChart"]'):
        _above_the_fold(page, selector)
    next_button = page.get_by_role("button", name="Next")
    back_button = page.get_by_role("button", name="Back")
    (expect(back_button).to_be_disabled if index == 0 else expect(back_button).to_be_enabled)()
    (expect(next_button).to_be_disabled if index == steps - 1 else expect(next_button).to_be_enabled)()
    return next_button.bounding_box()


def _picker_aligns_its_start_buttons(page: Page) -> None:
    """Every card's Start sits at the same place on its right, centred on the card, whatever the summary's length."""
    expect(page.get_by_role("button", name="Start")).to_have_count(len(LESSONS), timeout=60_000)
    settled(page)
    cards = [page.locator(f".st-key-lesson-card-{name}").bounding_box() for name in LESSONS]
    buttons = [page.locator(f".st-key-lesson-card-{name}").get_by_role("button", name="Start").bounding_box()
               for name in LESSONS]
    assert max(b["x"] for b in buttons) - min(b["x"] for b in buttons) < 1, buttons
    for card, button in zip(cards, buttons):
        assert button["x"] > card["x"] + card["width"] * 0.7, (card, button)
        centre, card_centre = button["y"] + button["height"] / 2, card["y"] + card["height"] / 2
        assert abs(centre - card_centre) < 4, (card, button)


def _next_stays_in_place(page: Page) -> None:
    """Outside presentation mode too, Next stays where the teacher's pointer is while the step's text changes
    length (sharp against smooth, whose last step's text is a line shorter at 1280 px)."""
    page.locator(".st-key-lesson-card-sharp-vs-smooth").get_by_role("button", name="Start").click()
    text, next_button = page.locator(".st-key-lesson-text"), page.get_by_role("button", name="Next")
    boxes = []
    for index in range(len(LESSONS["sharp-vs-smooth"].steps)):
        if index:
            next_button.click()
        expect(text).to_contain_text(f"Step {index + 1} of ", timeout=ARRIVE_TIMEOUT)
        settled(page)
        boxes.append((next_button.bounding_box(), text.bounding_box()["height"]))
    assert len({height for _, height in boxes}) > 1, boxes  # the texts differ in length
    first = boxes[0][0]
    assert all(abs(box["x"] - first["x"]) < 1 and abs(box["y"] - first["y"]) < 1 for box, _ in boxes), boxes


def test_pick_and_walk_a_lesson_with_next_and_back_in_presentation_mode() -> None:
    with streamlit_server() as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}/lessons")
        _picker_aligns_its_start_buttons(page)
        _next_stays_in_place(page)
        page.goto(f"{url}/?lesson={LESSON}&present=1")
        _arrive(page, 0)
        page.get_by_role("button", name="Next").click()
        _arrive(page, 1)
        page.get_by_role("button", name="Back").click()
        first = _arrive(page, 0)
        for index in range(1, len(LESSONS[LESSON].steps)):
            page.get_by_role("button", name="Next").click()
            box = _arrive(page, index)
            assert abs(box["x"] - first["x"]) < 1 and abs(box["y"] - first["y"]) < 1, (first, box)
        page.close()
