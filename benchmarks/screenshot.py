"""Make the README screenshots: the Explore page mid-training, at a projector's 1280x720 by default.

    python benchmarks/screenshot.py [--epoch 60] [--size 1280x720] [--shot docs/explore.png=QUERY ...]

Opens the app in headless Chromium once per ``--shot`` (``PATH=QUERY``, QUERY the URL's query string, e.g.
``present=1&graph=karate``; default ``docs/explore.png`` with no query), presses Play, waits until the given epoch
and captures the page while it is still training.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser import CHROMIUM_ARGS, chromium_path, epoch_of, streamlit_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epoch", type=int, default=60, help="capture once training has passed this epoch")
    parser.add_argument("--size", default="1280x720", help="viewport WIDTHxHEIGHT in pixels")
    parser.add_argument("--shot", action="append", default=[], metavar="PATH=QUERY",
                        help="where to save a PNG and the URL query to open (repeatable)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    shots = [s.partition("=")[::2] for s in args.shot] or [(str(REPO / "docs" / "explore.png"), "")]
    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for out, query in shots:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            page.goto(f"{url}/?{query}" if query else url)
            expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=180_000)
            page.get_by_role("button", name="Play", exact=True).click()
            graph = page.frame_locator('iframe[title$="gtvviz_live_graph"]')  # its counter shows the drawn epoch
            deadline = time.monotonic() + 600
            while _drawn_epoch(graph.locator("#counter").inner_text()) < args.epoch:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"training did not reach epoch {args.epoch} in 10 minutes")
                time.sleep(0.2)
            time.sleep(1.0)  # let the charts of this frame finish drawing
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=out)
            page.close()
            print(f"saved {out}")
        browser.close()


def _drawn_epoch(text: str) -> int:
    """The epoch of the graph's counter, -1 before it has drawn."""
    return epoch_of(text) if "Epoch" in text else -1


if __name__ == "__main__":
    main()
