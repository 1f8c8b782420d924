"""The transport bar (Reset, Play/Pause, Step 1 and 10, speed) and the time-boxed training tick.

While playing, the Explore page's live view is a fragment that reruns itself every :data:`FRAME_INTERVAL`
seconds; each rerun trains for at most :data:`TICK_SECONDS` seconds and at most ``speed`` x
:data:`FRAMES_PER_TICK` epochs (:func:`tick`), then hands up to :data:`FRAMES_PER_TICK` of the states it trained,
evenly spaced and ending on the latest, to the live graph, which plays them one after the other
(``ui.live_graph``): the browser reruns the fragment only two or three times a second, so one frame per rerun
would update the graph no more often than that. ``speed`` is thus the most epochs between two frames: a model
fast enough trains ``speed`` epochs per frame, a slower one (a time box full before that) shows every epoch. A
click (Pause, Reset, ...) is handled as soon as the running tick ends, and the graph then drops the frames still
queued and shows the paused state at once.
The buttons live outside the fragment, so a click reruns the whole page and the fragment is redefined with the
new ``run_every``. A tick that fails (divergence, a device out of memory, any error) pauses with one message
(:func:`run_message`); after a device error a button moves the run to the CPU and goes on.
"""

from __future__ import annotations

import streamlit as st

from gtvviz import Snapshot
from ui.state import AppState, advance, continue_on_cpu, get_state, start

#: Seconds between frames while playing (the fragment's ``run_every``).
FRAME_INTERVAL = 0.1
#: Seconds between redraws of the charts next to the graph while playing.
CHART_INTERVAL = 0.5
#: Training time box of one rerun of the live view, in seconds.
TICK_SECONDS = 0.15
#: Frames one rerun of the live view hands to the graph at most (the live graph plays them at its own pace).
FRAMES_PER_TICK = 10
#: Largest speed (epochs per frame) offered.
MAX_SPEED = 50
AREA = "transport"


def _reset() -> None:
    state = get_state()
    start(state, state.pending, AREA)


def _toggle() -> None:
    state = get_state()
    state.playing = not state.playing and not state.run.trainer.done
    state.view_epoch = None


def _step(epochs: int) -> None:
    state = get_state()
    state.playing, state.view_epoch = False, None
    advance(state, epochs)


def _speed() -> None:
    get_state().speed = int(st.session_state["speed"])


def transport_bar(state: AppState) -> None:
    """Draw Reset, Play/Pause, Step, Step 10 and the speed slider, and any message of theirs."""
    done = state.run.trainer.done
    st.session_state.setdefault("speed", state.speed)
    with st.container(horizontal=True, vertical_alignment="bottom", key="transport"):
        st.button("Reset", on_click=_reset, icon=":material/replay:", help="Start again from the applied settings")
        st.button("Pause" if state.playing else "Play", on_click=_toggle, type="primary", disabled=done,
                  icon=":material/pause:" if state.playing else ":material/play_arrow:")
        st.button("Step", on_click=_step, args=(1,), icon=":material/skip_next:", help="Train one epoch")
        st.button("Step 10", on_click=_step, args=(10,), icon=":material/fast_forward:", help="Train ten epochs")
        st.slider("Speed (epochs per frame)", 1, MAX_SPEED, key="speed", on_change=_speed, width=220,
                  persist_state="session", help="The most epochs trained between two frames of the graph: higher "
                  "trains faster, lower animates more smoothly. A model slower than that shows every epoch.")
    if AREA in state.errors:
        st.error(state.errors[AREA])


def tick(state: AppState) -> list[Snapshot]:
    """Train while playing (at most ``speed`` x :data:`FRAMES_PER_TICK` epochs and :data:`TICK_SECONDS` seconds)
    and return the frames to play, oldest first (:func:`frames_of`); when the run ends or diverges, rerun the app
    to stop the timer."""
    if not state.playing:
        return []
    trained = advance(state, state.speed * FRAMES_PER_TICK, TICK_SECONDS)
    if not state.playing:
        st.rerun()
    return frames_of(trained, FRAMES_PER_TICK)


def frames_of(snapshots: list[Snapshot], most: int) -> list[Snapshot]:
    """At most ``most`` of the snapshots trained in a row, evenly spaced (every ``ceil(n / most)``-th) and ending on
    the last one (the latest state), oldest first."""
    every = max(-(-len(snapshots) // most), 1)
    return snapshots[len(snapshots) - 1::-every][::-1]


def run_message(state: AppState) -> None:
    """Show the message of the run's last failed step, if any, and after a device error offer to continue on the
    CPU (the run keeps its epoch, history and snapshots; the applied settings and the link switch to the CPU)."""
    run = state.run
    if not run.error:
        return
    st.error(run.error, icon=":material/error:")
    if run.device_error and st.button("Continue on CPU", key="remedy.cpu", icon=":material/memory:",
                                      help="Move the model and its optimiser to the CPU and go on from this epoch"):
        continue_on_cpu(state)
        st.rerun()  # the whole page: the transport bar, the settings form and the link follow the new device
