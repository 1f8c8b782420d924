"""Compare: TVGNN next to the smooth baselines on the current graph, trained in step, with matched colours.

Every chosen method runs with the applied settings of the current run (same graph, layout, widths, learning rate,
epochs and seed) in a :class:`gtvviz.compare.Comparison` kept in this session's state. One transport bar advances
them all; cluster ids are matched to TVGNN or to the ground truth, so equal colours mean equal clusters. The side
by side panels are one plotly figure (browsers allow few WebGL contexts). Below: the sharpness histograms, the
spectral relaxed solution next to TVGNN's assignment, the metrics, a multi-seed table and the downloads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from gtvviz import RunConfig
from gtvviz.compare import TABLE_METRICS, TRUTH, Comparison, format_table, relaxed_and_sharp, summarise
from gtvviz.config import METHODS
from gtvviz.errors import GtvvizError
from gtvviz.metrics import boundary_nodes
from gtvviz.registry import REGISTRY
from gtvviz.viz import (apply_style, assignments_table, compare_graph_figure, compare_simplex_figure, figure_html,
                        legend_html, metrics_table, relaxed_colorscale, relaxed_figure, relaxed_labels,
                        sharpness_histograms_figure, to_csv)
from gtvviz_app.player import (DEFAULT_PACE, Player, StepButton, Transport, pace_text, run_message, tick,
                               transport_bar)
from gtvviz_app.presentation import figure_style, key_text_px, present_mode
from gtvviz_app.seed_job import SeedJob
from gtvviz_app.sidebar import page_frame
from gtvviz_app.state import AppState, get_state

#: Session-state key of the page's :class:`CompareState`.
KEY = "gtvviz_compare"
#: Label of the ground-truth reference in the matching choice.
TRUTH_LABEL = "ground truth"
#: Most seeds the multi-seed table runs.
MAX_SEEDS = 10
#: Height of a row of graph panels outside presentation mode (three panels a row, each about 270 px wide at
#: 1280x720; a layout is drawn wider than tall, so a taller row would only add white space), in pixels.
PANEL_HEIGHT = 300
#: Height of the row of graph panels and of one row of simplexes (two for K > 2) in presentation mode, in pixels.
PRESENT_PANEL_HEIGHT, PRESENT_SIMPLEX_HEIGHT = 270, 100
#: Seconds between reruns of the side-by-side panels while playing (each one trains a paced tick). Every rerun
#: redraws several plotly figures of every method on the browser's one thread, where a click on Pause waits behind
#: them, so the panels rerun less often than the single-run view does.
PANELS_INTERVAL = 0.5
#: Seconds between redraws of the histograms, the relaxed solution and the metrics while playing.
CHARTS_INTERVAL = 2.0
#: Seconds between refreshes of the multi-seed progress while its runs go on in the background.
SEEDS_POLL = 1.0


TRANSPORT = Transport(
    "compare-transport", reset_help="Every method back to epoch 0", pace_key="compare.pace",
    pace_help="Epochs every method trains per second while playing. Methods slower than the pace play as fast as "
              "they train.",
    steps=(StepButton("Step", 1, "Train every method one epoch"), StepButton("Step 10", 10, "Train every method ten epochs")))


@dataclass
class CompareState:
    """The page's own state: the comparison and its player, what it was built from, and the multi-seed results."""

    comparison: Comparison | None
    built_from: tuple[str, RunConfig, tuple[str, ...]]
    player: Player | None = None
    error: str = ""
    seed_job: SeedJob | None = None

    @property
    def playing(self) -> bool:
        return self.player is not None and self.player.playing


def _methods() -> tuple[str, ...]:
    return tuple(st.session_state.get("compare.methods") or ())


def _build(state: AppState, methods: tuple[str, ...]) -> CompareState:
    run = state.run
    source = (run.graph_key, run.config, methods)
    try:
        comparison = Comparison(run.graph, run.config, methods)
    except GtvvizError as err:
        return CompareState(None, source, error=str(err))
    rate = float(st.session_state.get("compare.pace", DEFAULT_PACE))
    return CompareState(comparison, source, Player(comparison, rate=rate))


def compare_state(state: AppState) -> CompareState:
    """The session's comparison, rebuilt when the graph, the running settings or the chosen methods change."""
    methods = _methods()
    current = st.session_state.get(KEY)
    if current is None or current.built_from != (state.run.graph_key, state.run.config, methods):
        if current is not None and current.seed_job is not None:
            current.seed_job.stop()  # its runs were for the old graph or settings
        current = st.session_state[KEY] = _build(state, methods)
    return current


def _player() -> Player | None:
    return compare_state(get_state()).player


def _reset() -> None:
    player = _player()
    if player is not None:
        player.playing = False
        with player.lock:
            player.runner.reset()


# ---------------------------------------------------------------- views
def _titled(comparison: Comparison, aligned: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every method's matched assignment (``aligned``, by method) under its name on screen, and the notes its panels
    carry (:func:`gtvviz.compare.verdict`: a collapse, an undecided run, a result that is one-hot by construction)."""
    titled = {REGISTRY[m].title: s for m, s in aligned.items()}
    return titled, {REGISTRY[m].title: note for m, note in comparison.verdicts().items() if note}


def _reference(comparison: Comparison) -> str:
    options = [m for m in ("tvgnn",) if m in comparison.methods]
    if comparison.graph.has_labels:
        options.append(TRUTH_LABEL)
    options = options or [comparison.methods[0]]
    if st.session_state.get("compare.reference") not in options:
        st.session_state.pop("compare.reference", None)
    choice = st.radio("Match cluster colours to", options, horizontal=True, key="compare.reference",
                      help="Hungarian matching of every method's clusters to this reference")
    return TRUTH if choice == TRUTH_LABEL else str(choice)


def _status(comparison: Comparison, player: Player) -> None:
    epochs = comparison.config.epochs
    mode = f"training at {pace_text(player)}" if player.playing else "done" if comparison.done else "paused"
    per_method = " · ".join(f"{m} once" if t.one_shot else f"{m} {t.epoch}"
                            for m, t in comparison.trainers.items())
    with st.container(key="compare-epoch"):
        st.markdown(f"**Epoch {comparison.epoch}** / {epochs} · {mode} · {per_method}")
    st.progress(min(comparison.epoch / max(epochs, 1), 1.0))
    for method, message in comparison.errors.items():
        st.error(f"{method}: {message}")


@st.fragment(run_every=PANELS_INTERVAL if st.session_state.get(KEY) and st.session_state[KEY].playing else None)
def live_view() -> None:
    """One frame: a time-boxed training tick while playing, then the side-by-side graph panels."""
    cs = compare_state(get_state())
    if cs.comparison is None or cs.player is None:
        return
    tick(cs.player)
    comparison = cs.comparison
    _status(comparison, cs.player)
    run_message(cs.player)
    reference = st.session_state.get("compare.reference_value", "tvgnn")
    assignments, notes = _titled(comparison, comparison.aligned(reference))
    focus = None
    if st.session_state.get("compare.boundary"):
        focus = boundary_nodes(comparison.graph, comparison.reference_labels(reference))
    k = next(iter(assignments.values())).shape[1]
    if present_mode():  # one row of panels and a short simplex row: both above the fold at 1280x720
        figure = compare_graph_figure(comparison.graph, get_state().run.layout, assignments, focus=focus,
                                      columns=len(assignments), panel_height=PRESENT_PANEL_HEIGHT, notes=notes)
        simplex = compare_simplex_figure(assignments, height=PRESENT_SIMPLEX_HEIGHT * (1 if k == 2 else 2))
    else:
        figure = compare_graph_figure(comparison.graph, get_state().run.layout, assignments, focus=focus, notes=notes,
                                      panel_height=PANEL_HEIGHT)
        simplex = compare_simplex_figure(assignments)
    apply_style(figure, figure_style())
    apply_style(simplex, figure_style())
    st.html(legend_html(k, font_px=key_text_px()))
    # (no plotly toolbar: it would cover the last panel's title; dragging still zooms)
    st.plotly_chart(figure, key="compare-graphs", config={"displayModeBar": False})
    st.plotly_chart(simplex, key="compare-simplex", config={"displayModeBar": False})


@st.fragment(run_every=CHARTS_INTERVAL if st.session_state.get(KEY) and st.session_state[KEY].playing else None)
def charts() -> None:
    """Sharpness histograms, the relaxed solution next to TVGNN, and the metrics of the current epoch."""
    cs = compare_state(get_state())
    if cs.comparison is None:
        return
    comparison = cs.comparison
    reference = st.session_state.get("compare.reference_value", "tvgnn")
    assignments = comparison.aligned(reference)
    titled, notes = _titled(comparison, assignments)
    st.plotly_chart(apply_style(sharpness_histograms_figure(titled, notes=notes), figure_style()),
                    key="compare-sharpness", config={"displayModeBar": False})
    fiedler = comparison.relaxed("spectral") if "spectral" in assignments else None
    if fiedler is not None and "tvgnn" in assignments:
        relaxed, sharp = relaxed_and_sharp(fiedler, assignments["tvgnn"])
        panels = {"spectral relaxation (Fiedler vector)": relaxed, "TVGNN s_ik": sharp}
        figure = relaxed_figure(comparison.graph, get_state().run.layout, panels,
                                colorscale=relaxed_colorscale(assignments["tvgnn"], sharp),
                                labels=relaxed_labels(assignments["tvgnn"], sharp))
        st.plotly_chart(apply_style(figure, figure_style()), key="compare-relaxed", config={"displayModeBar": False})
    else:
        st.caption("Choose tvgnn and spectral to see the spectral relaxed solution next to TVGNN's assignment.")
    st.dataframe(metrics_table(comparison.results(), (*TABLE_METRICS, "epoch")), key="compare-metrics")


def _seeds_polling() -> bool:
    cs = st.session_state.get(KEY)
    return cs is not None and cs.seed_job is not None and cs.seed_job.running


def _start_seeds() -> None:
    cs = compare_state(get_state())
    if cs.comparison is None or (cs.seed_job is not None and cs.seed_job.running):
        return
    comparison = cs.comparison
    cs.seed_job = SeedJob(comparison.graph, comparison.config, comparison.methods,
                          int(st.session_state.get("compare.seeds", 3)))


def _stop_seeds() -> None:
    job = compare_state(get_state()).seed_job
    if job is not None:
        job.stop()


#: Whether this run of the page polls the multi-seed runs (``run_every`` is fixed when the page runs).
SEEDS_POLLING = _seeds_polling()


@st.fragment(run_every=SEEDS_POLL if SEEDS_POLLING else None)
def seeds_table() -> None:
    """Every chosen method over several seeds, run in the background one run at a time: a progress bar, a Stop
    button, and the table of mean ± std over the runs finished so far."""
    cs = compare_state(get_state())
    job = cs.seed_job
    running = job is not None and job.running
    with st.container(horizontal=True, vertical_alignment="bottom", key="compare-seeds"):
        st.number_input("Seeds", 1, MAX_SEEDS, 3, key="compare.seeds", width=120, disabled=running)
        if running:
            st.button("Stop", icon=":material/stop:", key="compare.seeds_stop", on_click=_stop_seeds,
                      help="Stop after the current epoch; the runs finished so far stay in the table")
        else:
            st.button("Run over seeds", icon=":material/table_chart:", key="compare.seeds_run", on_click=_start_seeds,
                      help="Train every chosen method to the end once per seed, in the background")
    if job is None:
        return
    if running:
        st.progress(min(job.done / job.total, 1.0), text=f"{job.label} · {len(job.rows)} runs finished")
    elif job.error:
        st.error(f"The runs over seeds stopped: {job.error}")
    elif job.stopped:
        st.caption(f"Stopped: {len(job.rows)} runs finished.")
    if job.rows:
        st.markdown(format_table(summarise(job.rows), markdown=True))
    if running != SEEDS_POLLING:
        st.rerun()  # the whole page, to start or stop polling


def downloads(cs: CompareState, reference: str) -> None:
    """Assignments (every method, matched), configuration, metrics, figure and multi-seed JSON."""
    assert cs.comparison is not None
    comparison = cs.comparison
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in comparison.graph.name) or "graph"

    def assignments() -> str:
        tables = [assignments_table(comparison.graph, s).assign(method=m)
                  for m, s in comparison.aligned(reference).items()]
        return to_csv(pd.concat(tables, ignore_index=True))

    def metrics() -> str:
        return to_csv(pd.DataFrame(comparison.results()).T.rename_axis("method").reset_index())

    def figure() -> str:
        return figure_html(compare_graph_figure(comparison.graph, get_state().run.layout,
                                                comparison.aligned(reference)))

    config = json.dumps({"config": comparison.config.to_dict(), "methods": list(comparison.methods)}, indent=2)
    with st.container(horizontal=True, key="compare-downloads"):
        st.download_button("Assignments CSV", assignments, f"{stem}_compare_assignments.csv", "text/csv",
                           on_click="ignore", icon=":material/download:")
        st.download_button("Configuration JSON", config, f"{stem}_compare_config.json", "application/json",
                           on_click="ignore", icon=":material/download:")
        st.download_button("Metrics CSV", metrics, f"{stem}_compare_metrics.csv", "text/csv", on_click="ignore",
                           icon=":material/download:")
        st.download_button("Figure HTML", figure, f"{stem}_compare.html", "text/html", on_click="ignore",
                           icon=":material/download:")
        if cs.seed_job is not None and cs.seed_job.rows:
            st.download_button("Seeds JSON", json.dumps(summarise(cs.seed_job.rows), indent=2),
                               f"{stem}_compare_seeds.json", "application/json", on_click="ignore",
                               icon=":material/download:")


def _choices(cs: CompareState) -> None:
    """The methods, the colour reference and the boundary zoom (set before a class: folded away in presentation
    mode, where the panels need the screen)."""
    st.multiselect("Methods", METHODS, key="compare.methods",
                   help="Every method runs with the applied settings of the current run (same widths, learning "
                        "rate, epochs and seed); spectral clustering and k-means have no parameters and are fitted "
                        "once.")
    if cs.comparison is None:
        return
    left, right = st.columns([2, 1], vertical_alignment="center")
    with left:
        st.session_state["compare.reference_value"] = _reference(cs.comparison)
    with right:
        st.toggle("Zoom on boundary nodes", key="compare.boundary",
                  help="Only the nodes with a neighbour in another cluster (of the reference), where smooth "
                       "methods mix colours")


state = page_frame("Compare — TVGNN against the smooth baselines")
st.session_state.setdefault("compare.methods", list(METHODS))
cs = compare_state(state)
with (st.expander("Methods and colours", icon=":material/tune:") if present_mode() else st.container()):
    _choices(cs)
if cs.comparison is None:
    st.error(cs.error or "Choose at least one method.")
else:
    transport_bar(cs.player, TRANSPORT, _player, _reset)
    live_view()
    charts()
    with st.expander("Over several seeds", icon=":material/table_chart:"):
        seeds_table()
    downloads(cs, st.session_state["compare.reference_value"])
