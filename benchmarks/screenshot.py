"""Make the README screenshot ``docs/explore.png``: the Explore page mid-training on the default graph.

    python benchmarks/screenshot.py [--epoch 60] [--out docs/explore.png]

Opens the app in headless Chromium, presses Play on the default run (karate, K = 2), waits until the given epoch
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
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "explore.png", help="where to save the PNG")
    args = parser.parse_args()
    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 960}, device_scale_factor=1)
        page.goto(url)
        expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=180_000)
        page.get_by_role("button", name="Play", exact=True).click()
        counter = page.locator(".st-key-epoch-counter")
        deadline = time.monotonic() + 600
        while epoch_of(counter.inner_text()) < args.epoch:
            if time.monotonic() > deadline:
                raise TimeoutError(f"training did not reach epoch {args.epoch} in 10 minutes")
            time.sleep(0.2)
        time.sleep(1.0)  # let the charts of this frame finish drawing
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out))
        browser.close()
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
