"""The per-session state of the app: the running configuration, its graph, trainer and recorded snapshots.

Everything lives in ``st.session_state`` (one browser tab), never in ``st.cache_resource`` (shared by every user),
so two sessions that train at once never touch each other's model. Only graphs and layouts, which do not change,
are cached across sessions (``st.cache_data`` returns a copy per call).

A change of the applied settings marks the settings widgets as stale; the form copies the settings into them the
next time it is drawn (:func:`sync_widgets`), so state may change anywhere (a callback or the script body). A
change that fails (a bad upload, K > N, a device that is absent) leaves the previous graph and run exactly as they
were and records one message for the control that caused it (:attr:`AppState.errors`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, fields

import numpy as np
import streamlit as st
import torch

from gtvviz import Graph, RunConfig, Snapshot, Trainer, build_trainer
from gtvviz.errors import GtvvizError, TrainingDivergedError
from gtvviz.devices import is_device_error
from gtvviz.viz import SnapshotRecorder
from ui import loading

#: Session-state key of the :class:`AppState`.
KEY = "gtvviz_state"
#: Prefix of the session-state keys of the settings widgets (``cfg.clusters``, ...).
WIDGET_PREFIX = "cfg."
#: Prefix of the graph source of an uploaded graph (it lives only in the session that uploaded it).
UPLOAD_PREFIX = "upload:"
#: Graphs above this many nodes compute metrics every 10 epochs instead of every epoch.
METRICS_EVERY_LIMIT = 5000


@dataclass
class Run:
    """One training run: its configuration, graph (with a cache key, a fixed layout and, for a large graph, a
    picture of its edges) and trainer.

    ``error`` is the message of the last failed training step (divergence or fault), ``device_error`` whether that
    failure was the device's (then the run can continue on the CPU, :func:`continue_on_cpu`) and ``resume``
    whether it was playing when it failed.
    """

    config: RunConfig
    graph: Graph
    graph_key: str
    layout: np.ndarray
    picture: str | None
    trainer: Trainer
    recorder: SnapshotRecorder
    error: str = ""
    device_error: bool = False
    resume: bool = False

    @property
    def latest(self) -> Snapshot:
        """The snapshot of the current epoch."""
        assert self.trainer.last is not None
        return self.trainer.last


@dataclass
class AppState:
    """Everything the app remembers for one session.

    Attributes:
        run: the running run.
        pending: the settings applied in the form, which take effect on Reset.
        classroom: hide the advanced controls (``classroom=1`` in the URL).
        playing: whether the training ticks are running.
        speed: epochs per frame while playing.
        view_epoch: the replayed epoch, or ``None`` to follow the latest.
        data_root: cache root of PyG datasets.
        upload: cache key and graph of the latest upload.
        notices: messages to show once (e.g. ignored link parameters).
        errors: one message per control area (``graph``, ``settings``, ``transport``).
        widgets_stale: the settings widgets must be set from :attr:`pending` before they are drawn again.
    """

    run: Run
    pending: RunConfig
    classroom: bool = False
    playing: bool = False
    speed: int = 5
    view_epoch: int | None = None
    data_root: str = ""
    upload: tuple[str, Graph] | None = None
    notices: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    widgets_stale: bool = True

    @property
    def settings_changed(self) -> bool:
        """Whether applied settings are waiting for a Reset."""
        return self.pending != self.run.config

    def shown(self) -> Snapshot:
        """The snapshot on screen: the replayed one, or the latest."""
        if self.view_epoch is None or self.playing:
            return self.run.latest
        return self.run.recorder.get(self.view_epoch)


def get_state() -> AppState:
    """The session's state, created on first use from the URL (read only once per session)."""
    if KEY not in st.session_state:
        from ui import urlsync

        config, classroom, messages = urlsync.read_url()
        try:
            run = build_run(config, *graph_for(config, None, ""))
        except GtvvizError as err:
            messages.append(f"The link's graph or settings could not be used ({err}); showing the default run.")
            config = RunConfig()
            run = build_run(config, *graph_for(config, None, ""))
        st.session_state[KEY] = AppState(run=run, pending=config, classroom=classroom, notices=messages,
                                         data_root=loading.default_root())
    return st.session_state[KEY]


def graph_for(config: RunConfig, upload: tuple[str, Graph] | None, data_root: str) -> tuple[Graph, str]:
    """The graph that ``config`` names and its cache key; an ``upload:`` source needs the session's upload."""
    if config.graph.startswith(UPLOAD_PREFIX):
        if upload is None:
            raise GtvvizError("An uploaded graph lives only in the session that uploaded it; upload it again.")
        return upload[1], upload[0]
    return loading.load_named(config.graph, data_root)


def build_run(config: RunConfig, graph: Graph, key: str) -> Run:
    """A fresh run of ``config`` on ``graph`` (raises :class:`GtvvizError` for impossible settings)."""
    metrics_every = 1 if graph.num_nodes <= METRICS_EVERY_LIMIT else 10
    trainer = build_trainer(graph, config, metrics_every=metrics_every)
    recorder = SnapshotRecorder()
    assert trainer.last is not None
    recorder.add(trainer.last)
    layout = loading.graph_layout(key, graph)
    return Run(config, graph, key, layout, loading.graph_picture(key, graph, layout), trainer, recorder)


def start(state: AppState, config: RunConfig, area: str, graph: tuple[Graph, str] | None = None) -> bool:
    """Replace the run with a fresh one of ``config``; on failure record the message under ``area``.

    Args:
        state: the session state.
        config: the configuration to run.
        area: the control area that asked (where a failure is shown).
        graph: the graph and its key, when the caller already has it (e.g. an upload).
    """
    try:
        run = build_run(config, *(graph or graph_for(config, state.upload, state.data_root)))
    except GtvvizError as err:
        state.errors[area] = str(err)
        return False
    state.run, state.pending = run, config
    state.playing, state.view_epoch = False, None
    state.errors.pop(area, None)
    state.widgets_stale = True
    return True


def restart_with(state: AppState, area: str, **changes: object) -> bool:
    """Apply ``changes`` to the applied settings and restart the run with them (e.g. a new seed)."""
    try:
        config = state.pending.replace(**changes)
    except GtvvizError as err:
        state.errors[area] = str(err)
        return False
    return start(state, config, area)


def advance(state: AppState, epochs: int, budget: float | None = None) -> list[Snapshot]:
    """Train up to ``epochs`` epochs, stopping early once ``budget`` seconds have passed; record every snapshot and
    return the snapshots of this call, oldest first.

    A diverged run stops playing and keeps its message in :attr:`Run.error`. Any other failure of a step (a device
    out of memory, a CUDA or driver error, a bug) also stops playing with one message in :attr:`Run.error`, never
    a traceback on the page; the graph, the run and its history stay, and the trainer can go on (on the CPU after a
    device error: :attr:`Run.device_error`, :func:`continue_on_cpu`).
    """
    run = state.run
    run.error, run.device_error = "", False
    begin, trained = time.perf_counter(), []
    try:
        for snapshot in run.trainer.step(epochs):
            run.recorder.add(snapshot)
            trained.append(snapshot)
            if budget is not None and time.perf_counter() - begin > budget:
                break
    except TrainingDivergedError as err:
        run.error = str(err)
        state.playing = False
    except Exception as err:  # noqa: BLE001  (any failure of a tick must leave the session usable)
        _fault(state, err)
    if run.trainer.done:
        state.playing = False
    return trained


def first_line(err: BaseException, limit: int = 200) -> str:
    """The first line of an error's message, at most ``limit`` characters, without a final full stop (or the
    error's type when it has no message): for a one-sentence message on the page."""
    text = str(err).strip().splitlines()[0].strip() if str(err).strip() else ""
    text = text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
    return text.rstrip(".") or type(err).__name__


def _fault(state: AppState, err: Exception) -> None:
    """Record a failed training step as one sentence, stop playing and log the traceback for the server."""
    run, device = state.run, state.run.trainer.torch_device
    logging.getLogger(__name__).exception("training step failed on %s at epoch %d", device, run.trainer.epoch)
    run.device_error, run.resume = is_device_error(err, device), state.playing
    state.playing = False
    if run.device_error:
        try:
            if device.type == "cuda":
                torch.cuda.empty_cache()
        except Exception:  # noqa: BLE001  (a broken CUDA context must not hide the message)
            pass
        run.error = (f"Training paused at epoch {run.trainer.epoch}: the step failed on the {device.type.upper()} "
                     f"({first_line(err)}); the graph, the run and its history are kept, so you can continue on "
                     "the CPU.")
    else:
        run.error = (f"Training paused at epoch {run.trainer.epoch}: the step failed ({type(err).__name__}: "
                     f"{first_line(err)}); the graph, the run and its history are kept: press Step to try again "
                     "or Reset to start over.")


def continue_on_cpu(state: AppState) -> None:
    """Move the run to the CPU after a device error and go on from the same epoch (playing again if it was).

    The applied settings (and so the link) switch to ``device=cpu``; epoch, history and snapshots stay. If the run
    cannot be moved (a broken device context), the message says so and Reset starts the settings again on the CPU.
    """
    run = state.run
    state.pending = state.pending.replace(device="cpu")
    state.widgets_stale = True
    run.device_error = False
    try:
        run.trainer.to("cpu")
    except Exception as err:  # noqa: BLE001
        logging.getLogger(__name__).exception("moving the run to the CPU failed")
        run.error = (f"The run could not be moved to the CPU ({first_line(err)}); press Reset to start it again "
                     "on the CPU.")
        return
    run.config = run.config.replace(device="cpu")
    run.error = ""
    state.playing, state.view_epoch = run.resume and not run.trainer.done, None


def sync_widgets(state: AppState) -> None:
    """Give every settings widget its value in :attr:`AppState.pending` if they are stale or not yet set (call
    before the widgets are drawn)."""
    for f in fields(state.pending):
        key, value = WIDGET_PREFIX + f.name, getattr(state.pending, f.name)
        if state.widgets_stale or key not in st.session_state:
            st.session_state[key] = ",".join(map(str, value)) if isinstance(value, tuple) else value
    state.widgets_stale = False
