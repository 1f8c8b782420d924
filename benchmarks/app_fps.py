"""Visual updates per second of the Explore page while training a 2,000-node graph on the CPU, and the time from
pressing Play to the first updated frame, measured in headless Chromium (not a CI test; prints the numbers).

    python benchmarks/app_fps.py [--seconds 15] [--graph karate --clusters 2] [--model ...] [--profile]

Targets: at least 10 updates per second and under 2 s from Play to the first updated frame. An update is a draw
of the graph showing a newly trained state: ``ui.live_graph`` keeps one plot in its iframe, plays the frames each
rerun of the live view brings, and counts its in-place updates, ``newPlot`` calls and the epochs it drew on
``window.gtvvizLiveGraph``. The script also counts the changes of the epoch counter (one per Streamlit rerun of the
live view), the frames the graph received and dropped, and how late its playback timer fired, and checks that the
plot is never created anew while playing; ``--profile`` adds where the page's main thread spent its time (a CDP CPU
profile). The default graph is ``sbm:sizes=500-500-500-500`` (2,000 nodes, ~11,500 edges, 16 features) with a
small model (2 x 32, MLP 32, lr 0.02) that separates its blocks (NMI about 0.85) within 150 epochs, so that the
frames change colours and cut edges and the numbers measure the app rather than TVGNN's cost per epoch. Chromium
renders in software here, so the numbers are a lower bound for a desktop browser; the load average printed with
them says how busy the machine was.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser import CHROMIUM_ARGS, chromium_path, streamlit_server  # noqa: E402

GRAPH = "sbm:sizes=500-500-500-500,p_in=0.02,p_out=0.001,seed=0"
MODEL = "hidden=32,32&mlp=32&lr=0.02&epochs=100000"
LIVE = """document.querySelector('iframe[title$="gtvviz_live_graph"]').contentWindow.gtvvizLiveGraph"""
WATCH = """() => {
  const frame = () => document.querySelector('iframe[title$="gtvviz_live_graph"]');
  const live = () => (frame() && frame().contentWindow.gtvvizLiveGraph) || {updates: 0, newPlots: 0};
  window.__updates = [];
  window.__draws = [];
  window.__iframes = 0;
  let last = document.querySelector('.st-key-epoch-counter').innerText, drawn = live().updates, iframe = frame();
  window.__newPlots = live().newPlots;
  const look = () => {
    const text = document.querySelector('.st-key-epoch-counter').innerText;
    if (text !== last) { last = text; window.__updates.push([performance.now(), text]); }
    if (frame() !== iframe) { iframe = frame(); window.__iframes++; }  // the component was mounted anew
    const now = live().updates;
    for (; drawn < now; drawn++) { window.__draws.push(performance.now()); }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
  const play = [...document.querySelectorAll('button')].find(b => b.innerText.trim().endsWith('Play'));
  window.__played = performance.now();
  play.click();
}"""


def print_profile(profile: dict, seconds: float) -> None:
    """Self time of a CDP CPU profile, summed by script (file name) and by its top functions."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    self_us: dict[int, float] = {}
    stamps = profile["timeDeltas"]
    for sample, delta in zip(profile["samples"][1:], stamps[1:]):
        self_us[sample] = self_us.get(sample, 0.0) + delta
    by_script: dict[str, float] = {}
    by_function: dict[str, float] = {}
    for node_id, micros in self_us.items():
        frame = nodes[node_id]["callFrame"]
        script = frame["url"].rsplit("/", 1)[-1].split("?")[0] or frame["functionName"] or "(anonymous)"
        by_script[script] = by_script.get(script, 0.0) + micros
        name = f"{frame['functionName'] or '(anonymous)'} @ {script}:{frame['lineNumber']}"
        by_function[name] = by_function.get(name, 0.0) + micros
    print(f"main thread, ms per second of the {seconds:.0f} s measured (CDP CPU profile, self time):")
    for script, micros in sorted(by_script.items(), key=lambda item: -item[1])[:12]:
        print(f"  {micros / 1000 / seconds:7.1f}  {script}")
    print("top functions:")
    for name, micros in sorted(by_function.items(), key=lambda item: -item[1])[:25]:
        print(f"  {micros / 1000 / seconds:7.1f}  {name[:120]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="how long to count updates")
    parser.add_argument("--graph", default=GRAPH, help="graph source (default: the 2,000-node SBM)")
    parser.add_argument("--clusters", type=int, default=4, help="K")
    parser.add_argument("--model", default=MODEL, help=f"model settings of the link (default: {MODEL})")
    parser.add_argument("--profile", action="store_true",
                        help="also record a CPU profile of the page's main thread and print where its time went")
    args = parser.parse_args()
    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}/?graph={args.graph}&clusters={args.clusters}&{args.model}")
        expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=180_000)
        graph = page.locator('iframe[title$="gtvviz_live_graph"]')
        expect(graph).to_be_visible(timeout=60_000)
        page.wait_for_function(LIVE + " && " + LIVE + ".newPlots > 0", timeout=120_000)  # plotly.js loaded, drawn
        time.sleep(2.0)  # let the first render settle
        page.evaluate(WATCH)
        page.wait_for_function("window.__updates.length > 0", timeout=60_000)
        page.wait_for_function("window.__draws.length > 0", timeout=60_000)
        first = page.evaluate("window.__updates[0][0] - window.__played")
        first_draw = page.evaluate("window.__draws[0] - window.__played")
        start = page.evaluate("performance.now()")
        counts = page.evaluate(f"({{...{LIVE}}})")
        if args.profile:
            cdp = page.context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.start")
        time.sleep(args.seconds)
        if args.profile:
            print_profile(cdp.send("Profiler.stop")["profile"], args.seconds)
        updates = page.evaluate(f"window.__updates.filter(u => u[0] >= {start}).length")
        draws = page.evaluate(f"window.__draws.filter(d => d >= {start}).length")
        drawn_epochs = page.evaluate(LIVE + ".drawn")
        draw_ms = page.evaluate(LIVE + ".drawMs / Math.max(" + LIVE + ".updates, 1)")
        new_plots = page.evaluate(LIVE + ".newPlots - window.__newPlots")
        iframes = page.evaluate("window.__iframes")
        epochs = page.evaluate("window.__updates.map(u => u[1])")
        drawn_epoch = page.evaluate(LIVE + ".epoch")
        final = page.evaluate(f"({{...{LIVE}}})")
        browser.close()
    print(f"graph: {args.graph} (K = {args.clusters}), CPU, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"time from Play to the first updated frame: {first / 1000:.2f} s (target < 2 s); "
          f"to the first graph update: {first_draw / 1000:.2f} s")
    steps = sorted({b - a for a, b in zip(drawn_epochs, drawn_epochs[1:])})
    print(f"visual updates per second (graph drawn in place, each a new epoch): {draws / args.seconds:.1f} "
          f"(target >= 10); epochs between drawn frames: {steps}; {draw_ms:.0f} ms per draw on average")
    per_second = {name: (final[name] - counts[name]) / args.seconds for name in ("received", "dropped")}
    late = (final["lateMs"] - counts["lateMs"]) / max(final["waits"] - counts["waits"], 1)
    print(f"frames received by the graph per second: {per_second['received']:.1f}, dropped from a full queue: "
          f"{per_second['dropped']:.1f}; the playback timer fired {late:.0f} ms late on average")
    print(f"epoch counter updates per second (Streamlit reruns of the live view): {updates / args.seconds:.1f}")
    print(f"plots created anew while playing: {new_plots} (newPlot calls), component iframes mounted anew: {iframes}")
    print(f"last frame: {epochs[-1] if epochs else '-'}; epoch drawn in the graph: {drawn_epoch}")


if __name__ == "__main__":
    main()
