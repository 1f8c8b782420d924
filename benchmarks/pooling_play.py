"""Thirty seconds of Play on the Pooling page at its defaults, in headless Chromium at 1280x720.

Opens ``/pooling`` (no parameters: the page's defaults), presses Play and saves a screenshot every ``--every``
seconds for ``--seconds`` seconds (``pooling_play_<t>s.png``, the top of the page, and ``pooling_play_<t>s_levels.png``,
scrolled to the pooling levels, in ``--out``), printing the epoch counter's text at
each. The epochs reached in 30 s is the number the page's tests assume (``tests/test_pooling_defaults.py``).

    nice -n 10 python benchmarks/pooling_play.py --out /tmp/pooling_shots
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import chromium_browser, streamlit_server  # noqa: E402

COUNTER = re.compile(r"Epoch \d+ / \d+[^\n]*")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=10.0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{url}/pooling")
        play = page.get_by_role("button", name="Play", exact=True)
        play.wait_for(timeout=180_000)
        page.wait_for_timeout(3000)  # the figures of the untrained model
        page.screenshot(path=str(args.out / "pooling_play_0s.png"))
        play.click()
        start = time.perf_counter()
        for mark in [args.every * i for i in range(1, int(args.seconds / args.every) + 1)]:
            page.wait_for_timeout(max(0.0, mark - (time.perf_counter() - start)) * 1000)
            counter = COUNTER.search(page.inner_text("body"))
            print(f"{time.perf_counter() - start:5.1f} s: {counter.group(0) if counter else '(no counter)'}",
                  flush=True)
            page.mouse.wheel(0, -5000)
            page.screenshot(path=str(args.out / f"pooling_play_{mark:g}s.png"))
            page.get_by_text(re.compile(r"^Graph \d+: class")).scroll_into_view_if_needed()
            page.mouse.wheel(0, 420)  # the three figures (input, level 1, level 2) in the window
            page.wait_for_timeout(300)
            page.screenshot(path=str(args.out / f"pooling_play_{mark:g}s_levels.png"))


if __name__ == "__main__":
    main()
