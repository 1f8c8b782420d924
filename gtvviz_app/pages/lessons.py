"""Lessons: a guided walk through one idea of TVGNN, step by step, with Next and Back (``?lesson=NAME``).

Each step (:mod:`gtvviz_app.lessons`) sets the run (graph, K, methods, seed), plays it to the step's epoch and
pauses there, with one or two sentences of what to look at above the picture. The page keeps its own walk and
player in the session (it never touches the Explore run); its link is ``?lesson=NAME&step=N`` plus the
presentation and classroom flags. Laid out for a 1280x720 projector in presentation mode (``present=1``): the text,
the buttons and the picture fit above the fold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from gtvviz.compare import verdict
from gtvviz.errors import GtvvizError
from gtvviz.viz import (apply_style, compare_graph_figure, compare_simplex_figure, edge_values_figure, graph_figure,
                        legend_html)
from gtvviz_app import loading
from gtvviz_app.lessons import (LESSON_PARAM, LESSONS, METHOD_TITLES, LessonWalk, assignments, cut_labels,
                                engaged_epoch, gamma_across_cut, gamma_of, lesson_named, snapshots)
from gtvviz_app.live_graph import live_graph
from gtvviz_app.player import FRAME_INTERVAL, FRAMES_PER_TICK, TICK_SECONDS, Player, advance, frames_of, run_message
from gtvviz_app.presentation import PRESENT, figure_style, key_text_px, present_mode
from gtvviz_app.urlsync import CLASSROOM

#: Session-state key of the page's :class:`LessonState`.
KEY = "gtvviz_lesson"
#: URL parameter of the step (1-based), read when a session opens a lesson from a link.
STEP_PARAM = "step"
#: Most epochs one rerun of the live view trains (each also time-boxed to ``TICK_SECONDS``): slow enough to watch.
EPOCHS_PER_TICK = 5
#: Height of the pictures (outside presentation mode, in it), in pixels: the step's text, the buttons and the
#: picture fill a 1280x720 screen (the layouts are drawn wider than tall, so the side-by-side panels need no more).
HEIGHT, PRESENT_HEIGHT = 400, 380
#: Height of the simplex row under the side-by-side graphs (K = 2: a line), in pixels.
SIMPLEX_HEIGHT = 100
#: Γ's colours span these quantiles of its values (a few near-equal neighbours get Γ up to 1/ε, which would
#: otherwise squeeze every other edge into the darkest colours).
GAMMA_QUANTILES = (0.05, 0.95)


@dataclass
class LessonState:
    """The page's session state: the walk, the player of its current run, the flags of the link."""

    walk: LessonWalk
    player: Player
    flags: dict[str, str] = field(default_factory=dict)


def _load(source: str):
    return loading.load_named(source, "")


def _flags() -> dict[str, str]:
    flags = {CLASSROOM: "1"} if st.query_params.get(CLASSROOM, "").lower() in ("1", "true", "yes") else {}
    if present_mode():
        flags[PRESENT] = "1"
    return flags


def _open(name: str, index: int = 0) -> None:
    """Start lesson ``name`` at step ``index`` (its run plays to the step's epoch)."""
    walk = LessonWalk(lesson_named(name), _load)
    walk.go(index)
    assert walk.runner is not None
    st.session_state[KEY] = LessonState(walk, Player(walk.runner, playing=not walk.arrived), _flags())


def _move(delta: int) -> None:
    """Next (+1) or Back (-1): make the step current and play its run to the step's epoch."""
    ls: LessonState = st.session_state[KEY]
    with ls.player.lock:  # never rebuild or replace a run while a tick is training it
        rebuilt = ls.walk.go(ls.walk.index + delta)
    if rebuilt:
        assert ls.walk.runner is not None
        ls.player = Player(ls.walk.runner)
    ls.player.error = ""
    ls.player.playing = not ls.walk.arrived


def _close() -> None:
    st.session_state.pop(KEY, None)


def lesson_state() -> LessonState | None:
    """The session's lesson; on the session's first visit, the one the link names (``?lesson=NAME&step=N``)."""
    if KEY not in st.session_state and "gtvviz_lesson_opened" not in st.session_state:
        st.session_state["gtvviz_lesson_opened"] = True  # a link is read once; afterwards the buttons decide
        name = st.query_params.get(LESSON_PARAM)
        if name:
            try:
                step = int(st.query_params.get(STEP_PARAM, "1")) - 1
            except ValueError:
                step = 0
            try:
                _open(name, step)
            except GtvvizError as err:
                st.session_state["gtvviz_lesson_error"] = str(err)
    return st.session_state.get(KEY)


def _write_url(ls: LessonState | None) -> None:
    """The link of what is on screen: ``lesson=NAME&step=N``, or an empty ``lesson=`` for the list of lessons (so
    that the app keeps opening this page), and the presentation and classroom flags."""
    if ls is None:
        wanted = {LESSON_PARAM: "", **_flags()}
    else:
        wanted = {LESSON_PARAM: ls.walk.lesson.name, STEP_PARAM: str(ls.walk.index + 1), **ls.flags}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


# ---------------------------------------------------------------- views
def _titled(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {METHOD_TITLES.get(name, name): value for name, value in values.items()}


def _status(ls: LessonState) -> None:
    walk, player = ls.walk, ls.player
    assert walk.runner is not None
    epoch, target = walk.runner.epoch, walk.step.epoch
    mode = f"playing to epoch {target}" if player.playing else "paused"
    shown = snapshots(walk.runner, walk.step.methods)
    parts = [f"**Epoch {epoch}** · {mode}"]
    if walk.step.view == "gamma":
        across, inside, n_cut = gamma_across_cut(walk.graph, gamma_of(walk.runner, walk.graph),
                                                 cut_labels(walk.graph, walk.runner))
        parts.append(f"median Γ across the cut ({n_cut} edges) **{across:.3g}**, inside **{inside:.3g}** "
                     f"(×{across / inside:.2f})")
    else:
        parts.append("sharpness " + ", ".join(f"{METHOD_TITLES.get(m, m)} **{s.s.max(axis=1).mean():.2f}**"
                                              for m, s in shown.items()))
        if all("nmi" in s.metrics for s in shown.values()):  # the graph has labels: how well each method finds them
            parts.append("NMI " + ", ".join(f"{METHOD_TITLES.get(m, m)} **{s.metrics['nmi']:.2f}**"
                                            for m, s in shown.items()))
        notes = {METHOD_TITLES.get(m, m): verdict(s.s) for m, s in shown.items()}
        parts += [f"{title}: {note}" for title, note in notes.items() if note]  # e.g. "DMoN: undecided"
        engaged = engaged_epoch(walk.runner)
        if engaged is not None:
            parts.append(f"adaptive balance weight engaged at epoch {engaged}")
    with st.container(key="lesson-epoch"):
        st.markdown(" · ".join(parts))


def _assignment_view(ls: LessonState, frames: list, height: int) -> None:
    walk = ls.walk
    assert walk.runner is not None and walk.graph is not None
    layout = loading.graph_layout(walk.graph_key, walk.graph)
    shown = assignments(walk.runner, walk.step.methods)
    if len(shown) == 1:
        s = next(iter(shown.values()))
        live_graph(walk.graph, layout, s, graph_key=walk.graph_key, epoch=walk.runner.epoch,
                   frames=[(f.epoch, f.s) for f in frames_of(frames, FRAMES_PER_TICK)[:-1]],
                   playing=ls.player.playing, picture=loading.graph_picture(walk.graph_key, walk.graph, layout),
                   height=height, key="lesson-graph", text_px=key_text_px())
        return
    k = next(iter(shown.values())).shape[1]
    st.html(legend_html(k, font_px=key_text_px()))
    style = figure_style()
    panels = _titled(shown)
    simplex = SIMPLEX_HEIGHT if k == 2 else 2 * SIMPLEX_HEIGHT
    graphs = compare_graph_figure(walk.graph, layout, panels, columns=len(panels), panel_height=height - simplex)
    simplexes = compare_simplex_figure(panels, height=simplex)
    for figure in (graphs, simplexes):
        apply_style(figure, style)
    st.plotly_chart(graphs, key="lesson-graphs", config={"displaylogo": False})
    st.plotly_chart(simplexes, key="lesson-simplex", config={"displaylogo": False})


def _gamma_view(ls: LessonState, height: int) -> None:
    walk = ls.walk
    assert walk.runner is not None and walk.graph is not None
    layout = loading.graph_layout(walk.graph_key, walk.graph)
    style = figure_style()
    left, right = st.columns([3, 2])
    with left:
        gamma = gamma_of(walk.runner, walk.graph)
        low, high = (float(q) for q in np.quantile(gamma, GAMMA_QUANTILES))
        figure = edge_values_figure(walk.graph, layout, gamma, name="Γ<sub>ij</sub>", log=True, height=height,
                                    value_range=(low, high), style=style)
        figure.update_layout(title_text="Γ of the last GTVConv layer", margin={"t": 40})
        st.plotly_chart(figure, key="lesson-gamma", config={"displaylogo": False})
    with right:
        s = next(iter(assignments(walk.runner, walk.step.methods).values()))
        st.plotly_chart(graph_figure(walk.graph, layout, s, title="TVGNN's clusters", height=height, style=style),
                        key="lesson-clusters", config={"displaylogo": False})


def _playing() -> bool:
    ls = lesson_state()  # (opens the link's lesson first, so that a link whose step must play starts playing)
    return ls is not None and ls.player.playing


@st.fragment(run_every=FRAME_INTERVAL if _playing() else None)
def live_view() -> None:
    """One rerun: while playing, a time-boxed training tick towards the step's epoch; then the status and the view.
    On arrival the whole page reruns (the timer stops, the status says paused)."""
    ls = lesson_state()
    if ls is None:
        return
    walk, frames = ls.walk, []
    if ls.player.playing:
        frames = advance(ls.player, min(walk.remaining, EPOCHS_PER_TICK), TICK_SECONDS)
        if walk.arrived or not ls.player.playing:
            ls.player.playing = False
            st.rerun()
    _status(ls)
    run_message(ls.player)
    height = PRESENT_HEIGHT if present_mode() else HEIGHT
    if walk.step.view == "gamma":
        _gamma_view(ls, height)
    else:
        _assignment_view(ls, frames, height)


def lesson_picker() -> None:
    """Every lesson with its summary and a Start button."""
    st.markdown("#### Lessons — TVGNN in a few guided steps")
    for name, lesson in LESSONS.items():
        with st.container(border=True, key=f"lesson-card-{name}"):
            # (columns, not a horizontal container: a summary of two lines would push its button onto a line of
            # its own, so that every card's Start sits in the same place)
            text, button = st.columns([6, 1], vertical_alignment="center")
            text.markdown(f"**{lesson.title}** ({len(lesson.steps)} steps) — {lesson.summary}")
            button.button("Start", key=f"lesson.start.{name}", on_click=_open, args=(name,), type="primary",
                          icon=":material/school:", width="stretch")


def lesson_page() -> None:
    ls = lesson_state()
    _write_url(ls)
    error = st.session_state.pop("gtvviz_lesson_error", "")
    if error:
        st.warning(error, icon=":material/link_off:")
    if ls is None:
        lesson_picker()
        return
    walk = ls.walk
    st.markdown(f"#### {walk.lesson.title}")
    # (top-aligned: Back and Next stay in one place from step to step, whatever the length of the text)
    text, buttons = st.columns([5, 2], vertical_alignment="top")
    with text, st.container(key="lesson-text"):
        st.markdown(f"**Step {walk.index + 1} of {len(walk.lesson.steps)} · {walk.step.title}.** {walk.step.text}")
    with buttons, st.container(horizontal=True, horizontal_alignment="right", key="lesson-buttons"):
        st.button("Back", key="lesson.back", on_click=_move, args=(-1,), disabled=walk.first,
                  icon=":material/arrow_back:")
        st.button("Next", key="lesson.next", on_click=_move, args=(1,), disabled=walk.last, type="primary",
                  icon=":material/arrow_forward:")
    live_view()
    st.button("All lessons", key="lesson.close", on_click=_close, type="tertiary", icon=":material/list:")


lesson_page()
