"""Explore: train TVGNN live on the current graph and watch the assignment sharpen.

Two fragments rerun themselves while playing: the live view every frame (one time-boxed training tick, the epoch
counter and the graph: fixed layout, colour = cluster, grey = undecided, dark = cut edges) and, less often, the
charts (metrics, loss curves, sharpness histogram, cluster sizes). Each plotly chart costs the browser a full
redraw per update, so only the graph is updated every frame, in place (``gtvviz_app.live_graph``: one plot that keeps its
zoom, whose node colours and cut edges change). Paused, a slider replays the recorded snapshots.
"""

from __future__ import annotations

import streamlit as st

from gtvviz.data import SAMPLES, sample_info
from gtvviz.viz import cluster_sizes_figure, loss_figure, sharpness_figure
from gtvviz_app.downloads import download_buttons
from gtvviz_app.live_graph import HEIGHT, live_graph
from gtvviz_app.presentation import figure_style, graph_height
from gtvviz_app.sidebar import page_frame
from gtvviz_app.player import (CHART_INTERVAL, FRAME_INTERVAL, FRAMES_PER_TICK, Transport, frames_of, run_message, tick,
                       transport_bar)
from gtvviz_app.state import TRANSPORT_AREA, AppState, continue_on_cpu, follow_latest, get_state, reset_run, restart_with

LABEL_METRICS = {"nmi": "NMI", "ari": "ARI", "acc": "ACC", "cut_fraction": "Cut fraction", "sharpness": "Sharpness",
                 "boundary_sharpness": "Boundary sharpness"}
GRAPH_METRICS = {"modularity": "Modularity", "conductance": "Conductance", "cut_fraction": "Cut fraction",
                 "sharpness": "Sharpness", "boundary_sharpness": "Boundary sharpness"}
METRIC_HELP = {"sharpness": "Mean confidence max_k s_ik: 1 for one-hot rows, 1/K for uniform ones.",
               "boundary_sharpness": "Sharpness of the nodes with a neighbour in another cluster, where smooth "
                                     "methods blur (— while no edge is cut)."}
COLLAPSED = (
    "**The run has collapsed.** For many epochs every node has kept (almost) the same soft assignment: the graph "
    "stays grey (S is uniform, 1/K everywhere) or one cluster has taken every node, so the loss has nothing left "
    "to pull on."
)
#: What to do about it, by the run's balance weight.
TRANSPORT = Transport(
    "transport", reset_help="Start again from the applied settings", speed_key="speed",
    speed_help="The most epochs trained between two frames of the graph: higher trains faster, lower animates more "
               "smoothly. A model slower than that shows every epoch.")
REMEDY = {
    "fixed": "With the reference balance weight (α₂ fixed), the uniform assignment is a trap whenever the "
             "partitions the model can reach early cut more edges than α₂/α₁ of their balance — typical with 4 or "
             "more clusters and weak features (see Theory, section 3). The adaptive balance weight avoids it.",
    "adaptive": "Even the adaptive balance weight could not pull this run away from it: the features may not "
                "separate the nodes at all. Try another seed, fewer clusters or a higher learning rate.",
}


def _on_replay() -> None:
    state = get_state()
    epoch = st.session_state["replay"]
    state.view_epoch = None if epoch >= state.run.latest.epoch else epoch


def _status(state: AppState) -> None:
    run, shown = state.run, state.shown()
    latest = run.latest.epoch
    mode = "training" if state.playing else "done" if run.trainer.done else "paused"
    if shown.epoch != latest:
        mode = f"replaying (latest epoch {latest})"
    with st.container(key="epoch-counter"):
        st.markdown(f"**Epoch {shown.epoch}** / {run.config.epochs} · {shown.elapsed:.1f} s of training · {mode}")
    st.progress(min(latest / max(run.config.epochs, 1), 1.0))


def _metrics(state: AppState) -> None:
    shown = state.shown()
    values = state.run.trainer.metrics(shown)
    names = LABEL_METRICS if state.run.graph.has_labels else GRAPH_METRICS
    with st.container(horizontal=True, key="metrics"):
        for key, label in names.items():
            value = values[key]
            st.metric(label, "—" if value != value else f"{value:.3f}", width="content", help=METRIC_HELP.get(key))


def _collapse_remedy(state: AppState) -> None:
    weight = state.run.config.balance_weight
    st.warning(f"{COLLAPSED} {REMEDY.get(weight, '')}", icon=":material/blur_on:")
    if weight == "fixed" and st.button("Adaptive balance weight and Reset", key="remedy.adaptive",
                                       icon=":material/balance:"):
        restart_with(state, TRANSPORT_AREA, balance_weight="adaptive")
        st.rerun()
    if st.button("New seed and Reset", key="remedy.seed", icon=":material/casino:"):
        restart_with(state, TRANSPORT_AREA, seed=(state.pending.seed + 1) % 2**31)
        st.rerun()


def _replay_slider(state: AppState) -> None:
    epochs = state.run.recorder.epochs()
    if state.playing or len(epochs) < 2:
        return
    st.session_state["replay"] = state.run.recorder.get(state.shown().epoch).epoch
    st.select_slider("Replay", options=epochs, key="replay", on_change=_on_replay,
                     help="Scrub through the recorded epochs.")


@st.fragment(run_every=FRAME_INTERVAL if get_state().playing else None)
def live_view() -> None:
    """One rerun: a training tick while playing, then the epoch counter and the graph (which plays the tick's frames
    and ends on the shown snapshot)."""
    state = get_state()
    frames = frames_of(tick(state.run.player, FRAMES_PER_TICK), FRAMES_PER_TICK)
    run, shown = state.run, state.shown()
    _status(state)
    run_message(run.player, on_cpu=lambda: continue_on_cpu(state))
    if shown.collapsed:
        _collapse_remedy(state)
    live_graph(run.graph, run.layout, shown.s, graph_key=run.graph_key, epoch=shown.epoch,
               frames=[(frame.epoch, frame.s) for frame in frames[:-1]], playing=state.playing,
               picture=run.picture, height=graph_height(HEIGHT), key="graph")


@st.fragment(run_every=CHART_INTERVAL if get_state().playing else None)
def charts() -> None:
    """The metrics, loss curves, sharpness histogram and cluster sizes (redrawn less often than the graph)."""
    state = get_state()
    shown = state.shown()
    _metrics(state)
    style = figure_style()
    st.plotly_chart(loss_figure(state.run.trainer.history, list(shown.losses), style=style), key="loss")
    st.plotly_chart(sharpness_figure(shown.s, style=style), key="sharpness")
    st.plotly_chart(cluster_sizes_figure(shown.s, style=style), key="sizes")


state = page_frame("Explore — watch TVGNN cluster the graph")
if state.run.config.graph in SAMPLES:
    with st.expander(f"About {state.run.config.graph}: what to look for"):
        info = sample_info(state.run.config.graph)
        st.markdown(f"{info['description']}. {info['look_for']}")
transport_bar(state.run.player, TRANSPORT, lambda: get_state().run.player, reset_run, before=follow_latest)
if TRANSPORT_AREA in state.errors:
    st.error(state.errors[TRANSPORT_AREA])
left, right = st.columns([3, 2])
with left:
    live_view()
    _replay_slider(state)
with right:
    charts()
download_buttons(state)
