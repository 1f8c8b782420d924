"""Visual updates per second of the Explore page while training a 2,000-node graph on the CPU, and the time from
pressing Play to the first updated frame, measured in headless Chromium (not a CI test; prints the numbers).

    python benchmarks/app_fps.py [--seconds 15] [--graph karate --clusters 2] [--model ...] [--profile]
    python benchmarks/app_fps.py --component-only [--seconds 15]

Targets: at least 10 updates per second and under 2 s from Play to the first updated frame. An update is a draw
of the graph showing a newly trained state: ``gtvviz_app.live_graph`` keeps one plot in its iframe, plays the frames each
rerun of the live view brings, and counts its in-place updates, ``newPlot`` calls and the epochs it drew on
``window.gtvvizLiveGraph``. The script also counts the changes of the epoch counter (one per Streamlit rerun of the
live view), the frames the graph received and dropped, and how late its playback timer fired, and checks that the
plot is never created anew while playing; ``--profile`` adds where the page's main thread spent its time (a CDP CPU
profile). The default graph is ``sbm:sizes=500-500-500-500`` (2,000 nodes, ~11,500 edges, 16 features) with a
small model (2 x 32, MLP 32, lr 0.02) that separates its blocks (NMI about 0.85) within 150 epochs, so that the
frames change colours and cut edges and the numbers measure the app rather than TVGNN's cost per epoch. Chromium
renders in software here, so the numbers are a lower bound for a desktop browser; the load average printed with
them says how busy the machine was.

``--component-only`` measures the browser's side alone, without a server or training: it opens the live graph's
``index.html`` as a page, posts it renders the way Streamlit would (every 350 ms, the frames of a run whose
assignment sharpens from uniform to the graph's blocks, with their darkened edges and simplex places, all built by
``gtvviz_app.live_graph.frame_payload`` beforehand, whose time per frame it prints) and counts the frames the component
plays per second and the milliseconds each draw costs. On a loaded machine, where training is the bottleneck, this
still says whether the drawing keeps up with 10 updates per second.
"""

from __future__ import annotations

import argparse
import os
import re
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


def component_only(args: argparse.Namespace) -> None:
    """Play precomputed frames straight into the component page; print updates per second and ms per draw."""
    import json

    import numpy as np

    from gtvviz.data import load_graph
    from gtvviz.viz import compute_layout
    from gtvviz_app import live_graph as lg

    graph = load_graph(args.graph)
    k, n = args.clusters, graph.num_nodes
    pos = compute_layout(graph)
    truth = np.eye(k)[graph.y.numpy() % k]
    rng = np.random.default_rng(0)
    built = time.perf_counter()
    frames = []
    for epoch in range(600):
        t = min(epoch / 400, 1.0)
        s = (1 - t) * np.full((n, k), 1 / k) + t * truth + 0.05 * (1 - t) * rng.random((n, k))
        frames.append(lg.frame_payload(graph, s / s.sum(axis=1, keepdims=True), epoch, hover=False))
    per_frame = (time.perf_counter() - built) / len(frames) * 1000
    geometry = lg.geometry_payload(graph, pos, k).decode()
    base = {"geometry": geometry, "geometry_key": "bench", "height": lg.HEIGHT, "playing": True,
            "playback_ms": lg.PLAYBACK_MS, "max_queue": lg.MAX_QUEUE}
    with sync_playwright() as playwright:
        # (file access: the page imports the drawing module live_graph.js next to it, which file:// pages may not)
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=CHROMIUM_ARGS + ["--allow-file-access-from-files"])
        page = browser.new_page(viewport={"width": 900, "height": 700})
        page.goto((lg.component_dir() / "index.html").as_uri())
        page.wait_for_function("typeof Plotly !== 'undefined'", timeout=60_000)
        post = "m => window.postMessage({type: 'streamlit:render', args: m}, '*')"
        page.evaluate(post, {**base, **frames[0], "playing": False})
        page.wait_for_function("window.gtvvizLiveGraph.newPlots > 0", timeout=60_000)
        start_counts = page.evaluate("({...window.gtvvizLiveGraph})")
        started, sent, i = time.monotonic(), 0, 1
        while time.monotonic() - started < args.seconds and i + 5 < len(frames):
            batch = [{key: f[key] for key in ("colors", "gtv", "simplex", "epoch")} for f in frames[i:i + 4]]
            page.evaluate(post, {**base, **frames[i + 4], "frames": batch})
            sent += 5
            i += 5
            time.sleep(0.35)
        elapsed = time.monotonic() - started
        end = page.evaluate("({...window.gtvvizLiveGraph})")
        browser.close()
    played = end["played"] - start_counts["played"]
    draw_ms = (end["drawMs"] - start_counts["drawMs"]) / max(end["updates"] - start_counts["updates"], 1)
    print(f"component only: graph {args.graph} ({n} nodes, {graph.num_edges} edges, K = {k}), "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"frame_payload (colours, darkened edges, simplex places): {per_frame:.1f} ms per frame; "
          f"payload {len(json.dumps(frames[-1])) / 1024:.0f} KiB")
    print(f"frames sent {sent / elapsed:.1f}/s, played {played / elapsed:.1f}/s (target >= 10), "
          f"{draw_ms:.1f} ms per draw (graph canvas + simplex), dropped {end['dropped'] - start_counts['dropped']}, "
          f"error: {end['error']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="how long to count updates")
    parser.add_argument("--graph", default=GRAPH, help="graph source (default: the 2,000-node SBM)")
    parser.add_argument("--clusters", type=int, default=4, help="K")
    parser.add_argument("--pace", type=int, default=200, choices=[200], help="the pace set (epochs per second: "
                        "the fastest offered, so that the machine, not the pace, limits the updates)")
    parser.add_argument("--model", default=MODEL, help=f"model settings of the link (default: {MODEL})")
    parser.add_argument("--profile", action="store_true",
                        help="also record a CPU profile of the page's main thread and print where its time went")
    parser.add_argument("--component-only", action="store_true",
                        help="measure the live graph component alone, with precomputed frames (no server, no training)")
    args = parser.parse_args()
    if args.component_only:
        return component_only(args)
    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}/?graph={args.graph}&clusters={args.clusters}&{args.model}")
        expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=180_000)
        graph = page.locator('iframe[title$="gtvviz_live_graph"]')
        expect(graph).to_be_visible(timeout=60_000)
        page.wait_for_function(LIVE + " && " + LIVE + ".newPlots > 0", timeout=120_000)  # plotly.js loaded, drawn
        pace = page.locator(".st-key-pace input[type=range]")
        pace.focus()
        pace.press("End")  # the fastest pace: as many epochs per second as the machine trains
        expect(pace).to_have_attribute("aria-valuetext", re.compile(f"^{args.pace}/s"), timeout=60_000)
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
    print(f"status line changes per second (reruns of the live view that changed its text; the epoch counter is "
          f"drawn over the graph with each frame): {updates / args.seconds:.1f}")
    print(f"plots created anew while playing: {new_plots} (newPlot calls), component iframes mounted anew: {iframes}")
    print(f"last frame: {epochs[-1] if epochs else '-'}; epoch drawn in the graph: {drawn_epoch}")


if __name__ == "__main__":
    main()
