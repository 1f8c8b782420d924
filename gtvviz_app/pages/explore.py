"""Explore: train one clustering method live on the current graph and watch the assignment sharpen.

Two fragments rerun themselves while playing: the live view every frame (one paced training tick, the status line
and the graph: fixed layout, colour = cluster, pale = undecided, edges darkened by their GTV share, the assignment
simplex beside it, and the epoch counter drawn over it with each frame, so that the counter always shows the drawn
frame) and, less often, the right column (what went wrong with the run and its remedies, metrics, loss curves,
sharpness histogram, cluster sizes). Each plotly chart
costs the browser a full redraw per update, so only the graph is updated every frame, in place
(``gtvviz_app.live_graph``). Pause stops on the frame drawn; paused, a slider replays the recorded snapshots, and
"Replay sharpening" plays the epochs where the sharpness rose (:mod:`gtvviz.viz.sharpening`, shaded on the
loss chart) in slow motion.

Everything follows the chosen method: the title, the settings (``gtvviz_app.settings``), the loss terms and the
messages; spectral clustering and k-means, which have no epochs, show their result (and spectral its relaxed
solution) instead of a transport bar.
"""

from __future__ import annotations

import streamlit as st

from gtvviz.baselines import relaxed_solution
from gtvviz.compare import relaxed_and_sharp
from gtvviz.data import SAMPLES, sample_info
from gtvviz.registry import REGISTRY
from gtvviz.viz import (apply_style, cluster_sizes_figure, loss_figure, mark_epochs, relaxed_colorscale, relaxed_figure,
                        relaxed_labels, sharpness_figure)
from gtvviz_app.downloads import download_buttons
from gtvviz_app.live_graph import held_epoch, live_graph
from gtvviz_app.player import (CHART_INTERVAL, FRAME_INTERVAL, FRAMES_PER_TICK, SLOW_MOTION, Transport,
                               epochs_to_draw, pace_text, run_message, tick, transport_bar)
from gtvviz_app.presentation import figure_style, graph_height, key_text_px
from gtvviz_app.settings import LABELS
from gtvviz_app.sidebar import page_frame
from gtvviz_app.state import (REPLAY_PACE, TRANSPORT_AREA, AppState, apply_settings, continue_on_cpu, follow_latest,
                              get_state, hold_drawn_frame, replay_sharpening, replay_tick, reset_run, restart_with,
                              stop_replay, take_held)

LABEL_METRICS = {"nmi": "NMI", "ari": "ARI", "acc": "ACC", "cut_fraction": "Cut fraction", "sharpness": "Sharpness",
                 "boundary_sharpness": "Boundary sharpness"}
GRAPH_METRICS = {"modularity": "Modularity", "conductance": "Conductance", "cut_fraction": "Cut fraction",
                 "sharpness": "Sharpness", "boundary_sharpness": "Boundary sharpness"}
METRIC_HELP = {"sharpness": "Mean confidence max_k s_ik: 1 for one-hot rows, 1/K for uniform ones.",
               "boundary_sharpness": "Sharpness of the nodes with a neighbour in another cluster, where smooth "
                                     "methods blur (— while no edge is cut)."}
#: What the methods without epochs do, in one sentence.
ONE_SHOT = {
    "spectral": "Spectral clustering has no epochs: it computes its result at once, rounding the relaxed solution "
                "of the normalised cut (the leading non-trivial eigenvectors of the normalised adjacency) with "
                "k-means. Below: that relaxed solution next to the rounded clusters.",
    "kmeans": "k-means has no epochs: it clusters the node features once, without looking at the graph.",
}
#: The loss terms of each trained method, as the loss chart names them (``total`` is the weighted sum).
LOSS_LABELS = {
    "tvgnn": {"total": "total (α₁ GTV + α₂ balance)", "gtv": "GTV term", "balance": "balance term"},
    "mincut": {"total": "total (cut + orthogonality)", "mincut": "cut term", "ortho": "orthogonality term"},
    "dmon": {"total": "total (modularity + collapse)", "spectral": "modularity term",
             "collapse": "collapse regulariser"},
}
#: Shown under the loss chart while TVGNN's adaptive balance weight drives the gradient.
ADAPTIVE_NOTE = ("The adaptive balance weight is engaged: the gradient now weighs the balance term more than α₂ to "
                 "leave the uniform assignment; the curves still show the reference loss.")
COLLAPSED = (
    "**The run has collapsed.** For many epochs every node has kept (almost) the same soft assignment: the graph "
    "stays grey (S is uniform, 1/K everywhere) or one cluster has taken every node, so the loss has nothing left "
    "to pull on."
)
#: Shown when a finished run leaves clusters (almost) empty (:attr:`gtvviz.train.Snapshot.partial_collapse`).
PARTIAL = "**{used} of {k} clusters used:** {empty} ended (almost) empty, so groups share a cluster."
#: Why the escape left a partial collapse in place.
ESCAPE_FAILED = "The escape did not mend it: try another seed, or fewer clusters."
#: Shown when a finished run uses every cluster but puts 90% of the nodes or more in one.
LOPSIDED = ("**One cluster holds 90% of the nodes or more;** the others split off a few nodes only. Try another "
            "seed, fewer clusters or a larger balance weight α₂.")
#: What to do about a collapse, for TVGNN by its balance weight, for the smooth methods by the method.
REMEDY = {
    "fixed": "With the reference balance weight (α₂ fixed), the uniform assignment is a trap whenever the "
             "partitions the model can reach early cut more edges than α₂/α₁ of their balance — typical with 4 or "
             "more clusters and weak features (see Theory, section 3). The adaptive balance weight avoids it.",
    "adaptive": "Even the adaptive balance weight could not pull this run away from it: the features may not "
                "separate the nodes at all. Try another seed, fewer clusters or a higher learning rate.",
    "dmon": "Nearly identical rows of S are a stationary point of DMoN's loss, so it stays undecided: this is the "
            "smooth behaviour TVGNN is built to avoid. Switch to TVGNN to see the difference on this graph.",
    "mincut": "MinCutPool's loss is lowest with every node in one cluster when the rows of S start alike: this is "
              "the smooth behaviour TVGNN is built to avoid. Switch to TVGNN to see the difference on this graph.",
}
#: Height of the live graph outside presentation mode: with its colour key it ends above the fold of a 1280x720
#: screen under the title and the transport bar (a layout is drawn wider than tall, so the 320 px wide panel of
#: that screen does not need more).
GRAPH_HEIGHT = 350
TRANSPORT = Transport(
    "transport", reset_help="Start again from the current settings", pace_key="pace",
    pace_help=f"Epochs trained per second while playing. Up to {SLOW_MOTION}/s (slow motion) the graph draws every "
              "epoch; faster, it draws evenly spaced epochs. A model slower than the pace plays as fast as it trains.")


def _title(state: AppState) -> str:
    method = state.run.config.method
    if method in ONE_SHOT:
        return f"Explore — {REGISTRY[method].title} of the graph (no training)"
    return f"Explore — watch {REGISTRY[method].title} cluster the graph"


def _one_shot(state: AppState) -> bool:
    """Whether the run's method has no epochs (it was done when built)."""
    return state.run.config.method in ONE_SHOT


def _on_replay() -> None:
    state = get_state()
    epoch = st.session_state["replay"]
    state.view_epoch = None if epoch >= state.run.latest.epoch else epoch
    state.held_view = False


def _status(state: AppState) -> None:
    """The status line: the epoch when it is the one drawn (paused), else what is playing (the counter over the
    graph shows the drawn epoch), and the progress of the run."""
    run, shown = state.run, state.shown()
    latest = run.latest.epoch
    with st.container(key="epoch-counter"):
        if _one_shot(state):
            st.markdown("**Result** · computed once, no epochs")
            return
        if state.playing:
            text = f"**Training** at {pace_text(run.player)} · {run.latest.elapsed:.1f} s of compute"
        elif state.replay is not None:
            text = f"**Replaying the sharpening** in slow motion (latest epoch {latest})"
        elif state.hold:
            text = "**Pausing** on the drawn epoch…"
        else:
            mode = "done" if run.trainer.done else "paused"
            if shown.epoch != latest:
                mode = (f"paused (trained to epoch {latest})" if state.held_view
                        else f"replaying (latest epoch {latest})")
            text = f"**Epoch {shown.epoch}** / {run.config.epochs} · {shown.elapsed:.1f} s of compute · {mode}"
        st.markdown(text)
    st.progress(min(latest / max(run.config.epochs, 1), 1.0))


def _metrics(state: AppState) -> None:
    if state.playing or state.replay is not None:
        st.caption("While playing, the counter over the graph gives the drawn epoch and its sharpness; "
                   "Pause to read every metric of that epoch here.")
        return
    shown = state.shown()
    values = state.run.trainer.metrics(shown)
    names = LABEL_METRICS if state.run.graph.has_labels else GRAPH_METRICS
    with st.container(horizontal=True, key="metrics"):
        for key, label in names.items():
            value = values[key]
            st.metric(label, "—" if value != value else f"{value:.3f}", width="content", help=METRIC_HELP.get(key))


def _collapse_remedy(state: AppState) -> None:
    method, weight = state.run.config.method, state.run.config.balance_weight
    st.warning(f"{COLLAPSED} {REMEDY.get(weight if method == 'tvgnn' else method, '')}", icon=":material/blur_on:")
    if method == "tvgnn" and weight == "fixed" and st.button(
            "Adaptive balance weight and Reset", key="remedy.adaptive", icon=":material/balance:"):
        _remedy_restart(state, balance_weight="adaptive")
    if method in ("dmon", "mincut") and st.button("Switch to TVGNN", key="remedy.tvgnn", icon=":material/swap_horiz:"):
        apply_settings(state, TRANSPORT_AREA, method="tvgnn")
        st.rerun()
    _new_seed_button(state, "remedy.seed", ":material/casino:")


def _new_seed_button(state: AppState, key: str, icon: str | None = None) -> None:
    """A button that restarts the run with the next seed."""
    if st.button("New seed and Reset", key=key, icon=icon,
                 help="Train again from another random initialisation (the seed + 1)"):
        _remedy_restart(state, seed=(state.pending.seed + 1) % 2**31)


def _remedy_restart(state: AppState, **changes: object) -> None:
    """Restart the run with ``changes`` (a remedy's button) and say what changed in a toast: otherwise only the
    sidebar and the link would show it. Then rerun the whole page."""
    if restart_with(state, TRANSPORT_AREA, **changes):
        what = ", ".join(f"{LABELS[name]} = {value}" for name, value in changes.items())
        state.toasts.append(f"Restarted at epoch 0 with {what}. Press Play to train.")
    st.rerun()


def _partial_remedy(state: AppState, used: int) -> None:
    """The note on a finished run that left clusters (almost) empty or gave one cluster nearly every node, with its
    remedies as buttons: the escape from partial collapse (:mod:`gtvviz.escape`; TVGNN with an empty cluster) and a
    new seed."""
    config = state.run.config
    empty = config.clusters - used
    tvgnn = config.method == "tvgnn"
    escaped = tvgnn and config.balance_weight == "escape"
    if empty:
        note = PARTIAL.format(used=used, k=config.clusters, empty="one cluster" if empty == 1 else f"{empty} clusters")
        st.info(f"{note} {ESCAPE_FAILED}" if escaped else note, icon=":material/join:")
    else:
        st.info(LOPSIDED, icon=":material/join:")
    with st.container(horizontal=True, key="partial-remedies"):
        if empty and tvgnn and not escaped and st.button(
                "Escape and Reset", key="remedy.escape",
                help="Train again with the balance weight 'escape': once the run settles, each empty cluster takes "
                     "one side of a cut of the largest cluster, and the cut stays only if the loss falls"):
            _remedy_restart(state, balance_weight="escape")
        if empty and tvgnn and config.init != "spectral" and st.button(
                "Spectral start and Reset", key="remedy.spectral",
                help="Train again from spectral clustering's partition (Start: spectral), in which every cluster "
                     "holds nodes; the loss then takes over"):
            _remedy_restart(state, init="spectral")
        _new_seed_button(state, "remedy.partial_seed")


def _remedies(state: AppState) -> None:
    """What went wrong with the shown run and what to do, at the top of the right column, so that the graph keeps
    its place above the fold at 1280x720 and no element is inserted above the live graph."""
    shown = state.shown()
    if shown.collapsed:
        _collapse_remedy(state)
    elif (shown.partial_collapse and state.run.player.done and state.view_epoch is None and not state.playing
          and state.replay is None):
        _partial_remedy(state, shown.clusters_used)


def _replay_slider(state: AppState) -> None:
    epochs = state.run.recorder.epochs()
    if state.playing or state.replay is not None or len(epochs) < 2:
        return
    st.session_state["replay"] = state.run.recorder.get(state.shown().epoch).epoch
    st.select_slider("Replay", options=epochs, key="replay", on_change=_on_replay,
                     help="Scrub through the recorded epochs.")


def _sharpening_button(state: AppState) -> None:
    """"Replay sharpening" (or "Stop replay" while it plays) beside the transport bar, once the run has sharpened
    (short, so that the bar keeps one line at 1280x720: the epochs are in its help and shaded on the loss chart)."""
    if state.replay is not None:
        st.button("Stop replay", key="sharpening.stop", on_click=stop_replay, icon=":material/stop:")
        return
    window = None if state.playing else state.sharpening()
    if window is not None:
        st.button("Replay sharpening", key="sharpening.replay", on_click=replay_sharpening,
                  icon=":material/slow_motion_video:",
                  help=f"Play epochs {window.start} to {window.end} again in slow motion: where the sharpness rose "
                       "fastest (shaded on the loss chart).")


def _live_frames(state: AppState) -> list:
    """The frames this rerun hands to the graph, ending on the shown one: trained (playing) or recorded (replaying
    the sharpening), each time with those of the last moments again (:func:`~gtvviz_app.player.epochs_to_draw`),
    so that an epoch whose rerun the browser skipped is still drawn."""
    recorder = state.run.recorder
    if state.replay is not None:
        replay_tick(state)
        if state.replay is None:
            st.rerun()  # the replay has ended: stop the timers, show every metric of its last epoch
        shown = state.shown().epoch
        return [recorder.get(epoch) for epoch in epochs_to_draw([e for e in recorder.epochs() if e <= shown],
                                                                REPLAY_PACE)]
    tick(state.run.player, FRAMES_PER_TICK)
    if not state.playing:
        return []
    return [recorder.get(epoch) for epoch in epochs_to_draw(recorder.epochs(), state.rate)]


@st.fragment(run_every=FRAME_INTERVAL if get_state().playing or get_state().replay is not None else None)
def live_view() -> None:
    """One rerun: a training tick while playing (or the next epochs of the replay), then the status line and the
    graph (which plays the frames and ends on the shown snapshot; Pause holds the frame it has drawn)."""
    state = get_state()
    frames = _live_frames(state)
    run, shown = state.run, state.shown()
    moving = state.playing or state.replay is not None
    _status(state)
    run_message(run.player, on_cpu=lambda: continue_on_cpu(state))
    value = live_graph(run.graph, run.layout, shown.s, graph_key=run.graph_key, epoch=shown.epoch,
                       frames=[(frame.epoch, frame.s) for frame in frames[:-1]], playing=moving,
                       picture=run.picture, height=graph_height(GRAPH_HEIGHT), key="graph",
                       total=0 if _one_shot(state) else run.config.epochs, hold=state.hold, text_px=key_text_px())
    if take_held(state, held_epoch(value, state.hold)):
        st.rerun()  # the whole page: the status, the metrics and the charts show the held epoch


def _loss_chart(state: AppState) -> None:
    shown, method = state.shown(), state.run.config.method
    labels = LOSS_LABELS.get(method, {})
    names = [name for name in shown.losses if name != "train_total"]
    replayed = shown.epoch if state.view_epoch is not None and not state.playing else None
    fig = mark_epochs(loss_figure(state.run.trainer.history, names, style=figure_style()), state.sharpening(),
                      replayed)
    for trace in fig.data:
        trace.name = labels.get(trace.name, trace.name)
    st.plotly_chart(fig, key="loss")
    if method == "tvgnn" and "train_total" in state.run.latest.losses:
        st.caption(ADAPTIVE_NOTE)


@st.fragment(run_every=CHART_INTERVAL if get_state().playing or get_state().replay is not None else None)
def charts() -> None:
    """The remedies of a run gone wrong, the metrics, loss curves, sharpness histogram and cluster sizes (redrawn
    less often than the graph)."""
    state = get_state()
    shown = state.shown()
    _remedies(state)
    _metrics(state)
    style = figure_style()
    if not _one_shot(state):
        _loss_chart(state)
    st.plotly_chart(sharpness_figure(shown.s, style=style), key="sharpness")
    st.plotly_chart(cluster_sizes_figure(shown.s, style=style), key="sizes")


def relaxed_view(state: AppState) -> None:
    """Spectral clustering's relaxed solution (its first non-trivial eigenvector) next to the rounded clusters, on
    one colour map."""
    fiedler = relaxed_solution(state.run.trainer.model)
    if fiedler is None:
        return
    s = state.run.latest.s
    relaxed, sharp = relaxed_and_sharp(fiedler, s)
    panels = {"relaxed solution (eigenvector)": relaxed, "rounded clusters": sharp}
    figure = relaxed_figure(state.run.graph, state.run.layout, panels, height=300,
                            colorscale=relaxed_colorscale(s, sharp), labels=relaxed_labels(s, sharp))
    # (no plotly toolbar: it would cover the second panel's title; dragging still zooms)
    st.plotly_chart(apply_style(figure, figure_style()), key="relaxed", config={"displayModeBar": False})


state = get_state()
state = page_frame(_title(state))
if state.run.config.graph in SAMPLES:
    with st.expander(f"About {state.run.config.graph}: what to look for"):
        info = sample_info(state.run.config.graph)
        st.markdown(f"{info['description']}. {info['look_for']}")
if _one_shot(state):
    st.info(ONE_SHOT[state.run.config.method], icon=":material/bolt:")
else:
    with st.container(horizontal=True, vertical_alignment="bottom", key="transport-row"):
        transport_bar(state.run.player, TRANSPORT, lambda: get_state().run.player, reset_run, before=follow_latest,
                      on_pause=hold_drawn_frame)
        _sharpening_button(state)
if TRANSPORT_AREA in state.errors:
    st.error(state.errors[TRANSPORT_AREA])
left, right = st.columns([3, 2])
with left:
    live_view()
    _replay_slider(state)
    if _one_shot(state):
        relaxed_view(state)
with right:
    charts()
download_buttons(state)
