"""The Explore page's live graph: one plotly figure that stays alive between frames, in a small custom component.

``st.plotly_chart`` draws a figure whose data changed as a new chart (a new plot element, a full redraw, the zoom
lost), which held the live view to under one update per second on a 2,000-node graph. This component keeps one
plotly.js plot in its iframe instead:

* The **geometry** (:func:`geometry_payload`) is :func:`gtvviz.viz.graph_figure` of the graph with a uniform
  assignment (positions, edges or edge picture, node styling, hover template) plus the node positions and the
  fixed hover columns, as JSON bytes. It is built once per :func:`geometry_key` (graph, layout, K, picture,
  height; memoised here) and sent with every frame as a bytes argument, but the browser only parses it and calls
  ``Plotly.newPlot`` when the key changes (a new graph, layout or K), so an iframe that was re-created (a page
  switch) always gets what it needs.
* Each **frame** (:func:`frame_payload`) carries only what the assignment changes, built with the same helpers
  as ``graph_figure``: the node colours on :func:`~gtvviz.viz.figures.cluster_colorscale`
  (:func:`~gtvviz.viz.figures.color_values`), the soft-assignment columns of the hover
  (:func:`~gtvviz.viz.figures.node_hover`), the edges darkened by their GTV share as node index pairs with their
  darkness level (:func:`share_edges`) and the nodes' places on the assignment simplex
  (:func:`~gtvviz.viz.simplex.simplex_positions`). The browser applies them with ``Plotly.react`` on the same plot;
  ``layout.uirevision`` stays constant, so zoom and pan survive.
* The **epoch counter** is drawn by the component over the graph, with each frame it draws (the frame's epoch, of
  ``total``, and its sharpness), so that while playing it always shows the frame on screen.
* **Pause stops on the drawn frame**: a render with a new ``hold`` token leaves the frame on screen (the queue is
  dropped), draws it with plotly and returns ``{"hold": token, "epoch": drawn epoch}`` as the component's value, so
  that the page can show that epoch (:func:`held_epoch`).
* The **assignment simplex** is a second panel beside the graph, a canvas drawn from the same frame as the graph
  (always the same epoch), with the colour key (:func:`~gtvviz.viz.legend.legend_html`) above both.
* While playing, a rerun of the live view also carries the **frames trained since the previous rerun**
  (``frames``: colours, darkened edges, simplex places and epoch of each, without the hover), because Streamlit
  reruns the view only two or three times a second. The browser queues them and draws one every :data:`PLAYBACK_MS` milliseconds, on a
  steady beat, the latest last, so the graph moves at up to 14 updates per second, at most :data:`MAX_QUEUE`
  frames (1.6 s) behind the training: the oldest are dropped beyond that.
* While playing, frames are painted on a **playback canvas** over the plot (nodes in the colorscale's colours,
  darkened edges; on the axes plotly laid out, so zoom and pan carry over), and the plot's own node and edge traces
  are hidden: a plotly update of a WebGL plot costs 50 to 150 ms of the page's thread where the browser renders
  WebGL in software, a canvas frame 1 to 5 ms. A render that is not playing (Pause, Step, replay) empties the
  queue and is drawn by plotly at once, with its hover.

The payloads are built by :mod:`gtvviz.viz.live_payload` and drawn by the library's drawing module
(``gtvviz/viz/static/live_graph.js``, :data:`~gtvviz.viz.live_payload.LIVE_GRAPH_JS`), which the notebook widget
(:mod:`gtvviz.widgets`) draws with too; ``frontend/index.html`` only speaks Streamlit's component protocol.

plotly.js is the copy shipped in the plotly Python package (never a CDN, never a copy in the repository): the
component's folder is assembled once per plotly version and page version in a per-user cache folder
(:func:`component_dir`), because Streamlit serves a component's files only from under its declared folder and
refuses symbolic links that leave it. The iframe exposes ``window.gtvvizLiveGraph`` (counts of ``newPlot`` calls
and updates, the epoch drawn) for tests and benchmarks.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np
import plotly

from gtvviz import Graph
from gtvviz.viz.live_payload import HEIGHT, LIVE_GRAPH_JS, TEXT_PX, frame_payload, geometry_key, geometry_payload

#: Name of the component (Streamlit prefixes the module name).
NAME = "gtvviz_live_graph"
#: The component's page (``index.html``: Streamlit's protocol around the library's drawing module), copied with
#: the drawing module and plotly.js into :func:`component_dir`.
FRONTEND = Path(__file__).resolve().parent / "frontend"
#: Geometries kept in memory (one per graph, layout and K recently shown).
GEOMETRY_CACHE = 8
#: Milliseconds between two frames played from the browser's queue (up to 14 updates per second).
PLAYBACK_MS = 70
#: Frames the browser keeps queued at most (the oldest are dropped, so the graph lags the training by <= 1.6 s).
MAX_QUEUE = 23

_geometries: OrderedDict[str, bytes] = OrderedDict()
_lock = threading.Lock()


def _plotly_js() -> Path:
    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def _cache_roots() -> list[Path]:
    roots = []
    if os.environ.get("XDG_CACHE_HOME"):
        roots.append(Path(os.environ["XDG_CACHE_HOME"]) / "gtvviz")
    roots.append(Path.home() / ".cache" / "gtvviz")
    roots.append(Path(tempfile.gettempdir()) / f"gtvviz-{os.getuid() if hasattr(os, 'getuid') else 'user'}")
    return roots


def _complete(folder: Path, index: bytes, drawing: bytes, plotly_js: Path) -> bool:
    try:
        return ((folder / "index.html").read_bytes() == index and (folder / "live_graph.js").read_bytes() == drawing
                and (folder / "plotly.min.js").stat().st_size == plotly_js.stat().st_size)
    except OSError:
        return False


@functools.cache
def component_dir() -> Path:
    """The folder Streamlit serves the component from: ``index.html``, the library's drawing module
    (:data:`~gtvviz.viz.live_payload.LIVE_GRAPH_JS`) and the plotly package's ``plotly.min.js``.

    Assembled once (per plotly version and version of ``index.html`` and the drawing) in the user's cache folder, or the temporary
    folder when that is not writable; a folder being assembled by another process is never served half-written.
    """
    index, drawing = (FRONTEND / "index.html").read_bytes(), LIVE_GRAPH_JS.read_bytes()
    plotly_js = _plotly_js()
    tag = hashlib.sha256(index + drawing + plotly.__version__.encode()).hexdigest()[:12]
    errors = []
    for root in _cache_roots():
        target = root / f"live_graph-{plotly.__version__}-{tag}"
        if _complete(target, index, drawing, plotly_js):
            return target
        try:
            root.mkdir(parents=True, exist_ok=True)
            building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
            shutil.copyfile(FRONTEND / "index.html", building / "index.html")
            shutil.copyfile(LIVE_GRAPH_JS, building / "live_graph.js")
            shutil.copyfile(plotly_js, building / "plotly.min.js")
            try:
                os.replace(building, target)
            except OSError:  # another process got there first (or a broken leftover is in the way)
                shutil.rmtree(building, ignore_errors=True)
                if not _complete(target, index, drawing, plotly_js):
                    shutil.rmtree(target, ignore_errors=True)
                    continue
            return target
        except OSError as err:
            errors.append(f"{root}: {err}")
    raise OSError("cannot assemble the live graph component: " + "; ".join(errors))


def cached_geometry(key: str, graph: Graph, pos: np.ndarray, k: int, picture: str | None = None,
                    height: int = HEIGHT, text_px: int = TEXT_PX) -> bytes:
    """:func:`geometry_payload`, memoised by ``key`` (see :func:`geometry_key`) for the last few graphs."""
    with _lock:
        if key in _geometries:
            _geometries.move_to_end(key)
            return _geometries[key]
    payload = geometry_payload(graph, pos, k, picture, height, text_px)
    with _lock:
        _geometries[key] = payload
        while len(_geometries) > GEOMETRY_CACHE:
            _geometries.popitem(last=False)
    return payload


def live_graph(graph: Graph, pos: np.ndarray, s: np.ndarray, *, graph_key: str, epoch: int = 0,
               frames: Sequence[tuple[int, np.ndarray]] = (), playing: bool = False, picture: str | None = None,
               height: int = HEIGHT, key: str = "graph", total: int | None = None, hold: int = 0,
               text_px: int = TEXT_PX) -> object:
    """Draw the node-link view of ``graph`` coloured by ``s``, updating the plot already on screen in place; while
    ``playing``, first play ``frames``.

    Args:
        graph: the graph.
        pos: :math:`(N, 2)` node positions (fixed for the run).
        s: :math:`(N, K)` soft assignment of the shown epoch.
        graph_key: the graph's cache key (with ``pos``, K, ``picture`` and ``height`` it decides when the plot is
            drawn anew rather than updated).
        epoch: the shown epoch (exposed in the iframe for tests).
        frames: ``(epoch, s)`` of the states trained since the previous call and before ``s``, oldest first; the
            browser plays them every :data:`PLAYBACK_MS` before drawing ``s`` (only while ``playing``), skipping
            any epoch it has already queued or drawn (so frames may be sent again).
        playing: whether training is playing; otherwise any queued frames are dropped and ``s`` is drawn at once.
        picture: the ``edge_picture`` drawn under the nodes of a large graph, or ``None`` to draw edge lines.
        height: height of the plot in pixels.
        key: the element key; keep it constant so that Streamlit keeps the iframe between frames.
        total: the run's epochs, shown by the counter (``Epoch 12 / 500``); 0 for a result without epochs (the
            counter then says ``Result``).
        hold: a new non-zero token asks the component to stay on the frame it has drawn instead of ``s`` (Pause)
            and to report that frame's epoch (:func:`held_epoch`).
        text_px: size of the colour key's and the simplex title's text, in pixels.

    Returns:
        the component's value: ``None``, or the last hold's report.
    """
    import streamlit.components.v1 as components

    k = int(s.shape[1])
    gkey = geometry_key(graph_key, graph, pos, k, picture, height, text_px)
    geometry = cached_geometry(gkey, graph, pos, k, picture, height, text_px)
    # Declared on every call (cheap): registration belongs to the running Streamlit runtime.
    component = components.declare_component(NAME, path=str(component_dir()))
    queued = [frame_payload(graph, f_s, f_epoch, hover=False) for f_epoch, f_s in frames] if playing else []
    return component(geometry=geometry, geometry_key=gkey, height=height, key=key, default=None, frames=queued,
                     playing=playing, playback_ms=PLAYBACK_MS, max_queue=MAX_QUEUE, total=total, hold=hold,
                     **frame_payload(graph, s, epoch))


def held_epoch(value: object, token: int) -> int | None:
    """The epoch the component reported for the hold ``token`` (see :func:`live_graph`), or ``None`` if its value
    is not that report."""
    if isinstance(value, dict) and value.get("hold") == token and token and isinstance(value.get("epoch"), int):
        return int(value["epoch"])
    return None
