"""Graph updates per second of the notebook TrainingWidget while it plays a 2,000-node graph, in a real JupyterLab
and headless Chromium, and the time from pressing Play to the first updated frame (not a CI test; prints numbers).

    python benchmarks/widget_fps.py [--seconds 15] [--graph karate --clusters 2] [--speed 1]
    python benchmarks/widget_fps.py --drawing-only [--seconds 15]

Target: at least 10 graph updates per second on the 2,000-node benchmark graph of ``benchmarks/app_fps.py``
(``sbm:sizes=500-500-500-500``, ~11,500 edges, small model 2 x 32, MLP 32, lr 0.02, which separates its blocks
within 150 epochs). An update is a draw of the graph showing a newly trained state: the widget's drawing module
(the app's ``live_graph.js``) counts its updates, ``newPlot`` calls and drawn epochs on the graph element's
``gtvvizLiveGraph``. The script also counts the epoch counter's changes, the frames received and dropped, and ms
per draw, and checks that the plot is never created anew while playing.

By default the kernel trains (Play, as a user presses it): on a loaded machine training is the bottleneck.
``--drawing-only`` measures the widget without training: a cell starts an asyncio task in the kernel that sends
pre-built frames (a run whose assignment sharpens from uniform to the graph's blocks, built with
``frame_payload`` in a cell run before the clock starts) through the widget's ``_frame`` trait every ``FRAME_SECONDS``, the pace of Play; the
kernel, the comm and the browser are the real ones.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import expect

from tests.browser import chromium_browser
from tests.lab import lab_server, run_cell, wait_for_kernel

GRAPH = "sbm:sizes=500-500-500-500,p_in=0.02,p_out=0.001,seed=0"
LIVE = "document.querySelector('.gtvviz-graph').gtvvizLiveGraph"
COUNTS = f"""() => {{
  const live = {LIVE};
  return {{updates: live.updates, newPlots: live.newPlots, received: live.received, dropped: live.dropped,
          drawMs: live.drawMs, epoch: live.epoch, error: live.error,
          counter: Number(document.querySelector('.gtvviz-counter').dataset.epoch), changes: window.__changes || 0}};
}}"""
#: Counts the epoch counter's changes (requestAnimationFrame), and the time of the first update after Play.
WATCH = f"""() => {{
  const counter = document.querySelector('.gtvviz-counter'), start = {LIVE}.updates;
  let last = counter.textContent;
  window.__changes = 0;
  window.__first = null;
  window.__played = performance.now();
  const look = () => {{
    if (counter.textContent !== last) {{ last = counter.textContent; window.__changes++; }}
    if (window.__first === null && {LIVE}.updates > start) {{ window.__first = performance.now() - window.__played; }}
    requestAnimationFrame(look);
  }};
  requestAnimationFrame(look);
}}"""
FRAMES = """
import asyncio
import numpy as np
from gtvviz.viz.live_payload import frame_payload
from gtvviz.widgets.training import FRAME_SECONDS

_truth = np.eye(w.config.clusters)[w.graph.y.numpy() % w.config.clusters]
_rng = np.random.default_rng(0)
_frames = []
for _epoch in range(1, 601):
    _t = min(_epoch / 400, 1.0)
    _s = (1 - _t) / w.config.clusters + _t * _truth + 0.05 * (1 - _t) * _rng.random(_truth.shape)
    _frames.append({**frame_payload(w.graph, _s / _s.sum(1, keepdims=True), _epoch, hover=False),
                    "metrics": {}, "playing": True})
"""
START = """
async def _feed():
    _loop = asyncio.get_running_loop()
    for _frame in _frames:
        _begin = _loop.time()
        w._frame = _frame
        await asyncio.sleep(max(FRAME_SECONDS - (_loop.time() - _begin), 0.005))

_task = asyncio.get_running_loop().create_task(_feed())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="how long to count updates")
    parser.add_argument("--graph", default=GRAPH, help="graph source (default: the 2,000-node SBM)")
    parser.add_argument("--clusters", type=int, default=4, help="K")
    parser.add_argument("--speed", type=int, default=1, help="epochs per frame")
    parser.add_argument("--drawing-only", action="store_true", help="pre-built frames, no training")
    args = parser.parse_args()

    build = ("from gtvviz.widgets import TrainingWidget\n"
             f"w = TrainingWidget({args.graph!r}, clusters={args.clusters}, hidden=(32, 32), mlp=(32,), lr=0.02,"
             " epochs=100000)\n"
             f"w.speed = {args.speed}\n"
             "w")
    with lab_server() as lab, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(lab.notebook("bench.ipynb", [build, FRAMES, START, "w.pause()"]))
        wait_for_kernel(page)
        run_cell(page, 0)
        expect(page.locator(".gtvviz-counter")).to_have_text("epoch 0 / 100000", timeout=300_000)
        page.wait_for_function(f"() => {LIVE}.newPlots === 1", timeout=120_000)
        if args.drawing_only:  # the frames are built before the clock starts
            run_cell(page, 1)
            expect(page.locator(".jp-Cell").nth(1).locator(".jp-InputPrompt")).to_have_text("[2]:", timeout=300_000)
        page.evaluate(WATCH)
        begin = page.evaluate(COUNTS)
        started = time.monotonic()
        if args.drawing_only:
            run_cell(page, 2)
        else:
            page.get_by_role("button", name="Play").click()
        page.wait_for_function("() => window.__first !== null", timeout=120_000)
        first = page.evaluate("window.__first") / 1000
        time.sleep(max(args.seconds - (time.monotonic() - started), 0))
        end = page.evaluate(COUNTS)
        elapsed = time.monotonic() - started
        run_cell(page, 3)
    updates = end["updates"] - begin["updates"]
    print(f"widget {'drawing only' if args.drawing_only else 'playing'}: graph {args.graph} (K = {args.clusters}), "
          f"speed {args.speed}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"Play -> first updated frame {first:.2f} s; graph updates {updates / elapsed:.1f}/s (target >= 10), "
          f"counter changes {end['changes'] / elapsed:.1f}/s, frames received "
          f"{(end['received'] - begin['received']) / elapsed:.1f}/s, dropped {end['dropped'] - begin['dropped']}, "
          f"{(end['drawMs'] - begin['drawMs']) / max(updates, 1):.1f} ms per draw, epochs {begin['counter']} -> "
          f"{end['counter']}, plots created anew {end['newPlots'] - begin['newPlots']}, counter = graph epoch: "
          f"{end['counter'] == end['epoch']}, error: {end['error']}")


if __name__ == "__main__":
    main()
