"""The per-session state of the app: the running configuration, its graph, trainer and recorded snapshots.

Everything lives in ``st.session_state`` (one browser tab), never in ``st.cache_resource`` (shared by every user),
so two sessions that train at once never touch each other's model. Only graphs and layouts, which do not change,
are cached across sessions (``st.cache_data`` returns a copy per call).

A session that opens without a graph in its link lands on :data:`~gtvviz.data.samples.LANDING_SAMPLE` at its
preset (:func:`landing_config`); choosing a sample starts its preset (:func:`sample_config`). A change of a
setting restarts the run with it at once (:func:`apply_settings`), so the running settings, the widgets and the
link always describe the run on screen. A restart marks the settings widgets as stale; the form copies the
settings into them the next time it is drawn (:func:`sync_widgets`), so state may change anywhere (a callback or
the script body). A change that fails (a bad upload, K > N, a device that is absent) leaves the previous graph and
run exactly as they were and records one message for the control that caused it (:attr:`AppState.errors`).

Two plays show recorded epochs rather than training: the replay of the sharpening (:func:`replay_sharpening`,
:func:`replay_tick`) and the hold that Pause asks of the live graph, which stops on the frame it has drawn and
reports its epoch (:func:`hold_drawn_frame`, :func:`take_held`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, fields
from functools import partial

import numpy as np
import streamlit as st

from gtvviz import Graph, GtvvizError, RunConfig, Snapshot, Trainer, build_trainer
from gtvviz.data.samples import LANDING_SAMPLE, SAMPLES
from gtvviz.viz import SnapshotRecorder
from gtvviz.viz.sharpening import SharpeningWindow, snapshots_window
from gtvviz_app import loading, player
from gtvviz_app.player import DEFAULT_PACE, FRAME_INTERVAL, Player, due_epochs, first_line
from gtvviz_app.urlsync import read_url

#: Session-state key of the :class:`AppState`.
KEY = "gtvviz_state"
#: Prefix of the session-state keys of the settings widgets (``cfg.clusters``, ...).
WIDGET_PREFIX = "cfg."
#: Prefix of the graph source of an uploaded graph (it lives only in the session that uploaded it).
UPLOAD_PREFIX = "upload:"
#: Control area of the transport bar (where a failed Reset is shown).
TRANSPORT_AREA = "transport"
#: Graphs above this many nodes compute metrics every 10 epochs instead of every epoch.
METRICS_EVERY_LIMIT = 5000
#: Pace of the replay of the sharpening, in recorded epochs per second (slow motion: every one is drawn).
REPLAY_PACE = 5
#: Seconds after which a hold the live graph has not answered is given up (the page then shows the latest epoch).
HOLD_TIMEOUT = 3.0


def sample_config(name: str, device: str = RunConfig.device) -> RunConfig:
    """The run a shipped sample's "what to look for" text describes: the defaults with its K and preset, on
    ``device``."""
    sample = SAMPLES[name]
    return RunConfig(graph=name, clusters=sample.suggested_k, device=device).replace(**sample.preset)


def landing_config() -> RunConfig:
    """The run a session opens on when its link names no graph: the landing sample at its preset."""
    return sample_config(LANDING_SAMPLE)


@dataclass
class Replay:
    """A replay of recorded epochs in slow motion: the epochs still to show, oldest first, and its clock."""

    epochs: list[int]
    clock: float | None = None
    owed: float = 0.0


@dataclass
class Run:
    """One training run: its configuration, graph (with a cache key, a fixed layout and, for a large graph, a
    picture of its edges), trainer, recorded snapshots and its :class:`~gtvviz_app.player.Player`.

    ``error`` is the message of the last failed training step (divergence or fault), ``device_error`` whether that
    failure was the device's (then the run can continue on the CPU, :func:`continue_on_cpu`) and ``resume``
    whether it was playing when it failed (all three kept by the player).
    """

    config: RunConfig
    graph: Graph
    graph_key: str
    layout: np.ndarray
    picture: str | None
    trainer: Trainer
    recorder: SnapshotRecorder
    player: Player

    @property
    def latest(self) -> Snapshot:
        """The snapshot of the current epoch."""
        assert self.trainer.last is not None
        return self.trainer.last

    @property
    def error(self) -> str:
        return self.player.error

    @error.setter
    def error(self, message: str) -> None:
        self.player.error = message

    @property
    def device_error(self) -> bool:
        return self.player.device_error

    @property
    def resume(self) -> bool:
        return self.player.resume


@dataclass
class AppState:
    """Everything the app remembers for one session.

    Attributes:
        run: the running run.
        pending: the settings of the run (a change restarts the run, so they are always those of :attr:`run`
            except for a device moved after a failure, see :func:`continue_on_cpu`).
        classroom: hide the advanced controls (``classroom=1`` in the URL).
        view_epoch: the replayed epoch, or ``None`` to follow the latest.
        data_root: cache root of PyG datasets.
        upload: cache key and graph of the latest upload.
        notices: messages to show once (e.g. ignored link parameters).
        toasts: short messages to show once in the page's corner (e.g. what a remedy restarted the run with).
        errors: one message per control area (``graph``, ``settings``, ``transport``).
        widgets_stale: the settings widgets must be set from :attr:`pending` before they are drawn again.
        replay: the replay of the sharpening in progress, if any.
        hold: the token of the hold asked of the live graph (0: none), see :func:`hold_drawn_frame`.
        hold_since: when it was asked (``time.monotonic``).
        held_view: :attr:`view_epoch` is the epoch Pause stopped on (not one chosen to replay).
    """

    run: Run
    pending: RunConfig
    classroom: bool = False
    view_epoch: int | None = None
    data_root: str = ""
    upload: tuple[str, Graph] | None = None
    notices: list[str] = field(default_factory=list)
    toasts: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    widgets_stale: bool = True
    replay: Replay | None = None
    hold: int = 0
    hold_since: float = 0.0
    holds: int = 0
    held_view: bool = False

    @property
    def playing(self) -> bool:
        """Whether the training ticks are running (the run's player)."""
        return self.run.player.playing

    @playing.setter
    def playing(self, playing: bool) -> None:
        self.run.player.playing = playing

    @property
    def rate(self) -> float:
        """The pace of play, in epochs per second."""
        return self.run.player.rate or DEFAULT_PACE

    def shown(self) -> Snapshot:
        """The snapshot on screen: the replayed one, or the latest."""
        if self.view_epoch is None or self.playing:
            return self.run.latest
        return self.run.recorder.get(self.view_epoch)

    def sharpening(self) -> SharpeningWindow | None:
        """The epochs over which the run has sharpened (:func:`~gtvviz.viz.sharpening.sharpening_window` of its
        recorded snapshots), or ``None`` before its sharpness has risen and settled (no replay of half a rise)."""
        window = snapshots_window(self.run.recorder.snapshots())
        return window if window is not None and window.settled else None


def get_state() -> AppState:
    """The session's state, created on first use from the URL (read only once per session)."""
    if KEY not in st.session_state:
        config, classroom, messages = read_url(landing_config())
        try:
            run = build_run(config, *graph_for(config, None, ""))
        except GtvvizError as err:
            messages.append(f"The link's graph or settings could not be used ({err}); showing the default run.")
            config = landing_config()
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
    player = Player(trainer, rate=DEFAULT_PACE, on_frames=partial(_record, recorder))
    return Run(config, graph, key, layout, loading.graph_picture(key, graph, layout), trainer, recorder, player)


def _record(recorder: SnapshotRecorder, snapshots: list[Snapshot]) -> None:
    for snapshot in snapshots:
        recorder.add(snapshot)


def start(state: AppState, config: RunConfig, area: str, graph: tuple[Graph, str] | None = None,
          keep_playing: bool = False) -> bool:
    """Replace the run with a fresh one of ``config``; on failure record the message under ``area``.

    Args:
        state: the session state.
        config: the configuration to run.
        area: the control area that asked (where a failure is shown).
        graph: the graph and its key, when the caller already has it (e.g. an upload).
        keep_playing: the new run plays if the old one was playing (a setting changed while playing).
    """
    try:
        run = build_run(config, *(graph or graph_for(config, state.upload, state.data_root)))
    except GtvvizError as err:
        state.errors[area] = str(err)
        return False
    run.player.rate = state.run.player.rate
    run.player.playing = keep_playing and state.playing and not run.player.done
    state.run, state.pending = run, config
    state.view_epoch, state.replay, state.hold = None, None, 0
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


def apply_settings(state: AppState, area: str, **changes: object) -> bool:
    """Restart the run with ``changes`` to its settings (a settings widget changed), playing on if it was; on
    failure keep the run and record one message under ``area``. Nothing changes when the settings are the same."""
    try:
        config = state.pending.replace(**changes)
    except GtvvizError as err:
        state.errors[area] = str(err)
        return False
    if config == state.pending:
        state.errors.pop(area, None)
        return True
    started = start(state, config, area, keep_playing=True)
    # the widgets already hold these settings: rewriting them would wipe a value being typed in another field
    state.widgets_stale = False
    return started


def typed_settings() -> dict[str, object]:
    """The value every settings widget holds now, by setting name (a value typed but not yet applied included)."""
    return {f.name: st.session_state[WIDGET_PREFIX + f.name] for f in fields(RunConfig)
            if WIDGET_PREFIX + f.name in st.session_state}


def reset_run() -> None:
    """Start the session's run again from the settings on screen (the transport bar's Reset).

    A value typed into a settings widget reaches the server when the widget loses focus, so a click on Reset
    right after typing can arrive with it, before (or instead of) the widget's own callback: Reset takes the
    widgets' values, and when they are not valid the applied settings (their message is the settings' own).
    The widgets are not rewritten: that would wipe a value still being typed."""
    state = get_state()
    try:
        config = state.pending.replace(**typed_settings())
    except GtvvizError:
        config = state.pending
    start(state, config, TRANSPORT_AREA)
    state.widgets_stale = False


def follow_latest() -> None:
    """Leave the replay: show the latest snapshot again (before Play and the step buttons)."""
    state = get_state()
    state.view_epoch, state.replay, state.hold, state.held_view = None, None, 0, False


def hold_drawn_frame() -> None:
    """Pause on the frame the live graph has drawn: ask it to stay there and report its epoch (:func:`take_held`)."""
    state = get_state()
    state.holds += 1
    state.hold, state.hold_since = state.holds, time.monotonic()


def take_held(state: AppState, epoch: int | None) -> bool:
    """Show ``epoch``, the live graph's answer to the hold (``None``: no answer yet); give the hold up after
    :data:`HOLD_TIMEOUT` seconds. Returns whether the hold ended (then the page should rerun)."""
    if not state.hold:
        return False
    if epoch is None and time.monotonic() - state.hold_since < HOLD_TIMEOUT:
        return False
    state.hold = 0
    if epoch is not None:
        state.view_epoch = None if epoch >= state.run.latest.epoch else epoch
        state.held_view = state.view_epoch is not None
    return True


def replay_sharpening() -> None:
    """Replay the epochs of the sharpening window in slow motion (:data:`REPLAY_PACE`), from its first epoch."""
    state = get_state()
    window = state.sharpening()
    if window is None:
        return
    state.playing, state.hold, state.held_view = False, 0, False
    epochs = [epoch for epoch in state.run.recorder.epochs() if window.start <= epoch <= window.end]
    state.view_epoch = epochs[0]
    state.replay = Replay(epochs[1:])


def stop_replay() -> None:
    """Stop the replay of the sharpening on the frame the live graph has drawn."""
    state = get_state()
    state.replay = None
    hold_drawn_frame()


def replay_tick(state: AppState) -> None:
    """Move :attr:`AppState.view_epoch` on by the recorded epochs due at :data:`REPLAY_PACE` since the replay's
    previous tick. The tick after the last epoch was shown ends the replay (:attr:`AppState.replay` becomes
    ``None``), so the live graph has drawn it first."""
    replay = state.replay
    if replay is None:
        return
    if not replay.epochs:  # every epoch was shown by the previous tick: the replay ends now
        state.replay = None
        return
    now = player.pace_clock()
    elapsed = FRAME_INTERVAL if replay.clock is None else now - replay.clock
    replay.clock = now
    count, replay.owed = due_epochs(REPLAY_PACE, elapsed, replay.owed)
    chosen, replay.epochs = replay.epochs[:count], replay.epochs[count:]
    if chosen:
        state.view_epoch = chosen[-1]


def continue_on_cpu(state: AppState) -> None:
    """Move the run to the CPU after a device error and go on from the same epoch (playing again if it was).

    The applied settings (and so the link) switch to ``device=cpu``; epoch, history and snapshots stay. If the run
    cannot be moved (a broken device context), the message says so and Reset starts the settings again on the CPU.
    """
    run = state.run
    state.pending = state.pending.replace(device="cpu")
    state.widgets_stale = True
    run.player.device_error = False
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
    run.player.clock, run.player.owed = None, 0.0  # the pace starts again from here


def sync_widgets(state: AppState) -> None:
    """Give every settings widget its value in :attr:`AppState.pending` if they are stale or not yet set (call
    before the widgets are drawn)."""
    for f in fields(state.pending):
        key, value = WIDGET_PREFIX + f.name, getattr(state.pending, f.name)
        if state.widgets_stale or key not in st.session_state:
            st.session_state[key] = ",".join(map(str, value)) if isinstance(value, tuple) else value
    state.widgets_stale = False
