"""The live training view as a notebook widget (an anywidget): graph, simplex, transport bar, counter, curves.

The kernel side owns the run (a :class:`~gtvviz.train.Trainer`) and sends the browser what the app's live graph
gets: the geometry once per graph (:func:`~gtvviz.viz.live_payload.geometry_payload`, trait ``_geometry``) and one
frame per shown state (:func:`~gtvviz.viz.live_payload.frame_payload` plus the state's main metrics and whether it
is playing, trait ``_frame``). The browser draws them with the app's drawing module (``live_graph.js``, the first
part of this widget's ES module) and shows the epoch counter, the metrics and the loss curves of the epoch the
graph has just drawn, so the counter and the graph always show the same epoch.

Playing is an asyncio task on the kernel's event loop (:meth:`TrainingWidget.play`): it trains :attr:`speed`
epochs, sends the frame, and sleeps until the next frame is due (:data:`FRAME_SECONDS`), so the kernel handles
button clicks and runs other cells in between (a cell that runs blocks the task until it ends, as any code on the
kernel's loop does). Buttons send messages that call the same methods as Python does.
"""

from __future__ import annotations

import asyncio
import html
import json
import math
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import pandas as pd
import plotly
import traitlets

from gtvviz.config import RunConfig
from gtvviz.data.loader import load_graph
from gtvviz.errors import ConfigError, TrainingDivergedError
from gtvviz.graph import Graph, as_graph
from gtvviz.methods import build_trainer
from gtvviz.train import Snapshot, Trainer
from gtvviz.viz.layout import compute_layout
from gtvviz.viz.live_payload import (
    HEIGHT,
    LIVE_GRAPH_JS,
    frame_payload,
    geometry_key,
    geometry_payload,
)

_HERE = Path(__file__).resolve().parent
#: The widget's own script, appended to the drawing module's text to make the widget's ES module.
WIDGET_JS = _HERE / "training_widget.js"
WIDGET_CSS = _HERE / "training_widget.css"
#: Seconds between two frames while playing (the drawing module's playback beat: up to 14 updates per second).
FRAME_SECONDS = 0.07
#: Largest speed (epochs per frame).
MAX_SPEED = 50
#: Points of the loss curves sent at most (every row up to this many, then evenly thinned; the last always).
CURVE_POINTS = 400
#: The loss terms drawn as curves and the metrics shown beside them, in this order (those the run has).
CURVES = ("total", "gtv", "balance")
METRICS = ("total", "gtv", "balance", "sharpness", "nmi", "acc", "modularity", "n_clusters_used")


def _plotly_js() -> str:
    return (Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


def widget_module() -> str:
    """The widget's ES module: the drawing module's text, then the widget's script (one source for both)."""
    return LIVE_GRAPH_JS.read_text(encoding="utf-8") + "\n" + WIDGET_JS.read_text(encoding="utf-8")


def _finite(value: float) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


class PlayerWidget(anywidget.AnyWidget):
    """What :class:`TrainingWidget` and :class:`~gtvviz.widgets.compare.CompareWidget` share: the graph's geometry,
    the transport bar's state and its actions (:meth:`play`, :meth:`pause`, :meth:`step`, :meth:`reset`) on a
    runner (a :class:`~gtvviz.train.Trainer` or a :class:`~gtvviz.compare.Comparison`: ``epoch``, ``done``,
    ``step(n)``, ``reset()``). A subclass sets ``_runner`` and sends what it shows in :meth:`_show`.

    Attributes:
        playing: whether the run is playing (set by :meth:`play` and :meth:`pause`).
        speed: epochs trained per frame while playing (1 to :data:`MAX_SPEED`; the speed box sets it too).
        error: why playing stopped, when a step failed (e.g. a divergence), else ``""``.
    """

    _esm = traitlets.Unicode(widget_module()).tag(sync=True)
    _css = traitlets.Unicode(WIDGET_CSS.read_text(encoding="utf-8")).tag(sync=True)
    _plotly = traitlets.Unicode("").tag(sync=True)
    _geometry = traitlets.Unicode("").tag(sync=True)
    _geometry_key = traitlets.Unicode("").tag(sync=True)
    _playback_ms = traitlets.Int(int(FRAME_SECONDS * 1000)).tag(sync=True)
    height = traitlets.Int(HEIGHT).tag(sync=True)
    epochs = traitlets.Int(0).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    speed = traitlets.Int(1).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    _runner: Any

    def __init__(self, graph: Any, config: RunConfig | None, positions: np.ndarray | None, height: int,
                 settings: dict[str, Any]) -> None:
        source = graph if isinstance(graph, str) else None
        graph = load_graph(graph) if isinstance(graph, str) else as_graph(graph)
        if config is not None and not isinstance(config, RunConfig):
            raise ConfigError(f"config must be a gtvviz.RunConfig or None, got {type(config).__name__}.")
        base = (config or RunConfig()).to_dict()
        if source is not None and config is None and "graph" not in settings:
            base["graph"] = source
        config = RunConfig.from_dict({**base, **settings})
        super().__init__(height=height, epochs=config.epochs, _plotly=_plotly_js())
        self.graph: Graph = graph
        self.config: RunConfig = config
        #: What the view is of: the source string, else the graph's name.
        self.label: str = source or graph.name or "graph"
        self.positions = compute_layout(graph) if positions is None else np.asarray(positions, dtype=np.float64)
        k = config.clusters
        self._geometry_key = geometry_key(self.label, graph, self.positions, k, None, height)
        self._geometry = geometry_payload(graph, self.positions, k, None, height).decode()
        self._task: asyncio.Task[None] | None = None
        self.on_msg(self._on_button)

    @traitlets.validate("speed")
    def _valid_speed(self, proposal: dict[str, Any]) -> int:
        value = proposal["value"]
        if not 1 <= value <= MAX_SPEED:
            raise traitlets.TraitError(f"speed must be between 1 and {MAX_SPEED} epochs per frame, got {value}.")
        return value

    def play(self) -> None:
        """Start training in the background: an asyncio task on the running event loop (a Jupyter kernel's) that
        trains :attr:`speed` epochs per frame until :meth:`pause`, a failure or the end of the run. Returns at once.

        Raises ``RuntimeError`` outside a running event loop (a plain script): use :meth:`step` there.
        """
        if self.playing or self._runner.done:
            return
        loop = asyncio.get_running_loop()  # the kernel's loop; a RuntimeError outside one
        self.error = ""
        self.playing = True
        self._task = loop.create_task(self._play())

    def pause(self) -> None:
        """Stop playing; the graph stops at the epoch trained last, drawn with its hover."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self.playing:
            self.playing = False
            self._show(playing=False)

    def step(self, n: int = 1) -> list[Any]:
        """Pause, train ``n`` epochs now (never past the run's ``epochs``) and show the last; return what the
        runner's ``step`` returns (snapshots or comparison frames). A divergence is kept in :attr:`error` and
        raised."""
        self.pause()
        try:
            return self._runner.step(n)
        except TrainingDivergedError as err:
            self.error = str(err)
            raise
        finally:
            self._show(playing=False)

    def reset(self) -> None:
        """Pause and start the run again from its seed (epoch 0)."""
        self.pause()
        self.error = ""
        self._runner.reset()
        self._show(playing=False)

    async def _play(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.playing and not self._runner.done:
                begin = loop.time()
                if not self._runner.step(self.speed):
                    break
                self._show(playing=True)
                await asyncio.sleep(max(FRAME_SECONDS - (loop.time() - begin), 0.005))
        except asyncio.CancelledError:
            return  # pause() shows the still frame
        except Exception as err:  # noqa: BLE001 - any failure stops playing with its message, never a traceback
            self.error = str(err) if isinstance(err, TrainingDivergedError) else f"{type(err).__name__}: {err}"
        self._task = None
        self.playing = False
        self._show(playing=False)

    def _on_button(self, _widget: Any, content: dict[str, Any], _buffers: list[bytes]) -> None:
        action = content.get("action")
        if action == "play":
            self.play()
        elif action == "pause":
            self.pause()
        elif action == "step":
            try:
                self.step(int(content.get("n", 1)))
            except TrainingDivergedError:
                pass  # shown in the widget (error)
        elif action == "reset":
            self.reset()

    def _frame_of(self, trainer: Trainer, s: np.ndarray, epoch: int, playing: bool) -> dict[str, Any]:
        """The frame of assignment ``s`` shown as ``epoch``, with the main metrics of ``trainer``'s last state."""
        snapshot = trainer.last
        assert snapshot is not None
        metrics = {**snapshot.losses, **trainer.metrics(snapshot)}
        frame = frame_payload(self.graph, s, epoch, hover=not playing)
        frame["metrics"] = {name: _finite(metrics[name]) for name in METRICS if name in metrics}
        frame["playing"] = playing
        return frame

    def _show(self, playing: bool) -> None:
        raise NotImplementedError


class TrainingWidget(PlayerWidget):
    """Train a clustering run in the notebook and watch it live.

    Args:
        graph: a :class:`~gtvviz.graph.Graph`, networkx graph, PyG ``Data`` or a source string for
            :func:`gtvviz.load_graph` (a sample name such as ``"karate"``, a file, ``"pyg:Cora"``, ``"sbm:..."``).
        config: the run's settings (:class:`~gtvviz.config.RunConfig`; default: its defaults).
        positions: :math:`(N, 2)` node positions (default :func:`~gtvviz.viz.layout.compute_layout`).
        height: height of the graph in pixels.
        metrics_every: compute the metrics every this many epochs (those of a shown epoch are always computed).
        **settings: :class:`~gtvviz.config.RunConfig` fields that override ``config`` (e.g. ``clusters=2,
            epochs=100``); an unknown name raises :class:`~gtvviz.errors.ConfigError`.

    The transport bar's state (``playing``, ``speed``, ``error``) and actions are :class:`PlayerWidget`'s.
    """

    _frame = traitlets.Dict().tag(sync=True)
    _curve = traitlets.Dict().tag(sync=True)

    def __init__(self, graph: Any, config: RunConfig | None = None, *, positions: np.ndarray | None = None,
                 height: int = HEIGHT, metrics_every: int = 1, **settings: Any) -> None:
        super().__init__(graph, config, positions, height, settings)
        self._runner: Trainer = build_trainer(self.graph, self.config, metrics_every=metrics_every)
        self._show(playing=False)

    @property
    def trainer(self) -> Trainer:
        """The run being shown (stepping it directly does not redraw: use :meth:`step`)."""
        return self._runner

    @property
    def snapshot(self) -> Snapshot:
        """The state of the current epoch (the one the widget shows once its last frame is drawn)."""
        assert self._runner.last is not None
        return self._runner.last

    @property
    def history(self) -> pd.DataFrame:
        """One row per epoch trained so far (epoch 0 first: the initial state): losses, metrics, elapsed."""
        return pd.DataFrame(self._runner.history)

    def save_html(self, path: str | Path) -> Path:
        """Write a static, offline copy of the current view (graph with hover, simplex, counter, curves, metrics;
        plotly.js and the drawing module inlined, nothing fetched) to ``path``; return the path."""
        path = Path(path)
        state = {name: getattr(self, name) for name in ("_geometry", "_geometry_key", "_curve", "height", "epochs",
                                                         "speed", "error", "_playback_ms")}
        snapshot = self.snapshot
        state.update(_frame=self._frame_of(self._runner, snapshot.s, snapshot.epoch, playing=False), playing=False,
                     _plotly="")
        page = STATIC_PAGE.format(
            title=html.escape(f"gtvviz: {self.label}, epoch {snapshot.epoch}"),
            css=self._css, plotly=_script_text(_plotly_js()),
            module=_script_text(self._esm), state=_script_text(json.dumps(state)))
        path.write_text(page, encoding="utf-8")
        return path

    def _show(self, playing: bool) -> None:
        """Send the current epoch's frame and the loss curves up to it."""
        self._curve = self._curves()
        snapshot = self.snapshot
        self._frame = self._frame_of(self._runner, snapshot.s, snapshot.epoch, playing)

    def _curves(self) -> dict[str, list[float | None]]:
        rows = self._runner.history
        stride = max(1, math.ceil(len(rows) / CURVE_POINTS))
        picked = rows[::stride] if (len(rows) - 1) % stride == 0 else rows[::stride] + rows[-1:]
        names = [name for name in CURVES if name in rows[0]] if rows else []
        return {"epoch": [int(row["epoch"]) for row in picked],
                **{name: [_finite(row[name]) for row in picked] for name in names}}


def _script_text(text: str) -> str:
    """``text`` safe inside an HTML ``<script>`` element (no ``</script`` or ``<!--`` can end it early)."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


#: The page of :meth:`TrainingWidget.save_html`: the widget's own module rendered on a read-only model.
STATIC_PAGE = """<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<div id="gtvviz-widget" class="gtvviz-static"></div>
<script>{plotly}</script>
<script type="module">
{module}
const state = {state};
const model = {{ get: (name) => state[name], set() {{}}, save_changes() {{}}, on() {{}}, off() {{}}, send() {{}} }};
render({{ model, el: document.getElementById("gtvviz-widget") }});
</script>
</body>
</html>
"""
